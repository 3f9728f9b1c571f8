"""The benchmark harness: timing, result rows, machine description, the printed table.

Conventions used by every case:

* A side (mlmath or a peer) is a zero-argument callable doing one unit of work (one
  training step, one optimizer update, one PageRank solve, ...). Stateful sides (donated
  buffers, in-place NumPy updates) keep their state in a closure.
* :func:`measure` warms every side up (compilation, caches), picks for each side how many
  calls make one timed *repeat* (``number``, like :mod:`timeit`'s autorange, so a 1 ms
  step is not timed alone), then runs the repeats **interleaved** in alternating order
  (A B, B A, A B, ...) so a neighbour's load on a shared machine hits both sides alike.
  Each repeat ends with ``jax.block_until_ready`` on the last result. The figure reported
  is the **median** seconds per call.
* ``ratio = peer_seconds / mlmath_seconds``: above 1 means mlmath_jax is faster.
  A target is the smallest ratio that counts as met (``within 5%`` is ``1/1.05``).
"""

from __future__ import annotations

import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import jax


class Missing(Exception):  # noqa: N818 - it is a status, not an error
    """A side cannot run here: an mlmath_jax feature not on this branch, or a peer library
    (PyTorch) not installed. The suite prints the reason and goes on."""


@dataclass(frozen=True)
class Scale:
    """How hard to measure. ``toy`` shrinks every shape (the tests use it)."""

    name: str               # full | quick | toy
    repeats: int            # timed repeats per side
    slow_repeats: int       # for sides that take seconds (networkx, whole processes)
    warmup: int             # untimed calls first
    min_repeat_s: float     # a repeat lasts at least this long (calls are batched)

    @property
    def toy(self) -> bool:
        return self.name == "toy"


SCALES = {
    # Many short repeats sample a neighbour's bursts evenly for both sides: in an A/A test
    # (optax against itself) on the busy 2-core machine, 7 repeats of 0.2 s gave ratios of
    # 0.57-1.69, 41 short alternating repeats 0.93-1.07.
    "full": Scale("full", repeats=21, slow_repeats=3, warmup=2, min_repeat_s=0.05),
    "quick": Scale("quick", repeats=7, slow_repeats=1, warmup=1, min_repeat_s=0.02),
    "toy": Scale("toy", repeats=1, slow_repeats=1, warmup=1, min_repeat_s=0.0),
}


@dataclass
class Row:
    """One comparison: an mlmath side against a peer side on the same work."""

    case: str
    ours: str
    ours_s: float | None
    peer: str
    peer_s: float | None
    target: float | None = None     # minimum peer_s / ours_s that meets the target
    target_text: str = ""
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.ours_s is None or self.peer_s is None or self.ours_s <= 0:
            return None
        return self.peer_s / self.ours_s

    @property
    def verdict(self) -> str:
        if self.ratio is None:
            return "skipped" if self.note else ""
        if self.target is None:
            return "info"
        return "met" if self.ratio >= self.target else "missed"

    def to_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio, "verdict": self.verdict}


@dataclass
class CaseResult:
    name: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: str = ""       # set when the whole case could not run (see Missing)
    seconds: float = 0.0    # wall time of the case, set-up included
    error: bool = False     # the case raised (the row says what)
    checks: dict[str, float] = field(default_factory=dict)  # answer agreement with the peer


def block(x):
    """Wait for the JAX arrays in ``x`` (a pytree); other leaves (NumPy, torch) are ready."""
    for leaf in jax.tree.leaves(x):
        if isinstance(leaf, jax.Array):
            leaf.block_until_ready()
    return x


def _time_calls(fn: Callable, number: int) -> float:
    start = time.perf_counter()
    out = None
    for _ in range(number):
        out = fn()
    block(out)
    return (time.perf_counter() - start) / number


