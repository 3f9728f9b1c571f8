"""Logistic and softmax regression: manual gradients against jax.grad, predictions against
scikit-learn's LogisticRegression, and accuracy on the bundled sets."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mlmath_jax import data, optim, registry, train
from mlmath_jax.models import logistic


def breast_cancer():
    """scikit-learn's breast-cancer set through the library's loader."""
    ds = data.load_bundled("breast_cancer")
    return ds.X, ds.y


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["models.logistic.loss", "models.logistic.softmax_loss"])
def test_manual_gradient_matches_jax_grad(name, dtype):
    (entry,) = [e for e in registry.entries(name) if e.name == name]
    rtol = 1e-5 if dtype == "float32" else 1e-12
    with jax.enable_x64(dtype == "float64"):
        args = entry.sample(jax.random.key(1), jnp.dtype(dtype))
        auto = jax.jit(jax.grad(entry.fn))(*args)
        np.testing.assert_allclose(jax.jit(entry.manual)(*args), auto, rtol=rtol,
                                   atol=rtol * 1e-2)


def test_logistic_gradient_is_the_seed_formula():
    """∇L = Xᵀ(σ(Xw) − y)/n, written out with NumPy."""
    rng = np.random.default_rng(0)
    X, w = rng.normal(size=(30, 4)), rng.normal(size=4)
    y = (rng.uniform(size=30) < 0.5).astype(float)
    expected = X.T @ (1 / (1 + np.exp(-X @ w)) - y) / 30
    with jax.enable_x64(True):
        got = logistic.loss_grad(jnp.asarray(w), jnp.asarray(X), jnp.asarray(y))
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def _fit_breast_cancer(l2):
    X, y = breast_cancer()
    Xtr, Xte, ytr, yte = data.train_test_split(jax.random.key(0), X, y, test_fraction=0.25,
                                               stratify=y)
    sc = data.Standardizer.fit(Xtr)
    Xtr, Xte = (data.add_bias_column(sc.transform(a)) for a in (Xtr, Xte))
    with jax.enable_x64(True):
        Xj, yj = jnp.asarray(Xtr), jnp.asarray(ytr, jnp.float64)
        res = train.fit(lambda w, b: logistic.loss(w, *b, l2=l2), jnp.zeros(Xtr.shape[1]),
                        optim.adam(0.05), (Xj, yj), steps=2000, log_every=2000,
                        grad_fn=lambda w, b: (logistic.loss(w, *b, l2=l2),
                                              logistic.loss_grad(w, *b, l2=l2)))
        w = np.asarray(res.params)
    return w, Xtr, Xte, ytr, yte


def test_breast_cancer_matches_sklearn_and_beats_95_percent():
    from sklearn.linear_model import LogisticRegression

    l2 = 0.01
    w, Xtr, Xte, ytr, yte = _fit_breast_cancer(l2)
    acc = float(logistic.accuracy(logistic.predict(jnp.asarray(w), jnp.asarray(Xte)), yte))
    assert acc >= 0.95
    # same objective as sklearn's with C = 1/(n·λ) (intercept unpenalized)
    sk = LogisticRegression(C=1.0 / (len(ytr) * l2), tol=1e-10, max_iter=10000)
    sk.fit(Xtr[:, :-1], ytr)
    np.testing.assert_allclose(w[:-1], sk.coef_[0], atol=5e-3)
    np.testing.assert_allclose(w[-1], sk.intercept_[0], atol=5e-3)
    p_sk = sk.predict_proba(Xte[:, :-1])[:, 1]
    np.testing.assert_allclose(logistic.predict_proba(jnp.asarray(w), jnp.asarray(Xte)),
                               p_sk, atol=2e-3)


def test_softmax_regression_on_digits_beats_95_percent():
    ds = data.load_bundled("digits")
    Xtr, Xte, ytr, yte = data.train_test_split(jax.random.key(0), ds.X / 16.0, ds.y,
                                               test_fraction=0.25,
                                               stratify=ds.y)
    Xtr, Xte = data.add_bias_column(Xtr), data.add_bias_column(Xte)
    W0 = jnp.zeros((Xtr.shape[1], 10))
    loss = lambda W, b: logistic.softmax_loss(W, *b, l2=1e-3)
    res = train.fit(loss, W0, optim.adam(0.05), (jnp.asarray(Xtr, jnp.float32),
                                                 jnp.asarray(ytr)),
                    steps=400, log_every=400)
    acc = float(logistic.accuracy(logistic.softmax_predict(res.params, jnp.asarray(
        Xte, jnp.float32)), yte))
    assert acc >= 0.95
    # probabilities are rows of a distribution
    P = logistic.softmax_predict_proba(res.params, jnp.asarray(Xte[:5], jnp.float32))
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-6)
