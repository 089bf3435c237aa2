"""The documentation's examples are real: they load and run."""

from __future__ import annotations

import re
from pathlib import Path

from lanterne.model import model_from_checked
from lanterne.spec.load import check_spec_text

ROOT = Path(__file__).resolve().parents[2]


def yaml_blocks(path: Path) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def test_the_complete_example_in_docs_spec_is_valid() -> None:
    example = yaml_blocks(ROOT / "docs" / "spec.md")[0]
    checked = check_spec_text(example, "docs/spec.md")
    model = model_from_checked(checked)
    assert model.spec.id == "example-benefits-2024"
    assert model.used_variables == ("income", "family", "rsa")


def test_readme_shows_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
