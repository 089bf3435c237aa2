"""Hostile includes in a spec: each is refused with one located problem and exit code 2.

An include may only name a catalog id or a relative ``.yaml`` path in the spec's folder or
below it; absolute paths, ``..``, links leading out, cycles, nesting beyond the limit and a
variable declared twice (here and in an include, or by two includes) are refused, and a
problem in an included declaration is located in the included file. See docs/security.md.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from tests.conftest import MINIMAL_SPEC

from lanterne.errors import SpecError
from lanterne.spec import load_spec, load_spec_text
from lanterne.spec.include import MAX_DEPTH, load_variables

pytestmark = pytest.mark.hostile  # an attack: `pytest -m hostile` runs them all


def spec_with(include: str, variables: str = "  - sex\n") -> str:
    """The minimal spec with an ``include`` line and more variables."""
    text = MINIMAL_SPEC.replace(
        "  - name: sex\n    type: category\n    categories: [female, male]\n"
        "    sensitive: true\n    description: {fr: Sexe, en: Sex}\n",
        variables,
    )
    return text.replace("variables:\n", f"include: {include}\nvariables:\n", 1)


VARS_HEAD = textwrap.dedent(
    """\
    lanterne_variables: 1
    id: {id}
    name: {{fr: Variables, en: Variables}}
    description: {{fr: Des variables., en: Some variables.}}
    """
)
SEX = (
    "  - name: sex\n    type: category\n    categories: [female, male]\n"
    "    sensitive: true\n    description: {fr: Sexe, en: Sex}\n"
)


def write_variables(path: Path, body: str = SEX, include: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    head = VARS_HEAD.format(id=path.stem)
    if include is not None:
        head += f"include: {include}\n"
    path.write_text(head + "variables:\n" + body, encoding="utf-8")
    return path


def problems_in(path: Path) -> list:
    with pytest.raises(SpecError) as info:
        load_spec(path)
    return info.value.problems


def one(problems: list, fragment: str):
    found = [p for p in problems if fragment in p.message.render("en")]
    assert found, [p.render("en") for p in problems]
    return found[0]


def at(text: str, fragment: str) -> tuple[int, int]:
    """1-based (line, column) of the first occurrence of ``fragment``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            return number, line.index(fragment) + 1
    raise AssertionError(fragment)


def test_a_relative_include_next_to_the_spec_works(tmp_path: Path) -> None:
    write_variables(tmp_path / "shared" / "people.yaml")
    spec = tmp_path / "m.yaml"
    spec.write_text(spec_with("[shared/people.yaml]"), encoding="utf-8")
    loaded = load_spec(spec)
    assert loaded.variable("sex").categories == ["female", "male"]
    assert [v.name for v in loaded.variables][-1] == "sex"


@pytest.mark.parametrize(
    ("include", "message"),
    [
        ("[/etc/passwd]", "absolute path refused"),
        ("['C:\\\\x\\\\v.yaml']", "absolute path refused"),
        ("[../outside.yaml]", "climbs out of the file's folder"),
        ("[shared/../../outside.yaml]", "climbs out of the file's folder"),
        ("[missing.yaml]", "included file not found"),
        ("[fr-nowhere]", "is not a variables file of the catalog"),
        ("[notes.txt]", "a variables file ends with .yaml"),
        ("fr-households", "'include' is a list"),
    ],
)
def test_hostile_include_is_refused_where_it_is_written(
    include: str, message: str, tmp_path: Path, cli
) -> None:
    (tmp_path / "outside.yaml").write_text("secret: 1\n", encoding="utf-8")
    folder = tmp_path / "specs"
    folder.mkdir()
    text = spec_with(include)
    spec = folder / "m.yaml"
    spec.write_text(text, encoding="utf-8")
    problem = one(problems_in(spec), message)
    assert problem.file == str(spec)
    line, _ = at(text, "include:")
    assert problem.line == line and problem.column is not None
    result = cli("--lang", "en", "models", "check", spec)
    assert result.exit_code == 2
    assert f"{spec}:{line}:" in result.stderr and "Traceback" not in result.stderr


def test_a_link_leading_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    outside = write_variables(tmp_path / "outside.yaml")
    folder = tmp_path / "specs"
    folder.mkdir()
    os.symlink(outside, folder / "link.yaml")
    spec = folder / "m.yaml"
    spec.write_text(spec_with("[link.yaml]"), encoding="utf-8")
    one(problems_in(spec), "leads out of the folder")


def test_a_relative_include_needs_a_file() -> None:
    with pytest.raises(SpecError) as info:
        load_spec_text(spec_with("[people.yaml]"), "<text>")
    one(info.value.problems, "can only be included from a file")


def test_a_cycle_is_refused(tmp_path: Path) -> None:
    write_variables(tmp_path / "a.yaml", "  - sex\n", include="[b.yaml]")
    write_variables(tmp_path / "b.yaml", "  - sex\n", include="[a.yaml]")
    spec = tmp_path / "m.yaml"
    spec.write_text(spec_with("[a.yaml]"), encoding="utf-8")
    problem = one(problems_in(spec), "circular include")
    assert problem.file == str(tmp_path / "b.yaml")
    assert problem.line == at((tmp_path / "b.yaml").read_text(), "include:")[0]


