"""The shipped catalog: every model loads, and every number carries its provenance."""

from __future__ import annotations

import pytest

from lanterne.catalog import catalog_files, model_ids
from lanterne.model import load_model

MODELS = model_ids()


def test_the_two_french_models_are_shipped() -> None:
    assert {"fr-cnaf-2014", "fr-cnaf-dmde-2026"} <= set(MODELS)


@pytest.mark.parametrize("model_id", MODELS)
def test_every_number_has_a_status_and_a_source(model_id: str) -> None:
    model = load_model(model_id)
    spec = model.spec
    assert spec.sources
    for number in spec.numbers():
        assert spec.status_of(number) in ("published", "reconstructed", "illustrative")
        source = spec.source_of(number)
        assert source is not None and (source.url or source.legal_reference or source.document)
    for source in spec.sources:
        assert source.title


@pytest.mark.parametrize("model_id", MODELS)
def test_illustrative_models_say_so(model_id: str) -> None:
    spec = load_model(model_id).spec
    if spec.overall_status() == "illustrative":
        assert spec.status_note is not None
        assert "illustrati" in spec.status_note.fr.lower()
        assert "illustrative" in spec.status_note.en.lower()


@pytest.mark.parametrize("model_id", MODELS)
def test_models_never_read_sensitive_variables(model_id: str) -> None:
    model = load_model(model_id)
    sensitive = {v.name for v in model.spec.sensitive_variables}
    assert not sensitive & set(model.used_variables)


def test_shared_variables_are_declared_alike_across_french_models() -> None:
    specs = [load_model(m).spec for m in MODELS if m.startswith("fr-")]
    seen: dict[str, tuple] = {}
    for spec in specs:
        for var in spec.variables:
            shape = (var.type, tuple(var.categories or ()), var.range, var.unit)
            assert seen.setdefault(var.name, shape) == shape, var.name


def test_sample_has_every_column_both_french_models_need(sample) -> None:
    for model_id in ("fr-cnaf-2014", "fr-cnaf-dmde-2026"):
        model = load_model(model_id)
        assert set(model.used_variables) <= set(sample.columns)
        model.prepare(sample)  # raises if a value is invalid


def test_catalog_files_lists_yaml_by_id() -> None:
    assert catalog_files("models")["fr-cnaf-2014"].name == "fr-cnaf-2014.yaml"
