"""Beyond one process: Dask clusters (local or remote) under the heavy commands.

:mod:`lanterne.scale.cluster` opens the cluster named by ``--cluster``;
:mod:`lanterne.scale.audit` runs population audits on it over the same mergeable partials
as one process (:mod:`lanterne.audit.partials`); :mod:`lanterne.scale.rights` runs
OpenFisca-France inside the workers; :mod:`lanterne.scale.partitions` cuts a data source
into partitions (Parquet row groups, slices of a table). See ``docs/scaling.md``.
"""
