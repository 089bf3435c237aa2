"""Household input: one reading of what a person gives, whatever the front end.

A household comes from a file (YAML, JSON, a row of a CSV or Parquet table), from
``name=value`` pairs (the CLI's ``--set``), from a web form's fields, or from an archetype
of the catalog; often from several, each overriding the one before. :mod:`.sources` turns
each into located :class:`~lanterne.inputs.sources.Entry` objects; :mod:`.values` reads an
entry as a value of its declared variable, with :mod:`.numbers` for every number;
:mod:`.assemble` layers the sources and lists every problem at once. The explanation
(:func:`lanterne.explain.household.build_household`) and the rights check
(:func:`lanterne.rights.household.rights_household`) both assemble their household here.

Messages speak of values and variables, never of a front end's options: the CLI adds its
flag (``--set``), the web page its field label.
"""
