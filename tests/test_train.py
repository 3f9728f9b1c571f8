"""The shared training loop."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from mlmath_jax import train
from mlmath_jax.errors import Diverged
from mlmath_jax.models import linear


def problem(n=64, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(np.float32)
    y = (X @ np.arange(1.0, d + 1) + 0.5).astype(np.float32)
    return jnp.asarray(X), jnp.asarray(y)


def loss(w, batch):
    return linear.mse_loss(w, *batch)


def test_full_batch_matches_manual_gradient_descent():
    X, y = problem()
    w0 = jnp.zeros(3)
    res = train.fit(loss, w0, optax.sgd(0.1), (X, y), steps=25, log_every=10)
    w = np.zeros(3, np.float32)
    for _ in range(25):
        w = w - 0.1 * np.asarray(linear.mse_loss_grad(jnp.asarray(w), X, y))
    np.testing.assert_allclose(res.params, w, rtol=1e-5, atol=1e-6)
    assert res.losses.shape == (26,) and res.steps == 25
    np.testing.assert_allclose(res.losses[0], loss(w0, (X, y)), rtol=1e-6)
    np.testing.assert_allclose(res.losses[-1], loss(res.params, (X, y)), rtol=1e-6)
    assert np.asarray(w0).sum() == 0.0  # the caller's params survive donation


def test_manual_grad_fn_equals_autodiff():
    X, y = problem()
    manual = lambda w, b: (loss(w, b), linear.mse_loss_grad(w, *b))
    a = train.fit(loss, jnp.zeros(3), optax.adam(0.05), (X, y), steps=30, log_every=7)
    b = train.fit(loss, jnp.zeros(3), optax.adam(0.05), (X, y), steps=30, log_every=7,
                  grad_fn=manual)
    np.testing.assert_allclose(a.losses, b.losses, rtol=1e-5)


def test_minibatch_epochs_visit_every_example_once():
    n, bs = 12, 4
    X = jnp.arange(n, dtype=jnp.float32)[:, None]
    seen = []

    def record(p, batch):
        return jnp.sum(p * 0.0) + 0.0 * jnp.sum(batch[0])

    # the trace of a parameter that accumulates the batch sum tells which rows were used
    def loss_fn(p, batch):
        return -jnp.sum(p * jnp.sum(batch[0]))

    res = train.fit(loss_fn, jnp.zeros(1), optax.sgd(1.0), (X,), steps=6, log_every=3,
                    batch_size=bs, shuffle_key=jax.random.key(3), record_params=True)
    increments = np.diff(np.asarray(res.trace)[:, 0])  # = batch sums, step by step
    seen = increments.reshape(2, 3).sum(axis=1)  # two epochs of three batches
    np.testing.assert_allclose(seen, [X.sum(), X.sum()])
    assert record is not None


def test_minibatch_needs_key():
    X, y = problem()
    with pytest.raises(ValueError, match="PRNG key"):
        train.fit(loss, jnp.zeros(3), optax.sgd(0.1), (X, y), steps=2, batch_size=8)


def test_divergence_reports_first_bad_step_and_partial_trace():
    f = lambda p: jnp.sum(p ** 2)
    with pytest.raises(Diverged) as info:
        train.fit(f, jnp.array([3.0]), optax.sgd(1.5), steps=500, log_every=50,
                  record_params=True)
    step = info.value.step
    # x_t = 3·(−2)^t, x² overflows float32 (3.4e38) when 9·4^t > 3.4e38
    assert step == int(np.ceil(np.log(3.4028235e38 / 9) / np.log(4)))
    res = info.value.result
    assert len(res.losses) == step and np.all(np.isfinite(res.losses))
    assert np.asarray(res.trace).shape[0] == step


def test_works_with_chained_optax_transforms_and_pytrees():
    X, y = problem()
    params = {"w": jnp.zeros(3), "b": jnp.zeros(())}
    f = lambda p, b: jnp.mean((b[1] - b[0] @ p["w"] - p["b"]) ** 2)
    opt = optax.chain(optax.clip_by_global_norm(1.0), optax.adam(0.1))
    res = train.fit(f, params, opt, (X, y), steps=300, log_every=100)
    assert res.losses[-1] < 1e-3 * res.losses[0]
    np.testing.assert_allclose(res.params["w"], [1, 2, 3], atol=0.05)


def test_steps_not_multiple_of_log_every_and_float64():
    with jax.enable_x64(True):
        X, y = problem()
        X, y = X.astype(jnp.float64), y.astype(jnp.float64)
        res = train.fit(loss, jnp.zeros(3, jnp.float64), optax.sgd(0.1), (X, y), steps=23,
                        log_every=10)
        assert res.params.dtype == jnp.float64 and res.losses.shape == (24,)
        w = np.linalg.lstsq(np.c_[X, np.ones(len(X))], y, rcond=None)[0]
        assert res.losses[-1] < res.losses[0] and w.shape == (4,)


def test_no_data_constant_in_any_compiled_program():
    """The data (here 4000×784 float32, 12.5 MB) is an argument of the chunk and of the
    final loss, never a constant: every compiled program's text stays small."""
    train.clear_cache()
    rng = np.random.default_rng(0)
    X = jnp.asarray(rng.standard_normal((4000, 784), dtype=np.float32))
    y = jnp.asarray(rng.standard_normal(4000, dtype=np.float32))
    f = lambda w, b: jnp.mean((b[0] @ w - b[1]) ** 2)
    res = train.fit(f, jnp.zeros(784), optax.sgd(1e-3), (X, y), steps=2, log_every=2)
    np.testing.assert_allclose(res.losses[-1], f(res.params, (X, y)), rtol=1e-5)
    programs = list(train._cache.values())
    assert len(programs) == 2  # the chunk and the final loss
    for program in programs:
        assert len(program.as_text()) < 200_000  # a 12.5 MB constant would print as MBs
        assert any(getattr(a, "shape", None) == (4000, 784)
                   for a in jax.tree.leaves(program.in_avals))


