"""Metrics against scikit-learn, whose order is (y_true, y_pred): ours is (predictions,
targets), so every comparison swaps the arguments."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmath_jax import metrics

_labels = st.integers(2, 5).flatmap(
    lambda k: st.tuples(st.just(k), st.integers(1, 40)).flatmap(
        lambda kn: st.tuples(st.just(kn[0]),
                             st.lists(st.integers(0, kn[0] - 1), min_size=kn[1],
                                      max_size=kn[1]),
                             st.lists(st.integers(0, kn[0] - 1), min_size=kn[1],
                                      max_size=kn[1]))))


@given(_labels)
@settings(max_examples=30, deadline=None)
def test_classification_metrics_match_sklearn(case):
    k, pred, true = case
    pred, true = np.array(pred), np.array(true)
    labels = list(range(k))
    np.testing.assert_array_equal(metrics.confusion_matrix(pred, true, k),
                                  skm.confusion_matrix(true, pred, labels=labels))
    assert float(metrics.accuracy(jnp.asarray(pred), jnp.asarray(true))) == pytest.approx(
        skm.accuracy_score(true, pred))
    r = metrics.classification_report(pred, true, k)
    assert isinstance(r, metrics.ClassificationReport)
    p, rc, f1, sup = skm.precision_recall_fscore_support(true, pred, labels=labels,
                                                         zero_division=0)
    np.testing.assert_allclose(r.precision, p)
    np.testing.assert_allclose(r.recall, rc)
    np.testing.assert_allclose(r.f1, f1)
    np.testing.assert_array_equal(r.support, sup)
    assert r.accuracy == pytest.approx(skm.accuracy_score(true, pred))
    assert r.macro_f1 == pytest.approx(skm.f1_score(true, pred, labels=labels,
                                                    average="macro", zero_division=0))
    b = metrics.binary_metrics(pred, true, positive=1)
    assert isinstance(b, metrics.BinaryMetrics)
    kw = {"labels": [1], "average": "micro", "zero_division": 0}
    assert b.precision == pytest.approx(skm.precision_score(true, pred, **kw))
    assert b.recall == pytest.approx(skm.recall_score(true, pred, **kw))
    assert b.f1 == pytest.approx(skm.f1_score(true, pred, **kw))
    assert b.accuracy == pytest.approx(skm.accuracy_score(true, pred))


def test_results_are_pytrees_and_serialize_by_field():
    b = metrics.binary_metrics([1, 0], [1, 1])
    assert set(b._asdict()) == {"accuracy", "precision", "recall", "f1"}
    assert len(jax.tree.leaves(b)) == 4
    r = metrics.classification_report([0, 1], [0, 0], 2)
    assert r._asdict()["confusion"] == [[1, 1], [0, 0]]
