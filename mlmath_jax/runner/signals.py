"""Ctrl-C and SIGTERM that cannot be swallowed.

Python runs a signal handler between bytecodes of the main thread, and the
``KeyboardInterrupt`` it raises can land inside a callback whose exceptions are ignored
(JAX's garbage-collection callback prints "Exception ignored in: <function
_xla_gc_callback>" and carries on). :func:`installed` therefore records every SIGINT and
SIGTERM in a flag before raising: the runner checks the flag at safe points
(:func:`check`: each logged metric, each progress step, the end of a run) and the ``mlmath``
command checks it before it exits, so an interrupt always ends as status ``interrupted``
and exit status 130, whichever frame the first ``KeyboardInterrupt`` met.
"""

from __future__ import annotations

import contextlib
import signal
import threading

_STATE = {"signal": None}


def _handler(signum, frame):
    _STATE["signal"] = signum
    raise KeyboardInterrupt(signal.Signals(signum).name)


def requested() -> str | None:
    """The name of the signal received since :func:`reset` (``"SIGINT"``), else None.

    Example:
      >>> reset(); print(requested())
      None
    """
    s = _STATE["signal"]
    return None if s is None else signal.Signals(s).name


def reset() -> None:
    """Forget any signal received (a new command starts clean)."""
    _STATE["signal"] = None


def check() -> None:
    """Raise ``KeyboardInterrupt`` if a signal arrived (even one whose first exception was
    swallowed); a safe point in the run's own code.

    Example:
      >>> reset(); check(); print("no signal")
      no signal
    """
    if _STATE["signal"] is not None:
        raise KeyboardInterrupt(requested())


@contextlib.contextmanager
def installed():
    """Within the block, SIGINT and SIGTERM set the flag and raise ``KeyboardInterrupt``.
    Nested use and use outside the main thread (where Python allows no handlers) are
    no-ops; the previous handlers come back on exit.

    Example:
      >>> with installed():
      ...     print(signal.getsignal(signal.SIGTERM) is _handler)
      True
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    if all(h is _handler for h in previous.values()):
        yield
        return
    for s in previous:
        signal.signal(s, _handler)
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
