"""An attacker tries to recompute hidden groups from every published table, and fails.

The attacker below is written without Lanterne's suppression code: it reads only what is
published (the JSON, the terminal tables, the HTML report, the web audit page, the
non-take-up table), writes down every linear relation a reader knows (the groups of a
column add up to the whole population; the groups within a stratum add up to the stratum;
a group adds up over the strata; an intersection adds up to both its margins), and then

* **peels**: a relation with one unknown gives it by subtraction; repeated until nothing
  more comes out (this is the attack that worked before: "20 selected overall, 19 in the
  visible group, so the hidden group had 1");
* **solves**: for each hidden count, the smallest and largest whole value compatible with
  every published relation (an integer program solved with SciPy's HiGHS); a hidden count
  whose range collapses to one value is disclosed;
* checks that no relation reveals a *sum* of hidden groups smaller than the threshold.

The attacker lives in ``suppression_attacker.py``; ``test_suppression_properties.py`` runs
it on random tables.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the attacker, next to this file

import html.parser
import json
import re
from collections import defaultdict
from collections.abc import Hashable

import numpy as np
import polars as pl
from suppression_attacker import (
    MIN_CELL,
    Relation,
    assert_nothing_recovered,
    peel,
    zero_pinned,
)

from lanterne.audit import audit_confusion, audit_population, audit_selection
from lanterne.catalog import sample_path
from lanterne.model import TargetingRule

pytestmark = pytest.mark.hostile  # an attack: `pytest -m hostile` runs them all

# ---------------------------------------------------------------------- JSON of an audit


def population_relations(doc: dict) -> tuple[list[Relation], dict[str, dict]]:
    """The relations a reader writes down from ``audit population --json``."""
    known: dict[str, dict] = {"n": {"all": doc["n"]}, "selected": {"all": doc["n_selected"]}}
    relations: list[Relation] = []

    def publish(key: Hashable, row: dict) -> None:
        for quantity, field in (("n", "n"), ("selected", "n_selected")):
            if row.get(field) is not None:
                known[quantity][key] = row[field]

    def add_tables(prefix: tuple, groups: dict, total: Hashable) -> None:
        for col, rows in groups.items():
            cols = col.split(" × ")
            keys = []
            for row in rows:
                key = (*prefix, col, row["group"])
                publish(key, row)
                keys.append(key)
            relations.append((total, keys))
            if len(cols) > 1:  # an intersection adds up to each of its margins
                for c in cols:
                    margin: dict[str, list] = defaultdict(list)
                    for row, key in zip(rows, keys, strict=True):
                        margin[row["values"][c]].append(key)
                    for value, members in margin.items():
                        relations.append(((*prefix, c, value), members))

    add_tables((), doc["groups"], "all")
    strata = doc.get("strata", [])
    if strata:
        relations.append(("all", [("stratum", s["stratum"]) for s in strata]))
        across: dict[tuple, list] = defaultdict(list)
        for s in strata:
            publish(("stratum", s["stratum"]), s)
            add_tables((s["stratum"],), s["groups"], ("stratum", s["stratum"]))
            for col, rows in s["groups"].items():
                for row in rows:
                    across[(col, row["group"])].append((s["stratum"], col, row["group"]))
        relations += [(key, members) for key, members in across.items()]
    return relations, known


def test_population_json_gives_nothing_away(cli, tmp_path: Path) -> None:
    out = tmp_path / "audit.json"
    result = cli(
        "audit", "population", "fr-cnaf-2014", sample_path(),
        "-g", "nationality", "-g", "family_type", "--intersect",
        "--condition-col", "sex", "--json", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    relations, known = population_relations(doc)
    hidden = [k for k in {k for t, m in relations for k in (t, *m)} if k not in known["n"]]
    assert len(hidden) >= 5  # the sample has small groups: the attack has something to try
    assert_nothing_recovered({"n": relations, "selected": relations}, known, doc["n"])
    # hidden rows publish no figure at all, and say why they are hidden
    rows = [r for table in doc["groups"].values() for r in table]
    for s in doc["strata"]:
        rows += [r for table in s["groups"].values() for r in table]
    for row in rows:
        if row["suppressed"]:
            assert row["suppression"] in ("primary", "secondary")
            figures = {k: v for k, v in row.items() if k not in ("group", "values")}
            assert {k for k, v in figures.items() if v is not None} == {
                "suppressed",
                "suppression",
            }
    assert {r["suppression"] for r in rows} == {None, "primary", "secondary"}


def test_population_columns_give_no_count_away_even_with_zeros() -> None:
    """Column tables only: no hidden selected count follows, not even through zeros."""
    audit = audit_population(
        "fr-cnaf-2014", sample_path(), group_cols=["nationality", "family_type", "age_band"]
    )
    doc = json.loads(audit.to_json())
    relations, known = population_relations(doc)
    both = {"n": relations, "selected": relations}
    assert_nothing_recovered(both, known, doc["n"])
    assert zero_pinned(both, known, doc["n"]) == []
    assert any(r["suppression"] is None for t in doc["groups"].values() for r in t)


def test_the_attack_of_the_issue_no_longer_works() -> None:
    """20 selected overall, 19 in the visible group: the hidden group is no longer 20 − 19."""
    scores = [0.99, 0.5, 0.4] + [0.9] * 19 + [0.1] * 40
    groups = ["f"] * 3 + ["m"] * 59
    data = pl.DataFrame({"score": scores, "sex": groups, "zone": ["a", "b"] * 31})
    audit = audit_population(
        None, data, group_cols=["sex"], score_col="score", condition_col="zone",
        targeting=TargetingRule(top_share=20 / 62),
    )  # fmt: skip
    doc = json.loads(audit.to_json())
    assert doc["n_selected"] == 20
    relations, known = population_relations(doc)
    both = {"n": relations, "selected": relations}
    assert zero_pinned(both, known, doc["n"]) == []
    assert_nothing_recovered({"n": relations, "selected": relations}, known, doc["n"])
    # without the secondary suppression the same attacker finds the hidden woman
    shown = json.loads(
        audit_population(
            None, data, group_cols=["sex"], score_col="score", condition_col="zone",
            targeting=TargetingRule(top_share=20 / 62), min_cell=0,
        ).to_json()
    )  # fmt: skip
    relations, known = population_relations(shown)
    del known["selected"][("sex", "f")], known["n"][("sex", "f")]
    assert peel(relations, known["selected"])[("sex", "f")] == 1


def test_selection_json_gives_nothing_away(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    n = 400
    sex = rng.choice(["female", "male", "other"], n, p=[0.5, 0.47, 0.03])
    frame = pl.DataFrame(
        {
            "how": rng.choice(["random", "algo"], n),
            "found": rng.choice(["none", "overpaid"], n, p=[0.7, 0.3]),
            "sex": sex,
            "age": rng.choice(["young", "mid", "old"], n, p=[0.05, 0.6, 0.35]),
        }
    )
    audit = audit_selection(
        frame, selection_col="how", random_value="random", outcome_col="found",
        negative_values=["none"], group_cols=["sex", "age"], bootstrap=50,
    )  # fmt: skip
    doc = json.loads(audit.to_json())
    for sample in ("random", "algorithm"):
        relations: list[Relation] = []
        known: dict[str, dict] = {
            "n": {"all": doc["overall"][f"n_{sample}"]},
            "selected": {"all": doc["overall"][f"hits_{sample}"]},
        }
        for col, rows in doc["groups"].items():
            keys = []
            for row in rows:
                keys.append((col, row["group"]))
                if row[f"n_{sample}"] is not None:
                    known["n"][keys[-1]] = row[f"n_{sample}"]
                    known["selected"][keys[-1]] = row[f"hits_{sample}"]
                else:
                    assert row[f"hit_rate_{sample}"] is None and row["lift"] is None
            relations.append(("all", keys))
        hidden = [k for r in relations for k in r[1] if k not in known["n"]]
        assert hidden, sample
        both = {"n": relations, "selected": relations}
        assert zero_pinned(both, known, n) == []
        assert_nothing_recovered({"n": relations, "selected": relations}, known, n)


def test_confusion_json_gives_nothing_away() -> None:
    counts = pl.DataFrame(
        {
            "g": ["a", "b", "c", "d"],
            "tn": [3, 50, 40, 60],
            "fp": [1, 5, 5, 7],
            "fn": [1, 5, 5, 9],
            "tp": [2, 40, 10, 30],
        }
    )
    doc = json.loads(audit_confusion(counts).to_json())
    rows = doc["rows"]
    # the attacker learns the total of false positives from any visible row's share
    visible = [r for r in rows if r["fp"] is not None and r["share_of_false_positives"]]
    total = visible[0]["fp"] / visible[0]["share_of_false_positives"]
    known = {"fp": {"all": round(total)}}
    known["fp"].update({r["g"]: r["fp"] for r in rows if r["fp"] is not None})
    relation = [("all", [r["g"] for r in rows])]
    assert peel(relation, known["fp"]) == {}
    hidden = [r for r in rows if r["suppressed"]]
    assert len(hidden) >= 2 and {r["suppression"] for r in hidden} == {"primary", "secondary"}
    for row in hidden:
        assert all(row[k] is None for k in ("n", "tn", "fp", "fn", "tp"))


# ---------------------------------------------------------------------- terminal tables

ROW = re.compile(r"^│\s*(?P<group>[^│*]*?)\s*(?P<mark>\*{0,2})\s*│\s*(?P<n>[^│]*?)\s*│")


def _number(text: str) -> float | None:
    text = text.strip().replace("\u202f", "").replace("\xa0", "").replace(",", "")
    return None if text in ("—", "") else float(text)


def test_terminal_tables_give_nothing_away(cli) -> None:
    result = cli(
        "audit", "population", "fr-cnaf-2014", sample_path(), "--lang", "en",
        "-g", "nationality", "-g", "family_type", "--condition-col", "sex", "--no-deciles",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = result.stdout
    total = int(re.search(r"^(\d[\d,]*) households", text, re.M).group(1).replace(",", ""))
    known: dict[Hashable, float] = {"all": total}
    relations: list[Relation] = []
    members: list[Hashable] = []
    stratum: str | None = None
    column: str | None = None
    strata: list[Hashable] = []
    hidden: list[int] = []
    marks: list[str] = []
    for line in text.splitlines():
        title = re.match(r"^By (\S+)\s*$", line)
        cond = re.match(r"^sex = (\S+) \(([\d,—]+)(\**) households\) — by (\S+)", line)
        ended = title or cond or not line.startswith(("│", "┏", "┃", "┡", "└"))
        if ended and members:
            relations.append(((stratum, "all") if stratum else "all", members))
            members = []
        if title:
            stratum, column = None, title.group(1)
        elif cond:
            stratum, column = cond.group(1), cond.group(4)
            key = (stratum, "all")
            if key not in strata:
                strata.append(key)
            value = _number(cond.group(2))
            if value is not None:
                known[key] = value
        match = ROW.match(line)
        if not match or not column or match.group("group") == "Group":
            continue
        if match.group("n") == "":  # a folded label: its mark went to the next line
            if marks:
                marks[-1] += match.group("mark")
            continue
        key = (stratum, column, match.group("group"))
        members.append(key)
        marks.append(match.group("mark"))
        value = _number(match.group("n"))
        if value is None:
            hidden.append(len(marks) - 1)
        else:
            known[key] = value
    assert all(marks[i].strip() in ("*", "**") for i in hidden), marks
    relations.append(("all", strata))
    across: dict[tuple, list] = defaultdict(list)
    for _, cells in relations:
        for key in cells:
            if isinstance(key, tuple) and len(key) == 3 and key[0] is not None:
                across[(None, key[1], key[2])].append(key)
    relations += list(across.items())
    assert len(hidden) >= 4
    assert_nothing_recovered({"n": relations}, {"n": known}, total)


# ---------------------------------------------------------------------- HTML pages


class _Tables(html.parser.HTMLParser):
    """Every ``<table>`` of a page: header cells and body rows, as text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"rows": []})
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1]["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def html_tables(page: str, head: str) -> list[dict]:
    """The tables of ``page`` that have a column named ``head``."""
    parser = _Tables()
    parser.feed(page)
    out = []
    for table in parser.tables:
        if table["rows"] and head in table["rows"][0]:
            out.append({"head": table["rows"][0], "rows": table["rows"][1:]})
    return out


def attack_report(page: str, total: int, head: str = "Households") -> int:
    """Attack each group table of a report page; returns how many hidden rows were seen."""
    tables = html_tables(page, head)
    assert tables, "no group table found"
    hidden = 0
    for table in tables:
        j = table["head"].index(head)
        known: dict[Hashable, float] = {"all": total}
        keys = []
        for row in table["rows"]:
            keys.append(row[0])
            value = _number(row[j])
            if value is None:
                hidden += 1
                assert row[0].endswith(("*", "**")), row
                assert all(c == "—" for c in row[1:]), row
            else:
                known[row[0]] = value
        relations = [("all", keys)]
        assert_nothing_recovered({"n": relations}, {"n": known}, total)
    return hidden


def test_html_report_gives_nothing_away(cli, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = cli(
        "report", "fr-cnaf-2014", sample_path(), "-g", "nationality", "-g", "family_type",
        "-g", "age_band", "-o", out, "--lang", "en",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert attack_report(page, 400) >= 2
    assert "secondary suppression" in page


def test_web_audit_page_gives_nothing_away() -> None:
    from fastapi.testclient import TestClient

    from lanterne.web.app import create_app

    client = TestClient(create_app(population_rows=2_000, max_upload_mb=0.25))
    data = {
        "kind": "population",
        "models": ["fr-cnaf-2014"],
        "groups": "nationality, age_band",
        "action": "view",
    }
    response = client.post(
        "/audit?lang=en", data=data, files={"file": ("s.csv", sample_path().read_bytes())}
    )
    assert response.status_code == 200
    assert attack_report(response.text, 400) >= 2


def test_nonrecours_table_and_section_give_nothing_away() -> None:
    from lanterne.i18n import Msg
    from lanterne.report.labels import Labels
    from lanterne.report.nonrecours_section import nonrecours_section
    from lanterne.rights.audit import NonRecoursAudit, RankingComparison, nonrecours_table

    rng = np.random.default_rng(7)
    n = 120
    rights = {"g": rng.choice(["a", "b", "c", "d"], n, p=[0.04, 0.5, 0.36, 0.1])}
    for b in ("rsa", "ppa", "housing"):
        entitled = rng.random(n) < 0.4
        rights |= {
            f"{b}_amount": np.where(entitled, 300.0, 0.0),
            f"{b}_entitled": entitled,
            f"{b}_claimed": entitled & (rng.random(n) < 0.6),
        }
    rights["selected"] = rng.random(n) < 0.1
    frame = pl.DataFrame(rights)
    table = nonrecours_table(frame, ["g"])
    totals = nonrecours_table(frame.with_columns(pl.lit("x").alias("all")), ["all"], min_cell=0)
    rows = table.to_dicts()
    for quantity in ("households", "entitled", "missing", "selected", "rsa_missing"):
        known = {"all": totals[quantity][0]}
        known |= {r["g"]: r[quantity] for r in rows if r[quantity] is not None}
        assert peel([("all", [r["g"] for r in rows])], known) == {}, quantity
    hidden = [r for r in rows if r["suppression"]]
    assert {r["suppression"] for r in hidden} == {"primary", "secondary"}
    for row in hidden:
        assert all(v is None for k, v in row.items() if k not in ("g", "suppression"))
    audit = NonRecoursAudit(
        "2024-01", ["g"], None, MIN_CELL, table,
        RankingComparison(None, None, None, 0, Msg("a", "b")),
        {"households": n, "entitled": totals["entitled"][0], "missing": totals["missing"][0],
         "nonrecours_rate": None, "unclaimed_monthly": None}, {},
    )  # fmt: skip
    section = nonrecours_section(audit, Labels({}), "en")
    body = section.tables[0]
    page = "<table><tr>" + "".join(f"<th>{c}</th>" for c in body.columns) + "</tr>"
    page += "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in body.rows)
    assert attack_report(page + "</table>", n) == len(hidden)
    assert "secondary" in body.caption
