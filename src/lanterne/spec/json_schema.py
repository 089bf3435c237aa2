"""The JSON Schema of a model spec, for editors: completion, hover help and red marks.

Generated from the Pydantic models of :mod:`lanterne.spec.schema` (the same ones that
validate a spec), shipped as ``catalog/schema/spec.schema.json`` and written by
``lanterne models schema``. The schema sees one field at a time; what needs the whole
spec (an expression naming an undeclared variable, a coefficient citing an unknown
source...) is checked by ``lanterne models check`` only. ``tests/spec/test_spec_schema.py``
regenerates the file byte for byte and validates every catalog spec against it.

Example:
    >>> schema = spec_json_schema()
    >>> schema["title"], schema["required"][:2]
    ('Lanterne model specification', ['lanterne_spec', 'id'])
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lanterne.catalog import catalog_dir
from lanterne.spec.schema import ModelSpec

#: Where the schema lives in the catalog.
SCHEMA_FILE = Path("schema") / "spec.schema.json"

_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def spec_json_schema() -> dict[str, Any]:
    """The spec's JSON Schema (draft 2020-12) as a dictionary."""
    schema = ModelSpec.model_json_schema(mode="validation")
    _allow_includes(schema)
    return {
        "$schema": _DIALECT,
        **schema,
        "title": "Lanterne model specification",
        "description": (
            "A model spec of Lanterne (docs/spec.md): who uses the model, the variables it "
            "reads, how it scores and whom it selects, every number with its source and "
            "status. Checked field by field here; `lanterne models check` checks the rest."
        ),
    }


def _allow_includes(schema: dict[str, Any]) -> None:
    """Let a spec as written include variables declared once (:mod:`lanterne.spec.include`).

    The loader writes the included declarations in place before Pydantic sees the spec, so
    the models know nothing of ``include`` or of a variable listed by its bare name.
    """
    props = schema["properties"]
    props["include"] = {
        "title": "Include",
        "description": (
            "Files of variables declared once: a catalog id (fr-households) or a relative "
            "path to a .yaml file in this spec's folder or below it."
        ),
        "type": "array",
        "items": {"type": "string", "minLength": 1},
    }
    variables = props["variables"]
    variables["items"] = {
        "anyOf": [
            variables["items"],
            {"type": "string", "description": "A variable declared in an included file."},
        ]
    }


def spec_json_schema_text() -> str:
    """The schema as the shipped file holds it: indented JSON, keys in Pydantic's order.

    >>> spec_json_schema_text().startswith('{\\n  "$schema"')
    True
    """
    return json.dumps(spec_json_schema(), indent=2, ensure_ascii=False) + "\n"


def schema_path() -> Path:
    """The shipped schema file in the catalog in use."""
    return catalog_dir() / SCHEMA_FILE


__all__ = ["SCHEMA_FILE", "schema_path", "spec_json_schema", "spec_json_schema_text"]
