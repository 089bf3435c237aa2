"""``lanterne serve``: a local web application over the Python API.

Server-rendered pages (Jinja2) that work without JavaScript, in French by default with an
English switch on every page (``?lang=en``):

- ``/`` — what Lanterne is;
- ``/models`` — the catalog, each model's variables, weights and provenance, and a
  comparison of two models;
- ``/score`` — "Mon score": a household's score, percentile, selection, contributions,
  what the model reacts to, and the explanation and letters to download;
- ``/archetypes`` — the archetype table of a model, with a chart;
- ``/audit`` — upload a CSV or Parquet file for a population or random-baseline audit and
  get the report (the file is deleted once the report is made).

Every response carries a Content-Security-Policy (``default-src 'self'``): the pages load
nothing from outside.

Example:
    >>> from fastapi.testclient import TestClient
    >>> from lanterne.web import create_app
    >>> client = TestClient(create_app(population_rows=2_000))
    >>> response = client.get("/?lang=en")
    >>> response.status_code, "Lanterne" in response.text
    (200, True)
"""

from lanterne.web.app import WebConfig, create_app

__all__ = ["WebConfig", "create_app"]
