"""Audits: whom a model targets, what its selection finds, and its error rates by group.

* :func:`audit_population` — scores a population and compares groups (selection rates,
  representation, disparate impact, deciles), chunk by chunk for a whole country;
* :func:`audit_selection` — compares, group by group, a random inspection sample with the
  algorithm's selection (hit rates with bootstrap confidence intervals);
* :func:`audit_confusion` — error rates per group from published confusion-matrix counts.

Every result has ``to_dict()`` (plain data), ``to_json()`` (its text) and
``write_json(path)`` producing the JSON shapes documented in ``docs/audit.md`` (keys fixed;
rates are fractions in [0, 1] or ``None`` when suppressed or undefined; group values are
strings). Data is a file or a table: Polars (DataFrame, LazyFrame), pandas or Arrow
(``docs/api.md``).

For reports and other callers (a stable API):

* ``audit_population(model, data, group_cols=[...], intersect=False, condition_col=None,
  targeting=TargetingRule(top_share=0.05) | None, score_col=None, min_cell=10)`` returns a
  :class:`PopulationAudit`: ``.n``, ``.n_selected``, ``.threshold``, ``.top_share``,
  ``.model``, ``.model_status``, ``.overall`` (dict), ``.groups`` (``{key: GroupTable}``,
  key = column name or ``"a × b"`` for the intersection), ``.strata`` (the tables within
  each value of ``condition_col``; JSON key ``"strata"``), ``.by_group(key)`` (Polars
  DataFrame), ``.difference()``, ``.ratio()``, ``.to_dict()``;
* ``audit_selection(data, selection_col=..., random_value=..., outcome_col=...,
  negative_values=[...], group_cols=[...], bootstrap=1000, seed=0)`` returns a
  :class:`SelectionAudit` (``.overall``, ``.groups``, ``.to_dict()``);
* ``audit_confusion(path_or_frame, long=False, sheet=None)`` returns a
  :class:`ConfusionAudit` (``.rows``, ``.to_dict()`` → ``{"rows": [...]}``).

A :class:`GroupTable` iterates over its rows (dicts with the JSON keys); ``.row(label)``
finds one group.

>>> from lanterne.catalog import sample_path
>>> audit = audit_population("fr-cnaf-2014", sample_path(), group_cols=["family_type"])
>>> doc = audit.to_dict()
>>> sorted(doc["groups"]["family_type"][0])[:4]
['decile_shares', 'disparate_impact', 'group', 'mean_score']
"""

from lanterne.audit.confusion import ConfusionAudit, audit_confusion, read_counts
from lanterne.audit.population import PopulationAudit, audit_population
from lanterne.audit.results import GroupTable
from lanterne.audit.selection import SelectionAudit, audit_selection
from lanterne.defaults import DEFAULT_MIN_CELL

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
