"""The benchmark cases: mlmath_jax against the tool a user would otherwise pick.

Each case is ``case_<name>(ctx, res)``: it builds its inputs (untimed), checks that the
sides agree on the answer (a note, so a fast wrong answer cannot pass), times the sides
with :func:`~mlmath_jax.bench.harness.measure` and appends
:class:`~mlmath_jax.bench.harness.Row` s to ``res``. A side that cannot run here raises
:class:`~mlmath_jax.bench.harness.Missing` (PyTorch
not installed) and the row says so.

Targets (from issue 10, on a 2-core CPU; ratio = peer seconds / mlmath seconds):
MLP step ≥ 3× NumPy and ≥ 1.5× PyTorch eager; hand-written optimizers within 5% of optax
(ratio ≥ 1/1.05); the ``lax.scan`` loop ≥ 1.3× a Python loop of jitted steps; PageRank
≥ 3× networkx; PCA and naive Bayes no slower than scikit-learn (ratio ≥ 1).
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import optax

from mlmath_jax.bench.harness import (
    CaseResult,
    Missing,
    Row,
    Scale,
    block,
    fmt_seconds,
    measure,
)
from mlmath_jax.bench.isolated import (
    NUMPY_ENV_UNSET,
    Side,
    Timing,
    checkout_env,
    measure_isolated,
    measure_replicated,
)

# --------------------------------------------------------------------------- context


@dataclass
class Context:
    """What every case gets: the scale, where real data lives, and shared measurements."""

    scale: Scale
    data_dir: Path | None = None
    figure: Path | None = None      # where the scaling case draws its figure (None: not)
    _peak: float | None = field(default=None, repr=False)

    def data_file(self, *parts: str) -> Path | None:
        if self.data_dir is None:
            return None
        p = self.data_dir.joinpath(*parts)
        return p if p.is_file() else None

    def peak_flops(self) -> float:
        """The machine's own f32 matmul FLOP/s (measured once, by ``matmul_peak``)."""
        if self._peak is None:
            case_matmul_peak(self, CaseResult("matmul_peak"))
        return self._peak


def default_data_dir() -> Path | None:
    """``$MLMATH_SHARED_DATA`` if set, else ``shared/data`` beside the checkout."""
    env = os.environ.get("MLMATH_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[2].parent / "shared" / "data")
    for c in candidates:
        if c.is_dir():
            return c
    return None


def need(module: str, *names: str):
    """Import an mlmath_jax module that must provide ``names`` (a missing one is a bug)."""
    mod = importlib.import_module(module)
    absent = [n for n in names if not hasattr(mod, n)]
    if absent:
        raise AttributeError(f"{module} lacks {', '.join(absent)}")
    return mod


def need_torch():
    try:
        import torch
    except ImportError:
        raise Missing("PyTorch not installed (it is never a dependency)") from None
    return torch


def copy_tree(tree):
    return jax.tree.map(lambda a: jnp.array(a, copy=True), tree)


def max_abs_diff(a, b) -> float:
    return max(float(np.max(np.abs(np.asarray(x, np.float64) - np.asarray(y, np.float64))))
               for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True))


# --------------------------------------------------------------------------- matmul peak


def _peak_n(toy: bool) -> int:
    return 64 if toy else (8192 if jax.default_backend() in ("gpu", "tpu") else 2048)


def side_matmul(lib: str, n: int):
    """Builder (run in its own process): an n×n float32 matmul, jnp or NumPy's BLAS."""
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((n, n), dtype=np.float32) for _ in range(2))
    if lib == "numpy":
        return (lambda: a @ b), {"flops": 2.0 * n**3}
    mm = jax.jit(jnp.matmul)
    aj, bj = jnp.asarray(a), jnp.asarray(b)
    return (lambda: mm(aj, bj)), {"flops": 2.0 * n**3, "backend": jax.default_backend()}


def peak_sides(toy: bool) -> dict[str, Side]:
    """The two matmul sides measured beside a case's own (the peak, close in time)."""
    n = _peak_n(toy)
    return {"peak_jax": Side(f"{__name__}:side_matmul", {"lib": "jax", "n": n}),
            "peak_numpy": Side(f"{__name__}:side_matmul", {"lib": "numpy", "n": n},
                               unset=NUMPY_ENV_UNSET)}


def peak_from(t: dict) -> float:
    """FLOP/s of the fastest matmul repeat of either library: a peak no case can beat."""
    return max(t[k].info["flops"] / t[k].best for k in ("peak_jax", "peak_numpy")
               if isinstance(t.get(k), Timing))


def case_matmul_peak(ctx: Context, res: CaseResult) -> None:
    """The machine's own limit: a large float32 matmul, jnp against NumPy's BLAS, each in
    its own process."""
    n = _peak_n(ctx.scale.toy)
    t = measure_isolated(peak_sides(ctx.scale.toy), ctx.scale)
    ctx._peak = peak_from(t)
    jx, npy = t["peak_jax"], t["peak_numpy"]
    res.rows.append(Row("matmul_peak", f"jnp.matmul {n}×{n} f32 (best repeat)", jx.best,
                        "NumPy @ (BLAS, best repeat)", npy.best))
    res.notes.append(f"matmul peak (fastest repeat, each library in its own process): "
                     f"jnp {jx.info['flops'] / jx.best / 1e9:.1f} GFLOP/s, NumPy "
                     f"{npy.info['flops'] / npy.best / 1e9:.1f} GFLOP/s "
                     f"(NumPy's BLAS: {_blas_text(npy.info)}); {n}×{n} f32, "
                     f"{jax.default_backend()}")


def _blas_text(info: dict) -> str:
    skip = {"flops", "backend", "pid", "initial_loss"}
    return "; ".join(f"{k} {v}" for k, v in info.items() if k not in skip) or "unknown"


# --------------------------------------------------------------------------- MLP step


def _mlp_flops(sizes: list[int], batch: int) -> float:
    """Matmul FLOPs of one training step: forward 2·B·Σ in·out, weight gradients the same
    again, input gradients for every layer but the first (elementwise work not counted)."""
    pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
    forward = sum(2.0 * batch * i * o for i, o in pairs)
    input_grads = sum(2.0 * batch * i * o for i, o in pairs[1:])
    return 2 * forward + input_grads