def measure(sides: dict[str, Callable], scale: Scale,
            repeats: dict[str, int] | None = None,
            slow: tuple[str, ...] = (), stat: str = "median") -> dict[str, float]:
    """Median (or, with ``stat="min"``, best) seconds per call of each side, after warm-up,
    repeats interleaved.

    ``repeats`` overrides the repeat count per side. Sides named in ``slow`` (seconds per
    call, nothing to compile: networkx, scikit-learn on big inputs) get no warm-up call and
    ``scale.slow_repeats`` repeats of one call each; a side whose warm-up call took over a
    second gets ``scale.slow_repeats`` repeats too.
    """
    numbers = {}
    counts = {name: (repeats or {}).get(name, scale.slow_repeats if name in slow
                                        else scale.repeats) for name in sides}
    for name, fn in sides.items():
        if name in slow:
            numbers[name] = 1
            continue
        first = None
        for _ in range(max(scale.warmup, 1)):
            first = _time_calls(fn, 1)
        numbers[name] = max(1, math.ceil(scale.min_repeat_s / max(first, 1e-9)))
        numbers[name] = min(numbers[name], 10_000)
        if first > 1.0 and not (repeats and name in repeats):
            counts[name] = min(counts[name], scale.slow_repeats)
    times: dict[str, list[float]] = {name: [] for name in sides}
    names = list(sides)
    for r in range(max(counts.values())):
        for name in (names if r % 2 == 0 else names[::-1]):  # A B, B A, A B, ...
            fn = sides[name]
            if r < counts[name]:
                times[name].append(_time_calls(fn, numbers[name]))
    pick = min if stat == "min" else statistics.median
    return {name: pick(ts) for name, ts in times.items()}


def time_once(fn: Callable) -> float:
    """Seconds of one call (no warm-up): for whole processes and cold starts."""
    start = time.perf_counter()
    block(fn())
    return time.perf_counter() - start


# --------------------------------------------------------------------------- machine

def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(module: str) -> str:
    try:
        mod = __import__(module)
    except ImportError:
        return "not installed"
    return str(getattr(mod, "__version__", "?"))


def machine_info() -> dict:
    """CPU, cores, backend, devices and the versions of every library measured."""
    from mlmath_jax import __version__

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        usable = os.cpu_count()
    info = {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "backend": jax.default_backend(),
        "devices": [str(d) for d in jax.devices()],
        "mlmath_jax": __version__,
        "jax": jax.__version__,
        "jaxlib": _version("jaxlib"),
        "numpy": _version("numpy"),
        "optax": _version("optax"),
        "scikit-learn": _version("sklearn"),
        "scipy": _version("scipy"),
        "networkx": _version("networkx"),
        "torch": _version("torch"),
    }
    try:
        info["load_average_1min"] = round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):  # pragma: no cover - not Unix
        pass
    if info["torch"] != "not installed":
        import torch

        info["torch_threads"] = torch.get_num_threads()
    return info


# --------------------------------------------------------------------------- output

def fmt_seconds(s: float | None) -> str:
    if s is None:
        return "—"
    if s >= 1.0:
        return f"{s:.3g} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3g} ms"
    return f"{s * 1e6:.3g} µs"


def table_rows(results: list[CaseResult]) -> list[list[str]]:
    rows = []
    for res in results:
        if res.missing and not res.rows:
            rows.append([res.name, "—", "—", "—", "—", "—", "—", "not run: " + res.missing])
        for r in res.rows:
            ratio = "—" if r.ratio is None else f"{r.ratio:.2f}×"
            verdict = r.verdict if r.ratio is not None or not r.note else "skipped: " + r.note
            rows.append([r.case, r.ours, fmt_seconds(r.ours_s), r.peer, fmt_seconds(r.peer_s),
                         ratio, r.target_text or "—", verdict])
    return rows


COLUMNS = ["case", "mlmath_jax", "time", "peer", "time", "ratio peer/mlmath", "target",
           "result"]
