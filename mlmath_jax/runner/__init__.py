"""Config-driven experiments: validation, run directories, metrics, reports, tours."""

from mlmath_jax.runner.core import (
    Outcome,
    Prepared,
    execute,
    list_experiments,
    load_experiment,
    parse_set,
    prepare,
    prepare_raw,
)
from mlmath_jax.runner.schema import Bool, Config, Float, Int, List, Path, Str
from mlmath_jax.runner.tour import default_configs_dir, find_configs, run_tour

__all__ = [
    "Bool", "Config", "Float", "Int", "List", "Outcome", "Path", "Prepared", "Str",
    "default_configs_dir", "execute", "find_configs", "list_experiments", "load_experiment",
    "parse_set", "prepare", "prepare_raw", "run_tour",
]