def _numpy_mlp(params, lr: float):
    """Forward, softmax cross-entropy and manual backprop in NumPy (float32, in place)."""
    P = [{"W": np.array(layer["W"]), "b": np.array(layer["b"])} for layer in params]
    last = len(P) - 1

    def forward(x):
        acts = [x]
        h = x
        for i, layer in enumerate(P):
            z = h @ layer["W"].T + layer["b"]
            h = np.maximum(z, 0.0) if i < last else z
            acts.append(h)
        return acts

    def loss_and_delta(logits, y):
        z = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        rows = np.arange(len(y))
        loss = float(np.mean(np.log(s[:, 0]) - z[rows, y]))
        delta = e / s
        delta[rows, y] -= 1.0
        delta /= np.float32(len(y))
        return loss, delta

    def loss(x, y):
        return loss_and_delta(forward(x)[-1], y)[0]

    def step(x, y):
        acts = forward(x)
        value, d = loss_and_delta(acts[-1], y)
        for i in range(last, -1, -1):
            layer = P[i]
            gW = d.T @ acts[i]
            gb = d.sum(axis=0)
            if i > 0:
                d = (d @ layer["W"]) * (acts[i] > 0)
            layer["W"] -= np.float32(lr) * gW
            layer["b"] -= np.float32(lr) * gb
        return value

    return loss, step


def _torch_mlp(torch, params, lr: float, compiled: bool = False):
    """The same MLP in PyTorch on the CPU: autograd and torch.optim.SGD; eager, or the
    loss through ``torch.compile`` (forward and backward compiled)."""
    F = torch.nn.functional
    layers = [{k: torch.tensor(np.array(v), requires_grad=True) for k, v in layer.items()}
              for layer in params]
    opt = torch.optim.SGD([t for layer in layers for t in (layer["W"], layer["b"])], lr=lr)
    last = len(layers) - 1

    def loss_fn(x, y):
        h = x
        for i, layer in enumerate(layers):
            h = F.linear(h, layer["W"], layer["b"])
            if i < last:
                h = torch.relu(h)
        return F.cross_entropy(h, y)

    forward = torch.compile(loss_fn) if compiled else loss_fn

    def step(x, y):
        opt.zero_grad(set_to_none=True)
        loss = forward(x, y)
        loss.backward()
        opt.step()
        return None

    return loss_fn, step


def side_mlp(lib: str, path: str, lr: float):
    """Builder (run in its own process): one training step of the MLP saved in ``path``
    (``x``, ``y``, ``W0``, ``b0``, ``W1``, ...) with SGD at ``lr``; ``lib`` is
    ``autodiff`` / ``manual`` (mlmath_jax, jitted, donated), ``numpy``, ``torch`` (eager)
    or ``torch_compile``."""
    saved = np.load(path)
    x, y = saved["x"], saved["y"]
    layers = len([k for k in saved.files if k.startswith("W")])
    params = [{"W": saved[f"W{i}"], "b": saved[f"b{i}"]} for i in range(layers)]
    if lib in ("autodiff", "manual"):
        nn = need("mlmath_jax.nn", "mlp_loss", "mlp_backward")
        xj, yj = jnp.asarray(x), jnp.asarray(y)
        value_and_grad = (jax.value_and_grad(nn.mlp_loss) if lib == "autodiff"
                          else nn.mlp_backward)

        def step(p, xb, yb):
            loss, grads = value_and_grad(p, xb, yb)
            return jax.tree.map(lambda a, g: a - lr * g, p, grads), loss

        step = jax.jit(step, donate_argnums=0)
        state = {"p": jax.tree.map(jnp.asarray, params)}
        first = float(value_and_grad(state["p"], xj, yj)[0])

        def call():
            state["p"], loss = step(state["p"], xj, yj)
            return loss
        return call, {"initial_loss": first}
    if lib == "numpy":
        loss, step = _numpy_mlp(params, lr)
        first = loss(x, y)
        return (lambda: step(x, y)), {"initial_loss": first}
    torch = need_torch()
    t_loss, t_step = _torch_mlp(torch, params, lr, compiled=lib == "torch_compile")
    xt, yt = torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(y.astype(np.int64))
    with torch.no_grad():
        first = float(t_loss(xt, yt))
    try:
        t_step(xt, yt)  # compiles here; a machine without a C++ compiler fails here
    except Exception as exc:
        if lib == "torch_compile":
            raise Missing(f"torch.compile does not compile here ({type(exc).__name__})"
                          ) from None
        raise
    return (lambda: t_step(xt, yt)), {"initial_loss": first,
                                      "torch_threads": torch.get_num_threads()}


def _mlp_case(ctx: Context, res: CaseResult, name: str, sizes: list[int], x: np.ndarray,
              y: np.ndarray, data_note: str, targets: dict) -> None:
    """Every side in its own process, beside the two matmul-peak sides (see
    :mod:`~mlmath_jax.bench.isolated`)."""
    nn = need("mlmath_jax.nn", "init_mlp", "mlp_loss", "mlp_backward")
    lr = 0.01
    batch = x.shape[0]
    params = nn.init_mlp(jax.random.key(0), sizes)
    with tempfile.TemporaryDirectory(prefix="mlmath-bench-") as tmp:
        path = str(Path(tmp) / "mlp.npz")
        np.savez(path, x=x, y=y, **{f"{k}{i}": np.asarray(layer[k]) for i, layer in
                                    enumerate(params) for k in ("W", "b")})
        builder = f"{__name__}:side_mlp"
        sides = {lib: Side(builder, {"lib": lib, "path": path, "lr": lr},
                           unset=NUMPY_ENV_UNSET if lib == "numpy" else ())
                 for lib in ("autodiff", "manual", "numpy", "torch", "torch_compile")
                 if not (lib == "torch_compile" and ctx.scale.toy)}  # compiling takes long
        t = measure_isolated({**sides, **peak_sides(ctx.scale.toy)}, ctx.scale)
    sec = {k: v.median for k, v in t.items() if isinstance(v, Timing)}
    why = {k: v for k, v in t.items() if isinstance(v, str)}
    if ctx.scale.toy:
        why["torch_compile"] = "not at toy scale (compiling takes tens of seconds)"

    peak = peak_from(t)
    flops = _mlp_flops(sizes, batch)
    label = f"{'-'.join(map(str, sizes))}, batch {batch}"
    peers = {"numpy": "NumPy manual backprop", "torch": "PyTorch eager CPU",
             "torch_compile": "PyTorch torch.compile CPU"}
    for ours, key in (("step, jax.grad", "autodiff"), ("step, manual backward", "manual")):
        for peer, peer_label in peers.items():
            target = targets.get(peer)
            res.rows.append(Row(name, f"{ours} ({label})", sec[key], peer_label,
                                sec.get(peer), target, f"≥ {target:g}×" if target else "—",
                                note=why.get(peer, "")))
        at_peak = flops / peak
        res.rows.append(Row(name, f"{ours} ({label})", sec[key],
                            "the same FLOPs at the measured matmul peak", at_peak,
                            targets.get("peak"),
                            f"≥ {targets['peak']:.0%} of peak" if targets.get("peak") else "—"))
    res.rows.append(Row(name, f"step, manual backward ({label})", sec["manual"],
                        "step, jax.grad", sec["autodiff"], 1 / 1.05, "≥ 0.95× (as fast)"))
    rates = ", ".join(f"{k} {flops / s / 1e9:.1f} GFLOP/s ({100 * flops / s / peak:.0f}%)"
                      for k, s in sec.items() if not k.startswith("peak"))
    res.notes.append(f"{name}: {flops / 1e6:.1f} MFLOP/step; every side in its own process, "
                     f"turns alternating; measured peak beside it {peak / 1e9:.1f} GFLOP/s; "
                     f"achieved: {rates}; NumPy's BLAS: {_blas_text(t['numpy'].info)}")
    losses = {k: v.info["initial_loss"] for k, v in t.items()
              if isinstance(v, Timing) and "initial_loss" in v.info}
    spread = max(losses.values()) - min(losses.values())
    res.checks[f"{name}_initial_loss_spread"] = spread
    res.notes.append(f"{name}: initial loss agrees across sides to {spread:.1e} "
                     f"({', '.join(f'{k} {v:.6f}' for k, v in losses.items())}); {data_note}"
                     + "".join(f"; {k}: {v}" for k, v in why.items()))


