"""Classification metrics, shared by every model and experiment.

* accuracy = (1/n)·Σ [ŷᵢ = yᵢ]
* confusion matrix C[i, j] = #{examples of true class i predicted as j}
* per class: precision = TP/(TP + FP), recall = TP/(TP + FN), F1 = 2PR/(P + R)
  (0 where a denominator is 0, as scikit-learn's ``zero_division=0``).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np


def accuracy(predictions: jax.Array, labels: jax.Array) -> jax.Array:
    """Share of predictions equal to the labels (jittable)."""
    return jnp.mean((jnp.asarray(predictions) == jnp.asarray(labels)).astype(jnp.float32))


def confusion_matrix(y_true, y_pred, num_classes: int) -> np.ndarray:
    """C[i, j] = number of examples of true class i predicted as class j."""
    C = np.zeros((num_classes, num_classes), np.int64)
    np.add.at(C, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return C


def binary_metrics(y_true, y_pred, positive: int = 1) -> dict:
    """Accuracy, precision, recall and F1 for the ``positive`` class."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    tp = int(np.sum((y_pred == positive) & (y_true == positive)))
    fp = int(np.sum((y_pred == positive) & (y_true != positive)))
    fn = int(np.sum((y_pred != positive) & (y_true == positive)))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"accuracy": float(np.mean(y_true == y_pred)), "precision": precision,
            "recall": recall, "f1": f1}


def classification_report(y_true, y_pred, num_classes: int) -> dict[str, Any]:
    """Accuracy, per-class precision / recall / F1 / support, macro F1 and the confusion
    matrix."""
    C = confusion_matrix(y_true, y_pred, num_classes)
    tp = np.diag(C).astype(np.float64)
    predicted, actual = C.sum(axis=0), C.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    return {
        "accuracy": float(tp.sum() / max(C.sum(), 1)),
        "precision": precision.tolist(),
        "recall": recall.tolist(),
        "f1": f1.tolist(),
        "support": actual.tolist(),
        "macro_f1": float(f1.mean()),
        "confusion": C.tolist(),
    }
