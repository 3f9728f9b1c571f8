"""Load a config, validate it against its experiment's schema, run it in a fresh run
directory, and write the summary and report.

The runner knows nothing of models or data: an experiment is any module in the
``experiments`` package with

* ``DESCRIPTION``: one line;
* ``SCHEMA``: its config tables (see :mod:`mlmath_jax.runner.schema`);
* ``run(cfg, key, ctx) -> dict``: the work, returning final metrics;
* optionally ``check(cfg)``: extra validation raising ``ConfigError`` before any work;
* optionally ``memory_bytes(cfg) -> int``: an estimate of the memory the run needs at its
  peak; :func:`prepare` refuses a config whose estimate exceeds the memory available.
"""

from __future__ import annotations

import contextlib
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

from mlmath_jax.errors import ConfigError, Diverged, UserError, write_error
from mlmath_jax.runner import schema as S
from mlmath_jax.runner import signals
from mlmath_jax.runner.context import RunContext, jsonable
from mlmath_jax.runner.lesson import lesson_for

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


# ------------------------------------------------------------------------- experiments

def list_experiments() -> list[str]:
    """Names of all experiment modules (none of them is imported).

    Example:
      >>> names = list_experiments()
      >>> print("pagerank" in names, all(not n.startswith("_") for n in names))
      True True
    """
    from mlmath_jax import experiments

    return sorted(m.name for m in pkgutil.iter_modules(experiments.__path__)
                  if not m.name.startswith("_"))


def experiment_description(name: str) -> str:
    """An experiment's ``DESCRIPTION``, read from its source without importing it (an
    experiment imports JAX; ``mlmath list`` must answer without it).

    Example:
      >>> print(experiment_description("monte_carlo_pi").split(",")[0])
      Monte Carlo estimate of pi and its 1/sqrt(N) error
    """
    from mlmath_jax import experiments
    from mlmath_jax._source import module_literal

    # A plain module name whose source file is there needs no listing of the package.
    plain = isinstance(name, str) and _NAME.match(name) and not name.startswith("_")
    found = [s for s in (Path(folder) / f"{name}.py" for folder in experiments.__path__)
             if s.is_file()] if plain else []
    if not found and name not in list_experiments():
        raise ConfigError(f"experiment = {S.show(name)} is unknown")
    for source in found:
        try:
            return str(module_literal(str(source), "DESCRIPTION"))
        except (LookupError, ValueError):  # not a literal: computed when imported
            pass
    return load_experiment(name).DESCRIPTION  # a computed DESCRIPTION: import after all


def load_experiment(name: str) -> ModuleType:
    """Import ``experiments.<name>`` after checking the name is one of them."""
    known = list_experiments()
    if not isinstance(name, str) or not _NAME.match(name) or name not in known:
        import difflib

        hint = difflib.get_close_matches(str(name), known, n=1)
        extra = f"did you mean {hint[0]!r}? " if hint else ""
        raise ConfigError(f"experiment = {S.show(name)} is unknown; {extra}allowed: "
                          f"{', '.join(known)}")
    module = importlib.import_module(f"mlmath_jax.experiments.{name}")
    for attr in ("DESCRIPTION", "SCHEMA", "run"):
        if not hasattr(module, attr):
            raise TypeError(f"mlmath_jax.experiments.{name} lacks {attr}; "
                            "see mlmath_jax.runner.core")
    return module


# ------------------------------------------------------------------------------ configs

