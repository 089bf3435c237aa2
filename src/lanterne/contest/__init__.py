"""Letters a scored person may send, citing the legal catalog (``catalog/legal``).

- :func:`render_letter` — a :class:`Letter` (``markdown``, ``text()``, ``html()``,
  ``pdf()``) of kind ``explanation``, ``access`` or ``objection``, in French or English;
- :func:`write_letter` — written atomically as .md, .txt, .html or .pdf;
- :func:`load_legal_catalog` — the legal texts with their official identifiers.
"""

from lanterne.contest.legal import LegalCatalog, load_legal_catalog
from lanterne.contest.letters import LETTER_KINDS, Letter, render_letter, write_letter

__all__ = [
    "LETTER_KINDS",
    "LegalCatalog",
    "Letter",
    "load_legal_catalog",
    "render_letter",
    "write_letter",
]
