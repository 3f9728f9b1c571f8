"""Time to accuracy, the mlmath_jax way: the MLP of configs/extra/mlp_mnist.toml (784-256-10,
ReLU, He init, Adam lr 1e-3, batch 128, 3000 steps; train on the first 8,000 MNIST test
images, test on the last 2,000) written with the library's primitives, as a user's own
script would (no run directory, no report), beside the plain NumPy and PyTorch scripts.

    python benchmarks/mlp_mnist_mlmath.py DATA_DIR [STEPS]

Prints the test accuracy and the wall time of the whole script (import included).
"""

import time

START = time.perf_counter()

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

from mlmath_jax import data, nn, optim, train  # noqa: E402


def main(data_dir, steps=3000, batch=128, lr=1e-3, n_train=8000, n_test=2000):
    mnist = Path(data_dir) / "mnist"
    X = data.read_idx(mnist / "t10k-images-idx3-ubyte.gz").reshape(-1, 784) / 255.0
    y = data.read_idx(mnist / "t10k-labels-idx1-ubyte.gz").astype("int32")
    Xtr, ytr = jnp.asarray(X[:n_train], jnp.float32), jnp.asarray(y[:n_train])
    Xte, yte = jnp.asarray(X[-n_test:], jnp.float32), jnp.asarray(y[-n_test:])
    k_init, k_batch = jax.random.split(jax.random.key(0))
    params = nn.init_mlp(k_init, [784, 256, 10], "he")
    result = train.fit(lambda p, b: nn.mlp_loss(p, *b), params, optim.adam(lr), (Xtr, ytr),
                       steps=steps, log_every=min(250, steps), batch_size=batch,
                       shuffle_key=k_batch)
    return float(jnp.mean(nn.mlp_predict(result.params, Xte) == yte))


if __name__ == "__main__":
    acc = main(sys.argv[1], *(int(a) for a in sys.argv[2:3]))
    print(f"test accuracy: {acc:.4f}")
    print(f"wall seconds: {time.perf_counter() - START:.2f}")
