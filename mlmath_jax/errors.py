"""Exceptions shared by the library and the command line.

``UserError`` marks a mistake in what a user gave (a config, an expression, a file, a
matrix literal). The command line turns it into one line on stderr and exit status 2,
without a traceback. Anything else escaping the library is a bug and keeps its traceback.
"""

from __future__ import annotations


class UserError(ValueError):
    """A mistake in the user's input; the message says what is wrong and what is allowed."""


class ConfigError(UserError):
    """A config file or ``--set`` override that cannot be run."""


class WriteError(UserError):
    """An output file could not be written (disk full, no permission); the message names
    the file. The run that was writing it ends with status ``error``, never ``ok``."""


def write_error(path, exc: OSError) -> WriteError:
    """A :class:`WriteError` naming ``path`` from the ``OSError`` a write raised.

    Example:
      >>> import errno, os
      >>> e = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
      >>> print(write_error("runs/x/summary.json", e))
      runs/x/summary.json: cannot write: No space left on device
    """
    return WriteError(f"{path}: cannot write: {exc.strerror or exc}")


class Diverged(RuntimeError):
    """A loss became NaN or infinite; the run stops instead of reporting wrong numbers.

    Attributes:
      step: the first step (counted from 0) whose loss was not finite.
      result: whatever the raiser had up to that step (a ``train.FitResult`` from the
        training loop), so that callers can still draw what happened.
    """

    def __init__(self, step: int, result=None):
        super().__init__(f"diverged at step {step}: the loss is not finite")
        self.step = step
        self.result = result
