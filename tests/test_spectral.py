"""models.spectral: the Laplacian's spectrum, and clustering against the known labels
(adjusted Rand index from scikit-learn) where plain k-means fails."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sklearn.datasets import make_circles, make_moons
from sklearn.metrics import adjusted_rand_score

from mlmath_jax.errors import UserError
from mlmath_jax.models import kmeans, spectral

# ------------------------------------------------------------------- spectral clustering


def test_normalized_laplacian_counts_components():
    blocks = np.zeros((6, 6))
    blocks[:3, :3] = 1.0
    blocks[3:, 3:] = 1.0
    np.fill_diagonal(blocks, 0.0)
    with jax.enable_x64(True):
        w = jnp.linalg.eigvalsh(spectral.normalized_laplacian(jnp.asarray(blocks)))
        assert int(jnp.sum(jnp.abs(w) < 1e-10)) == 2
        assert float(w.min()) > -1e-10 and float(w.max()) < 2.0 + 1e-10


@pytest.mark.parametrize("affinity", ["rbf", "knn"])
def test_spectral_clustering_separates_moons_and_circles(affinity):
    key = jax.random.key(0)
    for X, y in (make_moons(200, noise=0.05, random_state=0),
                 make_circles(200, noise=0.03, factor=0.4, random_state=0)):
        labels = spectral.spectral_clustering(key, jnp.asarray(X, jnp.float32), 2, affinity,
                                              gamma=20.0, n_neighbors=10)
        assert adjusted_rand_score(y, np.asarray(labels)) > 0.95
        plain = kmeans.kmeans(key, jnp.asarray(X, jnp.float32), 2, n_init=5).labels
        assert adjusted_rand_score(y, np.asarray(plain)) < 0.5       # k-means alone fails
    with pytest.raises(UserError, match="affinity"):
        spectral.spectral_clustering(key, jnp.zeros((5, 2)), 2, "cosine")
