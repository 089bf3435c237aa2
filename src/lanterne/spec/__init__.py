"""Model specifications: the YAML format, its safe expression language and its loader."""

from lanterne.spec.load import load_spec, load_spec_text
from lanterne.spec.schema import ModelSpec

__all__ = ["ModelSpec", "load_spec", "load_spec_text"]
