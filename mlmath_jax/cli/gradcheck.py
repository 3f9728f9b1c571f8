"""``mlmath gradcheck``: every hand-written derivative against jax.grad and central
differences.

Each entry of :mod:`mlmath_jax.registry` (all library modules are imported first, so
every registered derivative appears) is checked at a few points drawn by its own sampler
(:func:`mlmath_jax.calculus.check_entry`). The table shows the largest norm-wise relative
error of the manual derivative against ``jax.grad`` and against central differences, and
whether both are within the dtype's tolerances (:data:`mlmath_jax.calculus.TOLERANCES`).
Exit status 1 when any entry fails (or raises), 0 when all pass.
"""

from __future__ import annotations

import json
import sys
import zlib

HELP = "check every hand-written derivative against jax.grad and finite differences"


def add_arguments(p) -> None:
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32",
                   help="floating dtype of the sampled points (float64: strict tolerances)")
    p.add_argument("--only", metavar="PATTERN",
                   help="only entries whose name matches (glob, or a substring)")
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    p.add_argument("--samples", type=int, default=3, metavar="N",
                   help="points drawn per entry (default 3)")
    p.add_argument("--seed", type=int, default=0, help="PRNG seed of the sampled points")


def run_checks(dtype: str = "float32", only: str | None = None, samples: int = 3,
               seed: int = 0) -> list[dict]:
    """Check every matching registry entry; one dict per entry (name, errors, status).

    float64 is enabled locally (``jax.enable_x64``) for the sampling and the checks.
    """
    import jax
    import jax.numpy as jnp

    from mlmath_jax import calculus, registry
    from mlmath_jax.errors import UserError

    if samples < 1:
        raise UserError(f"--samples must be >= 1, got {samples}")
    broken = registry.load_all(strict=False)
    entries = registry.entries(only, load=False)
    if not entries and not broken:
        names = ", ".join(e.name for e in registry.entries(load=False))
        raise UserError(f"no registered derivative matches {only!r}; registered: {names}")
    # A module that cannot be imported may hide entries: it fails the check.
    rows = [{"name": module, "doc": "", "dtype": dtype, "err_autodiff": None,
             "err_numeric": None, "status": "error", "message": f"import failed: {err}"}
            for module, err in broken.items()]
    with jax.enable_x64(dtype == "float64"):
        dt = jnp.dtype(dtype)
        rtol_ad, rtol_fd = calculus.TOLERANCES[dtype]
        for entry in entries:
            # Each entry's points depend only on the seed and its name, not on which other
            # entries exist.
            key = jax.random.fold_in(jax.random.key(seed), zlib.crc32(entry.name.encode()))
            row = {"name": entry.name, "doc": entry.doc, "dtype": dtype,
                   "rtol_autodiff": rtol_ad, "rtol_numeric": rtol_fd}
            try:
                r = calculus.check_entry(key, entry, dt, samples=samples)
            except Exception as exc:  # a broken entry is a failed check, not a crash
                row.update(err_autodiff=None, err_numeric=None, status="error",
                           message=f"{type(exc).__name__}: {exc}".splitlines()[0])
            else:
                row.update(err_autodiff=r.err_autodiff, err_numeric=r.err_numeric,
                           status="pass" if r.passed else "FAIL", message=r.message)
            rows.append(row)
    return rows


def _fmt(v) -> str:
    return "—" if v is None else f"{v:.2e}"


def main(args) -> int:
    from mlmath_jax.cli._show import check_output_path, show_table
    from mlmath_jax.runner.context import jsonable

    check_output_path(args.json, "--json")
    rows = run_checks(args.dtype, args.only, args.samples, args.seed)
    from mlmath_jax.calculus import TOLERANCES

    rtol_ad, rtol_fd = TOLERANCES[args.dtype]
    title = (f"gradcheck ({args.dtype}; pass: vs jax.grad <= {rtol_ad:g}, "
             f"vs central differences <= {rtol_fd:g}, norm-wise)")
    table = [[r["name"], _fmt(r["err_autodiff"]), _fmt(r["err_numeric"]), r["status"]]
             for r in rows]
    show_table(title, ["name", "vs jax.grad", "vs central diff", "result"], table)
    failed = [r for r in rows if r["status"] != "pass"]
    for r in failed:
        if r["message"]:
            print(f"{r['name']}: {r['message']}", file=sys.stderr)
    print(f"{len(rows) - len(failed)} of {len(rows)} passed" +
          (f"; failed: {', '.join(r['name'] for r in failed)}" if failed else ""))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(jsonable({"dtype": args.dtype, "entries": rows}), f, indent=1)
    return 1 if failed else 0
