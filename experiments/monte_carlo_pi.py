"""Monte Carlo π: throw points into the unit square, count those inside the quarter circle.

π ≈ 4·hits/N. Each point is a Bernoulli(π/4) trial, so the error shrinks like
σ/√N with σ = 4√(π/4 (1 − π/4)) = √(π(4 − π)) ≈ 1.64. The points are drawn in vmapped,
jitted batches laid out over every device present (:func:`probability.pi_hits_per_batch`);
a cumulative sum over the batches gives the estimate at every N = b·batch at once, for
several independent repeats, and their RMS error is drawn against N on log-log axes beside
the σ/√N line.
"""

from __future__ import annotations

import jax
import numpy as np

from mlmath_jax import plotting
from mlmath_jax import probability as pr
from mlmath_jax.runner.schema import Int

DESCRIPTION = "Monte Carlo estimate of pi and its 1/sqrt(N) error, batches split over devices"

SCHEMA = {
    "sample": {
        "n": Int(10_000_000, min=1, max=10**8, help="points for the final estimate"),
        "batch_size": Int(65_536, min=1, max=1 << 24, help="points per vmapped batch"),
    },
    "convergence": {
        "batches": Int(4_096, min=2, max=1 << 16, help="batches along the error-vs-N curve"),
        "batch_size": Int(256, min=1, max=1 << 12, help="points per batch on that curve"),
        "repeats": Int(16, min=1, max=1024, help="independent runs for the RMS error"),
    },
}


def run(cfg, key, ctx):
    k_final, k_curve = jax.random.split(key)
    res = pr.monte_carlo_pi(k_final, cfg.sample.n, cfg.sample.batch_size, ctx.dtype)
    estimate, stderr = float(res.estimate), float(res.stderr)
    ctx.print(f"π ≈ {estimate:.6f} ± {stderr:.2g} from {cfg.sample.n:,} points on "
              f"{jax.device_count()} device(s); error {estimate - np.pi:+.2g}")

    # Error against N: cumulative estimates over batches, R independent repeats.
    c = cfg.convergence
    counts = np.stack([np.asarray(pr.pi_hits_per_batch(jax.random.fold_in(k_curve, r),
                                                       c.batches, c.batch_size, ctx.dtype),
                                  np.int64) for r in range(c.repeats)])
    ns = np.arange(1, c.batches + 1) * c.batch_size
    est = 4.0 * np.cumsum(counts, axis=1) / ns                    # (R, batches)
    rms = np.sqrt(np.mean((est - np.pi) ** 2, axis=0))
    sigma = np.sqrt(np.pi * (4 - np.pi))
    # Log a few points along the curve (log-spaced).
    picks = np.unique(np.geomspace(1, c.batches, num=min(16, c.batches)).astype(int)) - 1
    for i in picks:
        ctx.log(int(ns[i]), n=int(ns[i]), rms_error=float(rms[i]),
                theory_error=float(sigma / np.sqrt(ns[i])), estimate_run0=float(est[0, i]))
    # Fitted slope of log error against log N at log-spaced N (theory: −1/2).
    slope = float(np.polyfit(np.log(ns[picks]), np.log(rms[picks]), 1)[0])

    fig, (ax1, ax2) = plotting.subplots(1, 2, size=(5, 4))
    for r in range(min(c.repeats, 8)):
        ax1.plot(ns, est[r], lw=0.8, alpha=0.7)
    ax1.axhline(np.pi, color="k", ls="--", lw=1, label="π")
    ax1.fill_between(ns, np.pi - 2 * sigma / np.sqrt(ns), np.pi + 2 * sigma / np.sqrt(ns),
                     color="gray", alpha=0.2, label="π ± 2σ/√N")
    ax1.set_xscale("log")
    ax1.set_ylim(np.pi - 0.3, np.pi + 0.3)
    ax1.set_xlabel("N (points)")
    ax1.set_title("running estimates")
    ax1.legend(fontsize=8)
    ax2.loglog(ns, rms, label=f"RMS error over {c.repeats} runs (slope {slope:.2f})")
    ax2.loglog(ns, sigma / np.sqrt(ns), "k--", label="σ/√N, σ = √(π(4−π))")
    ax2.set_xlabel("N (points)")
    ax2.set_ylabel("|estimate − π|")
    ax2.set_title("error against N")
    ax2.legend(fontsize=8)
    ax2.grid(True, which="both", alpha=0.3)
    ctx.save_figure(fig, "pi_convergence")

    fig, ax = plotting.subplots(size=(4, 4))
    pts = np.asarray(jax.random.uniform(jax.random.fold_in(k_final, 10**6), (2000, 2)))
    inside = np.sum(pts**2, axis=1) <= 1
    ax.scatter(*pts[inside].T, s=2, c="tab:blue", label="inside")
    ax.scatter(*pts[~inside].T, s=2, c="tab:red", label="outside")
    t = np.linspace(0, np.pi / 2, 200)
    ax.plot(np.cos(t), np.sin(t), "k", lw=1)
    ax.set_aspect("equal")
    ax.set_title(f"2,000 points: 4·{inside.sum()}/2000 = {4 * inside.mean():.3f}")
    ctx.save_figure(fig, "points")

    return {
        "pi_estimate": estimate,
        "stderr": stderr,
        "abs_error": abs(estimate - float(np.pi)),
        "error_in_stderrs": (estimate - float(np.pi)) / stderr if stderr else 0.0,
        "points": cfg.sample.n,
        "devices": jax.device_count(),
        "loglog_slope": slope,
        "rms_error_at_max_n": float(rms[-1]),
        "theory_error_at_max_n": float(sigma / np.sqrt(ns[-1])),
    }
