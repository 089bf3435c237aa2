"""The building blocks a report section is made of: tables of figures and sections.

Example:
    >>> table = Table("Sizes", ("Group", "n"), (("a", "3"),))
    >>> table.rows[0]
    ('a', '3')
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lanterne.htmlsafe import html_id
from lanterne.report.charts import Chart


@dataclass(frozen=True)
class Table:
    """A table of already formatted cells; the first cell of each row names it."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    #: Shown in the report's appendix (the full figures behind a section's charts).
    appendix: bool = False


@dataclass
class Section:
    """A titled part of a report: paragraphs, then charts, then tables."""

    id: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.id = html_id(self.id)  # ids are built from model ids and column names