def test_a_file_including_itself_is_refused(tmp_path: Path) -> None:
    write_variables(tmp_path / "a.yaml", SEX, include="[a.yaml]")
    spec = tmp_path / "m.yaml"
    spec.write_text(spec_with("[a.yaml]"), encoding="utf-8")
    one(problems_in(spec), "circular include")


def test_includes_nest_only_so_deep(tmp_path: Path) -> None:
    depth = MAX_DEPTH + 2
    write_variables(tmp_path / f"v{depth}.yaml")
    for i in range(depth - 1, 0, -1):
        write_variables(tmp_path / f"v{i}.yaml", "  - sex\n", include=f"[v{i + 1}.yaml]")
    spec = tmp_path / "m.yaml"
    spec.write_text(spec_with("[v1.yaml]"), encoding="utf-8")
    one(problems_in(spec), f"nested more than {MAX_DEPTH} levels deep")
    # a chain within the limit loads
    write_variables(tmp_path / "v3.yaml")
    assert load_spec(spec).variable("sex") is not None


def test_a_variable_declared_here_and_in_the_include_is_an_error(tmp_path: Path) -> None:
    write_variables(tmp_path / "people.yaml")
    text = spec_with("[people.yaml]", SEX)  # sex declared locally as well
    spec = tmp_path / "m.yaml"
    spec.write_text(text, encoding="utf-8")
    problem = one(problems_in(spec), "is declared here and in the included file people.yaml")
    assert (problem.file, problem.line) == (str(spec), at(text, "- name: sex")[0])


def test_two_included_files_declaring_one_variable_is_an_error(tmp_path: Path) -> None:
    write_variables(tmp_path / "a.yaml")
    write_variables(tmp_path / "b.yaml")
    spec = tmp_path / "m.yaml"
    spec.write_text(spec_with("[a.yaml, b.yaml]"), encoding="utf-8")
    one(problems_in(spec), "variable 'sex' is declared by two included files (a.yaml, b.yaml)")


def test_the_same_declaration_reached_twice_is_one_declaration(tmp_path: Path) -> None:
    write_variables(tmp_path / "base.yaml")
    write_variables(tmp_path / "a.yaml", "  - sex\n", include="[base.yaml]")
    write_variables(tmp_path / "b.yaml", "  - sex\n", include="[base.yaml]")
    spec = tmp_path / "m.yaml"
    spec.write_text(spec_with("[a.yaml, b.yaml]"), encoding="utf-8")
    assert load_spec(spec).variable("sex").categories == ["female", "male"]


def test_a_name_listed_twice_or_unknown_is_located(tmp_path: Path) -> None:
    write_variables(tmp_path / "people.yaml")
    text = spec_with("[people.yaml]", "  - sex\n  - sexe\n  - sex\n")
    spec = tmp_path / "m.yaml"
    spec.write_text(text, encoding="utf-8")
    problems = problems_in(spec)
    assert (
        one(problems, "'sexe' is not declared in any included file (did you mean 'sex'?)").line
        == (at(text, "- sexe")[0])
    )
    twice = one(problems, "variable 'sex' listed twice")
    assert twice.line == at(text, "- sexe")[0] + 1


def test_a_name_without_include_is_explained() -> None:
    text = MINIMAL_SPEC.replace("variables:\n", "variables:\n  - age\n", 1)
    with pytest.raises(SpecError) as info:
        load_spec_text(text, "m.yaml")
    one(info.value.problems, "taken by its name from a file named under 'include'")


def test_a_bad_declaration_is_located_in_the_included_file(tmp_path: Path, cli) -> None:
    body = SEX.replace("type: category", "type: categry")
    included = write_variables(tmp_path / "people.yaml", body)
    spec = tmp_path / "m.yaml"
    spec.write_text(spec_with("[people.yaml]"), encoding="utf-8")
    problem = one(problems_in(spec), "categry")
    assert problem.file == str(included)
    line, column = at(included.read_text(), "categry")
    assert (problem.line, problem.column) == (line, column)
    assert problem.path == "variables[0].type"  # its place in the included file
    result = cli("--lang", "en", "models", "check", spec)
    assert result.exit_code == 2 and f"{included}:{line}:{column}:" in result.stderr


def test_a_file_that_is_not_a_variables_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "model.yaml").write_text(MINIMAL_SPEC, encoding="utf-8")
    spec = tmp_path / "m.yaml"
    spec.write_text(spec_with("[model.yaml]"), encoding="utf-8")
    problem = one(problems_in(spec), "not a variables file (lanterne_variables: 1)")
    assert problem.file == str(tmp_path / "model.yaml") and problem.line == 1


def test_yaml_errors_in_an_included_file_are_located_there(tmp_path: Path) -> None:
    bad = tmp_path / "people.yaml"
    bad.write_text("lanterne_variables: 1\nvariables: [unclosed\n", encoding="utf-8")
    spec = tmp_path / "m.yaml"
    spec.write_text(spec_with("[people.yaml]"), encoding="utf-8")
    problem = one(problems_in(spec), "invalid YAML")
    assert problem.file == str(bad) and problem.line is not None


def test_load_variables_reports_its_own_problems(tmp_path: Path) -> None:
    body = SEX + SEX.replace("categories: [female, male]", "categories: [f, m]")
    path = write_variables(tmp_path / "people.yaml", body)
    with pytest.raises(SpecError) as info:
        load_variables(path)
    problem = one(info.value.problems, "variable 'sex' declared twice")
    assert problem.line == len(VARS_HEAD.format(id="x").splitlines()) + 2 + 5
