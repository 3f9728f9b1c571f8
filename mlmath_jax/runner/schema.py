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

# The largest integer an Int key takes unless its schema says otherwise: JAX indexes and
# counts in int32, so a larger count cannot run (it overflows) whatever the key means.
INT_MAX = 2**31 - 1


def show(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, so an error message stays one short line
    whatever the user typed (a 5,000-digit integer, a deeply nested array).

    Example:
      >>> print(show(10**80))
      100000000000000000000000000000000000000000000000000000000000… (81 characters)
      >>> print(show("train.steps=1"))
      'train.steps=1'
    """
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # too deep to print, or too many digits
        return f"<{_type_name(value)} too large to show>"
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def number_problem(exc: ValueError) -> str:
    """The one-line reason for a ValueError raised while reading a number.

    Example:
      >>> import tomllib
      >>> try:
      ...     tomllib.loads("n = " + "9" * 5000)
      ... except ValueError as e:
      ...     print(number_problem(e))
      an integer with more than 4300 digits; integers here have at most 10 digits
    """
    text = str(exc)
    if "digits" in text:
        import sys

        return (f"an integer with more than {sys.get_int_max_str_digits()} digits; "
                f"integers here have at most {len(str(INT_MAX))} digits")
    return text.splitlines()[0] if text else type(exc).__name__


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
        return ConfigError(f"{where} = {show(value)} is not allowed; expected {self.allowed()}")


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
    """An integer in ``[min, max]``; ``max`` defaults to :data:`INT_MAX`.

    Example:
      >>> print(Int(10, min=1).check(500, "train.steps"))
      500
      >>> try:
      ...     Int(10, min=1).check(10**12, "train.steps")
      ... except ConfigError as e:
      ...     print(e)
      train.steps = 1000000000000 is not allowed; expected an integer >= 1 and <= 2147483647
    """

    min: int | None = None
    max: int | str | None = None  # a string names another key: "data.n"

    @property
    def upper(self) -> int:
        return INT_MAX if self.max is None or isinstance(self.max, str) else min(self.max,
                                                                                  INT_MAX)

    def allowed(self) -> str:
        r = _range_text(self.min, self.max if isinstance(self.max, str) else self.upper,
                        None, None)
        return f"an integer {r}".strip()

    def check(self, value, where):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} must be an integer, got {_type_name(value)} "
                              f"{show(value)}")
        if not _in_range(value, self.min, self.upper, None, None):
            raise self._bad(where, value)
        return value


@dataclass(frozen=True)
class Float(Field):
    """A finite number (an integer is taken as a float) within the bounds given.

    Example:
      >>> print(Float(0.1, gt=0).check(1, "optimizer.lr"))
      1.0
      >>> try:
      ...     Float(0.1, gt=0).check(float("nan"), "optimizer.lr")
      ... except ConfigError as e:
      ...     print(e)
      optimizer.lr = nan is not allowed; expected a finite number > 0
    """

    min: float | None = None
    max: float | None = None
    gt: float | None = None
    lt: float | None = None

    def allowed(self) -> str:
        r = _range_text(self.min, self.max, self.gt, self.lt)
        return f"a finite number {r}".strip()

    def check(self, value, where):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where} must be a number, got {_type_name(value)} {show(value)}")
        try:
            value = float(value)
        except OverflowError:  # an integer beyond float range
            raise self._bad(where, value) from None
        if not math.isfinite(value) or not _in_range(value, self.min, self.max, self.gt,
                                                     self.lt):
            raise self._bad(where, value)
        return value


@dataclass(frozen=True)
class Bool(Field):
    """``true`` or ``false`` (not 0 or 1).

    Example:
      >>> print(Bool(False).check(True, "plot.log"))
      True
    """

    def allowed(self) -> str:
        return "true or false"

    def check(self, value, where):
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false, got {_type_name(value)} "
                              f"{show(value)}")
        return value


@dataclass(frozen=True)
class Str(Field):
    """A string, one of ``choices`` when given (the closest is suggested on a typo).

    Example:
      >>> try:
      ...     Str("sgd", choices=("sgd", "adam")).check("adma", "optimizer.name")
      ... except ConfigError as e:
      ...     print(e)
      optimizer.name = 'adma' is not allowed (did you mean 'adam'?); expected one of 'sgd', 'adam'
    """

    choices: tuple[str, ...] | None = None

    def allowed(self) -> str:
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        return "a string"

    def check(self, value, where):
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string, got {_type_name(value)} {show(value)}")
        if self.choices and value not in self.choices:
            hint = difflib.get_close_matches(value, self.choices, n=1)
            extra = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise ConfigError(f"{where} = {show(value)} is not allowed{extra}; expected "
                              f"{self.allowed()}")
        return value


@dataclass(frozen=True)
class Path(Field):
    """A path to a file (``kind="file"``, the default) or a folder (``kind="dir"``).
    Relative paths are taken from the config file's folder first, then from the working
    directory. ``default=None`` makes the key optional; ``must_exist=False`` allows a path
    that does not exist yet (the experiment makes it), but never one of the wrong kind.

    Example:
      >>> import tempfile
      >>> folder = tempfile.mkdtemp()
      >>> print(Path(None, kind="dir").check(folder, "data.folder") == folder)
      True
      >>> try:
      ...     Path(None).check(folder, "data.path")
      ... except ConfigError as e:
      ...     print(str(e).endswith("is a folder; expected a path to an existing file"))
      True
    """

    must_exist: bool = True
    kind: str = "file"

    def __post_init__(self):
        if self.kind not in ("file", "dir"):
            raise TypeError(f"Path(kind={self.kind!r}): expected 'file' or 'dir'")

    def allowed(self) -> str:
        what = "file" if self.kind == "file" else "folder"
        return f"a path to an existing {what}" if self.must_exist else f"a path to a {what}"

    def check(self, value, where, base: _Path | None = None):
        if value is None:
            return None
        if not isinstance(value, str) or not value or "\x00" in value:
            raise ConfigError(f"{where} must be a path string, got {_type_name(value)} "
                              f"{show(value)}")
        try:
            p = _Path(value).expanduser()
            if not p.is_absolute():
                candidates = ([base / p] if base is not None else []) + [_Path.cwd() / p]
                p = next((c for c in candidates if c.exists()), _Path.cwd() / p)
            exists, is_dir = p.exists(), p.is_dir()
        except (OSError, RuntimeError) as exc:  # a name too long, a loop of links, no ~user
            reason = getattr(exc, "strerror", None) or str(exc)
            raise ConfigError(f"{where} = {show(value)}: {reason}") from None
        if exists and is_dir != (self.kind == "dir"):
            what = "a folder" if is_dir else "a file"
            raise ConfigError(f"{where} = {show(value)}: is {what}; expected {self.allowed()}")
        if self.must_exist and not exists:
            raise ConfigError(f"{where} = {show(value)}: no such "
                              f"{'file' if self.kind == 'file' else 'folder'}")
        return str(p)


@dataclass(frozen=True)
class List(Field):
    """An array of ``item`` values, with ``min_len <= length <= max_len``.

    Example:
      >>> print(List([1.0], item=Float(0.0), min_len=1).check([1, 2.5], "poly.coeffs"))
      [1.0, 2.5]
    """

    item: Field = field(default_factory=lambda: Float(0.0))
    min_len: int = 0
    max_len: int | None = None

    def allowed(self) -> str:
        n = f" of length >= {self.min_len}" if self.min_len else ""
        return f"an array{n} of {self.item.allowed()}"

    def check(self, value, where):
        if not isinstance(value, list):
            raise ConfigError(f"{where} must be an array, got {_type_name(value)} {show(value)}")
        if len(value) < self.min_len or (self.max_len is not None and len(value) > self.max_len):
            raise self._bad(where, value)
        return [self.item.check(v, f"{where}[{i}]") for i, v in enumerate(value)]


class Config(dict):
    """A resolved config: a dict with attribute access to its keys and sub-tables.

    Example:
      >>> cfg = Config(train=Config(steps=5))
      >>> print(cfg.train.steps, cfg.to_dict())
      5 {'train': {'steps': 5}}
    """

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
    """Deep-merge ``overrides`` into a copy of ``base`` (tables merge, values replace).

    Example:
      >>> print(merge({"train": {"steps": 5, "lr": 0.1}}, {"train": {"steps": 9}}))
      {'train': {'steps': 9, 'lr': 0.1}}
    """
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

    Example:
      >>> schema = {"train": {"steps": Int(10, min=1)}}
      >>> cfg = resolve({"experiment": "demo", "train": {"steps": 3}}, schema)
      >>> print(cfg.train.steps, cfg.dtype, cfg.seed)
      3 float32 0
      >>> try:
      ...     resolve({"train": {"stpes": 3}}, schema)
      ... except ConfigError as e:
      ...     print(e)
      unknown key 'train.stpes'; did you mean 'train.steps'? allowed in [train]: steps
    """
    full = {**TOP_LEVEL, **schema}
    cfg = _resolve_table(raw, full, "", base_dir)
    _check_linked(cfg, cfg, full, "")
    return cfg


def _lookup(cfg: Config, dotted: str):
    node = cfg
    for part in dotted.split("."):
        node = node[part]
    return node


def _check_linked(cfg: Config, node: Config, schema: dict, prefix: str) -> None:
    """Bounds that name another key (``Int(32, min=2, max="data.n")``), checked once every
    key has its value."""
    for key, spec in schema.items():
        if isinstance(spec, dict):
            _check_linked(cfg, node[key], spec, f"{prefix}{key}.")
        elif isinstance(spec, Int) and isinstance(spec.max, str):
            limit, value = _lookup(cfg, spec.max), node[key]
            if value is not None and value > limit:
                raise ConfigError(f"{prefix}{key} = {value} is not allowed; expected an "
                                  f"integer <= {spec.max} (= {limit})")


def describe(schema: dict, prefix: str = "") -> list[tuple[str, str, str]]:
    """(key, default, allowed) rows for documentation and ``mlmath list --keys``.

    Example:
      >>> print(describe({"train": {"steps": Int(10, min=1, max=100)}}))
      [('train.steps', '10', 'an integer >= 1 and <= 100')]
    """
    rows = []
    for key, spec in schema.items():
        if isinstance(spec, dict):
            rows += describe(spec, f"{prefix}{key}.")
        else:
            rows.append((f"{prefix}{key}", repr(spec.default), spec.allowed()))
    return rows
