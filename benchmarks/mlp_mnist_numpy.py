"""Time to accuracy, the NumPy way: the MLP of configs/extra/mlp_mnist.toml (784-256-10,
ReLU, He init, Adam lr 1e-3, batch 128, 3000 steps; train on the first 8,000 MNIST test
images, test on the last 2,000), written as a NumPy user would, manual backprop.

    python benchmarks/mlp_mnist_numpy.py DATA_DIR [STEPS]

Prints the test accuracy and the wall time of the whole script (import included).
"""

import time

START = time.perf_counter()

import gzip  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402


def read_idx(path):
    with gzip.open(path) as f:
        raw = f.read()
    ndim = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def main(data_dir, steps=3000, batch=128, lr=1e-3, n_train=8000, n_test=2000):
    mnist = Path(data_dir) / "mnist"
    X = read_idx(mnist / "t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
    y = read_idx(mnist / "t10k-labels-idx1-ubyte.gz").astype(np.int64)
    Xtr, ytr, Xte, yte = X[:n_train], y[:n_train], X[-n_test:], y[-n_test:]
    rng = np.random.default_rng(0)
    sizes = [784, 256, 10]
    P = [rng.standard_normal((o, i), dtype=np.float32) * np.float32(np.sqrt(2 / i))
         for i, o in zip(sizes[:-1], sizes[1:], strict=True)]
    B = [np.zeros(o, np.float32) for o in sizes[1:]]
    params = P + B
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    perm, pos = rng.permutation(n_train), 0
    for t in range(1, steps + 1):
        if pos + batch > n_train:
            perm, pos = rng.permutation(n_train), 0
        idx = perm[pos:pos + batch]
        pos += batch
        x, labels = Xtr[idx], ytr[idx]
        h = np.maximum(x @ P[0].T + B[0], 0)
        z = h @ P[1].T + B[1]
        e = np.exp(z - z.max(axis=1, keepdims=True))
        d2 = e / e.sum(axis=1, keepdims=True)
        d2[np.arange(batch), labels] -= 1
        d2 /= batch
        d1 = (d2 @ P[1]) * (h > 0)
        grads = [d1.T @ x, d2.T @ h, d1.sum(0), d2.sum(0)]
        for i, g in enumerate(grads):
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            mhat, vhat = m[i] / (1 - b1 ** t), v[i] / (1 - b2 ** t)
            params[i] -= np.float32(lr) * mhat / (np.sqrt(vhat) + eps)
    logits = np.maximum(Xte @ P[0].T + B[0], 0) @ P[1].T + B[1]
    return float(np.mean(logits.argmax(1) == yte))


if __name__ == "__main__":
    acc = main(sys.argv[1], *(int(a) for a in sys.argv[2:3]))
    print(f"test accuracy: {acc:.4f}")
    print(f"wall seconds: {time.perf_counter() - START:.2f}")
