"""The accuracy targets of the issues, reached by the configs as shipped (full budgets)."""

from __future__ import annotations

import pytest

from mlmath_jax.errors import ConfigError
from mlmath_jax.runner import execute, find_configs, prepare

from .helpers import CONFIGS, ROOT, shared_data

EXTRA = find_configs(CONFIGS / "extra")


@pytest.mark.parametrize("path", EXTRA, ids=[p.stem for p in EXTRA])
def test_extra_configs_validate_or_name_the_missing_file(path):
    # Their relative paths name the shared data beside the checkout.
    if not (ROOT.parent / "shared" / "data").is_dir():
        with pytest.raises(ConfigError, match="no such file"):
            prepare(path)
    else:
        assert prepare(path).cfg.description


def test_mlp_on_digits_reaches_97_percent(tmp_path):
    out = execute(prepare(CONFIGS / "mlp_digits.toml"), tmp_path, quiet=True)
    assert out.status == "ok"
    assert out.summary["metrics"]["test_accuracy"] >= 0.97


@pytest.mark.skipif(shared_data("mnist", "t10k-images-idx3-ubyte.gz") is None,
                    reason="the MNIST test set (../shared/data/mnist) is not beside this checkout")
def test_mlp_on_mnist_8000_2000_reaches_95_percent(tmp_path):
    mnist = shared_data("mnist")
    sets = [f"data.images={mnist / 't10k-images-idx3-ubyte.gz'}",
            f"data.labels={mnist / 't10k-labels-idx1-ubyte.gz'}"]
    out = execute(prepare(CONFIGS / "extra" / "mlp_mnist.toml", sets), tmp_path, quiet=True)
    assert out.status == "ok"
    assert out.summary["metrics"]["test_accuracy"] >= 0.95
