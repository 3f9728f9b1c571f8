"""What the learner has solved: a small JSON file in the user's data folder (never in
the checkout): $MLMATH_DATA_DIR, else $XDG_DATA_HOME/mlmath_jax, else
~/.local/share/mlmath_jax."""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path


def data_dir() -> Path:
    """The folder that holds ``progress.json``."""
    if os.environ.get("MLMATH_DATA_DIR"):
        return Path(os.environ["MLMATH_DATA_DIR"])
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "mlmath_jax"


def _file() -> Path:
    return data_dir() / "progress.json"


def solved() -> dict[str, str]:
    """Exercise name → when it was first solved (ISO time); {} without a progress file."""
    try:
        data = json.loads(_file().read_text())
    except (OSError, ValueError):
        return {}
    got = data.get("solved", {}) if isinstance(data, dict) else {}
    return {str(k): str(v) for k, v in got.items()} if isinstance(got, dict) else {}


def mark_solved(name: str) -> None:
    """Record exercise ``name`` as solved (keeps the first time)."""
    done = solved()
    if name in done:
        return
    done[name] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    path = _file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"solved": done}, indent=1, sort_keys=True))
    tmp.replace(path)
