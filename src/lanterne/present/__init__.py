"""View models: one object per result, rendered the same way by the CLI, the web app, the downloads and the letters.

Each module builds the content of one result once (rows, labels, numbers with their status);
the front ends only lay it out.
"""
