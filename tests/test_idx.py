"""data.read_idx / write_idx: the MNIST IDX format, gzip-compressed or not, against
NumPy arrays written here; and the real MNIST test files when present."""

import gzip
import struct

import numpy as np
import pytest

from mlmath_jax import data
from mlmath_jax.errors import UserError

from .helpers import shared_data


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float32])
def test_round_trip(tmp_path, compress, dtype):
    shift = 0 if dtype == np.uint8 else 5  # negative values where the type has them
    a = (np.arange(24).reshape(2, 3, 4) - shift).astype(dtype)
    p = tmp_path / ("a.idx.gz" if compress else "a.idx")
    data.write_idx(p, a)
    assert (p.read_bytes()[:2] == b"\x1f\x8b") == compress
    b = data.read_idx(p)
    assert b.shape == a.shape and b.dtype.kind == np.dtype(dtype).kind
    np.testing.assert_array_equal(b, a)


def test_hand_written_header(tmp_path):
    # Magic 0x00000801: unsigned bytes, one dimension; then the count, big-endian.
    raw = struct.pack(">I", 0x00000801) + struct.pack(">I", 5) + bytes([3, 1, 4, 1, 5])
    p = tmp_path / "labels-idx1-ubyte.gz"
    with gzip.open(p, "wb") as f:
        f.write(raw)
    np.testing.assert_array_equal(data.read_idx(p), [3, 1, 4, 1, 5])


def test_bad_files(tmp_path):
    p = tmp_path / "x.idx"
    p.write_bytes(b"PK\x03\x04 not idx")
    with pytest.raises(UserError, match="bad magic"):
        data.read_idx(p)
    p.write_bytes(struct.pack(">I", 0x00000801) + struct.pack(">I", 10) + bytes(3))
    with pytest.raises(UserError, match="header says 10"):
        data.read_idx(p)
    with pytest.raises(UserError, match="no such file"):
        data.read_idx(tmp_path / "missing.idx")


def test_real_mnist_when_present():
    mnist = shared_data("mnist")
    if mnist is None:
        pytest.skip("the shared MNIST files (../shared/data/mnist) are not on this machine")
    images = data.read_idx(mnist / "t10k-images-idx3-ubyte.gz")
    labels = data.read_idx(mnist / "t10k-labels-idx1-ubyte.gz")
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and set(np.unique(labels)) == set(range(10))
    # Each digit appears roughly a tenth of the time in the MNIST test set.
    counts = np.bincount(labels, minlength=10)
    assert counts.min() > 800 and counts.max() < 1200


@pytest.mark.parametrize("garbage", [b"\x00" * 40, b"not deflate data at all", bytes(range(256))])
def test_gzip_header_then_garbage_is_one_line_exit_2(tmp_path, garbage):
    # A real gzip header (magic, CM=deflate, no flags, mtime, XFL, OS) then bytes that are
    # not a deflate stream: zlib.error inside gzip, which must become a UserError.
    p = tmp_path / "bad.idx.gz"
    p.write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + garbage)
    with pytest.raises(UserError, match="bad.idx.gz"):
        data.read_idx(p)
