"""Load a config, validate it against its experiment's schema, run it in a fresh run
directory, and write the summary and report.

The runner knows nothing of models or data: an experiment is any module in the
``experiments`` package with

* ``DESCRIPTION``: one line;
* ``SCHEMA``: its config tables (see :mod:`mlmath_jax.runner.schema`);
* ``run(cfg, key, ctx) -> dict``: the work, returning final metrics;
* optionally ``check(cfg)``: extra validation raising ``ConfigError`` before any work.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import json
import os
import pkgutil
import re
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from mlmath_jax.errors import ConfigError, Diverged, UserError
from mlmath_jax.runner import schema as S
from mlmath_jax.runner.context import RunContext, jsonable
from mlmath_jax.runner.lesson import lesson_for

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


# ------------------------------------------------------------------------- experiments

def list_experiments() -> list[str]:
    """Names of all experiment modules."""
    import experiments

    return sorted(m.name for m in pkgutil.iter_modules(experiments.__path__)
                  if not m.name.startswith("_"))


def load_experiment(name: str) -> ModuleType:
    """Import ``experiments.<name>`` after checking the name is one of them."""
    known = list_experiments()
    if not isinstance(name, str) or not _NAME.match(name) or name not in known:
        import difflib

        hint = difflib.get_close_matches(str(name), known, n=1)
        extra = f"did you mean {hint[0]!r}? " if hint else ""
        raise ConfigError(f"experiment = {name!r} is unknown; {extra}allowed: {', '.join(known)}")
    module = importlib.import_module(f"experiments.{name}")
    for attr in ("DESCRIPTION", "SCHEMA", "run"):
        if not hasattr(module, attr):
            raise TypeError(f"experiments.{name} lacks {attr}; see mlmath_jax.runner.core")
    return module


# ------------------------------------------------------------------------------ configs

def parse_set(assignments: list[str] | tuple[str, ...]) -> dict:
    """``["train.steps=500", "optimizer.name=adam"]`` → nested dict of TOML values.

    A value is read as TOML (``500``, ``0.1``, ``true``, ``"x"``, ``[1, 2]``); anything
    that is not valid TOML is taken as a bare string.
    """
    out: dict = {}
    for item in assignments:
        if "=" not in item:
            raise ConfigError(f"--set {item!r}: expected KEY.PATH=VALUE")
        key, text = item.split("=", 1)
        parts = key.strip().split(".")
        if not all(parts):
            raise ConfigError(f"--set {item!r}: empty key")
        try:
            value = tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            value = text
        node = out
        for p in parts[:-1]:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise ConfigError(f"--set {item!r}: {p!r} is not a table")
        node[parts[-1]] = value
    return out


@dataclass
class Prepared:
    """A validated config, ready to run."""

    path: Path
    name: str               # the config's stem, used for run-directory names
    module: ModuleType
    cfg: S.Config
    expect: str = "ok"      # the status a tour expects (from [tour] expect)
    overrides: dict = field(default_factory=dict)
    tour_overrides: dict = field(default_factory=dict)   # the [tour] budget, when touring


def read_toml(path: str | os.PathLike) -> dict:
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: no such config file")
    try:
        with open(p, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: malformed TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read: {exc}") from None


def prepare(path: str | os.PathLike, sets: list[str] | tuple[str, ...] = (),
            tour: bool = False) -> Prepared:
    """Read, merge (``[tour]`` overrides when ``tour``, then ``--set``), and validate.

    Raises ConfigError with the file's name in front of the message.
    """
    p = Path(path)
    raw = read_toml(p)
    try:
        tour_table = raw.pop("tour", {})
        if not isinstance(tour_table, dict):
            raise ConfigError("[tour] must be a table of overrides")
        tour_table = dict(tour_table)
        expect = tour_table.pop("expect", "ok")
        if expect not in S.TOUR_EXPECT:
            raise ConfigError(f"tour.expect = {expect!r} is not allowed; expected one of "
                              f"{', '.join(map(repr, S.TOUR_EXPECT))}")
        if "experiment" not in raw:
            raise ConfigError("missing key 'experiment'; it names a module in experiments/ "
                              "(see `mlmath list`)")
        module = load_experiment(raw["experiment"])
        sets_table = parse_set(sets)
        # The [tour] table is checked even when not touring, so a typo there shows early
        # (with --set applied last, so an override can still mend a value such as a path).
        S.resolve(S.merge(S.merge(raw, tour_table), sets_table), module.SCHEMA, p.parent)
        overrides = S.merge(tour_table if tour else {}, sets_table)
        cfg = S.resolve(S.merge(raw, overrides), module.SCHEMA, p.parent)
        if hasattr(module, "check"):
            module.check(cfg)
    except ConfigError as exc:
        raise ConfigError(f"{p}: {exc}") from None
    budget = {}
    if tour and tour_table:
        full = S.resolve(S.merge(raw, sets_table), module.SCHEMA, p.parent).to_dict()
        for key, value in _flatten(tour_table).items():
            node = full
            for part in key.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            budget[key] = {"tour": value, "full": node}
    return Prepared(p, p.stem, module, cfg, expect, overrides, budget)


def _flatten(table: dict, prefix: str = "") -> dict:
    """``{"train": {"steps": 5}}`` → ``{"train.steps": 5}``."""
    out = {}
    for k, v in table.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


# -------------------------------------------------------------------------------- runs

def new_run_dir(root: str | os.PathLike, name: str) -> Path:
    """Create ``root/<name>-<timestamp>`` (with ``-2``, ``-3``… if taken); never reuse one."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise UserError(f"--out {root}: is a file, not a folder for run directories")
    root.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for i in range(1, 10_000):
        d = root / (f"{name}-{stamp}" if i == 1 else f"{name}-{stamp}-{i}")
        try:
            d.mkdir()
            return d
        except FileExistsError:
            continue
    raise RuntimeError(f"cannot create a run directory under {root}")


