"""Default values shared by the library and the command line.

They live in this module, which imports nothing, because the command line shows them in
its help: ``lanterne --help`` must not import Polars or Matplotlib to print a number. The
library modules that use them import them from here.

>>> DEFAULT_MIN_CELL
10
"""

#: Published tables hide groups smaller than this (``--min-cell``).
DEFAULT_MIN_CELL = 10
#: Rows per chunk when reading Parquet files (about 100 MB for 40 columns).
DEFAULT_BATCH_ROWS = 1 << 20
#: Seed of the synthetic population when none is given (documented in the README).
DEFAULT_POPULATION_SEED = 2023
#: Seed of the sample checked against OpenFisca-France when none is given.
DEFAULT_OPENFISCA_SEED = 15
#: Households in the demo's sample: about a minute of OpenFisca on two cores.
DEMO_SAMPLE = 200_000
#: Above this many bins, a shape's table groups consecutive bins (``--bins 0``: all).
MAX_SHAPE_ROWS = 24
#: Selected households (seen or expected) a group needs before the report states a finding.
MIN_SELECTED = 20
#: Counterfactual search: combinations scored at most, and seconds at most.
COUNTERFACTUAL_EVALUATIONS = 5_000_000
COUNTERFACTUAL_SECONDS = 60.0
