"""k-means: against scikit-learn's KMeans, monotone inertia, initialisations, edge cases."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from mlmath_jax.errors import UserError
from mlmath_jax.models import kmeans


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=150, centers=3, cluster_std=0.8, random_state=0)
    return X.astype(np.float32), y


@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_matches_sklearn_on_blobs(blobs, init):
    X, y = blobs
    r = kmeans.kmeans(jax.random.key(0), jnp.asarray(X), 3, init=init, n_init=4)
    sk = KMeans(3, n_init=4, random_state=0).fit(X)
    assert bool(r.converged)
    assert adjusted_rand_score(sk.labels_, np.asarray(r.labels)) == pytest.approx(1.0)
    assert float(r.inertia) == pytest.approx(sk.inertia_, rel=1e-4)
    # Centres are the means of their clusters.
    for j in range(3):
        np.testing.assert_allclose(r.centroids[j], X[np.asarray(r.labels) == j].mean(axis=0),
                                   atol=1e-4)


def test_lloyd_steps_never_raise_inertia(blobs):
    X = jnp.asarray(blobs[0])
    C = kmeans.init_random(jax.random.key(4), X, 3)
    inertias = []
    for _ in range(6):
        labels, d = kmeans.assign(X, C)
        inertias.append(float(jnp.sum(d)))
        C = kmeans.update(X, labels, C)
    assert all(b <= a * (1 + 1e-6) for a, b in zip(inertias, inertias[1:], strict=False))


def test_plusplus_picks_distinct_data_points_and_empty_cluster_keeps_centre(blobs):
    X = jnp.asarray(blobs[0])
    C = kmeans.init_plusplus(jax.random.key(1), X, 5)
    d = kmeans.sq_distances(C, X)                       # each centre is some data point
    np.testing.assert_allclose(jnp.min(d, axis=1), 0.0, atol=1e-3)
    assert len({tuple(np.round(np.asarray(c), 4)) for c in C}) == 5
    far = jnp.array([[100.0, 100.0]], jnp.float32)
    C2 = jnp.concatenate([X[:2], far])
    labels, _ = kmeans.assign(X, C2)
    np.testing.assert_array_equal(kmeans.update(X, labels, C2)[2], far[0])


def test_same_key_same_result_and_errors(blobs):
    X = jnp.asarray(blobs[0])
    a = kmeans.kmeans(jax.random.key(7), X, 3)
    b = kmeans.kmeans(jax.random.key(7), X, 3)
    np.testing.assert_array_equal(a.labels, b.labels)
    with pytest.raises(UserError, match="k = 0"):
        kmeans.kmeans(jax.random.key(0), X, 0)
    with pytest.raises(UserError, match="init"):
        kmeans.kmeans(jax.random.key(0), X, 2, init="forgy")
