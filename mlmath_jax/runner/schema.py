"""Config schemas: each experiment declares its keys once, typed, with defaults and ranges.

An experiment module writes::

    SCHEMA = {
        "data": {"n": Int(200, min=1, help="examples")},
        "optimizer": {"lr": Float(0.1, gt=0)},
        "train": {"steps": Int(500, min=1), "log_every": Int(50, min=1)},
    }

and :func:`resolve` turns a parsed TOML file into a :class:`Config` (attribute access:
``cfg.train.steps``), refusing unknown keys (with the closest valid key suggested), wrong
types, out-of-range values and missing files with a :class:`ConfigError` that names the
file, the key and what is allowed.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from pathlib import Path as _Path
from typing import Any

from mlmath_jax.errors import ConfigError

DTYPES = ("float32", "float64")


def _type_name(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "float", str: "string", list: "array",
            dict: "table"}.get(type(value), type(value).__name__)


@dataclass(frozen=True)
class Field:
    """Base class: a typed key with a default."""

    default: Any
    help: str = ""

    def allowed(self) -> str:  # pragma: no cover - overridden
        return "any value"

    def check(self, value: Any, where: str) -> Any:  # pragma: no cover - overridden
        return value

    def _bad(self, where: str, value: Any) -> ConfigError:
        return ConfigError(f"{where} = {value!r} is not allowed; expected {self.allowed()}")


def _range_text(lo, hi, gt, lt) -> str:
    parts = []
    if gt is not None:
        parts.append(f"> {gt}")
    if lo is not None:
        parts.append(f">= {lo}")
    if lt is not None:
        parts.append(f"< {lt}")
    if hi is not None:
        parts.append(f"<= {hi}")
    return " and ".join(parts)


def _in_range(v, lo, hi, gt, lt) -> bool:
    return ((lo is None or v >= lo) and (hi is None or v <= hi) and (gt is None or v > gt)
            and (lt is None or v < lt))


@dataclass(frozen=True)
class Int(Field):
    min: int | None = None
    max: int | None = None

    def allowed(self) -> str:
        r = _range_text(self.min, self.max, None, None)
        return f"an integer {r}".strip()

    def check(self, value, where):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} must be an integer, got {_type_name(value)} {value!r}")
        if not _in_range(value, self.min, self.max, None, None):
            raise self._bad(where, value)
        return value


@dataclass(frozen=True)
class Float(Field):
    min: float | None = None
    max: float | None = None
    gt: float | None = None
    lt: float | None = None

    def allowed(self) -> str:
        r = _range_text(self.min, self.max, self.gt, self.lt)
        return f"a finite number {r}".strip()

    def check(self, value, where):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where} must be a number, got {_type_name(value)} {value!r}")
        value = float(value)
        if not math.isfinite(value) or not _in_range(value, self.min, self.max, self.gt,
                                                     self.lt):
            raise self._bad(where, value)
        return value


@dataclass(frozen=True)
class Bool(Field):
    def allowed(self) -> str:
        return "true or false"

    def check(self, value, where):
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false, got {_type_name(value)} {value!r}")
        return value


@dataclass(frozen=True)
class Str(Field):
    choices: tuple[str, ...] | None = None

    def allowed(self) -> str:
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        return "a string"

    def check(self, value, where):
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string, got {_type_name(value)} {value!r}")
        if self.choices and value not in self.choices:
            hint = difflib.get_close_matches(value, self.choices, n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise ConfigError(f"{where} = {value!r} is not allowed{extra}; expected "
                              f"{self.allowed()}")
        return value


@dataclass(frozen=True)
class Path(Field):
    """A file path. Relative paths are taken from the config file's folder first, then from
    the working directory. ``default=None`` makes the key optional."""

    must_exist: bool = True

    def allowed(self) -> str:
        return "a path to an existing file" if self.must_exist else "a path"

    def check(self, value, where, base: _Path | None = None):
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where} must be a path string, got {_type_name(value)} "
                              f"{value!r}")
        p = _Path(value).expanduser()
        if not p.is_absolute():
            candidates = ([base / p] if base is not None else []) + [_Path.cwd() / p]
            p = next((c for c in candidates if c.exists()), _Path.cwd() / p)
        if self.must_exist and not p.exists():
            raise ConfigError(f"{where} = {value!r}: no such file")
        return str(p)


@dataclass(frozen=True)
class List(Field):
    item: Field = field(default_factory=lambda: Float(0.0))
    min_len: int = 0
    max_len: int | None = None

    def allowed(self) -> str:
        n = f" of length >= {self.min_len}" if self.min_len else ""
        return f"an array{n} of {self.item.allowed()}"

    def check(self, value, where):
        if not isinstance(value, list):
            raise ConfigError(f"{where} must be an array, got {_type_name(value)} {value!r}")
        if len(value) < self.min_len or (self.max_len is not None and len(value) > self.max_len):
            raise self._bad(where, value)
        return [self.item.check(v, f"{where}[{i}]") for i, v in enumerate(value)]


class Config(dict):
    """A resolved config: a dict with attribute access to its keys and sub-tables."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def to_dict(self) -> dict:
        return {k: v.to_dict() if isinstance(v, Config) else v for k, v in self.items()}