def _digits() -> tuple[np.ndarray, np.ndarray]:
    from mlmath_jax import data

    ds = data.load_bundled("digits")
    return (ds.X / 16.0).astype(np.float32), ds.y.astype(np.int32)


def case_mlp_digits(ctx: Context, res: CaseResult) -> None:
    """One full-batch training step of a 64-128-10 MLP on scikit-learn's digits."""
    need("mlmath_jax.nn", "init_mlp")  # before loading data
    x, y = _digits()
    sizes = [64, 128, 10]
    if ctx.scale.toy:
        x, y, sizes = x[:64], y[:64], [64, 16, 10]
    _mlp_case(ctx, res, "mlp_digits", sizes, x, y, f"digits, {len(y)} examples (full batch)",
              {"numpy": 2.0, "torch": 3.0})


def _mnist(ctx: Context, n: int) -> tuple[np.ndarray, np.ndarray, str]:
    from mlmath_jax import data

    images = ctx.data_file("mnist", "t10k-images-idx3-ubyte.gz")
    labels = ctx.data_file("mnist", "t10k-labels-idx1-ubyte.gz")
    if images is not None and labels is not None:
        X = data.read_idx(images)[:n].reshape(-1, 784).astype(np.float32) / np.float32(255)
        return X, data.read_idx(labels)[:n].astype(np.int32), "MNIST test images"
    rng = np.random.default_rng(0)
    X = rng.random((n, 784), dtype=np.float32)
    return X, rng.integers(0, 10, n).astype(np.int32), (
        "random data of MNIST's shape (MNIST not found: pass --data DIR)")


def case_mlp_mnist(ctx: Context, res: CaseResult) -> None:
    """One training step of an MNIST-sized 784-256-10 MLP on a batch of 1024."""
    need("mlmath_jax.nn", "init_mlp")
    batch, sizes = (32, [784, 16, 10]) if ctx.scale.toy else (1024, [784, 256, 10])
    x, y, where = _mnist(ctx, batch)
    _mlp_case(ctx, res, "mlp_mnist", sizes, x, y, where, {"numpy": 1.2, "peak": 0.9})


# --------------------------------------------------------------------------- optimizers


def _optimizer_problem(toy: bool):
    """About a million float32 parameters (784-1024-192 weights and biases) and a gradient."""
    shapes = ({"W1": (16, 8), "b1": (16,), "W2": (4, 16), "b2": (4,)} if toy else
              {"W1": (1024, 784), "b1": (1024,), "W2": (192, 1024), "b2": (192,)})
    keys = jax.random.split(jax.random.key(1), 2 * len(shapes))
    params = {k: jax.random.normal(keys[i], s, jnp.float32) for i, (k, s) in
              enumerate(shapes.items())}
    grads = {k: 0.01 * jax.random.normal(keys[len(shapes) + i], s, jnp.float32)
             for i, (k, s) in enumerate(shapes.items())}
    return params, grads, sum(int(np.prod(s)) for s in shapes.values())


def _optimizer_pairs() -> dict[str, tuple]:
    """``{short: (label, mlmath optimizer factory, optax twin factory)}``."""
    optim = need("mlmath_jax.optim", "sgd", "adagrad", "rmsprop", "adam", "adamw")
    return {
        "sgd": ("sgd(0.01, momentum=0.9)", lambda: optim.sgd(0.01, momentum=0.9),
                lambda: optax.sgd(0.01, momentum=0.9)),
        "adagrad": ("adagrad(0.01)", lambda: optim.adagrad(0.01), lambda: optax.adagrad(0.01)),
        "rmsprop": ("rmsprop(0.001)", lambda: optim.rmsprop(0.001),
                    lambda: optax.rmsprop(0.001)),
        "adam": ("adam(0.001)", lambda: optim.adam(0.001), lambda: optax.adam(0.001)),
        "adamw": ("adamw(0.001)", lambda: optim.adamw(0.001), lambda: optax.adamw(0.001)),
    }


def _optimizer_side(opt, params, grads):
    """One jitted update with parameters and optimizer state donated."""
    def update(p, s, g):
        updates, s = opt.update(g, s, p)
        return optax.apply_updates(p, updates), s
    step = jax.jit(update, donate_argnums=(0, 1))
    state = {"p": copy_tree(params)}
    state["s"] = opt.init(state["p"])

    def call():
        state["p"], state["s"] = step(state["p"], state["s"], grads)
        return state["p"]
    return call


def side_optimizer(name: str, impl: str, toy: bool):
    """Builder (run in its own process): one donated jitted update of optimizer ``name``
    (a key of :func:`_optimizer_pairs`), ``impl`` ``"ours"`` (mlmath_jax.optim) or
    ``"optax"``, on :func:`_optimizer_problem`'s parameters (drawn from fixed keys, so every
    process holds the same numbers)."""
    label, ours, ref = _optimizer_pairs()[name]
    params, grads, size = _optimizer_problem(toy)
    call = _optimizer_side((ours if impl == "ours" else ref)(), params, grads)
    return (lambda: jax.tree.leaves(call())), {"params": size}


def case_noise_floor(ctx: Context, res: CaseResult) -> None:
    """A/A: optax's adam against itself, each copy in its own process; how far from 1.0 a
    ratio strays in this run."""
    _, _, size = _optimizer_problem(ctx.scale.toy)
    side = Side(f"{__name__}:side_optimizer", {"name": "adam", "impl": "optax",
                                               "toy": ctx.scale.toy})
    t = measure_replicated({"a": side, "b": side}, ctx.scale,
                           replicas=1 if ctx.scale.toy else 3)
    a, b = t["a"].median, t["b"].median
    res.rows.append(Row("noise_floor", f"optax.adam(0.001), copy A ({size:,} params)", a,
                        "optax.adam(0.001), copy B (another process)", b))
    spread = [m / a for m in t["a"].info["replica_medians"] + t["b"].info["replica_medians"]]
    res.notes.append(f"noise_floor: identical work measured as two sides, each in "
                     f"{len(spread) // 2} process(es) of its own, gives ratio {b / a:.3f}; read "
                     "targets closer to 1 than that as a tie; one process's median against "
                     f"the side's ranged {min(spread):.2f}–{max(spread):.2f}")