def write_json_atomic(path: Path, obj) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, sort_keys=False)
        f.write("\n")
    os.replace(tmp, path)


def environment() -> dict:
    import jax

    return {
        "jax_version": jax.__version__,
        "backend": jax.default_backend(),
        "devices": [str(d) for d in jax.devices()],
        "x64": bool(jax.config.jax_enable_x64),
    }


@dataclass
class Outcome:
    status: str             # ok | diverged | interrupted | error | failed
    run_dir: Path
    summary: dict
    exit_code: int
    message: str = ""


EXIT = {"ok": 0, "diverged": 1, "failed": 1, "error": 2, "interrupted": 130}


def execute(prep: Prepared, out_root: str | os.PathLike = "runs", *, run_dir: Path | None = None,
            quiet: bool = False, interactive: bool | None = None) -> Outcome:
    """Run a prepared config in a fresh directory; always leaves summary.json and a report.

    KeyboardInterrupt is recorded as status ``interrupted`` and then re-raised by the
    caller's choice (see :func:`run_config`); a bug's exception is recorded as ``failed``
    and re-raised.
    """
    import jax

    from mlmath_jax.runner.report import write_report

    if run_dir is None:
        run_dir = new_run_dir(out_root, prep.name)
    else:
        run_dir = Path(run_dir)
        run_dir.mkdir(parents=True, exist_ok=False)
    cfg = prep.cfg
    write_json_atomic(run_dir / "config.json", {"source": str(prep.path),
                                                "overrides": prep.overrides,
                                                "config": cfg.to_dict()})
    if interactive is None:
        interactive = sys.stderr.isatty()
    x64_before = bool(jax.config.jax_enable_x64)
    jax.config.update("jax_enable_x64", cfg.dtype == "float64")
    import jax.numpy as jnp

    ctx = RunContext(run_dir, jnp.float64 if cfg.dtype == "float64" else jnp.float32,
                     quiet=quiet, interactive=interactive)
    summary: dict = {
        "status": "running",
        "experiment": cfg.experiment,
        "config": str(prep.path),
        "description": cfg.description or prep.module.DESCRIPTION,
        "seed": cfg.seed,
        "dtype": cfg.dtype,
        "started": _dt.datetime.now().isoformat(timespec="seconds"),
        **environment(),
    }
    write_json_atomic(run_dir / "summary.json", summary)
    status, message, metrics, pending = "ok", "", {}, None
    start = time.perf_counter()
    try:
        metrics = prep.module.run(cfg, jax.random.key(cfg.seed), ctx) or {}
    except Diverged as exc:
        status, message = "diverged", f"diverged at step {exc.step}"
        metrics = {"diverged_step": exc.step}
    except UserError as exc:
        status, message = "error", str(exc)
    except KeyboardInterrupt:
        status, message = "interrupted", "interrupted by the user (Ctrl-C)"
    except BaseException as exc:  # a bug: record it, then let the traceback through
        status, message, pending = "failed", f"{type(exc).__name__}: {exc}", exc
    finally:
        wall = time.perf_counter() - start
        ctx.close()
        jax.config.update("jax_enable_x64", x64_before)
    run_seconds = ctx.train_seconds if ctx.steps else max(wall - ctx.compile_seconds, 0.0)
    summary.update({
        "status": status,
        "message": message,
        "metrics": jsonable(metrics),
        "compile_seconds": round(ctx.compile_seconds, 4),
        "run_seconds": round(run_seconds, 4),
        "wall_seconds": round(wall, 4),
        "steps": ctx.steps,
        "steps_per_second": (round(ctx.steps / run_seconds, 2)
                             if ctx.steps and run_seconds else None),
        "figures": ctx.figures,
        "captions": ctx.captions,
        "explorers": ctx.explorers,
        "observations": [{"text": o.text, "held": o.held, "claim": o.claim}
                         for o in ctx.observations],
    })
    lesson = lesson_for(prep.module, cfg)
    if lesson is not None:
        summary["lesson"] = {"title": lesson.title, "chapter": lesson.chapter,
                             "main_figure": lesson.main_figure, "headline": lesson.headline}
    if prep.tour_overrides:
        summary["tour"] = {"budget": prep.tour_overrides,
                           "full_command": f"mlmath run {prep.path}"}
    write_json_atomic(run_dir / "summary.json", summary)
    write_report(run_dir, summary, cfg.to_dict(), lesson=lesson, config_path=prep.path)
    if pending is not None:
        raise pending
    return Outcome(status, run_dir, summary, EXIT[status], message)
