"""Markov Chain Text Generator: n-gram transition matrices, the stationary distribution,
and sampling with a temperature.

Reads any UTF-8 text file (``data.path``), or writes a short public-domain passage into the
run directory when none is given. Builds the character- or word-level order-k chain
(:func:`probability.ngram_model`), checks that its rows sum to 1 and that its stationary
distribution π satisfies πP = π, reports the entropy rate H = Σᵢ πᵢ H(Pᵢ) (bits per token,
with :func:`explog.entropy`), and generates text by walking the chain with
``jax.random.categorical`` at each temperature.
"""

from __future__ import annotations

import pathlib

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax import explog, plotting, text
from mlmath_jax import probability as pr
from mlmath_jax.errors import ConfigError, UserError
from mlmath_jax.runner.lesson import Lesson, TryNext
from mlmath_jax.runner.schema import Float, Int, List, Path, Str

DESCRIPTION = "Markov chain text generator: n-gram transitions, stationary distribution, sampling"

SCHEMA = {
    "data": {"path": Path(None, must_exist=False,
                          help="a UTF-8 text file; none: a built-in public-domain passage")},
    "model": {
        "level": Str("char", choices=("char", "word")),
        "order": Int(2, min=1, max=12, help="context length k (tokens)"),
    },
    "sample": {
        "length": Int(300, min=1, max=1_000_000, help="tokens generated per temperature"),
        "temperatures": List([0.5, 1.0, 1.5], item=Float(1.0, gt=0.0), min_len=1),
    },
}



def lesson(cfg) -> Lesson:
    unit = "character" if cfg.model.level == "char" else "word"
    other = "word" if cfg.model.level == "char" else "char"
    k = cfg.model.order
    return Lesson(
        title=f"A {unit}-level Markov chain of order {k}",
        chapter="probability",
        concept=f"""
A Markov chain is a random walk between states in which the next step depends only on the
current state. Here a state is the last {k} {unit}(s) of a text, and the transition matrix P
holds, in row i, the probability of each next state after state i, counted from the text:
each row sums to 1. Walking the chain, one random step after another, produces new text
that imitates the local patterns of the original.

A stationary distribution π is a probability vector that one step of the chain leaves
unchanged, πP = π: the long-run share of time the walk spends in each state. For a chain
counted from one text (read as a loop), π is exactly how often each state occurs in it.
The entropy rate measures how unpredictable the next {unit} is, in bits, averaged over π.
A temperature T reshapes each row before sampling: T < 1 favours the likeliest next
{unit}s, T > 1 spreads the choice out.
""",
        equations=(
            r"P_{ij} = \Pr(s_{t+1} = j \mid s_t = i) = \frac{N_{ij}}{\sum_{j'} N_{ij'}}",
            r"\pi P = \pi, \quad \sum_i \pi_i = 1",
            r"H = -\sum_i \pi_i \sum_j P_{ij} \log_2 P_{ij}",
            r"P^{(T)}_{ij} = \frac{P_{ij}^{1/T}}{\sum_{j'} P_{ij'}^{1/T}}",
        ),
        try_next=(
            TryNext((f"model.order={k + 2 if k < 10 else 1}",),
                    f"an order-{k + 2 if k < 10 else 1} chain: longer contexts have fewer "
                    "possible continuations, so the text copies longer runs of the passage"
                    if k < 10 else "an order-1 chain: short contexts, freer text"),
            TryNext((f"model.level={other}", "model.order=1"),
                    f"a {other}-level chain of order 1 on the same passage"),
            TryNext(("sample.temperatures=[0.2, 3.0]",),
                    "a very cold and a very hot walk: the first repeats the likeliest "
                    "continuations, the second picks rare ones more often"),
        ),
        main_figure="markov_chain.png",
        headline="entropy_rate_bits",
    )


