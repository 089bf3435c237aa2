"""OpenFisca-France's own cases for the four benefits Lanterne computes (RSA, prime
d'activité, aides au logement, AAH), run by OpenFisca-Core's YAML test runner with
:mod:`lanterne.rights.fastparams` installed and without it.

Both runs must pass every case (the amounts written in the YAML files) and compute exactly
the same values, outputs and every intermediate variable (a rent ceiling looked up by zone
and changed by 0.1 % is caught even when the rounded benefit is not). This is what pins
``openfisca-core`` to the versions the patch was checked against (``pyproject.toml``). The
cases, their upstream files and commits are listed in
``tests/data/openfisca-france/README.md``; a case takes one to a few seconds.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from openfisca_core.parameters import VectorialParameterNodeAtInstant
from openfisca_core.tools import test_runner

from lanterne.rights import fastparams
from lanterne.rights.simulate import tax_benefit_system

DATA = Path(__file__).parents[1] / "data" / "openfisca-france"
BENEFITS = {"rsa.yaml": "rsa", "ppa.yaml": "ppa", "aides_logement.yaml": "aide_logement"}


def case_names() -> list[str]:
    names = []
    for path in sorted(DATA.glob("*.yaml")):
        names += [case["name"] for case in yaml.safe_load(path.read_text(encoding="utf-8"))]
    return names


@contextlib.contextmanager
def patch_state(installed: bool) -> Iterator[None]:
    was = fastparams.installed()
    (fastparams.install if installed else fastparams.uninstall)()
    try:
        yield
    finally:
        (fastparams.install if was else fastparams.uninstall)()


def run_openfisca_tests(monkeypatch: pytest.MonkeyPatch, *, patched: bool) -> dict[str, Any]:
    """Run every YAML case with OpenFisca's runner; return what each case computed."""
    tbs = tax_benefit_system()
    outcomes: dict[str, str] = {}
    values: list[tuple[str, str, np.ndarray]] = []
    computed: dict[str, dict[tuple[str, str], np.ndarray]] = {}
    lookups = {"n": 0}
    current = {"name": ""}
    real_runtest = test_runner.YamlItem.runtest
    real_assert_near = test_runner.assert_near

    def runtest(item: Any) -> None:
        current["name"] = item.test.name
        try:
            real_runtest(item)
        except BaseException:
            outcomes[item.test.name] = "failed"
            raise
        outcomes[item.test.name] = "passed"
        computed[item.test.name] = every_value(item.simulation)

    def assert_near(actual: Any, expected: Any, *args: Any, **kwargs: Any) -> Any:
        label = args[1] if len(args) > 1 else kwargs.get("message", "")
        values.append((current["name"], label, np.array(actual, copy=True)))
        return real_assert_near(actual, expected, *args, **kwargs)

    with patch_state(patched):
        # OpenFisca's lookup or the patch's, whichever is in force now
        real_lookup = VectorialParameterNodeAtInstant.build_from_node_name
        assert ("_fast_class" in real_lookup.__qualname__) == patched

        def lookup(node: Any, key: Any) -> Any:  # a parameter looked up with an array of keys
            lookups["n"] += 1
            return real_lookup(node, key)

        with monkeypatch.context() as m:
            m.setattr(test_runner.YamlItem, "runtest", runtest)
            m.setattr(test_runner, "assert_near", assert_near)
            m.setattr(VectorialParameterNodeAtInstant, "build_from_node_name", staticmethod(lookup))
            code = test_runner.run_tests(tbs, [str(DATA)], {})
        assert fastparams.installed() == patched
    return {
        "code": code,
        "outcomes": outcomes,
        "values": values,
        "computed": computed,
        "lookups": lookups["n"],
    }


def every_value(simulation: Any) -> dict[tuple[str, str], np.ndarray]:
    """Every variable the simulation computed or was given, for every period: the outputs
    are rounded amounts, the intermediate values (rent ceilings by zone, bases...) are not."""
    found = {}
    for population in simulation.populations.values():
        for name, holder in population._holders.items():
            for period in holder.get_known_periods():
                found[(name, str(period))] = np.array(holder.get_array(period), copy=True)
    return found


@pytest.fixture(scope="module")
def runs() -> dict[bool, dict[str, Any]]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        return {
            patched: run_openfisca_tests(monkeypatch, patched=patched) for patched in (True, False)
        }


def test_the_vendored_cases_cover_the_four_benefits() -> None:
    names = case_names()
    assert 8 <= len(names) <= 40 and len(set(names)) == len(names)
    for path in sorted(DATA.glob("*.yaml")):
        cases = yaml.safe_load(path.read_text(encoding="utf-8"))
        variable = BENEFITS.get(path.name, "aah")
        assert all(any(k.startswith(variable) for k in case["output"]) for case in cases)
        amounts = [case["output"].get(variable) for case in cases]
        assert any(a not in (None, 0) and a != [0, 0] for a in amounts), path.name
        text = path.read_text(encoding="utf-8")
        assert text.count("# after ") == len(cases), f"{path.name}: every case names its source"
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert "github.com/openfisca/openfisca-france" in readme


@pytest.mark.parametrize("patched", [True, False], ids=["with-fastparams", "openfisca-alone"])
def test_openfisca_france_cases_pass(runs, patched) -> None:
    run = runs[patched]
    failed = sorted(name for name, outcome in run["outcomes"].items() if outcome != "passed")
    assert failed == [] and run["code"] == 0
    assert sorted(run["outcomes"]) == sorted(case_names())  # every case ran
    assert run["lookups"] > 0  # the cases go through the lookups the patch replaces


def test_the_patch_changes_no_value(runs) -> None:
    fast, plain = runs[True]["values"], runs[False]["values"]
    assert len(fast) == len(plain) >= len(case_names())
    for (case, label, a), (case_b, label_b, b) in zip(fast, plain, strict=True):
        assert (case, label) == (case_b, label_b)
        assert a.dtype == b.dtype and np.array_equal(a, b), f"{case}: {label}{a} != {b}"
    # and every intermediate value (hundreds per case), exactly
    for case in case_names():
        a, b = runs[True]["computed"][case], runs[False]["computed"][case]
        assert len(a) > 100 and a.keys() == b.keys(), case
        different = [k for k in a if a[k].dtype != b[k].dtype or not np.array_equal(a[k], b[k])]
        assert different == [], f"{case}: {different[:5]}"
