"""Fair peers: every side of a case in its own process, taking turns.

Sharing a process (or running at the same time) lets one side's BLAS or OpenMP worker
threads spin on the cores the other side is timed on. Here each side is built in a
worker process of its own (``python -m mlmath_jax.bench._worker``), and the parent asks
the workers for timed repeats one at a time, in alternating order (A B B A A B …), so
only one side runs at any moment and the machine's drift falls on all of them. Each turn
starts with untimed calls for as long as the timed repeat will last (``warm``): a process
that sat idle while the others took their turns has parked threads and cold caches, and
on this KVM guest the first calls after a pause ran 1.5–3× slower than steady state (the
digits MLP step read 2.6 ms without this warm-up, 1.3 ms with it, 0.8 ms in a process of
its own running back to back).

A side is named by a *builder*, ``"module:function"`` plus JSON keyword arguments; the
builder returns ``(call, info)``: ``call()`` does one unit of work (its result is waited
for), ``info`` a JSON-able dict (threads, kernel, the answer's check values). A side can
ask for environment variables to be unset in its process alone: the NumPy sides unset
``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE``, which OpenBLAS reads when it loads (some
machines set them for old OpenBLAS builds; the current one then picks a slower kernel).
"""

from __future__ import annotations

import importlib
import json
import math
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

NUMPY_ENV_UNSET = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


@dataclass(frozen=True)
class Side:
    """One side of a case, to be built in its own process."""

    builder: str                      # "module:function"
    kwargs: dict = field(default_factory=dict)
    unset: tuple[str, ...] = ()       # environment variables removed for this process


@dataclass
class Timing:
    """What a side measured: seconds per call of every repeat, and its ``info``."""

    times: list[float]
    info: dict

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def best(self) -> float:
        return min(self.times)