# Lewis Carroll, "Alice's Adventures in Wonderland" (1865), chapter 1 — public domain.
PASSAGE = """\
Alice was beginning to get very tired of sitting by her sister on the bank, and of having
nothing to do: once or twice she had peeped into the book her sister was reading, but it had
no pictures or conversations in it, "and what is the use of a book," thought Alice "without
pictures or conversations?"
So she was considering in her own mind (as well as she could, for the hot day made her feel
very sleepy and stupid), whether the pleasure of making a daisy-chain would be worth the
trouble of getting up and picking the daisies, when suddenly a White Rabbit with pink eyes ran
close by her.
There was nothing so very remarkable in that; nor did Alice think it so very much out of the
way to hear the Rabbit say to itself, "Oh dear! Oh dear! I shall be late!" (when she thought
it over afterwards, it occurred to her that she ought to have wondered at this, but at the time
it all seemed quite natural); but when the Rabbit actually took a watch out of its
waistcoat-pocket, and looked at it, and then hurried on, Alice started to her feet, for it
flashed across her mind that she had never before seen a rabbit with either a
waistcoat-pocket, or a watch to take out of it, and burning with curiosity, she ran across the
field after it, and fortunately was just in time to see it pop down a large rabbit-hole under
the hedge.
In another moment down went Alice after it, never once considering how in the world she was
to get out again.
"""

MAX_STATES = 6000  # dense S×S transition matrix: 6000² float32 = 144 MB


def check(cfg):
    if cfg.data.path is not None and not pathlib.Path(cfg.data.path).is_file():
        raise ConfigError(f"data.path = {cfg.data.path!r}: no such file")


def load_tokens(cfg, ctx):
    if cfg.data.path is None:
        path = ctx.path("passage.txt")
        path.write_text(PASSAGE, encoding="utf-8")
        ctx.print(f"no data.path given: wrote the built-in passage to {path.name}")
    else:
        path = pathlib.Path(cfg.data.path)
    try:
        raw = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    if cfg.model.level == "char":
        tokens = list(" ".join(raw.lower().split()))  # collapse whitespace runs
    else:
        tokens = text.tokenize(raw)
    if len(tokens) <= cfg.model.order + 1:
        raise UserError(f"{path}: only {len(tokens)} {cfg.model.level} tokens; need more than "
                        f"order + 1 = {cfg.model.order + 1}")
    return tokens


def run(cfg, key, ctx):
    tokens = load_tokens(cfg, ctx)
    model = pr.ngram_model(tokens, cfg.model.order)
    S = len(model.contexts)
    if S > MAX_STATES:
        raise UserError(f"{S} distinct {cfg.model.order}-token contexts exceed {MAX_STATES} "
                        f"(the dense transition matrix); lower model.order or use a "
                        f"shorter text")
    P = model.P.astype(ctx.dtype)
    row_err = float(jnp.max(jnp.abs(jnp.sum(P, axis=1) - 1)))
    pi = pr.stationary_distribution(P)
    stat_err = float(jnp.max(jnp.abs(pi @ P - pi)))
    entropy_rate = float(jnp.sum(pi * explog.entropy(P, base=2, axis=1)))
    sep = "" if cfg.model.level == "char" else " "
    ctx.print(f"{len(tokens)} {cfg.model.level} tokens, vocabulary {len(model.vocab)}, "
              f"{S} states of order {cfg.model.order}; max |row sum − 1| = {row_err:.1e}, "
              f"max |πP − π| = {stat_err:.1e}; entropy rate {entropy_rate:.3f} bits/token")

    # Start each walk from a state drawn from π, then sample at each temperature.
    metrics = {"tokens": len(tokens), "vocabulary": len(model.vocab), "states": S,
               "max_row_sum_error": row_err, "max_stationary_residual": stat_err,
               "entropy_rate_bits": entropy_rate}
    samples = []
    k_start, k_walk = jax.random.split(key)
    start = int(jax.random.categorical(k_start, jnp.log(pi)))
    for i, temp in enumerate(cfg.sample.temperatures):
        states = pr.sample_chain(jax.random.fold_in(k_walk, i), P, start,
                                 cfg.sample.length, temperature=temp)
        out = model.context_text(start, sep) + sep + sep.join(model.token_of(states))
        samples.append((temp, out))
        # Distinct states visited: fewer at low T (the walk keeps to the likeliest paths).
        distinct = len(set(np.asarray(states).tolist()))
        ctx.log(i, temperature=temp, distinct_states_visited=distinct)
        metrics[f"distinct_states_T{temp:g}"] = distinct
        ctx.print(f"--- T = {temp:g} ---\n{out[:400]}")
    with open(ctx.path("samples.txt"), "w", encoding="utf-8") as f:
        for temp, out in samples:
            f.write(f"--- temperature {temp:g} ---\n{out}\n\n")
    _figures(ctx, model, P, pi, sep)
    observe(ctx, cfg, model, pi, metrics)
    return metrics


