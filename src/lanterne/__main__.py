"""``python -m lanterne``: the same command as ``lanterne`` (useful when the script's folder
is not on ``PATH``, or to pick the Python: ``py -3.11 -m lanterne`` on Windows)."""

from lanterne.cli import main

if __name__ == "__main__":
    main()