def blas_info() -> dict:
    """The BLAS / OpenMP libraries this process loaded: kernel and thread count
    (threadpoolctl), e.g. ``{"openblas": "SkylakeX, 2 threads"}``."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return {"blas": "threadpoolctl not installed"}
    out = {}
    for lib in threadpool_info():
        name = lib.get("internal_api", "?")
        arch = lib.get("architecture")
        out[name] = f"{arch + ', ' if arch else ''}{lib.get('num_threads')} threads"
    return out


def checkout_env(unset: tuple[str, ...] = ()) -> dict[str, str]:
    """This process's environment for a child process of the benchmark: without the
    variables ``unset``, and with the checkout this package was loaded from first on
    ``PYTHONPATH``, so the child runs the same code."""
    env = {k: v for k, v in os.environ.items() if k not in unset}
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


class _Worker:
    def __init__(self, side: Side):
        self.proc = subprocess.Popen([sys.executable, "-m", "mlmath_jax.bench._worker"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=checkout_env(side.unset), text=True, bufsize=1)
        self.side = side

    def ask(self, **msg):
        self.send(**msg)
        return self.reply()

    def send(self, **msg):
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()

    def reply(self):
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"benchmark worker for {self.side.builder} died "
                               f"(exit {self.proc.wait()})")
        reply = json.loads(line)
        if "error" in reply:
            if reply.get("missing"):
                from mlmath_jax.bench.harness import Missing

                raise Missing(reply["error"])
            raise RuntimeError(f"{self.side.builder}: {reply['error']}")
        return reply

    def close(self):
        if self.proc.poll() is None:
            try:
                self.ask(quit=True)
            except (RuntimeError, BrokenPipeError, OSError):
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def measure_isolated(sides: dict[str, Side], scale, pause: float = 0.02, *,
                     slow: tuple[str, ...] = (), repeats: dict[str, int] | None = None,
                     pool: dict[str, _Worker] | None = None) -> dict[str, Timing | str]:
    """Time each side in its own process, repeats in alternating turns.

    Returns per side a :class:`Timing`, or the reason it could not run (a str: PyTorch
    not installed, torch.compile unavailable). ``pause`` seconds separate turns, so a
    side's worker threads go idle before the next side is timed.

    As :func:`~mlmath_jax.bench.harness.measure`: sides named in ``slow`` (seconds per
    call, nothing to compile: networkx, scikit-learn on big inputs) get no warm-up call,
    one call per repeat and ``scale.slow_repeats`` repeats; a side whose warm-up call
    took over a second gets ``scale.slow_repeats`` repeats too; ``repeats`` sets a side's
    repeat count outright. Once a side has had its repeats, the others go on taking turns.

    ``pool``: a dict the caller keeps across calls (close it with :func:`close_pool`).
    A side whose name is in it reuses that worker process, built anew with its builder,
    so a study at several sizes starts each side's process once (sides never share one).
    """
    from mlmath_jax.bench.harness import Missing

    workers: dict[str, _Worker] = {}
    out: dict[str, Timing | str] = {}
    infos: dict[str, dict] = {}
    try:
        for name, side in sides.items():  # start them all, then build (imports overlap)
            w = (pool or {}).get(name)
            if w is None or w.proc.poll() is not None or w.side.unset != side.unset:
                if w is not None:
                    w.close()
                w = _Worker(side)
                if pool is not None:
                    pool[name] = w
            w.side = side
            workers[name] = w
        for w in workers.values():  # every worker builds at once (imports, compiling)
            w.send(build=w.side.builder, kwargs=w.side.kwargs)
        for name, w in list(workers.items()):
            try:
                infos[name] = w.reply()["info"]
            except Missing as exc:
                out[name] = str(exc)
                w.close()
                del workers[name]
                if pool is not None:
                    pool.pop(name, None)
        numbers, warm = {}, {}
        counts = {name: (repeats or {}).get(name, scale.slow_repeats if name in slow
                                            else scale.repeats) for name in workers}
        for name, w in workers.items():
            if name in slow:
                numbers[name], warm[name] = 1, None
                continue
            first = 0.0
            for _ in range(max(scale.warmup, 1)):
                first = w.ask(time=1)["seconds"]
            numbers[name] = min(10_000, max(1, math.ceil(scale.min_repeat_s / max(first, 1e-9))))
            # A side of seconds per call (networkx) is not warmed again before each turn.
            warm[name] = scale.min_repeat_s if first < 1.0 else None
            if first > 1.0 and name not in (repeats or {}):
                counts[name] = min(counts[name], scale.slow_repeats)
        times: dict[str, list[float]] = {name: [] for name in workers}
        names = list(workers)
        for r in range(max(counts.values(), default=0)):
            for name in (names if r % 2 == 0 else names[::-1]):  # A B, B A, A B, ...
                if r >= counts[name]:
                    continue
                times[name].append(workers[name].ask(time=numbers[name],
                                                     warm=warm[name])["seconds"])
                time.sleep(pause)
        for name in workers:
            out[name] = Timing(times[name], infos[name])
    finally:
        for name, w in workers.items():
            if pool is None or pool.get(name) is not w:
                w.close()
    return out


def measure_replicated(sides: dict[str, Side], scale, replicas: int = 3,
                       **kwargs) -> dict[str, Timing | str]:
    """:func:`measure_isolated` with every side run in ``replicas`` processes of its own,
    all taking turns (a₀ b₀ a₁ b₁ a₂ b₂, then backwards); a side's :class:`Timing` holds
    the repeats of all its processes (``info["replica_medians"]``: each one's median).

    For memory-bound work the process itself is a source of noise: on this 2-core KVM
    guest two processes running the same jitted 1M-parameter SGD update differed by up to
    17% (A/A ratios 0.83–1.14 over four pairs), each steady within itself — where its
    buffers landed in memory, not what it ran. A side measured in one process carries
    that draw; several processes per side average it out.
    """
    expanded = {f"{name}#{i}": side for i in range(replicas) for name, side in sides.items()}
    got = measure_isolated(expanded, scale, **kwargs)
    out: dict[str, Timing | str] = {}
    for name in sides:
        parts = [got[f"{name}#{i}"] for i in range(replicas)]
        missing = [p for p in parts if isinstance(p, str)]
        if missing:
            out[name] = missing[0]
            continue
        info = {**parts[0].info, "replica_medians": [p.median for p in parts],
                "pids": [p.info.get("pid") for p in parts]}
        out[name] = Timing([t for p in parts for t in p.times], info)
    return out


def close_pool(pool: dict[str, _Worker]) -> None:
    """End the worker processes a :func:`measure_isolated` ``pool`` kept."""
    while pool:
        pool.popitem()[1].close()


def _serve() -> None:  # pragma: no cover - runs in the worker process
    call = None
    replies, sys.stdout = sys.stdout, sys.stderr  # a builder's prints must not reach the pipe
    for line in sys.stdin:
        msg = json.loads(line)
        try:
            if msg.get("quit"):
                print(json.dumps({"ok": True}), file=replies, flush=True)
                return
            if "build" in msg:
                call = None  # a reused worker lets the last side's data go first
                module, fn = msg["build"].split(":")
                call, info = getattr(importlib.import_module(module), fn)(**msg["kwargs"])
                reply = {"info": {**info, **blas_info(), "pid": os.getpid()}}
            else:
                n = int(msg["time"])
                if msg.get("warm") is not None:  # untimed calls: wake threads, fill caches
                    warm_until = time.perf_counter() + float(msg["warm"])
                    _block(call())
                    while time.perf_counter() < warm_until:
                        _block(call())
                start = time.perf_counter()
                out = None
                for _ in range(n):
                    out = call()
                _block(out)
                reply = {"seconds": (time.perf_counter() - start) / n}
        except Exception as exc:  # reported to the parent, which decides
            from mlmath_jax.bench.harness import Missing

            reply = {"error": f"{type(exc).__name__}: {exc}"[:500],
                     "missing": isinstance(exc, Missing)}
        print(json.dumps(reply, default=float), file=replies, flush=True)


def _block(out) -> None:
    if out is None:
        return
    if hasattr(out, "block_until_ready"):
        out.block_until_ready()
    elif isinstance(out, (tuple, list)):
        for x in out:
            _block(x)


def side_environment(names: list[str]):
    """Builder for checking the isolation itself: a no-op call whose ``info`` holds the
    process's values of the environment variables ``names`` (None when unset)."""
    return (lambda: None), {"env": {n: os.environ.get(n) for n in names}}


def side_sleep(seconds: float):
    """Builder for checking the repeat counts: a call that sleeps ``seconds``."""
    return (lambda: time.sleep(seconds)), {"seconds": seconds}


if __name__ == "__main__":  # pragma: no cover
    _serve()