def observe(ctx, cfg, model, pi, metrics) -> None:
    """π is stationary and matches the state frequencies; how temperature changed the walk."""
    unit = "character" if cfg.model.level == "char" else "word"
    counts = np.asarray(model.counts, np.float64).sum(axis=1)
    freq_gap = float(np.max(np.abs(np.asarray(pi, np.float64) - counts / counts.sum())))
    stat, tol = metrics["max_stationary_residual"], 1e-4
    found = (f"The chain has {metrics['states']:,} states from {metrics['tokens']:,} {unit}s; "
             f"its stationary distribution satisfies πP = π to {stat:.1e}, and differs from "
             f"how often each state occurs in the text by at most {freq_gap:.1e}")
    ctx.observe(found + ": the long-run share of each state is its frequency in the text.",
                stat <= tol and freq_gap <= tol,
                found + f": more than {tol:g}, so the solver has not converged here.")
    ctx.observe(f"The entropy rate is {metrics['entropy_rate_bits']:.3f} bits per {unit}: "
                f"on average the next {unit} is as uncertain as a choice among "
                f"{2 ** metrics['entropy_rate_bits']:.1f} equally likely ones.", True, "")
    temps = sorted(set(cfg.sample.temperatures))
    if len(temps) > 1:
        lo, hi = temps[0], temps[-1]
        d_lo, d_hi = (metrics[f"distinct_states_T{t:g}"] for t in (lo, hi))
        found = (f"In {cfg.sample.length:,} steps the walk at T = {lo:g} visited {d_lo:,} "
                 f"distinct states and the walk at T = {hi:g} visited {d_hi:,}")
        ctx.observe(found + ": the colder walk keeps to fewer, likelier paths.", d_lo < d_hi,
                    found + ": in a walk this short the difference does not show.")


def _figures(ctx, model, P, pi, sep):
    pi_np, P_np = np.asarray(pi), np.asarray(P)
    top = np.argsort(-pi_np, kind="stable")[:25]
    label = lambda s: repr(model.context_text(int(s), sep))
    fig, (ax1, ax2) = plotting.subplots(1, 2, size=(5.5, 4.8))
    ax1.barh(range(len(top)), pi_np[top][::-1])
    ax1.set_yticks(range(len(top)), [label(s) for s in top[::-1]], fontsize=7)
    ax1.set_xlabel("π (stationary probability)")
    ax1.set_ylabel("state (last tokens)")
    ax1.set_title("most frequent states")
    k = min(20, len(top))
    im = ax2.imshow(P_np[np.ix_(top[:k], top[:k])], cmap="viridis")
    ax2.set_xticks(range(k), [label(s) for s in top[:k]], rotation=90, fontsize=6)
    ax2.set_yticks(range(k), [label(s) for s in top[:k]], fontsize=6)
    ax2.set_xlabel("next state")
    ax2.set_ylabel("current state")
    ax2.set_title("P between the top states")
    fig.colorbar(im, ax=ax2, shrink=0.7, label="transition probability")
    ctx.save_figure(fig, "markov_chain", caption=(
        f"Left: the {len(top)} states with the largest stationary probability. Right: the "
        f"transition probabilities among the top {k} of them."))
