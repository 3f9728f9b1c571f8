"""Markov chains: transition matrices from sequences, n-gram text models, the stationary
distribution, and sampling with a temperature.

A chain on S states has a row-stochastic matrix P (Pᵢⱼ = P(next = j | now = i), rows sum
to 1). A distribution π over states is stationary when πP = π; an irreducible chain has
exactly one, found by solving (Pᵀ − I)π = 0 with Σπ = 1.

An order-k n-gram model of a token sequence is a chain whose states are the k-token
contexts seen in the text: state (t₁…t_k) moves to (t₂…t_k, t) with probability
count(t₁…t_k t)/count(t₁…t_k·). The text is read cyclically (its end wraps to its start),
so every context has a successor and the chain is irreducible.

Validation (docs/CONVENTIONS.md §4): sizes, orders and step counts are static and raise
ValueError; array values are not inspected: a P that is not row-stochastic gives a NaN
stationary distribution, a temperature ≤ 0 gives state −1, the same eagerly and under
``jit``.

Example:
  >>> m = ngram_model(list("abracadabra"), order=1)
  >>> print([round(v, 3) for v in stationary_distribution(m.P).tolist()])   # πP = π
  [0.455, 0.182, 0.091, 0.091, 0.182]
  >>> ids = sample_chain(jax.random.key(0), m.P, 0, 10, temperature=0.8)
  >>> print("".join(m.token_of(ids)))
  acacadaaca
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from mlmath_jax.errors import UserError

__all__ = ["transition_counts", "transition_matrix", "stationary_distribution",
           "sample_chain", "NGramModel", "ngram_model"]


def transition_counts(states: jax.Array, num_states: int, cyclic: bool = False) -> jax.Array:
    """Cᵢⱼ = number of steps i → j in the integer sequence ``states`` (scatter-add).

    Args:
      states: (T,) integer states in [0, num_states).
      num_states: S (static).
      cyclic: also count the step from the last state back to the first.

    Returns:
      (S, S) float counts.

    Example:
      >>> print(transition_counts(jnp.array([0, 1, 1, 0]), 2).tolist())
      [[0.0, 1.0], [1.0, 1.0]]
    """
    states = jnp.asarray(states)
    src, dst = states[:-1], states[1:]
    if cyclic:
        src = jnp.concatenate([src, states[-1:]])
        dst = jnp.concatenate([dst, states[:1]])
    C = jnp.zeros((num_states, num_states), jnp.result_type(float))
    return C.at[src, dst].add(1.0)


def transition_matrix(states: jax.Array, num_states: int, cyclic: bool = False,
                      smoothing: float = 0.0) -> jax.Array:
    """Row-stochastic P from a state sequence: Pᵢⱼ = (Cᵢⱼ + s) / Σⱼ(Cᵢⱼ + s).

    A state never left (possible only without ``cyclic`` and ``smoothing``) gets a
    self-loop so that every row still sums to 1.

    Args:
      states: (T,) integer states in [0, num_states).
      num_states: S (static).
      cyclic: also count the step from the last state back to the first.
      smoothing: s >= 0 added to every count.

    Returns:
      (S, S) row-stochastic matrix.

    Example:
      >>> print(transition_matrix(jnp.array([0, 1, 1, 0]), 2).tolist())
      [[0.0, 1.0], [0.5, 0.5]]
    """
    C = transition_counts(states, num_states, cyclic) + smoothing
    rows = jnp.sum(C, axis=1, keepdims=True)
    eye = jnp.eye(num_states, dtype=C.dtype)
    return jnp.where(rows > 0, C / jnp.where(rows > 0, rows, 1.0), eye)


def stationary_distribution(P: jax.Array) -> jax.Array:
    """π with πP = π and Σπ = 1, by solving the linear system

        (Pᵀ − I) π = 0 with its last equation replaced by 1ᵀπ = 1.

    Unique when the chain is irreducible (periodic chains included). Jittable.

    Args:
      P: (S, S) row-stochastic matrix (entries >= 0, rows summing to 1 to √ε of the
        dtype); any other P gives NaN.

    Returns:
      (S,) π.

    Raises:
      ValueError: P not a square matrix (a static shape).

    Example:
      >>> pi = stationary_distribution(jnp.array([[0.9, 0.1], [0.5, 0.5]]))
      >>> print([round(v, 4) for v in pi.tolist()])       # [5/6, 1/6]
      [0.8333, 0.1667]
    """
    P = jnp.asarray(P)
    if not jnp.issubdtype(P.dtype, jnp.floating):
        P = P.astype(jnp.result_type(float))
    if P.ndim != 2 or P.shape[0] != P.shape[1]:
        raise UserError(f"P must be a square matrix, got shape {tuple(P.shape)}")
    tol = float(np.sqrt(np.finfo(P.dtype).eps))
    stochastic = jnp.all(P >= 0) & jnp.all(jnp.abs(jnp.sum(P, axis=1) - 1) <= tol)
    n = P.shape[0]
    A = P.T - jnp.eye(n, dtype=P.dtype)
    A = A.at[-1].set(1.0)
    b = jnp.zeros(n, P.dtype).at[-1].set(1.0)
    pi = jnp.linalg.solve(A, b)
    pi = jnp.clip(pi, 0.0, None) / jnp.sum(jnp.clip(pi, 0.0, None))
    return jnp.where(stochastic, pi, jnp.nan)


@functools.partial(jax.jit, static_argnums=(3,))
def _sample(key, logits, start, steps, temperature):
    def step(state, k):
        nxt = jax.random.categorical(k, logits[state] / temperature)
        return nxt, nxt

    _, path = jax.lax.scan(step, start, jax.random.split(key, steps))
    return jnp.where(temperature > 0, path, -1)


def sample_chain(key: jax.Array, P: jax.Array, start, steps: int,
                 temperature: float = 1.0) -> jax.Array:
    """Walk ``steps`` transitions from ``start`` with ``jax.random.categorical``.

    The next state is drawn from softmax(log Pᵢ / T): T = 1 samples P itself, T < 1
    sharpens towards the likeliest successor, T > 1 flattens (impossible moves stay
    impossible). ``lax.scan`` over the steps, so the walk compiles once.

    Args:
      key: a ``jax.random`` key.
      P: (S, S) row-stochastic transition matrix.
      start: the start state.
      steps: the number of transitions, a whole number >= 1 (static).
      temperature: T > 0 (an array value: T ≤ 0 gives states −1, eagerly and under jit).

    Returns:
      (steps,) int32 state indices (the start state not included).

    Raises:
      ValueError: ``steps`` not a whole number >= 1.

    Example:
      >>> P = jnp.array([[0.0, 1.0], [1.0, 0.0]])          # a deterministic 2-cycle
      >>> print(sample_chain(jax.random.key(0), P, 0, 4).tolist())
      [1, 0, 1, 0]
    """
    if isinstance(steps, bool) or not (isinstance(steps, int) and steps >= 1):
        raise UserError(f"steps = {steps!r} is not allowed; expected a whole number >= 1")
    P = jnp.asarray(P)
    logits = jnp.where(P > 0, jnp.log(jnp.where(P > 0, P, 1.0)), -jnp.inf)
    return _sample(key, logits, jnp.asarray(start, jnp.int32), steps,
                   jnp.asarray(temperature, logits.dtype))


class NGramModel(NamedTuple):
    """An order-k n-gram chain (:func:`ngram_model`); ``order``, ``token_of(states)`` and
    ``context_text(state)`` read it.

    Attributes:
      vocab: the distinct tokens, sorted.
      contexts: (S, k) int array; row s is state s's context as token ids.
      P: (S, S) row-stochastic transition matrix between contexts.
      counts: (S, S) the transition counts it came from.
    """

    vocab: tuple
    contexts: np.ndarray
    P: jax.Array
    counts: jax.Array

    @property
    def order(self) -> int:
        return int(self.contexts.shape[1])

    def token_of(self, states) -> list:
        """The token each state emits when entered (its context's last token)."""
        ids = self.contexts[np.asarray(states), -1]
        return [self.vocab[i] for i in np.atleast_1d(ids)]

    def context_text(self, state: int, sep: str = "") -> str:
        return sep.join(str(self.vocab[i]) for i in self.contexts[state])


def ngram_model(tokens: Sequence, order: int = 1) -> NGramModel:
    """Build the order-``order`` n-gram chain of a token list (characters or words).

    Args:
      tokens: the sequence (e.g. ``list(text)`` or ``text.tokenize(text)``).
      order: context length k >= 1 (k = 1: a plain token-to-token chain).

    Returns:
      An :class:`NGramModel`; its ``P`` rows sum to 1.

    Raises:
      ValueError: ``order`` not a whole number >= 1, or too few tokens.

    Example:
      >>> m = ngram_model(list("abracadabra"), order=2)
      >>> print(m.vocab, m.order, m.P.shape, m.context_text(0))
      ('a', 'b', 'c', 'd', 'r') 2 (8, 8) aa
    """
    if not (isinstance(order, int) and order >= 1):
        raise UserError(f"order = {order!r} is not allowed; expected a whole number >= 1")
    tokens = list(tokens)
    if len(tokens) <= order:
        raise UserError(f"need more than order = {order} tokens, got {len(tokens)}")
    vocab = tuple(sorted(set(tokens)))
    index = {t: i for i, t in enumerate(vocab)}
    ids = np.array([index[t] for t in tokens], np.int64)
    wrapped = np.concatenate([ids, ids[: order - 1]])  # cyclic contexts
    windows = np.lib.stride_tricks.sliding_window_view(wrapped, order)  # (len, k)
    contexts, state_seq = np.unique(windows, axis=0, return_inverse=True)
    state_seq = state_seq.reshape(-1)
    counts = transition_counts(jnp.asarray(state_seq), len(contexts), cyclic=True)
    P = counts / jnp.sum(counts, axis=1, keepdims=True)
    return NGramModel(vocab, contexts, P, counts)