def case_optimizers(ctx: Context, res: CaseResult) -> None:
    """Each hand-written optimizer against optax's: one jitted update, donated buffers;
    every side in its own process, each pair timed on its own in alternating turns."""
    pairs = _optimizer_pairs()
    params, grads, size = _optimizer_problem(ctx.scale.toy)
    diffs = []
    for short, (_, ours, ref) in pairs.items():  # untimed, here in the parent
        o, r = ours(), ref()
        u1, _ = o.update(grads, o.init(params), params)
        u2, _ = r.update(grads, r.init(params), params)
        res.checks[f"optim_{short}_first_update_max_abs_diff"] = max_abs_diff(u1, u2)
        diffs.append(f"{short} {max_abs_diff(u1, u2):.1e}")
    builder = f"{__name__}:side_optimizer"
    # --toy only checks that the case runs: two pairs' processes, not ten (every pair's
    # first update is still compared above; tests/test_optim.py checks them all).
    timed = ("sgd", "adam") if ctx.scale.toy else tuple(pairs)
    t = {}
    for short in timed:  # pair by pair, two processes at a time, as the A/A noise_floor
        t.update(measure_replicated({f"{impl}_{short}": Side(builder, {
            "name": short, "impl": impl, "toy": ctx.scale.toy}) for impl in ("ours", "optax")},
            ctx.scale, replicas=1 if ctx.scale.toy else 3))
    for short, (label, _, _) in ((k, pairs[k]) for k in timed):
        res.rows.append(Row(f"optim_{short}", f"optim.{label}", t[f"ours_{short}"].median,
                            f"optax.{label}", t[f"optax_{short}"].median, 1 / 1.05,
                            "≥ 0.95× (within 5%)"))
    res.notes.append(f"optimizers: {size:,} float32 parameters, one jitted update with params "
                     f"and state donated, every side in {1 if ctx.scale.toy else 3} "
                     "process(es) of its own "
                     "(process-to-process noise, see noise_floor), each pair timed on its own; "
                     "first update "
                     f"max |ours − optax|: {', '.join(diffs)}")


# --------------------------------------------------------------------------- training loop


def _loop_problem(problem: str, toy: bool):
    """``(label, loss_fn, params, optimizer, batch, steps, log_every)`` of a train_loop
    problem, built the same in every process (fixed keys, bundled data)."""
    from mlmath_jax import data

    if problem == "linear":
        from mlmath_jax.models import linear

        steps, log_every = (10, 5) if toy else (1000, 100)
        X, y, _ = data.make_regression(jax.random.key(0), 200, 3)
        batch = (jnp.asarray(X, jnp.float32), jnp.asarray(y, jnp.float32))
        return ("linear regression 200×3", lambda w, b: linear.mse_loss(w, b[0], b[1]),
                jnp.zeros(3, jnp.float32), optax.sgd(0.01), batch, steps, log_every)
    nn = need("mlmath_jax.nn", "init_mlp", "mlp_loss")
    x, labels = _digits()
    sizes = [64, 16, 10] if toy else [64, 128, 10]
    steps, log_every = (10, 5) if toy else (200, 100)
    return (f"digits {'-'.join(map(str, sizes))}, full batch",
            lambda p, b: nn.mlp_loss(p, b[0], b[1]), nn.init_mlp(jax.random.key(0), sizes),
            optax.sgd(0.01), (jnp.asarray(x), jnp.asarray(labels)), steps, log_every)


def side_train_loop(kind: str, problem: str, toy: bool, out: str):
    """Builder (run in its own process): one whole training run of ``problem``
    (:func:`_loop_problem`) per call. ``kind``:

    * ``"fit"``: the whole ``train.fit`` call (lax.scan chunks; its compiled programs are
      reused from the first call on, so a call after it compiles nothing);
    * ``"loop"``: a Python loop of a jitted step with donated buffers (losses kept as
      device arrays: no per-step host sync);
    * ``"scan"``: every step in one jitted ``lax.scan`` (the data an argument), one call:
      the steps' compute alone, no host between them;
    * ``"dispatch"``: the Python loop's shape with a trivial jitted function (same
      arguments, donated; the parameters scaled, no gradient): what dispatching one jitted
      call per step costs here.

    The first call runs here, untimed (it compiles); its final parameters are written to
    ``out`` (``.npz``, leaves in order) for the parent's agreement check.
    """
    from mlmath_jax import train

    _, loss_fn, params, optimizer, batch, steps, log_every = _loop_problem(problem, toy)
    value_and_grad = jax.value_and_grad(loss_fn)

    def one_step(p, s, b):
        loss, grads = value_and_grad(p, b)
        updates, s = optimizer.update(grads, s, p)
        return optax.apply_updates(p, updates), s, loss

    def trivial(p, s, b):
        return jax.tree.map(lambda a: a * 0.5, p), s, jnp.float32(0)

    def python_loop(step):
        def run():
            p = copy_tree(params)
            s = optimizer.init(p)
            loss = None
            for _ in range(steps):
                p, s, loss = step(p, s, batch)
            return [*jax.tree.leaves(p), loss]
        return run

    if kind == "fit":
        def call():
            r = train.fit(loss_fn, params, optimizer, batch, steps=steps, log_every=log_every)
            return jax.tree.leaves(r.params)
    elif kind == "scan":
        def scanned(p, s, b):
            def body(carry, _):  # b: the jitted function's argument, not a constant
                p, s, _ = one_step(*carry, b)
                return (p, s), None
            (p, s), _ = jax.lax.scan(body, (p, s), None, length=steps)
            return p, s

        whole = jax.jit(scanned, donate_argnums=(0, 1))

        def call():
            p = copy_tree(params)
            return jax.tree.leaves(whole(p, optimizer.init(p), batch)[0])
    else:
        call = python_loop(jax.jit(one_step if kind == "loop" else trivial,
                                   donate_argnums=(0, 1)))
    first = block(call())
    info = {"steps": steps, "log_every": log_every}
    if kind in ("fit", "loop"):
        np.savez(out, *[np.asarray(a) for a in first[:len(jax.tree.leaves(params))]])
    if kind == "fit":
        r = train.fit(loss_fn, params, optimizer, batch, steps=steps, log_every=log_every)
        info["compile_seconds_after_first"] = r.compile_seconds  # 0: programs reused
    return call, info


def _signed(s: float) -> str:
    return ("−" if s < 0 else "+") + fmt_seconds(abs(s))


