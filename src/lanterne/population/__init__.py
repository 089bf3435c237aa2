"""Populations to score: synthetic national populations and archetype households."""

from lanterne.population.archetypes import ArchetypeSet, load_archetypes

__all__ = ["ArchetypeSet", "load_archetypes"]
