"""Readable names for columns and groups, taken from the models' variable declarations.

A report speaks of "single-parent family", not ``family_type = single_parent``: a variable's
``label`` names its column and its ``category_labels`` name its values (see ``docs/spec.md``);
booleans read "yes" / "no"; anything undeclared falls back to the raw value with spaces.

Example:
    >>> from lanterne.model import load_model
    >>> labels = Labels.from_models([load_model("fr-cnaf-2014")])
    >>> labels.group("receives_rsa", "true", "en")
    'yes'
    >>> labels.group("unknown_column", "a_b", "en")
    'a b'
"""

from __future__ import annotations

from collections.abc import Iterable

from lanterne.audit.groups import CROSS
from lanterne.i18n import pick, tr
from lanterne.model import Model
from lanterne.spec.schema import Variable


class Labels:
    """Column and group labels in French and English for a set of models' variables."""

    def __init__(self, variables: dict[str, Variable]) -> None:
        self._variables = variables

    @classmethod
    def from_models(cls, models: Iterable[Model]) -> Labels:
        """Labels from every variable the models declare (the first declaration wins)."""
        variables: dict[str, Variable] = {}
        for model in models:
            for var in model.spec.variables:
                variables.setdefault(var.name, var)
        return cls(variables)

    def column(self, name: str, lang: str) -> str:
        """The column's label (an intersection key joins its columns' labels with ×)."""
        if CROSS in name:
            return CROSS.join(self.column(part, lang) for part in name.split(CROSS))
        var = self._variables.get(name)
        if var is not None and var.label is not None:
            return pick(var.label, lang)
        return name.replace("_", " ")

    def group(self, column: str, value: str, lang: str) -> str:
        """The label of one group (an intersection's value joins its parts with ×)."""
        if CROSS in column:
            parts = value.split(CROSS)
            names = column.split(CROSS)
            if len(parts) == len(names):
                return CROSS.join(self.group(c, v, lang) for c, v in zip(names, parts, strict=True))
        var = self._variables.get(column)
        if value == "(missing)":
            return tr("(non renseigné)", "(missing)", lang)
        if var is not None:
            if var.type == "bool" and value in ("true", "false"):
                return tr("oui", "yes", lang) if value == "true" else tr("non", "no", lang)
            if var.category_labels and value in var.category_labels:
                return pick(var.category_labels[value], lang)
        return value.replace("_", " ")

    def described(self, column: str, value: str, lang: str) -> str:
        """A group named on its own: "Single-parent family (family situation)", "qpv: yes".

        >>> Labels({}).described("qpv", "true", "en")
        'qpv: true'
        """
        var = self._variables.get(column)
        group = self.group(column, value, lang)
        column_label = self.column(column, lang)
        if var is not None and var.type == "category" and var.category_labels:
            return f"{group} ({column_label[:1].lower()}{column_label[1:]})"
        sep = " : " if lang == "fr" else ": "
        return f"{column_label}{sep}{group}"
