"""The shared training loop: jit-compiled steps fused with ``lax.scan``.

One call, :func:`fit`, trains any differentiable loss with any
``optax.GradientTransformation`` (the library's hand-written ones in ``optim`` included)::

    result = train.fit(loss_fn, params, optax.sgd(0.1), (X, y), steps=1000, log_every=100)

How it runs:

* ``log_every`` steps are fused into one compiled ``lax.scan`` (a *chunk*), so the host is
  visited only to log; at most two chunk lengths are ever compiled (the full chunk and a
  shorter last one). Every compiled program, the final whole-data loss included, takes
  the data as an argument: nothing the caller passes is embedded in a program.
* Compiled programs are cached for the process: a later ``fit`` with the same loss,
  gradient function and optimizer (the same objects, or the same code with equal
  closure values, e.g. a lambda rebuilt with the same arguments), the same static
  settings and arguments of the same shapes, dtypes and shardings compiles nothing
  (``compile_seconds`` is 0); :func:`compile_cache_stats` counts hits and misses.
* Parameters and optimizer state are donated to each chunk, so a step updates them in
  place where the backend allows; the caller's own ``params`` are copied first and stay
  valid.
* Full batch when ``batch_size`` is None (or not smaller than the data); otherwise
  mini-batches drawn without replacement from a fresh permutation each epoch, keyed by
  ``shuffle_key``. ``batch_size=1`` is stochastic gradient descent.
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
…, and ``steps``; the records are also returned, in order, as ``FitResult.history``.
"""

from __future__ import annotations

import functools
import time
import types
import warnings
from collections import OrderedDict
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
    compile_seconds: float  # compiling this call's programs (0 when all came from the cache)
    run_seconds: float      # running the chunks, waiting for their losses included
    history: tuple = ()     # the logged records: {"step", "loss", **eval_fn(params)} each


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


def _place(tree: PyTree, sharding: NamedSharding) -> PyTree:
    """Put every array of ``tree`` on ``sharding``. Over several processes (after
    ``jax.distributed.initialize``) the mesh holds devices of other hosts, which
    ``device_put`` cannot reach: each process then builds its own shards from its copy of
    the value (every process passes the same data and parameters).

    An array already laid out as ``sharding`` asks (a one-device mesh: any array on that
    device) is kept as it is: ``device_put`` to a NamedSharding costs 50-190 µs a leaf
    even then, which at small sizes was most of a whole ``fit``."""
    if sharding.is_fully_addressable:
        def local(x):
            if not isinstance(x, jax.Array):
                x = jnp.asarray(x)  # host values: onto the default device (cheap)
            if x.sharding.is_equivalent_to(sharding, x.ndim):
                return x
            return jax.device_put(x, sharding)
        return jax.tree.map(local, tree)

    def one(x):
        if isinstance(x, jax.Array) and x.sharding == sharding:
            return x
        if isinstance(x, jax.Array) and jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key):
            return jax.random.wrap_key_data(one(jax.random.key_data(x)),
                                            impl=jax.random.key_impl(x))
        host = np.asarray(x)
        return jax.make_array_from_callback(host.shape, sharding, lambda idx: host[idx])

    return jax.tree.map(one, tree)


# --------------------------------------------------------------------------- compiled cache
#
# Compiled programs are kept per process, keyed by *what* they compute, so a second `fit`
# of the same problem (a benchmark repeat, a tour, a notebook cell run again) compiles
# nothing. Two functions count as the same when they are the same object, or when they
# share their code object and their closures, defaults and partial arguments are equal
# (compared recursively; an unhashable value such as an array is compared by identity).
# So `lambda p, b: nn.mlp_loss(p, *b, act)` rebuilt with the same `act` hits the cache,
# and `optax.adam(1e-3)` built twice is the same optimizer. Like `jax.jit`, the cache does
# not notice a global name rebound after the first trace, nor an array closed over being
# mutated in place (JAX arrays cannot be).

_CACHE_SIZE = 64
_cache: OrderedDict = OrderedDict()
_stats = {"hits": 0, "misses": 0}


class CacheInfo(NamedTuple):
    """Counts of :func:`fit`'s compiled-program cache (see :func:`compile_cache_stats`)."""

    hits: int       # programs reused from an earlier call in this process
    misses: int     # programs compiled
    size: int       # programs held now (at most 64, least recently used dropped first)


