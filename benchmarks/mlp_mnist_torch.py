"""Time to accuracy, the PyTorch way: the MLP of configs/extra/mlp_mnist.toml (784-256-10,
ReLU, He init, Adam lr 1e-3, batch 128, 3000 steps; train on the first 8,000 MNIST test
images, test on the last 2,000), plain idiomatic PyTorch on the CPU, default threads.

    python benchmarks/mlp_mnist_torch.py DATA_DIR [STEPS]

Prints the test accuracy and the wall time of the whole script (import included).
PyTorch is not a dependency of mlmath_jax: install it yourself to run this.
"""

import time

START = time.perf_counter()

import gzip  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402


def read_idx(path):
    with gzip.open(path) as f:
        raw = f.read()
    ndim = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def main(data_dir, steps=3000, batch=128, lr=1e-3, n_train=8000, n_test=2000):
    torch.manual_seed(0)
    mnist = Path(data_dir) / "mnist"
    X = torch.tensor(read_idx(mnist / "t10k-images-idx3-ubyte.gz").reshape(-1, 784),
                     dtype=torch.float32) / 255
    y = torch.tensor(read_idx(mnist / "t10k-labels-idx1-ubyte.gz").astype(np.int64))
    Xtr, ytr, Xte, yte = X[:n_train], y[:n_train], X[-n_test:], y[-n_test:]
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            nn.init.zeros_(layer.bias)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(Xtr, ytr),
                                         batch_size=batch, shuffle=True, drop_last=True)
    t = 0
    while t < steps:
        for xb, yb in loader:
            opt.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()
            t += 1
            if t == steps:
                break
    with torch.no_grad():
        return float((model(Xte).argmax(1) == yte).float().mean())


if __name__ == "__main__":
    acc = main(sys.argv[1], *(int(a) for a in sys.argv[2:3]))
    print(f"test accuracy: {acc:.4f}")
    print(f"wall seconds: {time.perf_counter() - START:.2f}")
