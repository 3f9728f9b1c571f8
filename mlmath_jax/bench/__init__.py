"""Benchmarks: mlmath_jax against NumPy, PyTorch, optax, networkx and scikit-learn.

Run them with ``mlmath bench`` (or ``python -m mlmath_jax bench``)::

    mlmath bench                      # every case, full repeats
    mlmath bench --quick              # fewer repeats, same shapes
    mlmath bench --only mlp --json results.json
    mlmath bench --only scaling --figure benchmarks/scaling.png   # cost against size

Every case runs each of its sides in a process of its own, taking turns (A B B A …;
NumPy, scikit-learn and networkx with ``OPENBLAS_CORETYPE``/``OPENBLAS_L2_SIZE`` unset for
their process alone, see :mod:`mlmath_jax.bench.isolated`), with the matmul peak measured
the same way beside each MLP case; ``first_result``, ``startup`` and ``time_to_accuracy``
time whole processes. The scaling case (:mod:`mlmath_jax.bench.scaling`) times the
scalable cases at several sizes and draws ``--figure``. All
time after warm-up and compilation, and print ``ratio = peer seconds / mlmath seconds``
(above 1: mlmath_jax is faster) beside the issue's target. See
:mod:`mlmath_jax.bench.harness` for how a time is taken and :mod:`mlmath_jax.bench.cases`
for the cases; results and their machine are in ``benchmarks/README.md``.
"""

from __future__ import annotations

import sys
import time
import traceback
from pathlib import Path

from mlmath_jax.bench import cases
from mlmath_jax.bench.cases import Context, default_data_dir
from mlmath_jax.bench.harness import (
    COLUMNS,
    SCALES,
    CaseResult,
    Missing,
    Row,
    machine_info,
    table_rows,
)
from mlmath_jax.bench.scaling import case_scaling

# The cases in the order `mlmath bench` runs them (scaling.py builds on cases.py, so the
# registry lives here, above both).
CASES = {
    "matmul_peak": cases.case_matmul_peak,
    "mlp_digits": cases.case_mlp_digits,
    "mlp_mnist": cases.case_mlp_mnist,
    "noise_floor": cases.case_noise_floor,
    "optimizers": cases.case_optimizers,
    "train_loop": cases.case_train_loop,
    "pagerank": cases.case_pagerank,
    "pca": cases.case_pca,
    "naive_bayes": cases.case_naive_bayes,
    "first_result": cases.case_first_result,
    "startup": cases.case_startup,
    "time_to_accuracy": cases.case_time_to_accuracy,
    "scaling": case_scaling,
}

__all__ = ["CASES", "Context", "machine_info", "print_report", "report_dict", "run_case",
           "run_suite", "select"]


def select(only: str | None) -> list[str]:
    """Case names matching ``only`` (an exact name, else every name containing it)."""
    from mlmath_jax.errors import UserError

    if not only:
        return list(CASES)
    if only in CASES:
        return [only]
    names = [n for n in CASES if only in n]
    if not names:
        raise UserError(f"no benchmark case matches {only!r}; cases: {', '.join(CASES)}")
    return names


def run_case(name: str, ctx: Context, *, catch: bool = True) -> CaseResult:
    """Run one case; a Missing feature or peer becomes ``res.missing`` (not an error).

    With ``catch``, any other exception becomes an error row (the suite goes on);
    without, it propagates (the tests use that).
    """
    res = CaseResult(name)
    start = time.perf_counter()
    try:
        CASES[name](ctx, res)
    except Missing as exc:
        res.missing = str(exc)
    except Exception as exc:
        if not catch:
            raise
        traceback.print_exc(file=sys.stderr)
        res.rows.append(Row(name, "error", None, "", None,
                            note=f"ERROR {type(exc).__name__}: {exc}"[:200]))
        res.missing = ""
        res.notes.append(f"{name}: failed with {type(exc).__name__}: {exc}")
        res.seconds = time.perf_counter() - start
        res.error = True
        return res
    res.seconds = time.perf_counter() - start
    return res


def run_suite(only: str | None = None, scale: str = "full", data_dir: str | Path | None = None,
              on_result=None, profile_dir: str | Path | None = None,
              figure: str | Path | None = None) -> list[CaseResult]:
    """Run the selected cases in order; ``on_result(res)`` is called after each.

    With ``profile_dir``, each case runs under ``jax.profiler.trace(profile_dir/<case>)``.
    With ``figure``, the scaling case draws its figure there.
    """
    import contextlib

    import jax

    ctx = Context(SCALES[scale], Path(data_dir) if data_dir else default_data_dir(),
                  figure=Path(figure) if figure else None)
    results = []
    for name in select(only):
        tracing = (jax.profiler.trace(str(Path(profile_dir) / name)) if profile_dir
                   else contextlib.nullcontext())
        with tracing:
            res = run_case(name, ctx)
        results.append(res)
        if on_result is not None:
            on_result(res)
    return results


def report_dict(results: list[CaseResult], info: dict, scale: str) -> dict:
    return {
        "machine": info,
        "scale": scale,
        "ratio": "peer_seconds / mlmath_seconds (above 1: mlmath_jax faster)",
        "cases": [{"name": r.name, "seconds": round(r.seconds, 2), "missing": r.missing,
                   "rows": [row.to_dict() for row in r.rows], "checks": r.checks,
                   "notes": r.notes}
                  for r in results],
    }


def print_report(results: list[CaseResult], info: dict, file=None) -> None:
    from mlmath_jax.cli._show import show_mapping, show_table

    file = file or sys.stdout
    show_mapping("machine", {k: v for k, v in info.items()}, file=file)
    print(file=file)
    show_table("benchmarks: median time per call; ratio = peer time / mlmath_jax time "
               "(above 1: mlmath_jax faster)", COLUMNS, table_rows(results), file=file)
    notes = [n for r in results for n in r.notes]
    if notes:
        print(file=file)
        for n in notes:
            print(f"* {n}", file=file)
