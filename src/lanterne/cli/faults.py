"""How the ``lanterne`` command ends when something goes wrong.

The exit codes are a contract (docs/security.md):

- 2: bad input or usage (a :class:`~lanterne.errors.LanterneError`, or a usage error of
  the command line itself);
- 1: a runtime failure: the disk is full, a folder is read-only, memory ran out, or a bug
  (a short message and where to report it; ``--debug`` or ``LANTERNE_DEBUG=1`` shows the
  traceback instead);
- 130: interrupted by Ctrl-C; 143 (SIGTERM) and 129 (SIGHUP) likewise unwind cleanly.

On every one of these paths the hidden temporary files are removed (each writer cleans up
in a ``finally``), so a stopped command leaves nothing half-written.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from lanterne.errors import Interrupted, RuntimeFailure, os_errno, os_failure
from lanterne.i18n import Msg, tr

#: Signals that stop the command the way Ctrl-C does (SIGINT is Python's KeyboardInterrupt).
UNWIND_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)

#: Longest part of an unexpected error's text that is shown (a message may quote a whole
#: input line of hundreds of megabytes).
MAX_DETAIL = 300


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    # a second signal while unwinding stops the process at once
    signal.signal(signum, signal.SIG_DFL)
    raise Interrupted(signum)


@contextmanager
def unwind_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into :class:`~lanterne.errors.Interrupted` while the block
    runs, so that ``finally`` blocks (temporary-file cleanup) run as on Ctrl-C.

    Signals a parent asked to ignore (``nohup``) stay ignored; outside the main thread
    (where Python cannot set handlers) nothing changes.
    """
    main = threading.current_thread() is threading.main_thread()
    previous = [
        (signum, signal.signal(signum, _raise_interrupted))
        for signum in (UNWIND_SIGNALS if main else ())
        if signal.getsignal(signum) is signal.SIG_DFL
    ]
    try:
        yield
    finally:
        for signum, handler in previous:
            signal.signal(signum, handler)


def debug_from_env() -> bool:
    """``LANTERNE_DEBUG=1`` (or ``true``/``yes``) asks for tracebacks.

    >>> isinstance(debug_from_env(), bool)
    True
    """
    return os.environ.get("LANTERNE_DEBUG", "").strip().lower() in ("1", "true", "yes", "on")


def interrupted_message() -> str:
    """What is printed when the command is stopped.

    >>> interrupted_message() == tr("Interrompu.", "Interrupted.") + " " + tr(
    ...     "Aucun fichier à moitié écrit n'a été laissé.", "No half-written file was left.")
    True
    """
    return (
        tr("Interrompu.", "Interrupted.")
        + " "
        + tr("Aucun fichier à moitié écrit n'a été laissé.", "No half-written file was left.")
    )


def memory_failure() -> RuntimeFailure:
    """The failure shown when memory runs out."""
    return RuntimeFailure(
        Msg(
            "mémoire insuffisante : essayez sur moins de données (un échantillon, moins de "
            "colonnes) ou fermez d'autres programmes",
            "not enough memory: try on less data (a sample, fewer columns) or close other programs",
        )
    )


def runtime_failure(exc: BaseException) -> RuntimeFailure | None:
    """The failure to show for an exception that is not Lanterne's, if it is an OS error
    (also one a library wrapped, like Polars' ``... (os error 28)``) or lack of memory.

    >>> runtime_failure(OSError(28, "No space left on device", "out.csv")).render("en")
    'out.csv: no space left on the disk (errno 28, ENOSPC)'
    >>> runtime_failure(ValueError("x")) is None
    True
    """
    if isinstance(exc, MemoryError):
        return memory_failure()
    if isinstance(exc, OSError) or os_errno(exc) is not None:
        return os_failure(exc)
    return None


def unexpected_lines(exc: BaseException) -> list[str]:
    """The short message for an unexpected error (a bug): what it was and what to do.

    >>> lines = unexpected_lines(ZeroDivisionError("division by zero"))
    >>> "ZeroDivisionError: division by zero" in lines[1]
    True
    """
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if len(detail) > MAX_DETAIL:
        detail = detail[:MAX_DETAIL] + "…"
    what = type(exc).__name__ + (f": {detail}" if detail else "")
    return [
        tr("Erreur inattendue (un bogue de Lanterne)", "Unexpected error (a bug in Lanterne)"),
        f"  {what}",
        tr(
            "  Relancez avec --debug (lanterne --debug ...) ou LANTERNE_DEBUG=1 pour voir le "
            "détail, et signalez-le aux développeurs de Lanterne avec la commande lancée et "
            "ce détail (sans vos données).",
            "  Run again with --debug (lanterne --debug ...) or LANTERNE_DEBUG=1 to see the "
            "details, and report it to the Lanterne developers with the command you ran and "
            "those details (without your data).",
        ),
    ]
