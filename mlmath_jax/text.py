"""Text to counts: a lowercase word tokenizer, a vocabulary, and document-term matrices.

This is host-side preprocessing (strings are not arrays); its output, a dense
(documents × vocabulary) count matrix, is what the numeric models consume.

Example:
  >>> docs = [tokenize(t) for t in ["Free prize! Call now", "call me at lunch, free?"]]
  >>> vocab = build_vocabulary(docs)
  >>> X = count_matrix(docs, vocab)
  >>> print(X.shape, X.dtype)
  (2, 7) float32
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np

from mlmath_jax.errors import UserError

__all__ = ["tokenize", "Vocabulary", "build_vocabulary", "count_matrix",
           "sparse_count_matrix"]

# Words are runs of letters/digits (apostrophes inside a word kept: "don't"); a currency
# sign is a token of its own, since "£" is a strong spam cue.
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)*|[£$€]")


def tokenize(text: str) -> list[str]:
    """Lowercase the text and split it into word tokens (and currency signs).

    Args:
      text: a string.

    Returns:
      The tokens, in order.

    Example:
      >>> tokenize("WIN £1000 now! Don't wait")
      ['win', '£', '1000', 'now', "don't", 'wait']
    """
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


class Vocabulary(NamedTuple):
    """Tokens in a fixed order and their column index (``len(vocab)`` is their number).

    Attributes:
      tokens: the tokens, most frequent first.
      index: token → its column in a count matrix.
    """

    tokens: tuple[str, ...]
    index: dict

    def __len__(self) -> int:
        return len(self.tokens)


def build_vocabulary(docs: Iterable[Sequence[str]], min_count: int = 1,
                     max_size: int | None = None) -> Vocabulary:
    """Tokens seen at least ``min_count`` times, most frequent first (ties alphabetical),
    at most ``max_size`` of them.

    Args:
      docs: token lists.
      min_count: the least number of occurrences kept, >= 1.
      max_size: the most tokens kept (None: all).

    Returns:
      A :class:`Vocabulary`.

    Raises:
      ValueError: min_count < 1, or no token reaches it.

    Example:
      >>> docs = [["call", "free", "now"], ["call", "me", "free"]]
      >>> print(build_vocabulary(docs).tokens, build_vocabulary(docs, min_count=2).tokens)
      ('call', 'free', 'me', 'now') ('call', 'free')
    """
    if min_count < 1:
        raise UserError(f"min_count = {min_count} is not allowed; expected >= 1")
    counts = Counter(t for doc in docs for t in doc)
    kept = sorted((t for t, c in counts.items() if c >= min_count),
                  key=lambda t: (-counts[t], t))
    if max_size is not None:
        kept = kept[:max_size]
    if not kept:
        raise UserError("the vocabulary is empty: no token reaches min_count")
    return Vocabulary(tuple(kept), {t: i for i, t in enumerate(kept)})


def _pairs(docs: Sequence[Sequence[str]], vocab: Vocabulary) -> tuple[np.ndarray, np.ndarray]:
    """(document, token) index pairs, one per in-vocabulary occurrence."""
    rows, cols = [], []
    for d, doc in enumerate(docs):
        for t in doc:
            j = vocab.index.get(t)
            if j is not None:
                rows.append(d)
                cols.append(j)
    return np.asarray(rows, np.int64), np.asarray(cols, np.int64)


def count_matrix(docs: Sequence[Sequence[str]], vocab: Vocabulary,
                 dtype=np.float32) -> np.ndarray:
    """Dense document-term counts: X[d, v] = occurrences of token v in document d.

    Tokens outside the vocabulary are dropped.

    Args:
      docs: token lists.
      vocab: a :class:`Vocabulary`.
      dtype: the count dtype.

    Returns:
      (len(docs), len(vocab)) numpy counts.

    Example:
      >>> docs = [["call", "free", "call"], ["free", "lunch"]]
      >>> print(count_matrix(docs, build_vocabulary(docs)).tolist())
      [[2.0, 1.0, 0.0], [0.0, 1.0, 1.0]]
    """
    rows, cols = _pairs(docs, vocab)
    X = np.zeros((len(docs), len(vocab)), dtype)
    np.add.at(X, (rows, cols), 1)
    return X


def sparse_count_matrix(docs: Sequence[Sequence[str]], vocab: Vocabulary, dtype=np.float32):
    """The same counts as :func:`count_matrix`, stored sparse as a
    ``jax.experimental.sparse.BCOO`` (one entry per distinct (document, token) pair).

    A text corpus is almost all zeros (the SMS set: 99.8%), so the naive Bayes matmuls on
    this form touch only the nonzeros; ``models.naive_bayes`` accepts either form.

    Args:
      docs: token lists.
      vocab: a :class:`Vocabulary`.
      dtype: the count dtype.

    Returns:
      A (len(docs), len(vocab)) BCOO matrix.

    Example:
      >>> docs = [["call", "free", "call"], ["free", "lunch"]]
      >>> X = sparse_count_matrix(docs, build_vocabulary(docs))
      >>> print(X.shape, X.nse, X.todense().tolist())
      (2, 3) 4 [[2.0, 1.0, 0.0], [0.0, 1.0, 1.0]]
    """
    from jax.experimental import sparse

    rows, cols = _pairs(docs, vocab)
    keys, counts = np.unique(rows * len(vocab) + cols, return_counts=True)
    indices = np.stack([keys // len(vocab), keys % len(vocab)], axis=1).astype(np.int32)
    return sparse.BCOO((counts.astype(dtype), indices), shape=(len(docs), len(vocab)),
                       indices_sorted=True, unique_indices=True)
