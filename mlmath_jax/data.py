"""Data sets, file readers, splits and scaling.

Everything here returns NumPy arrays (host memory): experiments move them to the device
once, in the dtype they run in. Bundled sets come from scikit-learn and need no network.
File readers take a path from the user and raise :class:`~mlmath_jax.errors.UserError`
with the file's name when it cannot be read.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

from mlmath_jax.errors import UserError

BUNDLED = ("diabetes", "digits", "iris", "breast_cancer", "wine")


class Dataset(NamedTuple):
    """Features ``X`` (n, d), targets ``y`` (n,), and names for both."""

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    target_names: tuple[str, ...] = ()


# ----------------------------------------------------------------------------- bundled

def load_bundled(name: str) -> Dataset:
    """One of scikit-learn's bundled (offline) sets: diabetes, digits, iris,
    breast_cancer, wine.

    Example:
      >>> ds = load_bundled("iris")
      >>> print(ds.X.shape, ds.target_names)
      (150, 4) ('setosa', 'versicolor', 'virginica')
    """
    from sklearn import datasets as skd

    loaders = {
        "diabetes": skd.load_diabetes,
        "digits": skd.load_digits,
        "iris": skd.load_iris,
        "breast_cancer": skd.load_breast_cancer,
        "wine": skd.load_wine,
    }
    if name not in loaders:
        raise UserError(f"unknown bundled data set {name!r}; allowed: {', '.join(BUNDLED)}")
    b = loaders[name]()
    names = getattr(b, "feature_names", None)  # a list or a NumPy array, by data set
    if names is None or len(names) == 0:
        names = [f"x{i}" for i in range(b.data.shape[1])]
    feature_names = tuple(str(n) for n in names)
    target_names = tuple(str(t) for t in getattr(b, "target_names", ()))
    return Dataset(np.asarray(b.data, np.float64), np.asarray(b.target), feature_names,
                   target_names)


# --------------------------------------------------------------------------- synthetic

def _host_seed(key) -> int:
    """A NumPy / scikit-learn seed from a ``jax.random`` key.

    The key's words read as one big-endian integer, so ``jax.random.key(s)`` gives back
    ``s`` (0 ≤ s < 2³²) and a run's data are those its config's seed always gave.

    Raises:
      TypeError: ``key`` is not a jax.random key (an integer seed, say).
    """
    import jax

    if isinstance(key, int | np.integer) or not hasattr(key, "dtype"):
        raise TypeError(f"expected a jax.random key (jax.random.key(seed)), got "
                        f"{type(key).__name__}")
    if jax.dtypes.issubdtype(key.dtype, jax.dtypes.prng_key):
        key = jax.random.key_data(key)
    words = np.asarray(key)
    if words.dtype != np.uint32 or words.ndim != 1:
        raise TypeError(f"expected a single jax.random key, got an array of dtype "
                        f"{words.dtype} and shape {words.shape}")
    seed = 0
    for w in words.tolist():
        seed = (seed << 32) | int(w)
    return seed


def _sklearn_state(key):
    """scikit-learn's ``random_state`` for a key: the seed itself when it fits 32 bits."""
    seed = _host_seed(key)
    return seed if seed < 2**32 else np.random.RandomState(np.random.SeedSequence(seed)
                                                           .generate_state(4))