def case_train_loop(ctx: Context, res: CaseResult) -> None:
    """``train.fit`` (the whole call, its compiled chunks reused) against a Python loop of
    a jitted step with donated buffers, for linear regression and the digits MLP; beside
    them one jitted scan of every step (the compute alone) and a loop of a trivial jitted
    call (the dispatch a scan saves). All eight sides in their own processes."""
    builder = f"{__name__}:side_train_loop"
    kinds = ("fit", "loop", "scan", "dispatch")
    problems = {"train_loop_linear": "linear", "train_loop_mlp": "mlp"}
    with tempfile.TemporaryDirectory(prefix="mlmath-bench-") as tmp:
        sides = {f"{name}:{k}": Side(builder, {"kind": k, "problem": problem,
                                               "toy": ctx.scale.toy,
                                               "out": str(Path(tmp) / f"{name}_{k}.npz")})
                 for name, problem in problems.items() for k in kinds}
        t = measure_isolated(sides, ctx.scale)
        diffs = {}
        for name in problems:
            fit_p, loop_p = (np.load(sides[f"{name}:{k}"].kwargs["out"]) for k in ("fit", "loop"))
            diffs[name] = max(float(np.max(np.abs(fit_p[f].astype(np.float64) - loop_p[f])))
                              for f in fit_p.files)
    for name, problem in problems.items():
        label, *_, steps, log_every = _loop_problem(problem, ctx.scale.toy)
        res.checks[f"{name}_final_params_max_abs_diff"] = diffs[name]
        med = {k: t[f"{name}:{k}"].median for k in kinds}
        res.rows.append(Row(name, f"train.fit whole call, wall (scan chunks of {log_every}, "
                                  f"compiled programs reused; {label}, {steps} steps)",
                            med["fit"], "Python loop of a jitted donated step", med["loop"],
                            1.3, "≥ 1.3×"))
        res.rows.append(Row(name, f"one jitted lax.scan of all {steps} steps ({label})",
                            med["scan"], "Python loop of a jitted donated step", med["loop"],
                            None, "—", note="the bound: the steps' compute, no host between"))
        # The arithmetic from each side's fastest repeat (the least disturbed by neighbours).
        best = {k: t[f"{name}:{k}"].best / steps for k in kinds}
        compute, dispatch = best["scan"], best["dispatch"]
        per_call = best["loop"] - compute  # what running each step as its own call costs
        bound = (compute + dispatch) / compute
        res.notes.append(
            f"{name}: final parameters of the two loops agree to {diffs[name]:.1e}; every side "
            f"in its own process; fit compiled "
            f"{t[f'{name}:fit'].info['compile_seconds_after_first']:.3g} s after its first "
            f"call. Per step (fastest repeats): compute {fmt_seconds(compute)} (one scan of "
            f"every step); in train.fit {fmt_seconds(best['fit'])} "
            f"({_signed((best['fit'] - compute) * steps)} per fit call over the bare scan); as "
            f"a jitted call {fmt_seconds(best['loop'])} ({_signed(per_call)} over the scan's "
            f"step); dispatch of a trivial jitted call with the same donated arguments "
            f"{fmt_seconds(dispatch)} ({dispatch / best['loop']:.0%} of the jitted step). "
            f"Best ratio a scan can reach from dispatch alone = (compute + dispatch) / compute "
            f"= ({fmt_seconds(compute)} + {fmt_seconds(dispatch)}) / {fmt_seconds(compute)} = "
            f"{bound:.2f}×; measured loop / bare scan = {best['loop'] / compute:.2f}×"
            + ("; ≥ 1.3× is out of reach when the step is compute bound like this"
               if best["loop"] / compute < 1.3 else ""))


# --------------------------------------------------------------------------- PageRank


def _scores(out, n: int) -> np.ndarray:
    if isinstance(out, jax.Array):
        return np.asarray(out)
    for leaf in jax.tree.leaves(out):
        if np.shape(leaf) == (n,):
            return np.asarray(leaf)
    raise TypeError(f"cannot find the (num_nodes,) scores in {type(out).__name__}")


