"""Markov chains: rows sum to 1, πP = π (against numpy's eigenvector), n-gram counts,
sampling follows the chain, temperature sharpens. float32 tolerance 1e-5."""

import collections
import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mlmath_jax import markov, text
from mlmath_jax import probability as pr

TEXT = ("the cat sat on the mat. the dog sat on the log. a cat and a dog met on the mat, "
        "and the cat ran.")


def _eig_stationary(P):
    w, v = np.linalg.eig(np.asarray(P, np.float64).T)
    pi = np.real(v[:, np.argmin(np.abs(w - 1))])
    return pi / pi.sum()


def test_two_state_closed_form():
    P = jnp.array([[0.9, 0.1], [0.5, 0.5]])
    np.testing.assert_allclose(pr.stationary_distribution(P), [5 / 6, 1 / 6], rtol=1e-5)


@pytest.mark.parametrize("level,order", [("char", 1), ("char", 2), ("word", 1), ("word", 2)])
def test_ngram_rows_sum_to_one_and_pi_stationary(level, order):
    tokens = list(TEXT) if level == "char" else text.tokenize(TEXT)
    m = markov.ngram_model(tokens, order)
    P = m.P
    np.testing.assert_allclose(jnp.sum(P, axis=1), 1.0, rtol=1e-5)
    assert bool(jnp.all(P >= 0))
    pi = pr.stationary_distribution(P)
    np.testing.assert_allclose(pi @ P, pi, atol=1e-5)
    np.testing.assert_allclose(jnp.sum(pi), 1.0, rtol=1e-5)
    np.testing.assert_allclose(pi, _eig_stationary(P), atol=1e-4)


def test_char_bigram_counts_match_collections():
    m = markov.ngram_model(list(TEXT), 1)
    pairs = collections.Counter(zip(TEXT, TEXT[1:] + TEXT[0], strict=True))
    idx = {c: i for i, c in enumerate(m.vocab)}
    C = np.asarray(m.counts)
    for (a, b), c in pairs.items():
        assert C[idx[a], idx[b]] == c
    assert C.sum() == len(TEXT)
    # With a cyclic text, the stationary distribution of a first-order chain is the
    # token frequency.
    freq = np.array([TEXT.count(c) for c in m.vocab]) / len(TEXT)
    np.testing.assert_allclose(pr.stationary_distribution(m.P), freq, atol=1e-5)


def test_transition_matrix_from_states():
    P = markov.transition_matrix(jnp.array([0, 1, 1, 0, 2]), 3)
    np.testing.assert_allclose(P, [[0, 0.5, 0.5], [0.5, 0.5, 0], [0, 0, 1]], atol=1e-7)


def test_sampling_only_takes_observed_transitions_and_matches_P():
    P = jnp.array([[0.0, 0.7, 0.3], [0.4, 0.0, 0.6], [1.0, 0.0, 0.0]])
    path = np.asarray(pr.sample_chain(jax.random.key(0), P, 0, 20_000))
    prev = np.concatenate([[0], path[:-1]])
    C = np.zeros((3, 3))
    np.add.at(C, (prev, path), 1)
    assert C[0, 0] == C[1, 1] == C[2, 1] == C[2, 2] == 0
    emp = C / C.sum(1, keepdims=True)
    np.testing.assert_allclose(emp, P, atol=0.03)
    # visit frequencies approach π
    np.testing.assert_allclose(np.bincount(path, minlength=3) / len(path),
                               pr.stationary_distribution(P), atol=0.02)


def test_temperature_sharpens():
    P = jnp.array([[0.6, 0.4], [0.6, 0.4]])
    cold = np.asarray(pr.sample_chain(jax.random.key(1), P, 0, 4000, temperature=0.25))
    hot = np.asarray(pr.sample_chain(jax.random.key(1), P, 0, 4000, temperature=1.0))
    # softmax(log p / T): 0.6^4 / (0.6^4 + 0.4^4) ≈ 0.835
    assert abs(np.mean(cold == 0) - 0.6**4 / (0.6**4 + 0.4**4)) < 0.03
    assert abs(np.mean(hot == 0) - 0.6) < 0.03


def test_bad_static_input_refused():
    with pytest.raises(ValueError, match="order"):
        markov.ngram_model(list("abc"), 0)
    with pytest.raises(ValueError, match="need more than"):
        markov.ngram_model(list("ab"), 3)
    with pytest.raises(ValueError, match="steps"):
        pr.sample_chain(jax.random.key(0), jnp.eye(2), 0, 0)
    with pytest.raises(ValueError, match="square"):
        jax.jit(pr.stationary_distribution)(jnp.ones((2, 3)) / 3)


def test_values_outside_domain_same_eagerly_and_under_jit():
    bad = jnp.array([[0.5, 0.2], [0.5, 0.5]])   # a row summing to 0.7
    for f in (pr.stationary_distribution, jax.jit(pr.stationary_distribution)):
        assert bool(jnp.all(jnp.isnan(f(bad))))
    walk = functools.partial(pr.sample_chain, steps=5)
    eager = walk(jax.random.key(0), jnp.eye(2), 0, temperature=0.0)
    jitted = jax.jit(walk)(jax.random.key(0), jnp.eye(2), 0, temperature=0.0)
    assert eager.tolist() == jitted.tolist() == [-1] * 5
