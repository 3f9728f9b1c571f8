#!/usr/bin/env python3
"""One-file developer entry point; needs only Python >= 3.11 and the package index.

    python3 dev.py tour      set up .venv (if needed) and run every experiment briefly
    python3 dev.py test      set up .venv (if needed) and run the whole test suite
    python3 dev.py setup     only set up .venv
    python3 dev.py bench     set up .venv (if needed) and run the benchmarks
    python3 dev.py notebooks execute notebooks/*.md into notebooks/_build/*.ipynb
    python3 dev.py docs      execute stale notebooks, build the site into docs/_build/html

Set-up creates a virtual environment inside the checkout (``.venv``) and installs the
package in editable mode with its ``dev`` and ``docs`` extras. It is repeated only when
``pyproject.toml`` changes (a hash is kept in ``.venv/.mlmath-installed``).
Extra arguments after the command are passed on (``python3 dev.py test -k config``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".mlmath-installed"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def _wanted_stamp() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def setup() -> None:
    if not PY.exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if STAMP.exists() and STAMP.read_text().strip() == _wanted_stamp():
        return
    print("installing mlmath_jax[dev,docs] into .venv (first run takes a few minutes)", flush=True)
    pip = [str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[dev,docs]"], check=True)
    STAMP.write_text(_wanted_stamp())


def main(argv: list[str]) -> int:
    cmd, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if cmd in ("help", "-h", "--help"):
        print(__doc__)
        return 0
    if cmd not in ("setup", "tour", "test", "bench", "notebooks", "docs"):
        print(f"dev.py: unknown command {cmd!r}; use one of setup, tour, test, bench, "
              "notebooks, docs",
              file=sys.stderr)
        return 2
    setup()
    os.chdir(ROOT)
    if cmd == "setup":
        return 0
    if cmd == "tour":
        return subprocess.call([str(BIN / "mlmath"), "tour", *rest])
    if cmd in ("notebooks", "docs"):
        return subprocess.call([str(PY), str(ROOT / "docs" / "site.py"), cmd, *rest])
    if cmd == "bench":
        return subprocess.call([str(BIN / "mlmath"), "bench", *rest])
    return subprocess.call([str(PY), "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-q", *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
