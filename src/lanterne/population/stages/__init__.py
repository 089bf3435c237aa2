"""The generator's stages, in causal order; each draws some columns of a chunk.

Every stage is a function ``draw_<what>(rng, d, plan)`` that reads the columns earlier
stages put in ``d`` (a dict of NumPy arrays, one value per household) and adds its own.
Its numbers come from the targets file (``plan.numbers``, the ``generator`` section) and,
for legal amounts, from OpenFisca-France (``plan.law``).
"""