def parse_set(assignments: list[str] | tuple[str, ...]) -> dict:
    """``["train.steps=500", "optimizer.name=adam"]`` → nested dict of TOML values.

    A value is read as TOML (``500``, ``0.1``, ``true``, ``"x"``, ``[1, 2]``); anything
    that is not valid TOML is taken as a bare string. ``experiment`` cannot be overridden
    (it chooses the schema the rest is checked against), and a value is one line: a line
    break could smuggle in a table of its own.

    Example:
      >>> print(parse_set(["train.steps=500", "optimizer.name=adam", "data.sizes=[1, 2]"]))
      {'train': {'steps': 500}, 'optimizer': {'name': 'adam'}, 'data': {'sizes': [1, 2]}}
    """
    out: dict = {}
    for item in assignments:
        shown = S.show(item)
        if "=" not in item:
            raise ConfigError(f"--set {shown}: expected KEY.PATH=VALUE")
        key, text = item.split("=", 1)
        parts = key.strip().split(".")
        if not all(parts):
            raise ConfigError(f"--set {shown}: empty key")
        if parts == ["experiment"]:
            raise ConfigError(f"--set {shown}: experiment cannot be overridden; it names the "
                              "experiment the config was written for (use another config)")
        if any(c in text for c in "\n\r\x00"):
            raise ConfigError(f"--set {shown}: a value must be one line (no line breaks)")
        try:
            parsed = tomllib.loads(f"v = {text}")
            if set(parsed) != {"v"}:
                raise ConfigError(f"--set {shown}: one value per --set")
            value = parsed["v"]
        except tomllib.TOMLDecodeError:
            value = text
        except RecursionError:
            raise ConfigError(f"--set {shown}: nested too deeply") from None
        except ValueError as exc:  # e.g. an integer of more than sys.get_int_max_str_digits()
            raise ConfigError(f"--set {shown}: {S.number_problem(exc)}") from None
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
    """A config file's TOML; every way it can be unreadable is one ConfigError line."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: no such config file")
    try:
        with open(p, "rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: malformed TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{p}: arrays or tables nested too deeply to read") from None
    except MemoryError:
        raise ConfigError(f"{p}: too large to read") from None
    except ValueError as exc:
        raise ConfigError(f"{p}: {S.number_problem(exc)}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read: {exc}") from None


def prepare(path: str | os.PathLike, sets: list[str] | tuple[str, ...] = (),
            tour: bool = False) -> Prepared:
    """Read, merge (``[tour]`` overrides when ``tour``, then ``--set``), and validate.

    Raises ConfigError with the file's name in front of the message.
    """
    return prepare_raw(read_toml(path), path, sets, tour)


def prepare_raw(raw: dict, path: str | os.PathLike, sets: list[str] | tuple[str, ...] = (),
                tour: bool = False) -> Prepared:
    """:func:`prepare` for a config already parsed (``raw``, as from ``tomllib``), read as if
    from ``path`` (relative paths resolve from its folder). Nothing is created on disk.

    Example:
      >>> prep = prepare_raw({"experiment": "gradient_descent", "train": {"steps": 3}},
      ...                    "demo.toml", ["optimizer.lr=0.2"])
      >>> print(prep.name, prep.cfg.train.steps, prep.cfg.optimizer.lr)
      demo 3 0.2
    """
    p = Path(path)
    raw = dict(raw)
    try:
        tour_table = raw.pop("tour", {})
        if not isinstance(tour_table, dict):
            raise ConfigError("[tour] must be a table of overrides")
        tour_table = dict(tour_table)
        if "experiment" in tour_table:
            raise ConfigError("tour.experiment: experiment cannot be overridden")
        expect = tour_table.pop("expect", "ok")
        if expect not in S.TOUR_EXPECT:
            raise ConfigError(f"tour.expect = {S.show(expect)} is not allowed; expected one of "
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
        if hasattr(module, "memory_bytes"):
            check_memory(int(module.memory_bytes(cfg)))
    except ConfigError as exc:
        # One line, whatever the check wrote (an expression's error may add a caret line).
        lines = str(exc).splitlines() or [type(exc).__name__]
        raise ConfigError(f"{p}: {lines[0]}") from None
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


def available_memory() -> int:
    """Bytes of memory available to a new allocation now (``MemAvailable`` in
    /proc/meminfo, else psutil, else the physical memory).

    Example:
      >>> print(available_memory() > 0)
      True
    """
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except ImportError:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def _gb(n: int) -> str:
    return f"{n / 1e9:.3g} GB" if n >= 1e8 else f"{n / 1e6:.3g} MB"


def check_memory(needed: int, available: int | None = None) -> None:
    """Refuse, before any work, a run whose memory estimate exceeds what is available.

    Example:
      >>> check_memory(10**6, available=10**9)
      >>> try:
      ...     check_memory(320 * 10**9, available=16 * 10**9)
      ... except ConfigError as e:
      ...     print(e)
      this run needs about 320 GB of memory and 16 GB is available; lower the sizes
    """
    available = available_memory() if available is None else available
    if needed > available:
        raise ConfigError(f"this run needs about {_gb(needed)} of memory and {_gb(available)} "
                          "is available; lower the sizes")


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
    """Write JSON to a temporary file, then rename it over ``path``: a reader sees the old
    file or the new one, never half. A failed write raises WriteError naming ``path``."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(obj, f, indent=2, sort_keys=False)
            f.write("\n")
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise write_error(path, exc) from None


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

    The run's dtype is scoped to it: ``jax.enable_x64`` as a context around the run, never
    a change of the process's global flag. SIGINT and SIGTERM end the run as status
    ``interrupted`` (exit 130) with the metrics logged so far kept, even when the first
    ``KeyboardInterrupt`` was swallowed (see :mod:`mlmath_jax.runner.signals`). A write
    that fails (disk full) ends it as ``error`` naming the file; if summary.json itself
    cannot be written, WriteError is raised. A bug's exception is recorded as ``failed``
    and re-raised.
    """
    with signals.installed():
        signals.check()  # a Ctrl-C during start-up: no run directory for it
        import jax

        with jax.enable_x64(prep.cfg.dtype == "float64"):
            return _execute(prep, out_root, run_dir, quiet, interactive)


def _execute(prep, out_root, run_dir, quiet, interactive) -> Outcome:
    import jax
    import jax.numpy as jnp

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
    status, message, metrics, pending = "ok", "", {}, None
    start = time.perf_counter()
    try:
        write_json_atomic(run_dir / "summary.json", summary)
        metrics = prep.module.run(cfg, jax.random.key(cfg.seed), ctx) or {}
        signals.check()  # an interrupt swallowed where no safe point came after it
        ctx.close()
    except Diverged as exc:
        status, message = "diverged", f"diverged at step {exc.step}"
        metrics = {"diverged_step": exc.step}
    except UserError as exc:
        status, message = "error", str(exc)
    except KeyboardInterrupt:
        how = signals.requested() or "SIGINT"
        status, message = "interrupted", ("interrupted by the user (Ctrl-C)" if how == "SIGINT"
                                          else f"interrupted by {how}")
        signals.reset()  # recorded: the caller sees status interrupted (a tour stops)
    except OSError as exc:  # a write the run made itself, without the context's helpers
        where = exc.filename or run_dir
        status, message = "error", f"{where}: cannot write: {exc.strerror or exc}"
    except BaseException as exc:  # a bug: record it, then let the traceback through
        status, message, pending = "failed", f"{type(exc).__name__}: {exc}", exc
    wall = time.perf_counter() - start
    with contextlib.suppress(OSError, UserError):
        ctx.close()
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
    try:
        write_report(run_dir, summary, cfg.to_dict(), lesson=lesson, config_path=prep.path)
    except OSError as exc:
        if status in ("ok", "diverged"):
            status, message = "error", str(write_error(run_dir / "report.html", exc))
            summary.update(status=status, message=message)
    write_json_atomic(run_dir / "summary.json", summary)  # WriteError if even this fails
    if pending is not None:
        raise pending
    return Outcome(status, run_dir, summary, EXIT[status], message)
