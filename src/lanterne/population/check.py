"""Compare a population with its calibration targets: target, achieved, gap, within tolerance.

Works on a Parquet file, a folder of Parquet files or an in-memory table. Every target is
one aggregate of a lazy scan (Polars reads only the columns the conditions use, and streams
them), so checking 13.8 million households does not load them in memory.

Shares are compared in percentage points (default tolerance ±1 point). Counts refer to the
real population (e.g. 1,811,300 households in QPV out of 13.8 million): they are scaled to
the size of the checked population before comparing (default tolerance ±1 %).

Example:
    >>> from lanterne.population.generate import generate_frame
    >>> targets = load_targets("fr-caf-2023")
    >>> frame = generate_frame(20_000, seed=1, targets=targets)
    >>> report = check_population(frame, targets)
    >>> report.n_households, report.all_ok
    (20000, True)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from lanterne.errors import DataError, Problem
from lanterne.i18n import Msg, format_number, format_percent
from lanterne.io.tables import scan_parquet_files
from lanterne.population.targets import (
    HOUSEHOLDS_TARGET,
    PopulationTargets,
    Target,
    load_targets,
)


@dataclass(frozen=True)
class TargetCheck:
    """One target compared with what the population achieves."""

    target: Target
    expected: float  # the target, scaled to the population's size for counts
    achieved: float
    denominator: int  # households the share is taken among (all for counts)
    tolerance: float

    @property
    def gap(self) -> float:
        return self.achieved - self.expected

    @property
    def ok(self) -> bool:
        if self.target.kind == "count":
            return abs(self.gap) <= self.tolerance * max(self.expected, 1e-12)
        return self.denominator > 0 and abs(self.gap) <= self.tolerance + 1e-12

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        t = self.target
        return {
            "id": t.id,
            "group": t.group,
            "label": t.label.get(lang or "fr"),
            "kind": t.kind,
            "where": t.where,
            "among": t.among,
            "target": t.value,
            "expected": self.expected,
            "achieved": self.achieved,
            "gap": self.gap,
            "denominator": self.denominator,
            "tolerance": self.tolerance,
            "ok": self.ok,
            "status": t.status,
            "source": t.source,
            "date": t.date,
        }

    def render_values(self, lang: str | None = None) -> tuple[str, str, str]:
        """Target, achieved and gap as text (percentages for shares)."""
        if self.target.kind == "count":
            gap = self.gap / self.expected if self.expected else 0.0
            return (
                format_number(self.expected, lang, 0),
                format_number(self.achieved, lang, 0),
                ("+" if gap >= 0 else "") + format_percent(gap, lang, 2),
            )
        points = round(self.gap * 100, 2) + 0.0  # no "-0,00"
        unit = " pt" if (lang or "fr") == "en" else "\u00a0pt"
        return (
            format_percent(self.expected, lang),
            format_percent(self.achieved, lang) if self.denominator else "—",
            ("+" if points >= 0 else "") + format_number(points, lang, 2) + unit,
        )


@dataclass(frozen=True)
class CheckReport:
    """Every target of a file checked against one population."""

    targets: PopulationTargets
    n_households: int
    checks: list[TargetCheck]
    source: str

    @property
    def all_ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failures(self) -> list[TargetCheck]:
        return [c for c in self.checks if not c.ok]

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "population": self.source,
            "targets": self.targets.id,
            "households": self.n_households,
            "tolerance": {
                "share_points": self.targets.tolerance.share,
                "count_relative": self.targets.tolerance.count,
            },
            "all_ok": self.all_ok,
            "checks": [c.to_dict(lang) for c in self.checks],
        }


def _frame(data: pl.DataFrame | pl.LazyFrame | str | os.PathLike[str]) -> tuple[pl.LazyFrame, str]:
    if isinstance(data, pl.DataFrame):
        return data.lazy(), "<table>"
    if isinstance(data, pl.LazyFrame):
        return data, "<table>"
    path = Path(data)
    if not path.exists():
        raise DataError(Problem(Msg("fichier introuvable", "file not found"), file=str(path)))
    if path.is_file() and path.suffix.lower() not in (".parquet", ".pq"):
        raise DataError(
            Problem(
                Msg(
                    "la vérification lit un fichier Parquet ou un dossier de fichiers Parquet",
                    "checking reads a Parquet file or a folder of Parquet files",
                ),
                file=str(path),
            )
        )
    return scan_parquet_files(path), str(path)


def check_population(
    data: pl.DataFrame | pl.LazyFrame | str | os.PathLike[str],
    targets: PopulationTargets | str | os.PathLike[str] = "fr-caf-2023",
) -> CheckReport:
    """Achieved value of every target in ``data`` (a table, a Parquet file or folder)."""
    if not isinstance(targets, PopulationTargets):
        targets = load_targets(targets)
    frame, source = _frame(data)
    try:
        schema = frame.collect_schema()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise DataError(
            Problem(
                Msg("lecture impossible : {e}", "cannot read: {e}", e=str(exc).splitlines()[0]),
                file=source,
            )
        ) from None
    needed = _columns_needed(targets)
    missing = sorted(needed - set(schema.names()))
    if missing:
        raise DataError(
            Problem(
                Msg(
                    "colonne(s) manquante(s) pour les cibles : {c}",
                    "column(s) missing for the targets: {c}",
                    c=", ".join(missing),
                ),
                file=source,
            )
        )
    exprs: list[pl.Expr] = [pl.len().alias("__n")]
    for i, target in enumerate(targets.targets):
        condition = _mask(targets, target.where)
        if target.among is not None:
            among = _mask(targets, target.among)
            condition = condition & among
        else:
            among = _mask(targets, "true")
        exprs.append(_count(condition).alias(f"__num{i}"))
        exprs.append(_count(among).alias(f"__den{i}"))
    try:
        row = frame.select(exprs).collect(engine="streaming").row(0, named=True)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise DataError(
            Problem(
                Msg("lecture impossible : {e}", "cannot read: {e}", e=str(exc).splitlines()[0]),
                file=source,
            )
        ) from None
    n = int(row["__n"])
    scale = n / targets.households if targets.households else 0.0
    checks = []
    for i, target in enumerate(targets.targets):
        num, den = int(row[f"__num{i}"]), int(row[f"__den{i}"])
        if target.kind == "count":
            expected = target.value * scale
            achieved = float(num)
            tolerance = targets.tolerance.count
            den = n
        else:
            expected = target.value
            achieved = num / den if den else 0.0
            tolerance = targets.tolerance.share
        checks.append(TargetCheck(target, expected, achieved, den, tolerance))
    return CheckReport(targets, n, checks, source)


def _mask(targets: PopulationTargets, text: str) -> pl.Expr:
    """A condition over the rows; a constant one (``true``) is spread over every row."""
    from lanterne.spec.expr import names_in, parse

    expr = targets.condition(text).fill_null(False)
    if not names_in(parse(text)):
        expr = pl.repeat(expr, pl.len())
    return expr


def _count(mask: pl.Expr) -> pl.Expr:
    return mask.cast(pl.UInt32).sum()


def _columns_needed(targets: PopulationTargets) -> set[str]:
    from lanterne.spec.expr import names_in, parse

    names: set[str] = set()
    for target in targets.targets:
        for text in (target.where, target.among):
            if text is not None:
                names |= names_in(parse(text))
    return names


__all__ = ["HOUSEHOLDS_TARGET", "CheckReport", "TargetCheck", "check_population"]