def compile_cache_stats() -> CacheInfo:
    """How often :func:`fit` reused a compiled chunk or final loss in this process.

    Example:
      >>> import optax, jax.numpy as jnp
      >>> before = compile_cache_stats()
      >>> f = lambda w: jnp.sum((w - 3.0) ** 2)
      >>> _ = fit(f, jnp.zeros(2), optax.sgd(0.1), steps=20, log_every=10)
      >>> again = fit(f, jnp.ones(2), optax.sgd(0.1), steps=20, log_every=10)
      >>> after = compile_cache_stats()
      >>> print(after.misses - before.misses, after.hits - before.hits, again.compile_seconds)
      2 2 0.0

    Two programs were compiled (a 10-step chunk and the final loss); a fit looks each of
    its programs up once (its two chunks share one), so the second fit found both.
    """
    return CacheInfo(_stats["hits"], _stats["misses"], len(_cache))


def clear_cache() -> None:
    """Forget every compiled program of :func:`fit` (the counts of :func:`compile_cache_stats`
    restart at zero).

    Example:
      >>> clear_cache(); print(compile_cache_stats())
      CacheInfo(hits=0, misses=0, size=0)
    """
    _cache.clear()
    _stats.update(hits=0, misses=0)


class _Id:
    """A cache-key part compared by identity; it holds its object, so the id stays valid."""

    __slots__ = ("obj",)

    def __init__(self, obj):
        self.obj = obj

    def __hash__(self):
        return id(self.obj)

    def __eq__(self, other):
        return isinstance(other, _Id) and other.obj is self.obj


def _fingerprint(obj, depth: int = 0):
    """A hashable stand-in for ``obj`` that is equal for functions computing the same thing
    (same code, equal closure values), see the note above."""
    if depth > 8:
        return _Id(obj)
    nxt = depth + 1
    if isinstance(obj, types.FunctionType):
        cells = []
        for cell in obj.__closure__ or ():
            try:
                cells.append(_fingerprint(cell.cell_contents, nxt))
            except ValueError:  # an empty cell
                cells.append(None)
        return ("fn", obj.__code__, _fingerprint(obj.__defaults__, nxt),
                _fingerprint(obj.__kwdefaults__, nxt), tuple(cells))
    if isinstance(obj, functools.partial):
        return ("partial", _fingerprint(obj.func, nxt), _fingerprint(obj.args, nxt),
                _fingerprint(obj.keywords, nxt))
    if isinstance(obj, types.MethodType):
        return ("method", _fingerprint(obj.__func__, nxt), _fingerprint(obj.__self__, nxt))
    if isinstance(obj, tuple):  # NamedTuples too (an optax GradientTransformation)
        return (type(obj), tuple(_fingerprint(x, nxt) for x in obj))
    if isinstance(obj, list):
        return ("list", tuple(_fingerprint(x, nxt) for x in obj))
    if isinstance(obj, dict):
        try:
            return ("dict", tuple(sorted((k, _fingerprint(v, nxt)) for k, v in obj.items())))
        except TypeError:
            return _Id(obj)
    try:
        hash(obj)
    except TypeError:
        return _Id(obj)
    return obj


def _signature(*trees) -> tuple:
    """Structure, abstract types and shardings of the arguments of a compiled call."""
    leaves, treedef = jax.tree.flatten(trees)
    return treedef, tuple((jax.typeof(x), getattr(x, "sharding", None)) for x in leaves)


def _compiled(key: tuple, build: Callable, args: tuple) -> tuple[Any, float]:
    """The compiled program for ``key`` (built by ``build()``, lowered for ``args``), and
    the seconds spent compiling it now (0 on a cache hit)."""
    key = (*key, jax.config.jax_enable_x64, _signature(*args))
    if key in _cache:
        _stats["hits"] += 1
        _cache.move_to_end(key)
        return _cache[key], 0.0
    start = time.perf_counter()
    program = build().lower(*args).compile()
    seconds = time.perf_counter() - start
    _stats["misses"] += 1
    _cache[key] = program
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return program, seconds


# --------------------------------------------------------------------------- the programs


