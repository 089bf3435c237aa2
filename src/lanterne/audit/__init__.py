"""Audits: whom a model targets, what its selection finds, and its error rates by group.

* :func:`audit_population` — scores a population and compares groups (selection rates,
  representation, disparate impact, deciles), chunk by chunk for a whole country;
* :func:`audit_selection` — compares, group by group, a random inspection sample with the
  algorithm's selection (hit rates with bootstrap confidence intervals);
* :func:`audit_confusion` — error rates per group from published confusion-matrix counts.

Every result has ``to_dict()``, ``to_json()`` and ``write_json(path)`` producing the JSON
shapes documented in ``docs/audit.md``.
"""

from lanterne.audit.confusion import ConfusionAudit, audit_confusion, read_counts
from lanterne.audit.population import PopulationAudit, audit_population
from lanterne.audit.results import GroupTable
from lanterne.audit.selection import SelectionAudit, audit_selection
from lanterne.audit.suppression import DEFAULT_MIN_CELL

__all__ = [
    "DEFAULT_MIN_CELL",
    "ConfusionAudit",
    "GroupTable",
    "PopulationAudit",
    "SelectionAudit",
    "audit_confusion",
    "audit_population",
    "audit_selection",
    "read_counts",
]
