"""Learning-rate schedules: all of them on one figure, each beside optax's equivalent,
and each driving mini-batch SGD on the same linear-regression problem.

Schedules (``mlmath_jax.schedules``): constant α₀; step decay α₀·γ^⌊t/s⌋; exponential
decay α₀·e^(−λt); cosine decay α₀·(1 + cos(πt/T))/2; linear warm-up then cosine. Logged
every ``log_every`` steps: each schedule's α_t and the full-data MSE under it; returned:
the largest difference from optax's schedule over all steps, and each final MSE.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import optax

from mlmath_jax import data, losses, optim, plotting, schedules, train
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.report import fmt
from mlmath_jax.runner.schema import Float, Int, Str

DESCRIPTION = "constant, step, exponential, cosine and warm-up cosine schedules vs optax"

SCHEMA = {
    "schedule": {
        "init_value": Float(0.1, gt=0.0, help="α₀ (and the peak of the warm-up)"),
        "step_size": Int(250, min=1, help="step decay: steps between drops"),
        "decay_rate": Float(0.5, gt=0.0, lt=1.0, help="step decay: factor per drop γ"),
        "exp_decay": Float(0.003, min=0.0, help="exponential decay: λ per step"),
        "warmup_steps": Int(100, min=0),
        "end_value": Float(0.0, min=0.0, help="warm-up cosine: final α"),
    },
    "data": {"n": Int(512, min=8), "features": Int(5, min=1), "noise": Float(0.5, min=0.0)},
    "optimizer": {
        "impl": Str("handwritten", choices=optim.IMPLS),
        "name": Str("sgd", choices=optim.OPTIMIZERS),
        "batch_size": Int(16, min=1),
    },
    "train": {"steps": Int(1000, min=2), "log_every": Int(50, min=1)},
}


LESSON = Lesson(
    title="Learning-rate schedules",
    chapter="optimization",
    concept="A learning-rate schedule changes the step size α during training. A large step "
            "early makes fast progress; a smaller step late lets mini-batch gradient descent "
            "settle closer to the minimum instead of jittering around it. Step decay drops α "
            "by a factor every few steps, exponential decay shrinks it smoothly, cosine decay "
            "follows half a cosine to zero, and a warm-up grows α from zero first. Each "
            "schedule here is compared with optax's and drives the same mini-batch training.",
    equations=(r"\alpha_t^{\text{step}} = \alpha_0\, \gamma^{\lfloor t / s \rfloor}",
               r"\alpha_t^{\text{exp}} = \alpha_0\, e^{-\lambda t}",
               r"\alpha_t^{\text{cos}} = \frac{\alpha_0}{2} \left(1 + \cos \frac{\pi t}{T}"
               r"\right)"),
    try_next=(
        TryNext(("schedule.decay_rate=0.1",), "step decay drops α tenfold at each step."),
        TryNext(("schedule.warmup_steps=400",), "a longer warm-up before the cosine decay."),
        TryNext(("optimizer.batch_size=128",), "larger mini-batches: less gradient noise for "
                "every schedule."),
    ),
    main_figure="schedules.png",
    headline="cosine_decay_final_mse",
)


def check(cfg):
    from mlmath_jax.errors import ConfigError

    if cfg.schedule.warmup_steps >= cfg.train.steps:
        raise ConfigError("schedule.warmup_steps must be smaller than train.steps")


def build(cfg):
    """name -> (ours, optax's equivalent)."""
    s, T = cfg.schedule, cfg.train.steps
    a0 = s.init_value
    return {
        "constant": (schedules.constant(a0), optax.constant_schedule(a0)),
        "step_decay": (schedules.step_decay(a0, s.step_size, s.decay_rate),
                       optax.exponential_decay(a0, s.step_size, s.decay_rate,
                                               staircase=True)),
        "exponential_decay": (schedules.exponential_decay(a0, s.exp_decay),
                              optax.exponential_decay(a0, 1, math.exp(-s.exp_decay))),
        "cosine_decay": (schedules.cosine_decay(a0, T), optax.cosine_decay_schedule(a0, T)),
        "warmup_cosine": (schedules.warmup_cosine(0.0, a0, s.warmup_steps, T, s.end_value),
                          optax.warmup_cosine_decay_schedule(0.0, a0, s.warmup_steps, T,
                                                             s.end_value)),
    }


def run(cfg, key, ctx):
    T = cfg.train.steps
    pairs = build(cfg)
    t = jnp.arange(T + 1, dtype=jnp.int32)
    ours, theirs, metrics = {}, {}, {}
    with jax.numpy_dtype_promotion("standard"):  # optax's schedules mix ints and floats
        for name, (mine, ref) in pairs.items():
            ours[name] = np.asarray(jax.vmap(mine)(t), float)
            theirs[name] = np.asarray(jax.vmap(ref)(t), float)
            metrics[f"{name}_max_abs_diff_vs_optax"] = float(np.max(np.abs(ours[name]
                                                                          - theirs[name])))

    X_np, y_np, _ = data.make_regression(key, cfg.data.n, cfg.data.features,
                                         cfg.data.noise)
    X = jnp.asarray(data.add_bias_column(X_np), ctx.dtype)
    y = jnp.asarray(y_np, ctx.dtype)
    # One compiled run trains a weight vector per schedule: the parameters are a dict
    # {schedule: w}, the loss is the sum of the (independent) MSEs, and
    # optax.multi_transform routes each w to the optimizer with its schedule. Every
    # schedule sees the same mini-batches.
    names = list(pairs)
    Xn, yn = np.asarray(X, float), np.asarray(y, float)
    best = float(np.mean((Xn @ np.linalg.lstsq(Xn, yn, rcond=None)[0] - yn) ** 2))
    metrics["least_squares_mse"] = best

    def loss(ws, batch):
        return sum(losses.mse(batch[0] @ ws[k], batch[1]) for k in names)

    per_schedule = jax.jit(lambda ws: {k: losses.mse(X @ ws[k], y) for k in names})
    opt = optax.multi_transform(
        {k: optim.by_name(cfg.optimizer.name, pairs[k][0], impl=cfg.optimizer.impl)
         for k in names}, {k: k for k in names})
    history = []
    w0 = {k: jnp.zeros(X.shape[1], ctx.dtype) for k in names}
    res = train.fit(loss, w0, opt, (X, y), steps=T, log_every=cfg.train.log_every,
                    batch_size=cfg.optimizer.batch_size, shuffle_key=key, desc="schedules",
                    eval_fn=lambda ws: history.append(jax.device_get(per_schedule(ws))) or {})
    ctx.add_timing(res.compile_seconds, res.run_seconds, res.steps)
    curves = {k: np.asarray([float(h[k]) for h in history]) for k in names}
    for k in names:
        metrics[f"{k}_final_mse"] = float(curves[k][-1])
    logged = list(range(0, T + 1, cfg.train.log_every))
    if logged[-1] != T:
        logged.append(T)
    for i, step in enumerate(logged):
        record = {f"lr_{k}": float(v[step]) for k, v in ours.items()}
        record.update({f"mse_{k}": float(v[i]) for k, v in curves.items()})
        ctx.log(step, **record)

    worst = max(metrics[f"{k}_max_abs_diff_vs_optax"] for k in names)
    ctx.observe(f"Every schedule matched optax's to within {fmt(worst)} over all {T:,} "
                f"steps.", worst <= 1e-5 * cfg.schedule.init_value,  # float32 rounding of e^(−λt)
                f"a schedule differed from optax's by {fmt(worst)}.")
    gap = {k: metrics[f"{k}_final_mse"] - best for k in names}
    decaying = [k for k in names if k != "constant" and gap[k] < gap["constant"]]
    ctx.observe(f"After {T:,} steps the constant α ended {fmt(gap['constant'])} above the "
                f"least-squares MSE; {', '.join(decaying)} ended closer "
                f"({', '.join(fmt(gap[k]) for k in decaying)}).", bool(decaying),
                f"no decaying schedule ended closer to least squares than the constant α "
                f"({fmt(gap['constant'])} above it).")

    fig, (ax1, ax2) = plotting.subplots(1, 2, size=(5.5, 4.2))
    for name in pairs:
        line, = ax1.plot(np.arange(T + 1), ours[name], lw=2, alpha=0.7, label=name)
        ax1.plot(np.arange(T + 1), theirs[name], "--", color="k", lw=0.8)
        ax2.plot(logged, np.maximum(curves[name] - best, 1e-12), "o-", ms=3,
                 color=line.get_color(), label=name)
    ax1.plot([], [], "--", color="k", lw=0.8, label="optax (dashed)")
    ax1.set_xlabel("step t")
    ax1.set_ylabel("learning rate α_t")
    ax1.set_title("schedules (ours solid, optax dashed)", fontsize=10)
    ax1.legend(fontsize=8)
    ax1.grid(True, alpha=0.3)
    ax2.set_yscale("log")
    ax2.set_xlabel("step")
    ax2.set_ylabel("full-data MSE − least-squares MSE")
    ax2.set_title(f"full-data MSE under mini-batch {cfg.optimizer.name}", fontsize=10)
    ax2.legend(fontsize=8)
    ax2.grid(True, alpha=0.3)
    ctx.save_figure(fig, "schedules")
    return metrics