def test_second_fit_reuses_the_compiled_programs():
    X, y = problem()
    train.clear_cache()
    # A closure and an optimizer rebuilt with equal arguments are the same computation.
    scaled = lambda c: (lambda w, b: c * loss(w, b))
    first = train.fit(scaled(1.0), jnp.zeros(3), optax.adam(0.05), (X, y), steps=30,
                      log_every=10)
    misses = train.compile_cache_stats().misses
    second = train.fit(scaled(1.0), jnp.ones(3), optax.adam(0.05), (2 * X, y), steps=30,
                       log_every=10)
    assert misses == 2 and train.compile_cache_stats().misses == misses  # nothing compiled again
    assert first.compile_seconds > 0 and second.compile_seconds == 0.0
    # The reused programs compute with the new data and parameters, not the old ones.
    ref = train.fit(loss, jnp.ones(3), optax.adam(0.05), (2 * X, y), steps=30, log_every=10)
    np.testing.assert_allclose(second.losses, ref.losses, rtol=1e-6)
    assert not np.allclose(first.losses, second.losses)
    misses = train.compile_cache_stats().misses
    train.fit(scaled(2.0), jnp.ones(3), optax.adam(0.05), (X, y), steps=30, log_every=10)
    assert train.compile_cache_stats().misses == misses + 2  # another closure value: recompiled
    # A different learning rate or shape is another program.
    misses = train.compile_cache_stats().misses
    train.fit(scaled(1.0), jnp.zeros(3), optax.adam(0.01), (X, y), steps=30, log_every=10)
    assert train.compile_cache_stats().misses == misses + 1  # the chunk (the final loss is shared)
    train.fit(scaled(1.0), jnp.zeros(3), optax.adam(0.05), (X[:32], y[:32]), steps=30,
              log_every=10)
    assert train.compile_cache_stats().misses == misses + 3


def test_history_holds_every_logged_record():
    X, y = problem()
    evals = iter(range(100))
    res = train.fit(loss, jnp.zeros(3), optax.sgd(0.1), (X, y), steps=25, log_every=10,
                    eval_fn=lambda p: {"n": next(evals), "w0": float(p[0])})
    assert [r["step"] for r in res.history] == [0, 10, 20, 25]
    np.testing.assert_allclose([r["loss"] for r in res.history], res.losses[[0, 10, 20, 25]],
                               rtol=1e-6)
    assert [r["n"] for r in res.history] == [0, 1, 2, 3]
    assert res.history[-1]["w0"] == pytest.approx(float(res.params[0]))


def test_a_reused_fit_moves_nothing_to_the_device_and_keeps_the_callers_arrays(monkeypatch):
    """Host work between chunks was most of a small fit: a device_put per chunk (the step
    count) and per argument (50-190 µs each). With the programs cached, a fit on one device
    now places nothing: the step count is carried by the chunks, arrays already on the
    device stay as they are. The caller's arrays survive the donation."""
    X, y = problem()
    w0 = jnp.array([0.5, -1.0, 2.0])
    first = train.fit(loss, w0, optax.adam(0.05), (X, y), steps=35, log_every=10)
    calls = []
    real = jax.device_put
    monkeypatch.setattr(jax, "device_put", lambda *a, **k: calls.append(a) or real(*a, **k))
    second = train.fit(loss, w0, optax.adam(0.05), (X, y), steps=35, log_every=10)
    assert calls == [] and second.compile_seconds == 0.0
    np.testing.assert_array_equal(second.losses, first.losses)
    np.testing.assert_array_equal(second.params, first.params)
    np.testing.assert_array_equal(w0, [0.5, -1.0, 2.0])  # not donated away
    # Adam's bias correction reads the step count carried across the chunks.
    manual, state, opt = w0, optax.adam(0.05).init(w0), optax.adam(0.05)
    for _ in range(35):
        g = jax.grad(loss)(manual, (X, y))
        u, state = opt.update(g, state, manual)
        manual = optax.apply_updates(manual, u)
    np.testing.assert_allclose(second.params, manual, rtol=1e-5, atol=1e-6)


def test_the_next_chunk_runs_while_the_last_is_logged_but_eval_fn_sees_finite_params():
    """Chunks are dispatched one ahead of the logging; a divergence is still reported at
    its first bad step, and an eval_fn (which reads the parameters) never sees those of a
    chunk that diverged."""
    f = lambda p: jnp.sum(p ** 2)
    seen = []
    with pytest.raises(Diverged) as info:
        train.fit(f, jnp.array([3.0]), optax.sgd(1.5), steps=500, log_every=20,
                  eval_fn=lambda p: seen.append(float(p[0])) or {})
    step = int(np.ceil(np.log(3.4028235e38 / 9) / np.log(4)))
    assert info.value.step == step
    assert seen and all(np.isfinite(seen)) and len(seen) == step // 20 + 1
    assert [r["step"] for r in info.value.result.history] == list(range(0, step, 20))