# Keys every config may have, beside the experiment's own tables.
TOP_LEVEL = {
    "experiment": Str(""),
    "description": Str("", help="one line shown by `mlmath list`"),
    "seed": Int(0, min=0, max=2**32 - 1, help="PRNG seed"),
    "dtype": Str("float32", choices=DTYPES, help="floating-point dtype of the run"),
}
TOUR_EXPECT = ("ok", "diverged")


def _suggest(key: str, allowed: list[str], prefix: str) -> str:
    hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
    return f"did you mean {prefix + hint[0]!r}? " if hint else ""


def _resolve_table(raw: dict, schema: dict, prefix: str, base: _Path | None) -> Config:
    out = Config()
    for key, value in raw.items():
        where = f"{prefix}{key}"
        if key not in schema:
            allowed = sorted(schema)
            raise ConfigError(f"unknown key {where!r}; {_suggest(key, allowed, prefix)}"
                              f"allowed{' in [' + prefix[:-1] + ']' if prefix else ''}: "
                              f"{', '.join(allowed)}")
        spec = schema[key]
        if isinstance(spec, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{where} must be a table [{where}], got "
                                  f"{_type_name(value)}")
            out[key] = _resolve_table(value, spec, f"{where}.", base)
        elif isinstance(spec, Path):
            out[key] = spec.check(value, where, base)
        else:
            out[key] = spec.check(value, where)
    for key, spec in schema.items():
        if key not in out:
            out[key] = (_resolve_table({}, spec, f"{prefix}{key}.", base)
                        if isinstance(spec, dict)
                        else spec.check(spec.default, f"{prefix}{key}")
                        if isinstance(spec, Path) and spec.default is not None
                        else spec.default)
    return out


def merge(base: dict, overrides: dict) -> dict:
    """Deep-merge ``overrides`` into a copy of ``base`` (tables merge, values replace)."""
    out = dict(base)
    for k, v in overrides.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = v
    return out


def resolve(raw: dict, schema: dict, base_dir: _Path | None = None) -> Config:
    """Validate ``raw`` (a parsed config, ``[tour]`` removed) against ``schema``.

    Raises ConfigError naming the key and what is allowed. Returns a :class:`Config`
    with every default filled in.
    """
    full = {**TOP_LEVEL, **schema}
    return _resolve_table(raw, full, "", base_dir)


def describe(schema: dict, prefix: str = "") -> list[tuple[str, str, str]]:
    """(key, default, allowed) rows for documentation and ``mlmath list --keys``."""
    rows = []
    for key, spec in schema.items():
        if isinstance(spec, dict):
            rows += describe(spec, f"{prefix}{key}.")
        else:
            rows.append((f"{prefix}{key}", repr(spec.default), spec.allowed()))
    return rows
