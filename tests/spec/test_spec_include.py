"""Variables declared once in the catalog and included by name from the French specs.

The French specs are compared with the same specs expanded by hand (each name replaced by
the text of its declaration, cut from the variables file here, not by the loader). Hostile
includes are tested in ``tests/spec/test_spec_includes.py``.
"""

from __future__ import annotations

import re

import pytest
import yaml

from lanterne.catalog import catalog_dir, model_path
from lanterne.errors import SpecError
from lanterne.spec import load_spec, load_spec_text
from lanterne.spec.include import load_variables

FRENCH = ("fr-cnaf-2014", "fr-cnaf-dmde-2026")
VARIABLES = catalog_dir() / "variables" / "fr-households.yaml"
#: The variables both French specs declared identically before they were declared once.
SHARED = {
    "sex",
    "age_band",
    "nationality",
    "disability",
    "department",
    "child_19_plus",
    "oldest_child_activity",
    "head_activity",
    "partner_activity",
    "income_monthly",
    "avg_benefits_12m",
}


def declaration_blocks(text: str) -> dict[str, str]:
    """``{name: text of its declaration}`` cut from a YAML file's ``variables`` list."""
    blocks: dict[str, str] = {}
    name = None
    for line in text.splitlines(keepends=True):
        found = re.match(r"  - name: (\w+)", line)
        if found:
            name = found.group(1)
            blocks[name] = line
        elif name and line.startswith("    "):
            blocks[name] += line
        else:
            name = None
    return blocks


def expanded_by_hand(model_id: str) -> str:
    """The spec's text with each included name replaced by its declaration's text."""
    blocks = declaration_blocks(VARIABLES.read_text(encoding="utf-8"))
    text = model_path(model_id).read_text(encoding="utf-8")
    text = text.replace("include: [fr-households]\n", "")
    return re.sub(r"^  - (\w+)\n", lambda m: blocks[m.group(1)], text, flags=re.M)


# ------------------------------------------------------------------ the French catalog


@pytest.mark.parametrize("model_id", FRENCH)
def test_french_spec_equals_its_hand_expanded_text(model_id: str) -> None:
    expanded = load_spec_text(expanded_by_hand(model_id), "expanded.yaml")
    included = load_spec(model_path(model_id))
    assert included.model_dump() == expanded.model_dump()
    assert [v.name for v in included.variables] == [v.name for v in expanded.variables]


def test_both_french_specs_take_the_same_eleven_variables_from_the_include() -> None:
    declared = {v.name: v for v in load_variables("fr-households")}
    taken: list[set[str]] = []
    for model_id in FRENCH:
        raw = yaml.safe_load(model_path(model_id).read_text(encoding="utf-8"))
        assert raw["include"] == ["fr-households"]
        names = {item for item in raw["variables"] if isinstance(item, str)}
        local = {item["name"] for item in raw["variables"] if isinstance(item, dict)}
        assert not local & set(declared)  # nothing declared twice
        spec = load_spec(model_path(model_id))
        for name in names:
            assert spec.variable(name) == declared[name]
        taken.append(names)
    assert taken[0] & taken[1] == SHARED


def test_variables_file_loads_and_every_declaration_is_used() -> None:
    names = [v.name for v in load_variables("fr-households")]
    assert len(names) == len(set(names))
    used = set()
    for model_id in FRENCH:
        used |= {v.name for v in load_spec(model_path(model_id)).variables}
    assert set(names) <= used


def test_a_variable_named_by_a_list_is_a_located_error_not_a_crash() -> None:
    """Found by fuzzing: a declaration whose name is a list (unhashable) next to an include."""
    text = model_path("fr-cnaf-2014").read_text(encoding="utf-8")
    broken = text.replace("  - name: receives_rsa\n", "  - name: [1, 2]\n", 1)
    assert broken != text
    with pytest.raises(SpecError) as caught:
        load_spec_text(broken, "fr-cnaf-2014.yaml")
    assert any(p.line for p in caught.value.problems), "the problem is located"