def random_edges(edges: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, int]:
    """``edges`` random directed edges (repeats dropped) on ``edges // 10`` nodes (at
    least 10): (src, dst, num_nodes), int32."""
    n = max(edges // 10, 10)
    rng = np.random.default_rng(seed)
    pairs = np.unique(rng.integers(0, n, edges, dtype=np.int64) * n
                      + rng.integers(0, n, edges))
    return (pairs // n).astype(np.int32), (pairs % n).astype(np.int32), n


def side_pagerank(lib: str, edges: int, answer: str | None = None):
    """Builder (run in its own process): PageRank (damping 0.85, default tolerances) of
    :func:`random_edges` ``(edges)``; ``lib`` is ``jax`` (``models.pagerank.pagerank_edges``,
    jitted) or ``networkx`` (``networkx.pagerank``; the graph is built here, untimed).
    With ``answer``, the (num_nodes,) scores are saved there (.npy) for the parent to
    compare."""
    src, dst, n = random_edges(edges)
    info = {"nodes": n, "edges": int(len(src))}
    if lib == "jax":
        pr = need("mlmath_jax.models.pagerank", "pagerank_edges")
        sj, dj = jnp.asarray(src), jnp.asarray(dst)
        ours = jax.jit(lambda s, d: pr.pagerank_edges(s, d, n, damping=0.85).ranks)
        scores = _scores(ours(sj, dj), n)  # compiles here
        call = lambda: ours(sj, dj)  # noqa: E731
    else:
        import networkx as nx

        nx.pagerank(nx.path_graph(3, create_using=nx.DiGraph))  # its imports, untimed
        start = time.perf_counter()
        G = nx.DiGraph()
        G.add_nodes_from(range(n))
        G.add_edges_from(zip(src.tolist(), dst.tolist(), strict=True))
        info["build_s"] = time.perf_counter() - start
        scores = None
        if answer:
            ref = nx.pagerank(G, alpha=0.85)
            scores = np.array([ref[i] for i in range(n)])
        call = lambda: nx.pagerank(G, alpha=0.85) and None  # noqa: E731
    if answer:
        np.save(answer, scores)
    return call, info


def case_pagerank(ctx: Context, res: CaseResult) -> None:
    """PageRank on a random sparse graph (100,000 nodes, 1,000,000 edges) vs networkx,
    each in its own process."""
    need("mlmath_jax.models.pagerank", "pagerank_edges")
    e = 2_000 if ctx.scale.toy else 1_000_000
    builder = f"{__name__}:side_pagerank"
    with tempfile.TemporaryDirectory(prefix="mlmath-bench-") as tmp:
        paths = {lib: str(Path(tmp) / f"{lib}.npy") for lib in ("jax", "networkx")}
        t = measure_isolated(
            {"ours": Side(builder, {"lib": "jax", "edges": e, "answer": paths["jax"]}),
             "networkx": Side(builder, {"lib": "networkx", "edges": e,
                                        "answer": paths["networkx"]}, unset=NUMPY_ENV_UNSET)},
            ctx.scale, slow=("networkx",))  # its answer above was its warm-up
        mine, theirs = np.load(paths["jax"]), np.load(paths["networkx"])
    n, edges = t["ours"].info["nodes"], t["ours"].info["edges"]
    res.rows.append(Row("pagerank",
                        f"models.pagerank.pagerank_edges ({n:,} nodes, {edges:,} edges)",
                        t["ours"].median, "networkx.pagerank", t["networkx"].median, 3.0,
                        "≥ 3×"))
    res.checks["pagerank_l1_diff"] = float(np.sum(np.abs(mine - theirs)))
    res.notes.append(f"pagerank: max |ours − networkx| = {np.max(np.abs(mine - theirs)):.1e} "
                     f"(scores ~{1 / n:.0e}), L1 {np.sum(np.abs(mine - theirs)):.1e}; both at "
                     f"their default tolerances; each in its own process; networkx graph "
                     f"build {t['networkx'].info['build_s']:.1f} s not timed")


# --------------------------------------------------------------------------- PCA


def synthetic_rows(n: int, d: int = 784, seed: int = 0) -> np.ndarray:
    """(n, d) float32 rows with a decaying spectrum (the variance of direction j falls
    as 1/(j+1)), so the leading components are well separated."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d), dtype=np.float32)
    X *= (1.0 / np.sqrt(np.arange(1, d + 1))).astype(np.float32)
    return X


def side_pca(lib: str, k: int, n: int | None = None, d: int = 784, path: str | None = None,
             answer: str | None = None):
    """Builder (run in its own process): PCA with ``k`` components of the rows saved in
    ``path`` (.npy), or of :func:`synthetic_rows` ``(n, d)``; ``lib`` is ``auto`` or
    ``svd`` (``models.pca.pca`` with that method, jitted) or ``sklearn``
    (``sklearn.decomposition.PCA(k).fit``). With ``answer``, the explained-variance
    ratios are saved there (.npy)."""
    X = np.load(path) if path else synthetic_rows(n, d)
    info = {"rows": int(X.shape[0]), "cols": int(X.shape[1])}
    if lib == "sklearn":
        from sklearn.decomposition import PCA

        sk = PCA(n_components=k).fit(X)  # its imports and the answer, untimed
        ratios = sk.explained_variance_ratio_
        info["solver"] = sk._fit_svd_solver
        call = lambda: PCA(n_components=k).fit(X) and None  # noqa: E731
    else:
        pca = need("mlmath_jax.models.pca", "pca")
        Xj = jnp.asarray(X)
        ours = jax.jit(lambda a: pca.pca(a, k, method=lib))
        ratios = np.asarray(ours(Xj).explained_variance_ratio)  # compiles here
        call = lambda: ours(Xj)  # noqa: E731
    if answer:
        np.save(answer, ratios)
    return call, info


def case_pca(ctx: Context, res: CaseResult) -> None:
    """PCA of the 10,000 × 784 MNIST test images against scikit-learn's PCA (k = 50),
    each in its own process."""
    need("mlmath_jax.models.pca", "pca")
    n, k = (200, 5) if ctx.scale.toy else (10_000, 50)
    X, _, where = _mnist(ctx, n)
    if ctx.scale.toy:
        X = np.ascontiguousarray(X[:, 392:520])  # 128 middle pixels keep the toy run short
    builder = f"{__name__}:side_pca"
    with tempfile.TemporaryDirectory(prefix="mlmath-bench-") as tmp:
        path = str(Path(tmp) / "X.npy")
        np.save(path, X)
        answers = {lib: str(Path(tmp) / f"{lib}_ratios.npy") for lib in ("auto", "sklearn")}
        t = measure_isolated(
            {"ours": Side(builder, {"lib": "auto", "k": k, "path": path,
                                    "answer": answers["auto"]}),
             "sklearn": Side(builder, {"lib": "sklearn", "k": k, "path": path,
                                       "answer": answers["sklearn"]}, unset=NUMPY_ENV_UNSET),
             "svd": Side(builder, {"lib": "svd", "k": k, "path": path})}, ctx.scale)
        diff = float(np.max(np.abs(np.load(answers["auto"]) - np.load(answers["sklearn"]))))
    peer = f"sklearn PCA ({t['sklearn'].info['solver']})"
    res.rows.append(Row("pca", f"models.pca.pca ({n:,}×{X.shape[1]}, k={k}, method='auto')",
                        t["ours"].median, peer, t["sklearn"].median, 1.0, "≥ 1×"))
    res.rows.append(Row("pca", f"models.pca.pca(method='svd') ({n:,}×{X.shape[1]})",
                        t["svd"].median, peer, t["sklearn"].median, None, "—",
                        note="the full SVD, for comparison; 'auto' picks covariance here"))
    res.checks["pca_explained_variance_ratio_max_abs_diff"] = diff
    blas = {key: v for key, v in t["sklearn"].info.items()
            if key not in ("rows", "cols", "solver")}
    res.notes.append(f"pca: {where}; each side in its own process; max "
                     f"|explained_variance_ratio ours − sklearn| = {diff:.1e}; sklearn's "
                     f"BLAS: {_blas_text(blas)}")


# --------------------------------------------------------------------------- naive Bayes


def _sms_counts(ctx: Context):
    from sklearn.feature_extraction.text import CountVectorizer

    from mlmath_jax import data

    path = ctx.data_file("sms_spam_collection.tsv")
    if path is None:
        rng = np.random.default_rng(0)
        n = 300 if ctx.scale.toy else 5574
        counts = rng.poisson(0.01, (n, 8000)).astype(np.float32)
        return counts, rng.integers(0, 2, n).astype(np.int32), (
            "random counts of the SMS set's shape (SMS Spam Collection not found: --data DIR)")
    labels, texts = data.read_labeled_text(path)
    if ctx.scale.toy:
        labels, texts = labels[:300], texts[:300]
    y = (np.asarray(labels) == "spam").astype(np.int32)
    counts = CountVectorizer().fit_transform(texts).astype(np.float32)
    return counts, y, f"SMS Spam Collection, {len(y):,} messages"


def save_counts(path: str, counts, y) -> None:
    """Save a count matrix (dense or scipy sparse) and its labels for :func:`side_naive_bayes`."""
    from scipy import sparse

    csr = sparse.csr_matrix(counts, dtype=np.float32)
    np.savez(path, data=csr.data, indices=csr.indices, indptr=csr.indptr,
             shape=np.array(csr.shape), y=np.asarray(y, np.int32))


def side_naive_bayes(lib: str, path: str, replicate: int = 1, answer: str | None = None):
    """Builder (run in its own process): multinomial naive Bayes fit + predict (α = 1) on
    the counts saved by :func:`save_counts` in ``path``, rows stacked ``replicate`` times;
    ``lib`` is ``dense`` / ``sparse`` (mlmath_jax's ``models.naive_bayes`` on a dense array
    / a BCOO, jitted) or ``sklearn_dense`` / ``sklearn_sparse`` (MultinomialNB on a dense
    array / a CSR). With ``answer``, the predictions are saved there (.npy)."""
    from scipy import sparse

    saved = np.load(path)
    csr = sparse.csr_matrix((saved["data"], saved["indices"], saved["indptr"]),
                            shape=tuple(saved["shape"]))
    y = saved["y"]
    if replicate > 1:
        csr, y = sparse.vstack([csr] * replicate, format="csr"), np.tile(y, replicate)
    info = {"rows": int(csr.shape[0]), "cols": int(csr.shape[1]), "nnz": int(csr.nnz)}
    counts = csr.toarray() if lib in ("dense", "sklearn_dense") else csr
    if lib.startswith("sklearn"):
        from sklearn.naive_bayes import MultinomialNB

        predictions = MultinomialNB(alpha=1.0).fit(counts, y).predict(counts)
        call = lambda: MultinomialNB(alpha=1.0).fit(counts, y).predict(counts)  # noqa: E731
    else:
        nb = need("mlmath_jax.models.naive_bayes", "fit", "predict")
        from jax.experimental import sparse as jsparse

        cj = jnp.asarray(counts) if lib == "dense" else jsparse.BCOO.from_scipy_sparse(counts)
        yj = jnp.asarray(y)
        ours = jax.jit(lambda c, labels: nb.predict(nb.fit(c, labels, 2, alpha=1.0), c))
        predictions = np.asarray(ours(cj, yj))  # compiles here
        call = lambda: ours(cj, yj)  # noqa: E731
    if answer:
        np.save(answer, predictions)
    return call, info


def case_naive_bayes(ctx: Context, res: CaseResult) -> None:
    """Multinomial naive Bayes fit + predict on SMS Spam counts vs sklearn's MultinomialNB,
    each library on the same counts stored dense, and stored sparse (our BCOO, its CSR),
    every side in its own process."""
    need("mlmath_jax.models.naive_bayes", "fit", "predict")
    counts, y, where = _sms_counts(ctx)
    builder = f"{__name__}:side_naive_bayes"
    libs = ("dense", "sparse", "sklearn_dense", "sklearn_sparse")
    with tempfile.TemporaryDirectory(prefix="mlmath-bench-") as tmp:
        path = str(Path(tmp) / "counts.npz")
        save_counts(path, counts, y)
        answers = {lib: str(Path(tmp) / f"{lib}.npy") for lib in libs}
        t = measure_isolated({lib: Side(builder, {"lib": lib, "path": path,
                                                  "answer": answers[lib]},
                                        unset=NUMPY_ENV_UNSET if "sklearn" in lib else ())
                              for lib in libs}, ctx.scale)
        pred = {lib: np.load(answers[lib]) for lib in libs}
    info = t["dense"].info
    shape = f"{info['rows']:,}×{info['cols']:,} counts"
    res.rows.append(Row("naive_bayes", f"naive_bayes fit+predict ({shape}, dense)",
                        t["dense"].median, "sklearn MultinomialNB (dense)",
                        t["sklearn_dense"].median, 1.0, "≥ 1×"))
    res.rows.append(Row("naive_bayes", f"naive_bayes fit+predict ({shape}, sparse BCOO)",
                        t["sparse"].median, "sklearn MultinomialNB (sparse CSR)",
                        t["sklearn_sparse"].median, 1.0, "≥ 1×"))
    theirs = pred["sklearn_dense"]
    agree = float(min(np.mean(pred["dense"] == theirs), np.mean(pred["sparse"] == theirs),
                      np.mean(pred["sklearn_sparse"] == theirs)))
    y = np.asarray(y)
    res.checks["naive_bayes_prediction_agreement"] = agree
    res.notes.append(f"naive_bayes: {where}; every side in its own process; predictions "
                     f"(dense and sparse) agree with sklearn on {agree:.2%}; training accuracy "
                     f"ours {np.mean(pred['dense'] == y):.2%}, sklearn {np.mean(theirs == y):.2%}")


# --------------------------------------------------------------------------- first result


_FIRST_CONFIG = """\
experiment = "linear_regression"
description = "benchmark: time to first result"
seed = 0

[data]
source = "synthetic"
n = 200
features = 3

[train]
steps = {steps}
log_every = {log_every}
"""


def _children_cpu_seconds() -> float:
    try:
        import resource
    except ImportError:  # pragma: no cover - not Unix
        return float("nan")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def case_first_result(ctx: Context, res: CaseResult) -> None:
    """``mlmath run`` of a small config as a whole process: compile cache cold and warm."""
    env = checkout_env()
    with tempfile.TemporaryDirectory(prefix="mlmath-bench-") as tmp_name:
        tmp = Path(tmp_name)
        config = tmp / "first.toml"
        config.write_text(_FIRST_CONFIG.format(steps=20 if ctx.scale.toy else 500,
                                               log_every=10 if ctx.scale.toy else 50))
        counter = iter(range(10_000))

        def run(cache: str) -> tuple[float, float, float]:
            out = tmp / f"runs{next(counter)}"
            cmd = [sys.executable, "-m", "mlmath_jax", "run", str(config), "--quiet",
                   "--out", str(out)]
            before = _children_cpu_seconds()
            start = time.perf_counter()
            proc = subprocess.run(cmd, env={**env, "MLMATH_CACHE_DIR": cache},
                                  capture_output=True, text=True, timeout=600)
            wall = time.perf_counter() - start
            cpu = _children_cpu_seconds() - before
            if proc.returncode != 0:
                raise RuntimeError(f"`mlmath run` failed ({proc.returncode}): "
                                   f"{proc.stderr.strip()[-500:]}")
            summary = json.loads(next(out.glob("*/summary.json")).read_text())
            return wall, float(summary.get("compile_seconds") or 0.0), cpu

        cold, warm, off, compile_cold, compile_warm, cpu_cold, cpu_warm = ([] for _ in range(7))
        entries = 0
        for r in range(ctx.scale.slow_repeats):
            cache = tmp / f"cache{r}"
            wall, comp, cpu = run(str(cache))
            cold.append(wall)
            compile_cold.append(comp)
            cpu_cold.append(cpu)
            entries = sum(1 for p in cache.rglob("*") if p.is_file())
            wall, comp, cpu = run(str(cache))
            warm.append(wall)
            compile_warm.append(comp)
            cpu_warm.append(cpu)
            if not ctx.scale.toy:
                off.append(run("off")[0])
        floor = None
        if not ctx.scale.toy:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", "import jax, optax, mlmath_jax.runner; "
                            "jax.numpy.zeros(1).block_until_ready()"], env=env, check=True,
                           capture_output=True, timeout=600)
            floor = time.perf_counter() - start
    med = lambda xs: float(np.median(xs)) if xs else None
    what = "`mlmath run` linear_regression (whole process)"
    res.rows.append(Row("first_result", f"{what}, warm cache", med(warm),
                        "same, cold cache (fresh MLMATH_CACHE_DIR)", med(cold)))
    if off:
        res.rows.append(Row("first_result", f"{what}, warm cache", med(warm),
                            "same, cache off (MLMATH_CACHE_DIR=off)", med(off)))
    res.checks["first_result_cache_files"] = float(entries)
    verdict = "works" if entries and med(compile_warm) < med(compile_cold) else "NOT effective"
    res.notes.append(
        f"first_result: persistent compilation cache {verdict}: {entries} cache files written "
        f"by the cold run; train.fit compile {fmt_seconds(med(compile_cold))} cold → "
        f"{fmt_seconds(med(compile_warm))} warm; process CPU time (user+sys, less sensitive "
        f"to a busy machine) {fmt_seconds(med(cpu_cold))} cold → {fmt_seconds(med(cpu_warm))} "
        "warm"
        + (f"; process floor (python + import jax, optax, mlmath_jax): {fmt_seconds(floor)}"
           if floor is not None else ""))


# --------------------------------------------------------------------------- start-up

STARTUP_COMMANDS = (("--help",), ("list",), ("calc", "1+1"))


def case_startup(ctx: Context, res: CaseResult) -> None:
    """Start-up: `mlmath --help`, `mlmath list`, `mlmath calc "1+1"` as whole processes
    (target ≤ 0.3 s each), beside a bare `python -c pass`."""
    env = checkout_env()

    def timed(argv):
        def call():
            proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
            if proc.returncode != 0:
                raise RuntimeError(f"{' '.join(argv)} failed: {proc.stderr.strip()[-300:]}")
        return call

    sides = {" ".join(args): timed([sys.executable, "-m", "mlmath_jax", *args])
             for args in STARTUP_COMMANDS}
    sides["python"] = timed([sys.executable, "-c", "pass"])
    counts = {name: ctx.scale.slow_repeats + (2 if not ctx.scale.toy else 0) for name in sides}
    t = measure(sides, ctx.scale, repeats=counts, slow=tuple(sides))
    for name in sides:
        if name != "python":
            res.rows.append(Row("startup", f"`mlmath {name}` (whole process)", t[name],
                                "0.3 s (the issue's bound)", 0.3, 1.0, "≤ 0.3 s"))
    res.notes.append(f"startup: median of {counts['python']} runs each; a bare "
                     f"`python -c pass` takes {fmt_seconds(t['python'])}")


# --------------------------------------------------------------------------- time to accuracy


def case_time_to_accuracy(ctx: Context, res: CaseResult) -> None:
    """Wall time of a whole process training the MNIST-split MLP
    (configs/extra/mlp_mnist.toml) to its test accuracy: the same training written with
    mlmath_jax's primitives (benchmarks/mlp_mnist_mlmath.py) against plain NumPy and
    PyTorch scripts (same model, optimizer, batch and steps), and ``mlmath run`` of the
    config with its run directory and report; each process run ``slow_repeats`` times in
    alternating order, the median reported."""
    import re

    import mlmath_jax

    root = Path(mlmath_jax.__file__).resolve().parents[1]
    config, scripts = root / "configs" / "extra" / "mlp_mnist.toml", root / "benchmarks"
    if ctx.data_file("mnist", "t10k-images-idx3-ubyte.gz") is None or not config.is_file():
        raise Missing("needs MNIST (--data DIR) and a checkout's configs/ and benchmarks/")
    steps = 30 if ctx.scale.toy else 3000
    mnist = ctx.data_dir / "mnist"
    missing_torch = False

    def run(argv, unset=(), out=None):
        nonlocal missing_torch
        start = time.perf_counter()
        proc = subprocess.run(argv, env=checkout_env(unset), capture_output=True, text=True,
                              timeout=3600)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            if "No module named 'torch'" in proc.stderr:
                missing_torch = True
                return None, None
            raise RuntimeError(f"{argv[1:3]} failed: {proc.stderr.strip()[-300:]}")
        if out is not None:
            summary = json.loads(next(Path(out).glob("*/summary.json")).read_text())
            return wall, summary.get("metrics", {}).get("test_accuracy")
        acc = re.search(r"test accuracy: ([0-9.]+)", proc.stdout)
        return wall, float(acc.group(1)) if acc else None

    with tempfile.TemporaryDirectory(prefix="mlmath-bench-") as tmp:
        sets = [f"train.steps={steps}", f"train.log_every={min(250, steps)}",
                f"data.images={mnist / 't10k-images-idx3-ubyte.gz'}",
                f"data.labels={mnist / 't10k-labels-idx1-ubyte.gz'}"]
        counter = iter(range(1000))

        def mlmath_run():
            out = Path(tmp) / f"run{next(counter)}"
            return run([sys.executable, "-m", "mlmath_jax", "run", str(config), "--quiet",
                        "--out", str(out), *(a for s in sets for a in ("--set", s))], out=out)

        script = lambda name, unset=(): (lambda: run(  # noqa: E731
            [sys.executable, str(scripts / name), str(ctx.data_dir), str(steps)], unset))
        sides = {"mlmath": script("mlp_mnist_mlmath.py"),
                 "numpy": script("mlp_mnist_numpy.py", NUMPY_ENV_UNSET),
                 "torch": script("mlp_mnist_torch.py"), "run": mlmath_run}
        got = {name: [] for name in sides}
        names = list(sides)
        for r in range(ctx.scale.slow_repeats):  # alternating order, as every case
            for name in (names if r % 2 == 0 else names[::-1]):
                got[name].append(sides[name]())
    wall = {k: (float(np.median([w for w, _ in v])) if v and v[0][0] is not None else None)
            for k, v in got.items()}
    acc = {k: v[0][1] for k, v in got.items()}
    torch_note = "PyTorch not installed (it is never a dependency)" if missing_torch else ""
    what = f"mlmath_jax script (benchmarks/mlp_mnist_mlmath.py), {steps} steps"
    res.rows.append(Row("time_to_accuracy", what, wall["mlmath"], "NumPy script, same training",
                        wall["numpy"]))
    res.rows.append(Row("time_to_accuracy", what, wall["mlmath"],
                        "PyTorch script, same training", wall["torch"], note=torch_note))
    res.rows.append(Row("time_to_accuracy", f"`mlmath run` mlp_mnist.toml, {steps} steps, with "
                        "its run directory and report", wall["run"],
                        "NumPy script, same training", wall["numpy"]))
    res.notes.append("time_to_accuracy: whole processes (Python start and imports included), "
                     f"median of {ctx.scale.slow_repeats} alternating runs each; test accuracy "
                     f"reached: mlmath_jax {acc['mlmath']}, `mlmath run` {acc['run']}, NumPy "
                     f"{acc['numpy']}, PyTorch {acc['torch']} (different initial draws, same "
                     "model, Adam 1e-3, batch 128)")
