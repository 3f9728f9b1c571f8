"""The run context an experiment receives: log metrics, save figures, show progress."""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from typing import Any

from mlmath_jax.errors import write_error
from mlmath_jax.runner import signals


def jsonable(value: Any) -> Any:
    """Plain JSON types from NumPy / JAX scalars and arrays; non-finite floats become None.

    Example:
      >>> import numpy as np
      >>> print(jsonable({"loss": np.float32(0.5), "curve": np.array([1.0, np.nan])}))
      {'loss': 0.5, 'curve': [1.0, None]}
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_asdict"):      # a NamedTuple result
        return jsonable(value._asdict())
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int):
        return value
    if hasattr(value, "shape") and getattr(value, "shape", ()) != ():
        import numpy as np

        return jsonable(np.asarray(value).tolist())
    if hasattr(value, "dtype"):
        import numpy as np

        value = np.asarray(value).item()
        return jsonable(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return str(value)


class Progress:
    """A progress bar on a terminal (rich), a few plain lines otherwise, nothing if quiet."""

    def __init__(self, total: int, desc: str, mode: str):
        self.total, self.desc, self.mode = total, desc, mode
        self.done = 0
        self._next_plain = 0
        self._bar = None
        if mode == "rich":
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(TextColumn("{task.description}"), BarColumn(),
                                     MofNCompleteColumn(), TextColumn("{task.fields[info]}"),
                                     TimeRemainingColumn(), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(desc, total=total, info="")

    def advance(self, n: int = 1, **fields: float) -> None:
        signals.check()
        self.done += n
        info = " ".join(f"{k}={v:.4g}" for k, v in fields.items())
        if self._bar is not None:
            self._bar.update(self._task, advance=n, info=info)
        elif self.mode == "plain" and (self.done >= self._next_plain or self.done >= self.total):
            print(f"{self.desc}: {self.done}/{self.total} {info}".rstrip(), file=sys.stderr,
                  flush=True)
            self._next_plain = self.done + max(1, self.total // 5)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


class RunContext:
    """Handed to ``experiment.run(cfg, key, ctx)``.

    Attributes:
      run_dir: this run's directory (write extra files with :meth:`path`).
      dtype: the run's floating dtype (``jnp.float32`` or ``jnp.float64``).
      quiet: whether to keep the terminal quiet.
    """

    def __init__(self, run_dir: Path, dtype, quiet: bool = False, interactive: bool = False):
        self.run_dir = Path(run_dir)
        self.dtype = dtype
        self.quiet = quiet
        self._mode = "off" if quiet else ("rich" if interactive else "plain")
        self._metrics = open(self.run_dir / "metrics.jsonl", "w", encoding="utf-8")
        self.figures: list[str] = []
        self.captions: dict[str, str] = {}
        self.observations: list = []
        self.explorers: list[dict] = []
        self.compile_seconds = 0.0
        self.train_seconds = 0.0
        self.steps = 0
        self.started = time.perf_counter()

    # -- metrics ------------------------------------------------------------------------
    def log(self, step: int, **metrics: Any) -> None:
        """Append one record ``{"step": step, **metrics}`` to metrics.jsonl and flush it."""
        signals.check()
        record = {"step": int(step), **jsonable(metrics)}
        try:
            self._metrics.write(json.dumps(record, sort_keys=False) + "\n")
            self._metrics.flush()
        except OSError as exc:
            raise write_error(self.run_dir / "metrics.jsonl", exc) from None

    def add_timing(self, compile_seconds: float = 0.0, run_seconds: float = 0.0,
                   steps: int = 0) -> None:
        """Called by the training loop: compile and run seconds, and steps done."""
        self.compile_seconds += compile_seconds
        self.train_seconds += run_seconds
        self.steps += steps

    # -- files and figures ----------------------------------------------------------------
    def path(self, name: str) -> Path:
        """A path inside the run directory for an extra artefact."""
        return self.run_dir / name

    def save_figure(self, fig, name: str, caption: str | None = None) -> Path:
        """Save a matplotlib figure as ``<name>.png`` in the run directory and close it.

        ``caption`` is shown under the figure in the report; it must be true for every
        value the schema allows, or be built from this run's numbers (see :meth:`observe`).
        """
        import matplotlib.pyplot as plt

        path = self.run_dir / f"{name}.png"
        try:
            fig.savefig(path, dpi=110, bbox_inches="tight")
        except OSError as exc:
            raise write_error(path, exc) from None
        finally:
            plt.close(fig)
        if path.name not in self.figures:
            self.figures.append(path.name)
        if caption:
            self.captions[path.name] = caption
        return path

    def save_explorer(self, name: str, html: str, title: str) -> Path:
        """Write an interactive page (see :mod:`mlmath_jax.explorers`) as ``<name>.html`` in
        the run directory; the report and the tour's index link it as ``title``."""
        path = self.run_dir / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        self.explorers = [e for e in self.explorers if e["file"] != path.name]
        self.explorers.append({"file": path.name, "title": title})
        return path

    # -- observations -------------------------------------------------------------------------
    def observe(self, claim: str, holds, otherwise: str) -> bool:
        """Report what this run found: ``claim`` (built from the run's numbers) is printed
        as a fact only when ``holds`` is true; else the page prints ``otherwise``, which
        says what happened instead. Returns ``bool(holds)``."""
        from mlmath_jax.runner.lesson import Observation

        held = bool(holds)
        self.observations.append(Observation(claim, held, otherwise))
        return held

    # -- terminal ---------------------------------------------------------------------------
    def progress(self, total: int, desc: str = "train") -> Progress:
        return Progress(total, desc, self._mode)

    def print(self, *parts: Any) -> None:
        """A line for the user (suppressed by --quiet)."""
        if not self.quiet:
            print(*parts, file=sys.stderr, flush=True)

    def close(self) -> None:
        if not self._metrics.closed:
            try:
                self._metrics.close()
            except OSError as exc:
                raise write_error(self.run_dir / "metrics.jsonl", exc) from None
