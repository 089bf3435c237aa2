"""Two versions of a model side by side: shape by shape, and on a grid of profiles.

:mod:`lanterne.compare.grid` builds a grid of applicant profiles (every combination of a
few values per variable: a construction, never a population); :mod:`lanterne.compare.flips`
scores it with both models and counts who changes side of the threshold;
:mod:`lanterne.compare.shapes` lays the shape functions of two additive models on one
scale, feature by feature.
"""

from lanterne.compare.flips import FlipResult, compare_on_grid
from lanterne.compare.grid import ProfileGrid, default_grid, grid_from_table

__all__ = ["FlipResult", "ProfileGrid", "compare_on_grid", "default_grid", "grid_from_table"]
