"""The ``lanterne`` command: a thin shell over the Python API.

Each sub-command lives in its own module and registers itself on :data:`app`. Errors
from the library (:class:`~lanterne.errors.LanterneError`) are printed with every problem
they hold, in the chosen language, and end the command with exit code 2 (bad input or
usage) or 1 (:class:`~lanterne.errors.RuntimeFailure`: disk, permissions, memory); Ctrl+C
ends it with 130 (:mod:`lanterne.cli.faults`, docs/security.md).
"""

from __future__ import annotations

import sys

from lanterne.cli import archetypes as _archetypes  # noqa: F401  (registers commands)
from lanterne.cli import audit as _audit  # noqa: F401
from lanterne.cli import compare as _compare  # noqa: F401
from lanterne.cli import demo as _demo  # noqa: F401
from lanterne.cli import explain as _explain  # noqa: F401
from lanterne.cli import importers as _importers  # noqa: F401
from lanterne.cli import letter as _letter  # noqa: F401
from lanterne.cli import models as _models  # noqa: F401
from lanterne.cli import nonrecours as _nonrecours  # noqa: F401
from lanterne.cli import population as _population  # noqa: F401
from lanterne.cli import report as _report  # noqa: F401
from lanterne.cli import rights as _rights  # noqa: F401
from lanterne.cli import score as _score  # noqa: F401
from lanterne.cli import serve as _serve  # noqa: F401
from lanterne.cli.app import app, console, err_console, run

__all__ = ["app", "console", "err_console", "main"]


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``lanterne`` console script."""
    sys.exit(run(argv))
