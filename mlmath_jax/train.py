"""The shared training loop: jit-compiled steps fused with ``lax.scan``.

One call, :func:`fit`, trains any differentiable loss with any
``optax.GradientTransformation`` (the library's hand-written ones in ``optim`` included)::

    result = train.fit(loss_fn, params, optax.sgd(0.1), (X, y), steps=1000, log_every=100)

How it runs:

* ``log_every`` steps are fused into one compiled ``lax.scan`` (a *chunk*), so the host is
  visited only to log; at most two chunk lengths are ever compiled (the full chunk and a
  shorter last one).
* Parameters and optimizer state are donated to each chunk, so a step updates them in
  place where the backend allows; the caller's own ``params`` are copied first and stay
  valid.
* Full batch when ``batch_size`` is None (or not smaller than the data); otherwise
  mini-batches drawn without replacement from a fresh permutation each epoch, keyed by
  ``key``. ``batch_size=1`` is stochastic gradient descent.
* Gradients come from ``jax.value_and_grad(loss_fn)`` unless ``grad_fn(params, batch) ->
  (loss, grads)`` supplies a manual backward pass.
* ``devices=k`` trains data-parallel: a 1-D :class:`jax.sharding.Mesh` named ``"data"``
  over the first k devices, each step's batch split along its example axis across them
  (full batch: the data itself is split; mini-batches: each device holds the data and
  the drawn batch is split), parameters and optimizer state replicated; XLA inserts the
  all-reduce that sums the per-device gradient parts. The default is a mesh of one
  device, so every run, on one device or many, CPU, GPU or TPU, takes the same code path;
  the losses of a sharded run equal the single-device ones up to the order of
  floating-point sums.
* A loss that is NaN or infinite stops training with :class:`~mlmath_jax.errors.Diverged`
  naming the first bad step; what was logged before stays logged.

Conventions: ``losses[t]`` is the loss at the parameters after ``t`` updates (on the batch
used for update ``t``; on the whole data for the last entry, ``losses[steps]``). A metrics
record ``{"step": t, "loss": losses[t], ...}`` is logged for t = 0, log_every, 2·log_every,
…, and ``steps``.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax import lax
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from mlmath_jax.errors import Diverged

PyTree = Any

# Donation is a hint: backends that cannot reuse a buffer say so, which is not a problem.
warnings.filterwarnings("ignore", message="Some donated buffers were not usable")


class FitResult(NamedTuple):
    """What :func:`fit` returns (also attached to ``Diverged.result``)."""

    params: PyTree          # final parameters (on divergence: the last finite ones if known)
    opt_state: PyTree       # final optimizer state (None on divergence)
    losses: np.ndarray      # (steps + 1,): losses[t] at the parameters after t updates
    trace: PyTree | None    # with record_params: parameters after t updates, (steps + 1, ...)
    steps: int              # updates applied
    compile_seconds: float
    run_seconds: float


def _leading_dim(data: PyTree) -> int:
    sizes = {int(np.shape(a)[0]) for a in jax.tree.leaves(data)}
    if len(sizes) != 1:
        raise ValueError(f"all data arrays need the same leading dimension, got {sorted(sizes)}")
    return sizes.pop()


def data_mesh(devices: int | None = None) -> Mesh:
    """A 1-D device mesh with axis ``"data"`` over the first ``devices`` devices (all of
    them when None), in ``jax.devices()`` order (every host's devices after
    ``jax.distributed.initialize()``).

    Example:
      >>> mesh = data_mesh(8)   # 8 simulated CPU devices, or 8 GPUs
    """
    available = jax.devices()
    k = len(available) if devices is None else int(devices)
    if not 1 <= k <= len(available):
        raise ValueError(f"devices = {devices} is not available: this process sees "
                         f"{len(available)} {jax.default_backend()} device(s)")
    return Mesh(np.asarray(available[:k]), ("data",))


def _make_chunk(loss_fn, grad_fn, optimizer, *, has_data: bool, batch_size: int | None,
                n: int, length: int, record_params: bool, mesh: Mesh):
    """Build ``chunk(params, opt_state, t0, data, key, perm)`` running ``length`` steps."""
    value_and_grad = grad_fn if grad_fn is not None else jax.value_and_grad(loss_fn)
    sharded, replicated = NamedSharding(mesh, P("data")), NamedSharding(mesh, P())
    steps_per_epoch = n // batch_size if batch_size else 1

    def one_step(carry, _):
        params, opt_state, t, data, key, perm = carry
        if not has_data:
            loss, grads = value_and_grad(params)
        elif batch_size is None:
            loss, grads = value_and_grad(params, data)
        else:
            pos = t % steps_per_epoch
            perm = lax.cond(
                pos == 0,
                lambda: jax.random.permutation(jax.random.fold_in(key, t // steps_per_epoch), n),
                lambda: perm,
            )
            idx = lax.dynamic_slice(perm, (pos * batch_size,), (batch_size,))
            batch = jax.tree.map(lambda a: jnp.take(a, idx, axis=0), data)
            # Each device works on its own slice of the mini-batch.
            batch = lax.with_sharding_constraint(batch, sharded)
            loss, grads = value_and_grad(params, batch)
        updates, new_state = optimizer.update(grads, opt_state, params)
        new_params = optax.apply_updates(params, updates)
        out = (loss, params) if record_params else (loss, None)
        return (new_params, new_state, t + 1, data, key, perm), out

    def chunk(params, opt_state, t0, data, key, perm):
        carry = (params, opt_state, t0, data, key, perm)
        (params, opt_state, t, _, _, perm), (losses, trace) = lax.scan(
            one_step, carry, None, length=length)
        return params, opt_state, perm, losses, trace

    return jax.jit(chunk, donate_argnums=(0, 1),
                   in_shardings=(replicated, replicated, replicated,
                                 sharded if batch_size is None else replicated, replicated,
                                 replicated),
                   out_shardings=replicated)


def fit(
    loss_fn: Callable,
    params: PyTree,
    optimizer: optax.GradientTransformation,
    data: PyTree | None = None,
    *,
    steps: int,
    log_every: int = 100,
    batch_size: int | None = None,
    key: jax.Array | None = None,
    grad_fn: Callable | None = None,
    record_params: bool = False,
    eval_fn: Callable[[PyTree], dict] | None = None,
    ctx=None,
    desc: str = "train",
    devices: int | None = None,
) -> FitResult:
    """Minimize ``loss_fn`` from ``params`` with ``optimizer`` for ``steps`` updates.

    Args:
      loss_fn: ``loss_fn(params, batch) -> scalar`` (or ``loss_fn(params)`` when ``data``
        is None).
      params: initial parameters, any pytree of arrays; not modified.
      optimizer: an ``optax.GradientTransformation``.
      data: a pytree of arrays sharing their leading (example) dimension, or None.
      steps: number of updates (>= 1).
      log_every: steps fused per compiled chunk, and the logging interval.
      batch_size: mini-batch size; None for full batch.
      key: PRNG key for mini-batch shuffling (required with ``batch_size``).
      grad_fn: optional manual ``grad_fn(params, batch) -> (loss, grads)``.
      record_params: also return every step's parameters in ``trace``.
      eval_fn: optional ``eval_fn(params) -> {name: float}`` logged with each record
        (compile it yourself; it runs on the host's schedule).
      ctx: a run context (``log``, ``progress``, ``add_timing``) or None.
      desc: progress-bar label.
      devices: train data-parallel over this many devices (see :func:`data_mesh`); the
        batch (``batch_size``, or all examples for full batch) must divide evenly among
        them. None: one device.

    Returns:
      A :class:`FitResult`.

    Raises:
      Diverged: the loss became NaN or infinite; ``.result`` holds what ran before.
    """
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    if log_every < 1:
        raise ValueError(f"log_every must be >= 1, got {log_every}")
    has_data = data is not None
    n = _leading_dim(data) if has_data else 1
    if batch_size is not None and (not has_data or batch_size >= n):
        batch_size = None
    if batch_size is not None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        if key is None:
            raise ValueError("mini-batch training needs a PRNG key")
    key = key if key is not None else jax.random.key(0)
    mesh = data_mesh(1 if devices is None else devices)
    k = mesh.devices.size
    per_step = batch_size if batch_size is not None else n
    if has_data and per_step % k:
        what = f"batch_size = {batch_size}" if batch_size is not None else f"{n} examples"
        raise ValueError(f"{what} cannot be split evenly over {k} devices; use a multiple "
                         f"of {k}")
    sharded, replicated = NamedSharding(mesh, P("data")), NamedSharding(mesh, P())
    if has_data:
        # Full batch: the examples are split over the devices. Mini-batches: every device
        # keeps the whole (host-sized) data and the drawn batch is split over them.
        data = jax.device_put(jax.tree.map(jnp.asarray, data),
                              sharded if batch_size is None else replicated)
    params = jax.device_put(jax.tree.map(lambda a: jnp.array(a, copy=True), params),
                            replicated)
    opt_state = jax.device_put(optimizer.init(params), replicated)
    key = jax.device_put(key, replicated)
    perm = jax.device_put(jnp.arange(n), replicated)

    def full_loss(p):
        return loss_fn(p, data) if has_data else loss_fn(p)

    chunks: dict[int, Any] = {}
    compile_seconds = 0.0
    run_seconds = 0.0
    losses: list[np.ndarray] = []
    traces: list[PyTree] = []
    t = 0

    def log(step, loss, extra):
        if ctx is not None:
            ctx.log(step, loss=float(loss), **extra)

    def partial_result(last_params, upto):
        all_losses = np.concatenate(losses)[:upto] if losses else np.zeros((0,))
        trace = None
        if record_params and traces:
            trace = jax.tree.map(lambda *xs: np.concatenate(xs)[:upto], *traces)
        return FitResult(last_params, None, all_losses, trace, max(upto - 1, 0),
                         compile_seconds, run_seconds)

    progress = ctx.progress(steps, desc) if ctx is not None else None
    try:
        while t < steps:
            length = min(log_every, steps - t)
            extra = eval_fn(params) if eval_fn is not None else {}
            if length not in chunks:
                fn = _make_chunk(loss_fn, grad_fn, optimizer, has_data=has_data,
                                 batch_size=batch_size, n=n, length=length,
                                 record_params=record_params, mesh=mesh)
                start = time.perf_counter()
                chunks[length] = fn.lower(params, opt_state, jnp.int32(t), data, key,
                                          perm).compile()
                compile_seconds += time.perf_counter() - start
            start = time.perf_counter()
            params, opt_state, perm, chunk_losses, trace = chunks[length](
                params, opt_state, jnp.int32(t), data, key, perm)
            chunk_losses = np.asarray(jax.block_until_ready(chunk_losses))
            run_seconds += time.perf_counter() - start
            losses.append(chunk_losses)
            if record_params:
                traces.append(trace)
            bad = ~np.isfinite(chunk_losses)
            if bad.any():
                i = int(np.argmax(bad))
                if i > 0:
                    log(t, chunk_losses[0], extra)
                last = (jax.tree.map(lambda a, j=i - 1: a[j], trace)
                        if record_params and i > 0 else None)
                raise Diverged(t + i, partial_result(last, t + i))
            log(t, chunk_losses[0], extra)
            t += length
            if progress is not None:
                progress.advance(length, loss=float(chunk_losses[-1]))
        final = float(jax.jit(full_loss)(params))
        losses.append(np.asarray([final], dtype=losses[-1].dtype))
        if record_params:
            traces.append(jax.tree.map(lambda a: np.asarray(a)[None], params))
        if not np.isfinite(final):
            raise Diverged(steps, partial_result(params, steps))
        log(steps, final, eval_fn(params) if eval_fn is not None else {})
    finally:
        if progress is not None:
            progress.close()
        if ctx is not None:
            ctx.add_timing(compile_seconds=compile_seconds, run_seconds=run_seconds, steps=t)
    trace = None
    if record_params:
        trace = jax.tree.map(lambda *xs: np.concatenate([np.asarray(x) for x in xs]), *traces)
    return FitResult(params, opt_state, np.concatenate(losses), trace, steps,
                     compile_seconds, run_seconds)
