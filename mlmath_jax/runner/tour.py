"""``mlmath tour``: every config in configs/ with its short ``[tour]`` budget, one index."""

from __future__ import annotations

import datetime as _dt
import fnmatch
import sys
from pathlib import Path

from mlmath_jax.errors import UserError
from mlmath_jax.runner.core import execute, prepare
from mlmath_jax.runner.report import write_index


def default_configs_dir() -> Path:
    """``./configs`` when it exists, else the configs/ folder of this checkout.

    Example:
      >>> print(default_configs_dir().name)
      configs
    """
    here = Path.cwd() / "configs"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "configs"


def find_configs(configs_dir: Path | None = None, only: str | None = None) -> list[Path]:
    """The ``*.toml`` files of ``configs_dir``, sorted; ``only`` keeps the names matching a
    glob (or containing it, when it has no wildcard).

    Example:
      >>> print([p.name for p in find_configs(only="gd_too_*")])
      ['gd_too_large.toml', 'gd_too_small.toml']
    """
    d = Path(configs_dir) if configs_dir is not None else default_configs_dir()
    if not d.is_dir():
        raise UserError(f"{d}: no such configs folder")
    paths = sorted(d.glob("*.toml"))
    if only:
        glob = only if any(c in only for c in "*?[") else f"*{only}*"
        paths = [p for p in paths if fnmatch.fnmatch(p.stem, glob)]
    return paths


def run_tour(configs_dir: Path | None = None, out_root: str | Path = "runs",
             only: str | None = None, quiet: bool = False) -> tuple[Path, list[dict], int]:
    """Run each config with its [tour] overrides into ``out_root/tour-<time>/<config>``.

    Returns (tour_dir, rows, exit_code): exit 0 when every run ended as its config expects
    (``[tour] expect``, default ``"ok"``), else 1.
    """
    paths = find_configs(configs_dir, only)
    if not paths:
        raise UserError(f"no configs match {only!r}")
    root = Path(out_root)
    root.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    tour_dir = root / f"tour-{stamp}"
    i = 2
    while tour_dir.exists():
        tour_dir, i = root / f"tour-{stamp}-{i}", i + 1
    tour_dir.mkdir()
    rows = []
    for n, path in enumerate(paths, 1):
        if not quiet:
            print(f"[{n}/{len(paths)}] {path.stem}", file=sys.stderr, flush=True)
        try:
            prep = prepare(path, tour=True)
        except UserError as exc:
            rows.append({"config": path.name, "experiment": "?", "description": str(exc),
                         "status": "error", "expected": "ok", "run_dir": ".", "metrics": {}})
            print(f"error: {exc}", file=sys.stderr)
            continue
        outcome = execute(prep, run_dir=tour_dir / path.stem, quiet=quiet)
        if outcome.status == "interrupted":  # Ctrl-C stops the tour, after its index
            rows.append({"config": path.name, "experiment": prep.cfg.experiment,
                         "description": outcome.summary.get("description", ""),
                         "status": "interrupted", "expected": prep.expect,
                         "run_dir": path.stem, "metrics": outcome.summary.get("metrics", {}),
                         "seconds": outcome.summary.get("wall_seconds")})
            write_index(tour_dir, rows)
            raise KeyboardInterrupt
        rows.append({"config": path.name, "experiment": prep.cfg.experiment,
                     "description": outcome.summary.get("description", ""),
                     "status": outcome.status, "expected": prep.expect,
                     "run_dir": path.stem, "metrics": outcome.summary.get("metrics", {}),
                     "seconds": outcome.summary.get("wall_seconds"),
                     "lesson": outcome.summary.get("lesson"),
                     "figures": outcome.summary.get("figures", []),
                     "explorers": outcome.summary.get("explorers", [])})
        if outcome.status != prep.expect:
            print(f"{path.stem}: {outcome.status} (expected {prep.expect}) "
                  f"{outcome.message}", file=sys.stderr)
    write_index(tour_dir, rows)
    code = 0 if all(r["status"] == r["expected"] for r in rows) else 1
    return tour_dir, rows, code