def _make_chunk(loss_fn, grad_fn, optimizer, *, has_data: bool, batch_size: int | None,
                n: int, length: int, record_params: bool, mesh: Mesh):
    """Build ``chunk(params, opt_state, t0, data, key, perm)`` running ``length`` steps; it
    returns ``(params, opt_state, t0 + length, perm, losses, trace)``, so the next chunk's
    arguments are all on the device already."""
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
        return params, opt_state, t, perm, losses, trace

    return jax.jit(chunk, donate_argnums=(0, 1),
                   in_shardings=(replicated, replicated, replicated,
                                 sharded if batch_size is None else replicated, replicated,
                                 replicated),
                   out_shardings=replicated)


def _make_final_loss(loss_fn, *, has_data: bool, data_sharding, mesh: Mesh):
    """``final(params, data)``: the loss on all the data, the data an argument (a closure
    would embed it in the program as a constant)."""
    replicated = NamedSharding(mesh, P())

    def final(params, data):
        return loss_fn(params, data) if has_data else loss_fn(params)

    return jax.jit(final, in_shardings=(replicated, data_sharding if has_data else replicated),
                   out_shardings=replicated)


# --------------------------------------------------------------------------- fit


def fit(
    loss_fn: Callable,
    params: PyTree,
    optimizer: optax.GradientTransformation,
    data: PyTree | None = None,
    *,
    steps: int,
    log_every: int = 100,
    batch_size: int | None = None,
    shuffle_key: jax.Array | None = None,
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
      shuffle_key: PRNG key for mini-batch shuffling, required with ``batch_size`` and
        unused without it (full-batch training draws nothing, so no key is hidden).
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
      A :class:`FitResult`; its ``history`` holds the logged records.

    Raises:
      Diverged: the loss became NaN or infinite; ``.result`` holds what ran before.

    Example:
      >>> import optax, jax.numpy as jnp
      >>> res = fit(lambda w: jnp.sum((w - 3.0) ** 2), jnp.zeros(2), optax.sgd(0.25),
      ...           steps=4, log_every=2)
      >>> print(res.params.tolist(), res.losses.tolist())
      [2.8125, 2.8125] [18.0, 4.5, 1.125, 0.28125, 0.0703125]
      >>> print([(r["step"], r["loss"]) for r in res.history])
      [(0, 18.0), (2, 1.125), (4, 0.0703125)]
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
        if shuffle_key is None:
            raise ValueError("mini-batch training needs a PRNG key: pass shuffle_key")
    mesh = data_mesh(1 if devices is None else devices)
    k = mesh.devices.size
    per_step = batch_size if batch_size is not None else n
    if has_data and per_step % k:
        what = f"batch_size = {batch_size}" if batch_size is not None else f"{n} examples"
        raise ValueError(f"{what} cannot be split evenly over {k} devices; use a multiple "
                         f"of {k}")

    # Place everything once. Full batch: the examples are split over the devices.
    # Mini-batches: every device keeps the whole data and the drawn batch is split.
    replicated = NamedSharding(mesh, P())
    data_sharding = NamedSharding(mesh, P("data")) if batch_size is None else replicated
    if has_data:
        data = _place(jax.tree.map(jnp.asarray, data), data_sharding)
    params = jax.tree.map(lambda a: jnp.array(a, copy=True), params)
    # Full batch draws nothing; the chunk still takes a key argument, so give it a fixed
    # placeholder that no step reads. One placement for all of them (each device_put call
    # costs a quarter of a millisecond here, a fit's whole run at small sizes); t_device
    # is the step count, carried from chunk to chunk on the device.
    params, opt_state, key, perm, t_device = _place(
        (params, optimizer.init(params),
         shuffle_key if shuffle_key is not None else jax.random.key(0),
         np.arange(n), np.int32(0)), replicated)

    what = (_fingerprint(loss_fn), _fingerprint(grad_fn), _fingerprint(optimizer))
    static = dict(has_data=has_data, batch_size=batch_size, n=n, record_params=record_params,
                  mesh=mesh)
    log = _Log(ctx, eval_fn, record_params)
    progress = ctx.progress(steps, desc) if ctx is not None else None
    programs: dict[int, Any] = {}  # chunk length -> compiled chunk, looked up once per fit
    pending = None  # the chunk dispatched last, its losses not yet read
    t = 0

    def finish(chunk_t: int, chunk_losses, trace, extra: dict, length: int) -> None:
        nonlocal t
        start = time.perf_counter()
        chunk_losses = np.asarray(chunk_losses)  # waits for the chunk
        log.run_seconds += time.perf_counter() - start
        log.chunk(chunk_t, chunk_losses, trace, extra)  # raises Diverged on a bad loss
        t = chunk_t + length
        if progress is not None:
            progress.advance(length, loss=float(chunk_losses[-1]))

    try:
        # One compiled chunk of `length` steps per turn. The next chunk is dispatched
        # before the last one's losses are read, so the host's work between chunks
        # (logging, progress) overlaps the device's instead of idling it. An eval_fn reads
        # the parameters, so with one the last chunk is finished first (and a divergence
        # is raised before eval_fn sees non-finite parameters).
        started = 0
        while started < steps:
            length = min(log_every, steps - started)
            args = (params, opt_state, t_device, data, key, perm)
            if length not in programs:
                programs[length], seconds = _compiled(
                    ("chunk", *what, length, *static.items()),
                    lambda length=length: _make_chunk(loss_fn, grad_fn, optimizer,
                                                      length=length, **static), args)
                log.compile_seconds += seconds
            if pending is not None and eval_fn is not None:
                finish(*pending)
                pending = None
            extra = log.evaluate(params)
            start = time.perf_counter()
            params, opt_state, t_device, perm, chunk_losses, trace = programs[length](*args)
            log.run_seconds += time.perf_counter() - start
            if pending is not None:
                finish(*pending)
            pending = (started, chunk_losses, trace, extra, length)
            started += length
        finish(*pending)
        final_loss, seconds = _compiled(
            ("final", what[0], has_data, mesh),
            lambda: _make_final_loss(loss_fn, has_data=has_data, data_sharding=data_sharding,
                                     mesh=mesh), (params, data))
        log.compile_seconds += seconds
        log.final(steps, params, float(final_loss(params, data)))
    finally:
        if progress is not None:
            progress.close()
        if ctx is not None:
            ctx.add_timing(compile_seconds=log.compile_seconds,
                           run_seconds=log.run_seconds, steps=t)
    return log.result(params, opt_state, steps)


class _Log:
    """What :func:`fit` keeps on the host: losses, the params trace, the logged records
    and the timings; it also forwards each record to the run context."""

    def __init__(self, ctx, eval_fn, record_params: bool):
        self.ctx, self.eval_fn, self.record_params = ctx, eval_fn, record_params
        self.losses: list[np.ndarray] = []
        self.traces: list[PyTree] = []
        self.history: list[dict] = []
        self.compile_seconds = 0.0
        self.run_seconds = 0.0

    def evaluate(self, params) -> dict:
        return dict(self.eval_fn(params)) if self.eval_fn is not None else {}

    def record(self, step: int, loss, extra: dict) -> None:
        self.history.append({"step": int(step), "loss": float(loss), **extra})
        if self.ctx is not None:
            self.ctx.log(step, loss=float(loss), **extra)

    def chunk(self, t: int, chunk_losses: np.ndarray, trace, extra: dict) -> None:
        self.losses.append(chunk_losses)
        if self.record_params:
            self.traces.append(trace)
        bad = ~np.isfinite(chunk_losses)
        if bad.any():
            i = int(np.argmax(bad))
            if i > 0:
                self.record(t, chunk_losses[0], extra)
            last = (jax.tree.map(lambda a, j=i - 1: a[j], trace)
                    if self.record_params and i > 0 else None)
            raise Diverged(t + i, self.result(last, None, t + i, partial=True))
        self.record(t, chunk_losses[0], extra)

    def final(self, steps: int, params, loss: float) -> None:
        self.losses.append(np.asarray([loss], dtype=self.losses[-1].dtype))
        if self.record_params:
            self.traces.append(jax.tree.map(lambda a: np.asarray(a)[None], params))
        if not np.isfinite(loss):
            raise Diverged(steps, self.result(params, None, steps, partial=True))
        self.record(steps, loss, self.evaluate(params))

    def result(self, params, opt_state, upto: int, partial: bool = False) -> FitResult:
        """The result after ``upto`` updates (``partial``: the losses and trace cut to the
        ``upto`` finite entries before a divergence)."""
        cut = upto if partial else None
        losses = np.concatenate(self.losses)[:cut] if self.losses else np.zeros((0,))
        trace = None
        if self.record_params and self.traces:
            trace = jax.tree.map(lambda *xs: np.concatenate([np.asarray(x) for x in xs])[:cut],
                                 *self.traces)
        steps = max(upto - 1, 0) if partial else upto
        return FitResult(params, opt_state, losses, trace, steps, self.compile_seconds,
                         self.run_seconds, tuple(self.history))
