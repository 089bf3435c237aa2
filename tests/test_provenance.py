"""One provenance module: every status written in the catalog has words in both languages,
and no other module defines status sets or status words."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args

import yaml

from lanterne.catalog import catalog_dir
from lanterne.provenance import (
    ALL_STATUSES,
    STATUS_EXPLANATIONS,
    STATUS_LABELS,
    STATUS_STYLES,
    STATUSES,
    TARGET_STATUSES,
    Status,
    TargetStatus,
    status_explanation,
    status_label,
)

SRC = Path(__file__).resolve().parents[1] / "src" / "lanterne"


def _statuses(node: Any, parent: str | None = None) -> set[str]:
    """Every value of a ``status`` key, except a legal text's ``verification.status`` (whether an
    article's identifier was verified: not the provenance of a number)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "status" and parent != "verification":
                assert isinstance(value, str), value
                found.add(value)
            found |= _statuses(value, key)
    elif isinstance(node, list):
        for item in node:
            found |= _statuses(item, parent)
    return found


def _catalog_statuses() -> dict[str, set[str]]:
    files = sorted(catalog_dir().rglob("*.yaml"))
    assert len(files) >= 15, files  # models, archetypes, populations, rights, grids, legal...
    return {str(f): _statuses(yaml.safe_load(f.read_text(encoding="utf-8"))) for f in files}


def test_every_catalog_status_has_words_in_both_languages() -> None:
    used = set().union(*_catalog_statuses().values())
    # the catalog really uses both sets: the test would miss nothing if it found nothing
    assert {"published", "reconstructed", "illustrative", "secondary", "assumption"} <= used
    for status in used:
        assert status in ALL_STATUSES, status
        fr, en = status_label(status, "fr"), status_label(status, "en")
        assert fr and en, status
        assert status_explanation(status, "fr") != status_explanation(status, "en")
        assert status in STATUS_STYLES


def test_sets_agree_with_their_types_and_words() -> None:
    assert get_args(Status) == STATUSES
    assert get_args(TargetStatus) == TARGET_STATUSES
    assert set(ALL_STATUSES) == set(STATUSES) | set(TARGET_STATUSES)
    assert set(STATUS_LABELS) == set(STATUS_EXPLANATIONS) == set(STATUS_STYLES) == set(ALL_STATUSES)
    assert status_label("secondary", "fr") == "cité par un tiers"
    assert status_label("reconstructed", "fr") == "reconstitué"


def test_models_use_the_model_set_and_populations_the_target_set() -> None:
    for file, used in _catalog_statuses().items():
        if "/populations/" in file:
            assert used <= set(TARGET_STATUSES), (file, used)
        elif "/legal/" not in file:
            assert used <= set(STATUSES), (file, used)


def test_status_words_and_sets_are_defined_once() -> None:
    """Only ``lanterne.provenance`` defines a status label function, a status set or the
    words of a status (a second copy would drift: it did once)."""
    patterns = {
        "label function": re.compile(r"^\s*def status_label\b", re.M),
        "status type": re.compile(r"Literal\[\s*\"published\""),
        "status set": re.compile(r"\(\s*\"published\",\s*\"(reconstructed|secondary)\""),
        "status words": re.compile(r"Msg\(\s*\"publié\""),
    }
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "provenance.py" and path.parent == SRC:
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [
            f"{path.relative_to(SRC)}: {what}" for what, p in patterns.items() if p.search(text)
        ]
    assert offenders == []
    # the patterns do find the definitions they look for
    own = (SRC / "provenance.py").read_text(encoding="utf-8")
    assert all(p.search(own) for p in patterns.values())