def make_regression(key, n: int, d: int, noise: float = 0.1,
                    bias: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linear data with known weights: y = X·w + bias + noise·ε, X ~ N(0, 1).

    Args:
      key: a ``jax.random`` key (drawn on the host with NumPy, seeded from it).
      n: rows. d: features. noise: the noise's standard deviation. bias: the intercept.

    Returns:
      (X, y, w_true) where ``w_true`` has the bias last (matching
      :func:`add_bias_column`).

    Example:
      >>> import jax
      >>> X, y, w = make_regression(jax.random.key(0), 5, 2)
      >>> print(X.shape, y.shape, w.shape)
      (5, 2) (5,) (3,)
    """
    rng = np.random.default_rng(_host_seed(key))
    X = rng.standard_normal((n, d))
    w = rng.uniform(-2.0, 2.0, size=d)
    y = X @ w + bias + noise * rng.standard_normal(n)
    return X, y, np.append(w, bias)


def make_moons(key, n: int, noise: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (scikit-learn's generator).

    Args:
      key: a ``jax.random`` key (seeds scikit-learn's generator).
      n: points. noise: standard deviation of the Gaussian noise.

    Returns:
      (X (n, 2), y (n,) labels in {0, 1}).

    Example:
      >>> import jax
      >>> X, y = make_moons(jax.random.key(0), 6)
      >>> print(X.shape, sorted(set(y.tolist())))
      (6, 2) [0, 1]
    """
    from sklearn.datasets import make_moons as sk_moons

    return sk_moons(n_samples=n, noise=noise, random_state=_sklearn_state(key))


def make_circles(key, n: int, noise: float = 0.05,
                 factor: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles (scikit-learn's generator).

    Args:
      key: a ``jax.random`` key (seeds scikit-learn's generator).
      n: points. noise: standard deviation of the noise. factor: inner / outer radius.

    Returns:
      (X (n, 2), y (n,) labels in {0, 1}).

    Example:
      >>> import jax
      >>> X, y = make_circles(jax.random.key(0), 6)
      >>> print(X.shape, sorted(set(y.tolist())))
      (6, 2) [0, 1]
    """
    from sklearn.datasets import make_circles as sk_circles

    return sk_circles(n_samples=n, noise=noise, factor=factor,
                      random_state=_sklearn_state(key))


# ------------------------------------------------------------------- splits and scaling

def add_bias_column(X: np.ndarray) -> np.ndarray:
    """Append a column of ones, so a weight vector's last entry is the intercept.

    Example:
      >>> print(add_bias_column(np.array([[2.0], [3.0]])).tolist())
      [[2.0, 1.0], [3.0, 1.0]]
    """
    return np.concatenate([X, np.ones((X.shape[0], 1), X.dtype)], axis=1)


def train_test_split(key, *arrays: np.ndarray, test_fraction: float = 0.2,
                     stratify: np.ndarray | None = None) -> list[np.ndarray]:
    """Shuffle and split arrays along axis 0: returns [a_train, a_test, b_train, ...].

    With ``stratify`` (class labels), every class keeps its share in both parts.

    Args:
      key: a ``jax.random`` key (the shuffle runs on the host, seeded from it).
      arrays: arrays with the same length along axis 0.
      test_fraction: share of rows in the test part, in (0, 1).
      stratify: class labels to stratify by, or None.

    Returns:
      [a_train, a_test, b_train, b_test, ...].

    Example:
      >>> import jax
      >>> tr, te = train_test_split(jax.random.key(0), np.arange(10), test_fraction=0.3)
      >>> print(len(tr), len(te), sorted(tr.tolist() + te.tolist()) == list(range(10)))
      7 3 True
    """
    if not 0.0 < test_fraction < 1.0:
        raise UserError(f"test_fraction must be in (0, 1), got {test_fraction}")
    n = len(arrays[0])
    rng = np.random.default_rng(_host_seed(key))
    if stratify is None:
        perm = rng.permutation(n)
        n_test = max(1, int(round(n * test_fraction)))
        test_idx, train_idx = perm[:n_test], perm[n_test:]
    else:
        labels = np.asarray(stratify)
        test_parts, train_parts = [], []
        for cls in np.unique(labels):
            idx = rng.permutation(np.flatnonzero(labels == cls))
            k = int(round(len(idx) * test_fraction))
            test_parts.append(idx[:k])
            train_parts.append(idx[k:])
        test_idx = rng.permutation(np.concatenate(test_parts))
        train_idx = rng.permutation(np.concatenate(train_parts))
    out = []
    for a in arrays:
        a = np.asarray(a)
        out += [a[train_idx], a[test_idx]]
    return out


class Standardizer(NamedTuple):
    """Per-feature mean and scale fitted on training data only."""

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, X: np.ndarray) -> Standardizer:
        mean = X.mean(axis=0)
        scale = X.std(axis=0)
        return cls(mean, np.where(scale > 0, scale, 1.0))

    def transform(self, X: np.ndarray) -> np.ndarray:
        return (X - self.mean) / self.scale

    def inverse(self, Z: np.ndarray) -> np.ndarray:
        return Z * self.scale + self.mean


def one_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Integer labels (n,) → one-hot rows (n, num_classes) of float.

    Example:
      >>> print(one_hot(np.array([0, 2]), 3).tolist())
      [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    labels = np.asarray(labels)
    return (labels[:, None] == np.arange(num_classes)[None, :]).astype(np.float64)


# --------------------------------------------------------------------------- file readers

def _check_file(path: str | Path) -> Path:
    p = Path(path)
    if not p.is_file():
        raise UserError(f"{p}: no such file")
    return p


def read_labeled_text(path: str | Path) -> tuple[list[str], list[str]]:
    """Read a ``label<TAB>text`` file, one example a line; returns (labels, texts).

    A first line whose label is ``label`` (any case) is a header and skipped. Blank lines
    are skipped; a non-blank line without a tab is an error naming its line number.

    Example:
      >>> import tempfile, pathlib
      >>> f = pathlib.Path(tempfile.mkdtemp()) / "sms.tsv"
      >>> _ = f.write_text("ham\\tsee you at 5\\nspam\\tWIN a prize now\\n")
      >>> read_labeled_text(f)
      (['ham', 'spam'], ['see you at 5', 'WIN a prize now'])
    """
    p = _check_file(path)
    try:
        lines = p.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        raise UserError(f"{p}: cannot read ({exc.strerror})") from None
    labels, texts = [], []
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if "\t" not in line:
            raise UserError(f"{p}:{lineno}: expected 'label<TAB>text', found no tab")
        label, text = line.split("\t", 1)
        if lineno == 1 and label.strip().lower() == "label":
            continue
        labels.append(label.strip())
        texts.append(text)
    if not labels:
        raise UserError(f"{p}: no 'label<TAB>text' lines found")
    return labels, texts


_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4",
               0x0E: ">f8"}


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (the MNIST format), gzip-compressed or not.

    The header is two zero bytes, a type code, the number of dimensions, then one
    big-endian uint32 per dimension. Raises UserError for a file that is not IDX or is
    truncated.

    Example:
      >>> import tempfile, pathlib
      >>> f = pathlib.Path(tempfile.mkdtemp()) / "labels.idx.gz"
      >>> write_idx(f, np.array([7, 2, 1], np.uint8))
      >>> print(read_idx(f).tolist())
      [7, 2, 1]
    """
    p = _check_file(path)
    try:
        with open(p, "rb") as f:
            magic = f.read(2)
        opener = gzip.open if magic == b"\x1f\x8b" else open
        with opener(p, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
        # zlib.error: a gzip header followed by data that does not decompress
        raise UserError(f"{p}: cannot read as IDX ({exc})") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise UserError(f"{p}: not an IDX file (bad magic number)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise UserError(f"{p}: truncated IDX header")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise UserError(f"{p}: IDX data has {len(raw) - header} bytes, header says {expected}")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)


def write_idx(path: str | Path, array: np.ndarray, compress: bool | None = None) -> None:
    """Write ``array`` (uint8, int8, int16, int32, float32 or float64) as an IDX file;
    gzip-compressed when ``compress`` or when the name ends in ``.gz``.

    Example:
      >>> import tempfile, pathlib
      >>> f = pathlib.Path(tempfile.mkdtemp()) / "images.idx"
      >>> write_idx(f, np.zeros((2, 3, 3), np.uint8))
      >>> print(read_idx(f).shape, f.stat().st_size)   # 4 + 3·4 header bytes + 18
      (2, 3, 3) 34
    """
    p = Path(path)
    codes = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(">i2"): 0x0B,
             np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}
    a = np.asarray(array)
    if a.dtype.itemsize > 1:
        a = a.astype(a.dtype.newbyteorder(">"))
    if a.dtype not in codes:
        raise ValueError(f"cannot write dtype {array.dtype} as IDX")
    payload = bytes([0, 0, codes[a.dtype], a.ndim]) + struct.pack(f">{a.ndim}I", *a.shape)
    payload += a.tobytes()
    if compress is None:
        compress = p.suffix == ".gz"
    with (gzip.open(p, "wb") if compress else open(p, "wb")) as f:
        f.write(payload)


# --------------------------------------------------------------------------- tables

class Table(NamedTuple):
    """A raw table read by :func:`read_table`: column names and rows of text cells."""

    path: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    lines: tuple[int, ...]  # the file line of each row (the header is line 1)

    def numeric(self, names: list[str] | tuple[str, ...]) -> np.ndarray:
        """The named columns as a float64 matrix (n, len(names)); a cell that is not a
        finite number is an error naming its line and column."""
        idx = [self.index(n) for n in names]
        out = np.empty((len(self.rows), len(idx)), np.float64)
        for i, row in enumerate(self.rows):
            for j, c in enumerate(idx):
                try:
                    v = float(row[c])
                except ValueError:
                    v = float("nan")
                if not np.isfinite(v):
                    raise UserError(f"{self.path}:{self.lines[i]}: column "
                                    f"{self.columns[c]!r} needs a finite number, found "
                                    f"{row[c]!r}")
                out[i, j] = v
        return out

    def column(self, name: str) -> list[str]:
        """One column's cells as text."""
        c = self.index(name)
        return [row[c] for row in self.rows]

    def index(self, name: str) -> int:
        if name not in self.columns:
            raise UserError(f"{self.path}: no column {name!r}; columns: "
                            f"{', '.join(self.columns)}")
        return self.columns.index(name)


def read_table(path: str | Path, delimiter: str | None = None) -> Table:
    """Read a CSV or TSV file with a header row into a :class:`Table`.

    The delimiter is a tab for ``.tsv``/``.tab`` files and a comma otherwise, unless given.
    Checks: a header with non-empty, distinct names; every row with as many cells as the
    header; at least one row. Blank lines are skipped. Errors name the file and line.

    Example:
      >>> import tempfile, pathlib
      >>> f = pathlib.Path(tempfile.mkdtemp()) / "iris.csv"
      >>> write_table(f, ["sepal length", "species"], [(5.1, "setosa"), (7.0, "versicolor")])
      >>> t = read_table(f)
      >>> print(t.columns, t.numeric(["sepal length"]).ravel().tolist(), t.column("species"))
      ('sepal length', 'species') [5.1, 7.0] ['setosa', 'versicolor']
    """
    import csv

    p = _check_file(path)
    if delimiter is None:
        delimiter = "\t" if p.suffix.lower() in (".tsv", ".tab") else ","
    try:
        with open(p, encoding="utf-8", newline="") as f:
            lines = list(csv.reader(f, delimiter=delimiter))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UserError(f"{p}: cannot read as a {'TSV' if delimiter == chr(9) else 'CSV'} "
                        f"table ({exc})") from None
    numbered = [(i, [c.strip() for c in r]) for i, r in enumerate(lines, 1)
                if any(c.strip() for c in r)]
    if not numbered:
        raise UserError(f"{p}: empty table (expected a header row and data rows)")
    (_, header), body = numbered[0], numbered[1:]
    if any(not h for h in header):
        raise UserError(f"{p}:1: the header has an empty column name")
    dup = sorted({h for h in header if header.count(h) > 1})
    if dup:
        raise UserError(f"{p}:1: duplicate column name(s) {', '.join(map(repr, dup))}")
    if not body:
        raise UserError(f"{p}: the table has a header but no data rows")
    for lineno, row in body:
        if len(row) != len(header):
            raise UserError(f"{p}:{lineno}: {len(row)} cells, the header has {len(header)}")
    return Table(str(p), tuple(header), [tuple(r) for _, r in body],
                 tuple(i for i, _ in body))


def write_table(path: str | Path, columns: list[str] | tuple[str, ...], rows,
                delimiter: str | None = None) -> None:
    """Write a header and rows (any values, written with ``str``; floats with ``repr``
    so they read back exactly) as CSV, or TSV for a ``.tsv`` name.

    Example:
      >>> import tempfile, pathlib
      >>> f = pathlib.Path(tempfile.mkdtemp()) / "t.tsv"
      >>> write_table(f, ["x", "y"], [(1, 0.1)])
      >>> print(repr(f.read_text()))
      'x\\ty\\n1\\t0.1\\n'
    """
    import csv

    p = Path(path)
    if delimiter is None:
        delimiter = "\t" if p.suffix.lower() in (".tsv", ".tab") else ","
    with open(p, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=delimiter, lineterminator="\n")
        w.writerow(columns)
        for row in rows:
            w.writerow([repr(float(v)) if isinstance(v, float | np.floating) else str(v)
                        for v in row])
