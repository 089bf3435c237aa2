"""The additive one-row path gives the general path's bits, for Amsterdam's two models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from lanterne.explain import build_household
from lanterne.explain.explanation import explain_household
from lanterne.model import load_model
from lanterne.model.onerow import one_row
from lanterne.population.archetypes import load_archetypes

MODELS = ["nl-amsterdam-slimme-check-2022-prepilot", "nl-amsterdam-slimme-check-2022-reweighed"]
SAMPLE = Path(__file__).parents[1] / "data" / "amsterdam" / "development-sample.csv"


def rows(model) -> list[pl.DataFrame]:  # type: ignore[no-untyped-def]
    """Archetypes, the development sample, and random applicants with missing values."""
    out = [
        build_household(model, archetype=r["archetype"]).frame
        for r in load_archetypes("nl-amsterdam").rows()
    ]
    sample = pl.read_csv(SAMPLE).select(model.used_variables)
    prepared = model.prepare(sample)
    out += [prepared.slice(i, 1) for i in range(prepared.height)]
    rng = np.random.default_rng(7)
    names = list(model.used_variables)
    for _ in range(60):
        values = {}
        for name in names:
            var = model.spec.variable(name)
            shape = next((s for s in model.shapes if s.name in (name, f"{name}_value")), None)
            if var.type == "bool":
                value: object = bool(rng.random() < 0.5)
            elif shape is not None and shape.edges.size:
                value = float(rng.choice(np.concatenate([shape.edges, shape.edges + 0.3])))
            else:
                value = float(rng.integers(0, 3))
            values[name] = None if rng.random() < 0.1 else value
        frame = pl.DataFrame([values], schema={n: prepared.schema[n] for n in names})
        out.append(model.prepare(frame))
    return out


@pytest.mark.parametrize("model_id", MODELS)
def test_one_row_equals_the_general_path_bit_for_bit(model_id: str) -> None:
    model = load_model(model_id)
    for frame in rows(model):
        fast = one_row(model, frame)
        assert fast is not None
        # the general path, as explain_household runs it without the fast path
        contributions = model.contributions(frame, prepared=True).row(0)
        margin = float(model.margins(frame, prepared=True)[0])
        score = float(model.scores(frame, prepared=True)[0])
        values = list(model.input_frame(frame).row(0))
        assert fast.contributions == contributions
        assert fast.margin == margin and fast.score == score
        assert [None if v != v else v for v in fast.values] == values  # NaN-free inputs
        slow = explain_household(model, _house(model, frame), fast_path=False, reference="none")
        quick = explain_household(model, _house(model, frame), reference="none")
        assert [c.score_without for c in quick.contributions] == [
            c.score_without for c in slow.contributions
        ]
        assert quick.base_score == slow.base_score


def _house(model, frame):  # type: ignore[no-untyped-def]
    values = frame.row(0, named=True)  # an empty --set value is a missing one
    sets = [f"{k}={'' if v is None else repr(v)}" for k, v in values.items()]
    return build_household(model, sets=sets)
