"""Grade a learner's file in a child process (the same interpreter) with a CPU-time and
an address-space limit set in the child (``resource.setrlimit``) and a wall-clock timeout
in the parent, so an infinite loop or a huge allocation ends with one line.

The learner's file is the one program this runs on purpose. The report comes back as
JSON (names, booleans, strings); nothing is unpickled or evaluated in the parent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

from mlmath_jax.exercises._core import Report
from mlmath_jax.exercises._grading import Check

TIME_LIMIT_S = 60.0
MEMORY_LIMIT_MB = 8192


class FileResult(NamedTuple):
    """The outcome of grading a file.

    Attributes:
      exit_code: 0 solved, 1 wrong (including a time or memory limit hit while grading),
        2 the file cannot be graded (does not import, lacks the function, unknown name).
      message: one line when there is no report (an error or a limit), else "".
      report: the :class:`Report`, or None.
    """

    exit_code: int
    message: str
    report: Report | None


def set_limits(cpu_s: float, mem_mb: int) -> None:
    """Limit this process's CPU time and address space (called first thing in the child,
    before jax starts its threads)."""
    import resource

    cpu = max(1, int(cpu_s))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    nbytes = mem_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (nbytes, nbytes))


def run_file(path, name: str | None = None, *, time_limit_s: float = TIME_LIMIT_S,
             memory_limit_mb: int = MEMORY_LIMIT_MB) -> FileResult:
    """Grade the file at ``path`` as exercise ``name`` (default: the file's stem) in a
    child process with the given limits."""
    path = Path(path)
    name = name or path.stem
    if not path.is_file():
        return FileResult(2, f"{path}: no such file", None)
    with tempfile.TemporaryDirectory(prefix="mlmath-exercise-") as tmp:
        out = Path(tmp) / "report.json"
        env = {**os.environ, "JAX_PLATFORMS": os.environ.get("JAX_PLATFORMS", "cpu"),
               "XLA_FLAGS": os.environ.get("XLA_FLAGS", "")}
        cmd = [sys.executable, "-m", "mlmath_jax.exercises._child", str(path.resolve()),
               name, str(out), str(time_limit_s), str(memory_limit_mb)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env,
                                  timeout=time_limit_s)
        except subprocess.TimeoutExpired:
            return FileResult(1, f"{path.name}: stopped after {time_limit_s:g} s (time limit):"
                                 f" an endless loop, or far too much work", None)
        if out.exists():
            data = json.loads(out.read_text())
            if "error" in data:
                return FileResult(2, data["error"], None)
            checks = tuple(Check(str(c[0]), bool(c[1]), str(c[2])) for c in data["checks"])
            rep = Report(str(data["exercise"]), all(c.passed for c in checks), checks)
            return FileResult(0 if rep.solved else 1, "", rep)
        tail = (proc.stderr.strip().splitlines() or [""])[-1]
        if "MemoryError" in proc.stderr or "RESOURCE_EXHAUSTED" in proc.stderr or (
                "bad_alloc" in proc.stderr) or "Out of memory" in proc.stderr:
            return FileResult(1, f"{path.name}: ran out of memory (limit {memory_limit_mb} MB)"
                                 f": an allocation far larger than the inputs", None)
        if proc.returncode in (-9, -24, 152, 137):  # SIGKILL / SIGXCPU
            return FileResult(1, f"{path.name}: stopped at the CPU-time limit "
                                 f"({time_limit_s:g} s)", None)
        return FileResult(1, f"{path.name}: the grader's process ended ({proc.returncode}):"
                             f" {tail}", None)
