"""Bundled loaders, splits, scaling and file readers in mlmath_jax.data."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from sklearn import datasets as skd

from mlmath_jax import data
from mlmath_jax.errors import UserError


@pytest.mark.parametrize("name", data.BUNDLED)
def test_bundled_sets_match_scikit_learn(name):
    ds = data.load_bundled(name)
    ref = getattr(skd, f"load_{name}")()
    np.testing.assert_array_equal(ds.X, ref.data)
    np.testing.assert_array_equal(ds.y, ref.target)
    assert len(ds.feature_names) == ds.X.shape[1]
    with pytest.raises(UserError, match="allowed"):
        data.load_bundled("mnist")


def test_stratified_split_keeps_class_shares():
    y = np.array([0] * 80 + [1] * 20)
    X = np.arange(100)[:, None]
    X_tr, X_te, y_tr, y_te = data.train_test_split(jax.random.key(0), X, y, test_fraction=0.25,
                                                   stratify=y)
    assert len(y_te) == 25 and np.sum(y_te == 1) == 5
    assert sorted(np.concatenate([X_tr, X_te])[:, 0].tolist()) == list(range(100))


def test_standardizer_fits_training_part_only():
    X = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    s = data.Standardizer.fit(X)
    Z = s.transform(X)
    np.testing.assert_allclose(Z[:, 0], (X[:, 0] - 3) / np.std(X[:, 0]))
    np.testing.assert_allclose(Z[:, 1], 0.0)  # a constant column does not divide by zero
    np.testing.assert_allclose(s.inverse(Z), X)


def test_labeled_text_reader(tmp_path):
    p = tmp_path / "t.tsv"
    p.write_text("Label\tSMS\nham\thello there\nspam\tWIN\tnow\n\n")
    labels, texts = data.read_labeled_text(p)
    assert labels == ["ham", "spam"] and texts == ["hello there", "WIN\tnow"]
    p.write_text("ham hello\n")
    with pytest.raises(UserError, match=r"t.tsv:1: expected 'label<TAB>text'"):
        data.read_labeled_text(p)
    with pytest.raises(UserError, match="no such file"):
        data.read_labeled_text(tmp_path / "nope.tsv")
