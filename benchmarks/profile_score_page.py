"""What one "My score" result costs, stage by stage, in milliseconds (no HTTP, one core).

The code of ``POST /score`` (``lanterne.web.score._score_result``) runs on each of the 400
households of the embedded sample, twice (the first pass warms the caches that never
change: compiled templates, form labels, compiled features), for each catalog model the
web app serves. Stages: reading and checking the household (``build_household``),
explaining it (``explain_household``), the result's texts, table and chart
(``result_context``, without the counterfactual search, which is its own request), the
form and the template (``_render``), and the whole result.

Peer, measured in the same run: the same whole result with the one-household fast paths
turned off (``prepare_table`` column-wise checks only, ``explain_household`` in Polars
only), which is what every result cost before them.

    .venv/bin/python benchmarks/profile_score_page.py
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from starlette.datastructures import FormData
from starlette.requests import Request

import lanterne.explain.explanation as explanation
from lanterne.catalog import sample_path
from lanterne.explain import build_household
from lanterne.io.tables import read_table
from lanterne.model import data as model_data
from lanterne.web.app import create_app
from lanterne.web.score import Person, _render, _score_result, result_context


def _ms(times: list[float]) -> dict[str, float]:
    array = np.array(times) * 1000
    return {
        "mean": round(float(array.mean()), 3),
        "p50": round(float(np.median(array)), 3),
        "p99": round(float(np.percentile(array, 99)), 3),
    }


def _request(app: Any) -> Request:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/score",
        "query_string": b"lang=fr",
        "headers": [],
        "app": app,
    }
    return Request(scope)


def _whole(app: Any, forms: list[FormData]) -> list[float]:
    times = []
    for rep in range(2):
        for form in forms:
            start = time.perf_counter()
            response = _score_result(_request(app), form)
            if rep:
                times.append(time.perf_counter() - start)
            assert response.status_code == 200
    return times


def _stages(app: Any, model_id: str, rows: list[dict[str, str]]) -> dict[str, list[float]]:
    state = app.state.lanterne
    model, population = state.models[model_id], state.populations[model_id]
    out: dict[str, list[float]] = {"build": [], "explain": [], "context": [], "render": []}
    for rep in range(2):
        for values in rows:
            clock = [time.perf_counter()]
            house = build_household(model, values=values, person=Person())
            clock.append(time.perf_counter())
            exp = explanation.explain_household(
                model, house, population=population, reference="none"
            )
            clock.append(time.perf_counter())
            context = result_context(model, house, exp, "fr")
            clock.append(time.perf_counter())
            _render(_request(app), "fr", model, house.values, None, result=context)
            clock.append(time.perf_counter())
            if rep:
                for i, name in enumerate(out):
                    out[name].append(clock[i + 1] - clock[i])
    return out


def _without_fast_paths(run: Callable[[], list[float]]) -> list[float]:
    rows, one_row = model_data.SMALL_ROWS, explanation.one_row
    model_data.SMALL_ROWS = 0
    explanation.one_row = lambda model, frame: None  # type: ignore[assignment]
    try:
        return run()
    finally:
        model_data.SMALL_ROWS, explanation.one_row = rows, one_row


def main() -> None:
    app = create_app(population=str(sample_path()))
    sample = read_table(sample_path())
    results: dict[str, Any] = {}
    for model_id, model in app.state.lanterne.models.items():
        rows = [
            {k: str(v) for k, v in row.items()}
            for row in sample.select(model.used_variables).iter_rows(named=True)
        ]
        forms = [FormData([("model", model_id), *values.items()]) for values in rows]
        stages = {k: _ms(v) for k, v in _stages(app, model_id, rows).items()}
        whole = _ms(_whole(app, forms))
        generic = _ms(_without_fast_paths(lambda f=forms: _whole(app, f)))
        results[model_id] = {
            "stages_ms": stages,
            "result_ms": whole,
            "peer_without_fast_paths_ms": generic,
            "ratio_p50": round(generic["p50"] / whole["p50"], 1),
        }
    print(
        json.dumps(
            {"benchmark": "score_page_profile", "households": sample.height, **results},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
