"""Execute the tutorial notebooks and build the documentation site, offline.

    python docs/site.py notebooks [NAME ...]   execute notebooks/*.md → notebooks/_build/*.ipynb
    python docs/site.py docs                   execute what is stale, then build docs/_build/html

(``python3 dev.py notebooks`` / ``python3 dev.py docs`` run these in the checkout's .venv.)
The notebooks are MyST-markdown text notebooks (jupytext); each is executed by nbclient in
an ipykernel that runs *this* interpreter with this checkout first on ``PYTHONPATH``. The
site reads the executed ``.ipynb`` files (myst-nb, ``nb_execution_mode = "off"``), so
building the site never runs a cell twice.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
EXECUTED = NOTEBOOKS / "_build"
DOCS = ROOT / "docs"
HTML = DOCS / "_build" / "html"
KERNEL = "mlmath-jax"


def sources() -> list[Path]:
    """The text notebooks, in chapter order (their file names start with a number)."""
    return sorted(NOTEBOOKS.glob("[0-9]*.md"))


def _kernel_manager():
    """A kernel that is this interpreter (the venv's python), whatever kernelspecs the
    user has installed elsewhere."""
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpecManager

    spec_dir = EXECUTED / "kernels" / KERNEL
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python (mlmath_jax)", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    ksm = KernelSpecManager(kernel_dirs=[str(spec_dir.parent)], ensure_native_kernel=False)
    return KernelManager(kernel_name=KERNEL, kernel_spec_manager=ksm)


def _kernel_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env.pop("MPLBACKEND", None)  # ipykernel then draws figures inline into the outputs
    env.setdefault("JAX_PLATFORMS", "cpu")
    env.setdefault("MLMATH_CACHE_DIR", str(ROOT / ".jax_cache"))
    # JAX's persistent compilation cache, so a second run of a notebook compiles little
    env.setdefault("JAX_COMPILATION_CACHE_DIR", env["MLMATH_CACHE_DIR"])
    env.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0.2")
    return env


def execute(src: Path, timeout: int = 300):
    """Execute one text notebook; writes ``notebooks/_build/<name>.ipynb`` and returns
    ``(seconds, error)`` where ``error`` is None or the failing cell's error text."""
    import jupytext
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = jupytext.read(src)
    EXECUTED.mkdir(parents=True, exist_ok=True)
    client = NotebookClient(nb, km=_kernel_manager(), timeout=timeout,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    start = time.perf_counter()
    error = None
    try:
        # cleanup_kc: nbclient shuts down only kernels it started itself; this one came
        # from our KernelManager and would stay alive, idle, until the process ends
        client.execute(env=_kernel_env(), cleanup_kc=True)
    except CellExecutionError as exc:
        error = str(exc)
    seconds = time.perf_counter() - start
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata.pop("jupytext", None)
    nbformat.write(nb, EXECUTED / f"{src.stem}.ipynb")
    return seconds, error


def stale(src: Path) -> bool:
    out = EXECUTED / f"{src.stem}.ipynb"
    return not out.exists() or out.stat().st_mtime < src.stat().st_mtime


def run_notebooks(names: list[str] | None = None, only_stale: bool = False) -> int:
    failed = 0
    for src in sources():
        if names and src.stem not in names:
            continue
        if only_stale and not stale(src):
            continue
        seconds, error = execute(src)
        print(f"{src.name}: {'FAILED' if error else 'ok'} in {seconds:.1f} s", flush=True)
        if error:
            print(error, file=sys.stderr)
            failed += 1
    return 1 if failed else 0


def copy_notebooks() -> None:
    """Put the executed notebooks where Sphinx reads them (``docs/notebooks/``)."""
    dst = DOCS / "notebooks"
    dst.mkdir(exist_ok=True)
    wanted = {f"{s.stem}.ipynb" for s in sources()}
    for old in dst.glob("*.ipynb"):
        if old.name not in wanted:
            old.unlink()
    for name in sorted(wanted):
        src = EXECUTED / name
        if not src.exists():
            raise SystemExit(f"{src} is missing: run `python3 dev.py notebooks` first")
        if not (dst / name).exists() or (dst / name).read_bytes() != src.read_bytes():
            shutil.copyfile(src, dst / name)


def build(out: Path = HTML, fresh: bool = False) -> subprocess.CompletedProcess:
    """Build the site with warnings as errors; returns the finished sphinx process."""
    copy_notebooks()
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q"]
    if fresh:
        cmd.append("-E")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    env.setdefault("MPLBACKEND", "Agg")
    return subprocess.run([*cmd, str(DOCS), str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True)


def main(argv: list[str]) -> int:
    cmd, rest = (argv[0], argv[1:]) if argv else ("docs", [])
    if cmd == "notebooks":
        return run_notebooks(rest or None)
    if cmd == "docs":
        if run_notebooks(only_stale=True):
            return 1
        start = time.perf_counter()
        proc = build(fresh="--fresh" in rest)
        sys.stdout.write(proc.stdout)
        sys.stderr.write(proc.stderr)
        print(f"built {HTML / 'index.html'} in {time.perf_counter() - start:.1f} s"
              if proc.returncode == 0 else "the documentation build failed")
        return proc.returncode
    print(f"site.py: unknown command {cmd!r}; use notebooks or docs", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
