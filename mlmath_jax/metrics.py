"""Classification metrics, shared by every model and experiment.

* accuracy = (1/n)·Σ [ŷᵢ = yᵢ]
* confusion matrix C[i, j] = #{examples of true class i predicted as j}
* per class: precision = TP/(TP + FP), recall = TP/(TP + FN), F1 = 2PR/(P + R)
  (0 where a denominator is 0, as scikit-learn's ``zero_division=0``).

Every metric takes ``(predictions, targets)``, the losses' order (docs/CONVENTIONS.md §1);
scikit-learn's ``(y_true, y_pred)`` is the other way round.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np


def accuracy(predictions: jax.Array, targets: jax.Array) -> jax.Array:
    """Share of predictions equal to the targets, (1/n)·Σ [ŷᵢ = yᵢ] (jittable).

    Args:
      predictions: predicted class labels ŷ.
      targets: true class labels y, same shape.

    Returns:
      A float32 scalar in [0, 1].

    Example:
      >>> print(float(accuracy(jnp.array([0, 1, 1, 2]), jnp.array([0, 1, 0, 2]))))
      0.75
    """
    return jnp.mean((jnp.asarray(predictions) == jnp.asarray(targets)).astype(jnp.float32))


def confusion_matrix(predictions, targets, num_classes: int) -> np.ndarray:
    """C[i, j] = number of examples of true class i predicted as class j.

    Args:
      predictions: predicted labels in [0, num_classes).
      targets: true labels, same shape.
      num_classes: the number of classes k.

    Returns:
      A (k, k) int64 NumPy array; rows are true classes, columns predicted ones (as
      ``sklearn.metrics.confusion_matrix(targets, predictions)``).

    Example:
      >>> print(confusion_matrix([0, 1, 1], [0, 1, 0], 2).tolist())
      [[1, 1], [0, 1]]
    """
    C = np.zeros((num_classes, num_classes), np.int64)
    np.add.at(C, (np.asarray(targets), np.asarray(predictions)), 1)
    return C


class BinaryMetrics(NamedTuple):
    """Scores of a two-class prediction for its positive class.

    Attributes:
      accuracy: share of predictions equal to the targets.
      precision: TP / (TP + FP) (0 when nothing is predicted positive).
      recall: TP / (TP + FN) (0 when no target is positive).
      f1: 2PR / (P + R) (0 when P + R = 0).
    """

    accuracy: float
    precision: float
    recall: float
    f1: float


def binary_metrics(predictions, targets, positive: int = 1) -> BinaryMetrics:
    """Accuracy, precision, recall and F1 for the ``positive`` class.

    Args:
      predictions: predicted labels.
      targets: true labels, same shape.
      positive: the label counted as positive.

    Returns:
      :class:`BinaryMetrics` of Python floats (``._asdict()`` gives a dict).

    Example:
      >>> m = binary_metrics([1, 1, 0, 0], [1, 0, 1, 0])
      >>> print(m.accuracy, m.precision, m.recall, m.f1)
      0.5 0.5 0.5 0.5
    """
    y_true, y_pred = np.asarray(targets), np.asarray(predictions)
    tp = int(np.sum((y_pred == positive) & (y_true == positive)))
    fp = int(np.sum((y_pred == positive) & (y_true != positive)))
    fn = int(np.sum((y_pred != positive) & (y_true == positive)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BinaryMetrics(float(np.mean(y_true == y_pred)), precision, recall, f1)


class ClassificationReport(NamedTuple):
    """Per-class and overall scores of a k-class prediction.

    Attributes:
      accuracy: share of correct predictions.
      precision: list of k per-class precisions.
      recall: list of k per-class recalls.
      f1: list of k per-class F1 scores.
      support: list of k counts of true examples per class.
      macro_f1: the unweighted mean of ``f1``.
      confusion: the (k, k) confusion matrix as nested lists (rows true, columns
        predicted).
    """

    accuracy: float
    precision: list
    recall: list
    f1: list
    support: list
    macro_f1: float
    confusion: list


def classification_report(predictions, targets, num_classes: int) -> ClassificationReport:
    """Accuracy, per-class precision / recall / F1 / support, macro F1 and the confusion
    matrix.

    Args:
      predictions: predicted labels in [0, num_classes).
      targets: true labels, same shape.
      num_classes: the number of classes k.

    Returns:
      :class:`ClassificationReport` (``._asdict()`` gives a dict).

    Example:
      >>> r = classification_report([0, 1, 1, 2], [0, 1, 0, 2], 3)
      >>> print(r.accuracy, r.recall, round(r.macro_f1, 4))
      0.75 [0.5, 1.0, 1.0] 0.7778
    """
    C = confusion_matrix(predictions, targets, num_classes)
    tp = np.diag(C).astype(np.float64)
    predicted, actual = C.sum(axis=0), C.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    return ClassificationReport(
        accuracy=float(tp.sum() / max(C.sum(), 1)),
        precision=precision.tolist(),
        recall=recall.tolist(),
        f1=f1.tolist(),
        support=actual.tolist(),
        macro_f1=float(f1.mean()),
        confusion=C.tolist(),
    )
