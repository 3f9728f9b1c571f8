"""Cost against size (issue 20, item 5): each scalable case timed at several sizes beside
its peer, so a reader sees where the ratio holds and where it turns.

* PageRank, ``models.pagerank.pagerank_edges`` against ``networkx.pagerank``: 10⁴ → 10⁷
  random edges on edges / 10 nodes (networkx stops at :data:`NETWORKX_MAX_EDGES`);
* PCA, ``models.pca.pca`` (k = 50) against ``sklearn.decomposition.PCA(50).fit``:
  synthetic float32 rows of 784 columns, n = 10³ → 10⁵;
* the MLP step (784-256-10, ``jax.grad``, SGD, donated) against NumPy's manual step:
  batch 64 → 8192 (MNIST test rows);
* naive Bayes fit + predict, sparse BCOO against ``MultinomialNB`` on CSR: the SMS Spam
  Collection's counts, rows stacked ×1 → ×32 (the dense form does not fit at ×32).

Every side runs in its own worker process (:mod:`~mlmath_jax.bench.isolated`), the same
two processes (``ours``, ``peer``) for every size of every study, taking turns. Each
size gives a row (no target); each study a note with the log-log :func:`slope` of time
against size for each side (1 = linear) and how the ratio moves; the figure
(:func:`figure`) draws one log-log panel per study with the ratios written on it.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mlmath_jax.bench.harness import CaseResult, Row
from mlmath_jax.bench.isolated import (
    NUMPY_ENV_UNSET,
    Side,
    Timing,
    close_pool,
    measure_isolated,
)

CASES_MODULE = "mlmath_jax.bench.cases"

SIZES = {
    "pagerank": [10**4, 10**5, 10**6, 10**7],
    "pca": [10**3, 10**4, 10**5],
    "mlp": [64, 256, 1024, 4096, 8192],
    "naive_bayes": [1, 2, 4, 8, 16, 32],
}
TOY_SIZES = {"pagerank": [1_000, 4_000], "pca": [100, 400], "mlp": [16, 64],
             "naive_bayes": [1, 2]}

# networkx at 10⁶ edges: graph build 4.1 s, one pagerank call 5.6 s, 0.54 GB; ten times
# that at 10⁷ (about 100 s a call with its build, over 5 GB): warm-up and repeats would
# take several minutes of a shared machine, past the two-minute allowance.
NETWORKX_MAX_EDGES = 10**6


@dataclass
class Study:
    """One case at several sizes: seconds per call of each side (None: not run)."""

    key: str
    title: str
    size_label: str              # the x axis: what a size counts
    ours: str
    peer: str
    sizes: list[int]
    ours_s: list[float | None] = field(default_factory=list)
    peer_s: list[float | None] = field(default_factory=list)
    peer_why: dict[int, str] = field(default_factory=dict)   # size -> why no peer time
    pids: dict[str, set[int]] = field(default_factory=lambda: {"ours": set(), "peer": set()})

    @property
    def ratios(self) -> list[float | None]:
        return [p / o if o and p else None for o, p in zip(self.ours_s, self.peer_s,
                                                           strict=True)]


def slope(sizes, seconds) -> float:
    """Least-squares slope of log(time) against log(size): the exponent b of
    time ≈ a·sizeᵇ (1 = linear, 2 = quadratic). Sizes without a time (None) are left
    out; nan with fewer than two points."""
    pts = [(float(s), float(t)) for s, t in zip(sizes, seconds, strict=True)
           if t is not None and t > 0 and s > 0]
    if len(pts) < 2:
        return math.nan
    x = np.log([s for s, _ in pts])
    y = np.log([t for _, t in pts])
    x = x - x.mean()
    if not np.any(x):
        return math.nan
    return float(np.dot(x, y - y.mean()) / np.dot(x, x))


def power_text(n: int) -> str:
    """``10**6`` as "10⁶" (other numbers with thousands separators)."""
    e = round(math.log10(n)) if n > 0 else 0
    if n > 0 and 10**e == n:
        return "10" + str(e).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{n:,}"


def size_text(study: Study, size: int) -> str:
    if study.key == "naive_bayes":
        return f"×{size}"
    return f"{size:,}"


def ratio_trend(study: Study) -> str:
    """Where the ratio (peer / ours) holds and where it turns, in words."""
    pts = [(s, r) for s, r in zip(study.sizes, study.ratios, strict=True) if r]
    if len(pts) < 2:
        return "too few sizes with both sides for a trend"
    rs = [r for _, r in pts]
    lo, hi = min(rs), max(rs)
    first, last = pts[0], pts[-1]
    span = (f"{first[1]:.2f}× at {size_text(study, first[0])} → {last[1]:.2f}× at "
            f"{size_text(study, last[0])}")
    if hi / lo <= 1.5 and (lo >= 1) == (hi >= 1):
        return f"the ratio holds ({span}; all within {lo:.2f}–{hi:.2f}×)"
    crossings = [f"{size_text(study, a)} and {size_text(study, b)}"
                 for (a, ra), (b, rb) in zip(pts, pts[1:], strict=False) if (ra >= 1) != (rb >= 1)]
    best = max(pts, key=lambda p: p[1])
    out = f"the ratio turns: {span}, highest {best[1]:.2f}× at {size_text(study, best[0])}"
    if crossings:
        out += "; it crosses 1 between " + ", ".join(crossings)
    return out


# --------------------------------------------------------------------------- the studies


def _sides(ours: dict, peer: dict | None) -> dict[str, Side]:
    builder = f"{CASES_MODULE}:side_{ours.pop('builder')}"
    sides = {"ours": Side(builder, ours)}
    if peer is not None:
        sides["peer"] = Side(builder, peer, unset=NUMPY_ENV_UNSET)
    return sides


def _time_study(ctx, pool, study: Study, kwargs, check=None, saves_answer=True) -> None:
    """Time ``study`` at each of its sizes: ``kwargs(size)`` gives the two sides' builder
    arguments (peer None: not at this size); at the smallest size, with ``saves_answer``,
    both builders also get an ``answer`` path to save their result to, and
    ``check(t, answers)`` reads them (or the sides' ``info``)."""
    with tempfile.TemporaryDirectory(prefix="mlmath-scaling-") as tmp:
        for i, size in enumerate(study.sizes):
            answers = ({"ours": str(Path(tmp) / "ours.npy"), "peer": str(Path(tmp) / "peer.npy")}
                       if i == 0 and check is not None else None)
            ours, peer = kwargs(size)
            if answers and saves_answer:
                ours["answer"] = answers["ours"]
                if peer is not None:
                    peer["answer"] = answers["peer"]
            t = measure_isolated(_sides(ours, peer), ctx.scale, pool=pool)
            for name in ("ours", "peer"):
                if isinstance(t.get(name), Timing):
                    study.pids[name].add(t[name].info["pid"])
            study.ours_s.append(t["ours"].median)
            peer_t = t.get("peer")
            study.peer_s.append(peer_t.median if isinstance(peer_t, Timing) else None)
            if isinstance(peer_t, str):
                study.peer_why[size] = peer_t
            if answers:
                check(t, answers)


def run_studies(ctx, res: CaseResult) -> list[Study]:
    """Time every study at its sizes (toy: :data:`TOY_SIZES`), the same two worker
    processes throughout; agreement at each study's smallest size goes to ``res.checks``."""
    from mlmath_jax.bench import cases

    toy = ctx.scale.toy
    sizes = TOY_SIZES if toy else SIZES
    pool: dict = {}
    studies = []
    try:
        # PageRank
        st = Study("pagerank", "PageRank (random graph, nodes = edges / 10)", "edges",
                   "models.pagerank.pagerank_edges", "networkx.pagerank", sizes["pagerank"])

        def pagerank_sides(edges):
            ours = {"builder": "pagerank", "lib": "jax", "edges": edges}
            peer = {"lib": "networkx", "edges": edges}
            if edges > NETWORKX_MAX_EDGES:
                st.peer_why[edges] = (f"networkx stopped at {power_text(NETWORKX_MAX_EDGES)} "
                                      "edges (at 10⁷: minutes a call, over 5 GB)")
                peer = None
            return ours, peer

        def pagerank_check(t, answers):
            res.checks["scaling_pagerank_l1_diff"] = float(
                np.sum(np.abs(np.load(answers["ours"]) - np.load(answers["peer"]))))

        _time_study(ctx, pool, st, pagerank_sides, pagerank_check)
        studies.append(st)

        # PCA
        k, d = (5, 64) if toy else (50, 784)
        st = Study("pca", f"PCA, k = {k} (synthetic float32 rows × {d})", "rows n",
                   "models.pca.pca", f"sklearn PCA({k}).fit", sizes["pca"])

        def pca_sides(n):
            return ({"builder": "pca", "lib": "auto", "k": k, "n": n, "d": d},
                    {"lib": "sklearn", "k": k, "n": n, "d": d})

        def pca_check(t, answers):
            res.checks["scaling_pca_explained_variance_ratio_max_abs_diff"] = float(
                np.max(np.abs(np.load(answers["ours"]) - np.load(answers["peer"]))))

        _time_study(ctx, pool, st, pca_sides, pca_check)
        studies.append(st)

        # MLP step
        nn = cases.need("mlmath_jax.nn", "init_mlp")
        import jax

        layers = [784, 16, 10] if toy else [784, 256, 10]
        params = nn.init_mlp(jax.random.key(0), layers)
        X, y, where = cases._mnist(ctx, max(sizes["mlp"]))
        st = Study("mlp", f"MLP step {'-'.join(map(str, layers))}, SGD", "batch",
                   "step, jax.grad (jit, donated)", "NumPy manual backprop", sizes["mlp"])
        with tempfile.TemporaryDirectory(prefix="mlmath-scaling-") as tmp:
            def mlp_sides(batch):
                path = str(Path(tmp) / f"mlp{batch}.npz")
                np.savez(path, x=X[:batch], y=y[:batch],
                         **{f"{key}{i}": np.asarray(layer[key])
                            for i, layer in enumerate(params) for key in ("W", "b")})
                return ({"builder": "mlp", "lib": "autodiff", "path": path, "lr": 0.01},
                        {"lib": "numpy", "path": path, "lr": 0.01})

            def mlp_check(t, answers):
                losses = [t[s].info["initial_loss"] for s in ("ours", "peer")]
                res.checks["scaling_mlp_initial_loss_spread"] = abs(losses[0] - losses[1])

            _time_study(ctx, pool, st, mlp_sides, mlp_check, saves_answer=False)
        st.title += f" ({where.split(' (')[0]})"
        studies.append(st)

        # naive Bayes
        counts, labels, where = cases._sms_counts(ctx)
        st = Study("naive_bayes", "naive Bayes fit + predict (SMS counts, rows stacked)",
                   "replication", "naive_bayes, sparse BCOO", "MultinomialNB on CSR",
                   sizes["naive_bayes"])
        with tempfile.TemporaryDirectory(prefix="mlmath-scaling-") as tmp:
            path = str(Path(tmp) / "counts.npz")
            cases.save_counts(path, counts, labels)

            def nb_sides(rep):
                return ({"builder": "naive_bayes", "lib": "sparse", "path": path,
                         "replicate": rep},
                        {"lib": "sklearn_sparse", "path": path, "replicate": rep})

            def nb_check(t, answers):
                res.checks["scaling_naive_bayes_prediction_agreement"] = float(
                    np.mean(np.load(answers["ours"]) == np.load(answers["peer"])))
                st.title = (f"naive Bayes fit + predict ({t['ours'].info['rows']:,} × "
                            f"{t['ours'].info['cols']:,} counts, stacked)")

            _time_study(ctx, pool, st, nb_sides, nb_check)
        studies.append(st)
    finally:
        close_pool(pool)
    return studies


# --------------------------------------------------------------------------- report


def add_results(studies: list[Study], res: CaseResult) -> None:
    """A row per size (ours, peer, ratio; no target) and a note per study."""
    for st in studies:
        for size, ours_s, peer_s in zip(st.sizes, st.ours_s, st.peer_s, strict=True):
            what = size_text(st, size) + ("" if st.key == "naive_bayes" else f" {st.size_label}")
            res.rows.append(Row(f"scaling_{st.key}", f"{st.ours} ({what})", ours_s, st.peer,
                                peer_s, note=st.peer_why.get(size, "")))
        stopped = "; ".join(sorted(set(st.peer_why.values())))
        res.notes.append(
            f"scaling {st.key}: log-log slope of time against {st.size_label} (1 = linear): "
            f"mlmath_jax {slope(st.sizes, st.ours_s):.2f}, {st.peer} "
            f"{slope(st.sizes, st.peer_s):.2f}; {ratio_trend(st)}"
            + (f"; {stopped}" if stopped else ""))


def figure(studies: list[Study], path) -> None:
    """One log-log panel per study: time against size for mlmath_jax and its peer, the
    ratio peer / ours written beside each size."""
    from mlmath_jax import plotting

    cols = 2
    rows = math.ceil(len(studies) / cols)
    fig, axes = plotting.subplots(rows, cols, size=(6.0, 4.6), squeeze=False)
    for ax, st in zip(axes.flat, studies, strict=False):
        sizes = np.asarray(st.sizes, float)
        ours = np.array([np.nan if t is None else t for t in st.ours_s])
        peer = np.array([np.nan if t is None else t for t in st.peer_s])
        ax.loglog(sizes, ours, "o-", color="tab:blue", lw=2,
                  label=f"mlmath_jax: {st.ours} (slope {slope(st.sizes, st.ours_s):.2f})")
        ax.loglog(sizes, peer, "s--", color="tab:orange", lw=2,
                  label=f"{st.peer} (slope {slope(st.sizes, st.peer_s):.2f})")
        for s, o, r in zip(sizes, ours, st.ratios, strict=True):
            if r:  # between the two points: on a log axis their distance is the ratio
                ax.annotate(f"{r:.2f}×", (s, o * math.sqrt(r)), textcoords="offset points",
                            xytext=(6, 0), ha="left", va="center", fontsize=9,
                            color="tab:blue", fontweight="bold",
                            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                                  "alpha": 0.8})
        for why in sorted(set(st.peer_why.values())):  # in the legend, where it stays clear
            ax.plot([], [], " ", label=why)
        ax.set_xticks(sizes, [size_text(st, int(s)) for s in st.sizes], fontsize=8)
        ax.minorticks_off()
        ax.set_xlim(sizes.min() / 1.6, sizes.max() * 2.2)  # room for the last ratio
        lo = np.nanmin(np.concatenate([ours, peer]))
        hi = np.nanmax(np.concatenate([ours, peer]))
        ax.set_ylim(lo / 3, hi * 40)  # the top left stays clear for the legend
        ax.set_title(st.title, fontsize=10)
        ax.set_xlabel(st.size_label + (" (×: copies of the data set)"
                                       if st.key == "naive_bayes" else ""))
        ax.set_ylabel("seconds per call")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
    for ax in list(axes.flat)[len(studies):]:
        ax.set_visible(False)
    fig.suptitle("Cost against size, each side in its own process; blue figures: "
                 "ratio = peer time / mlmath_jax time (above 1: mlmath_jax faster)",
                 fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plotting.plt.close(fig)


def case_scaling(ctx, res: CaseResult) -> None:
    """Cost against size: PageRank, PCA, the MLP step and naive Bayes at several sizes
    beside their peers (log-log slopes, a figure with --figure)."""
    studies = run_studies(ctx, res)
    add_results(studies, res)
    if ctx.figure is not None:
        figure(studies, ctx.figure)
        res.notes.append(f"scaling: figure written to {ctx.figure}")
