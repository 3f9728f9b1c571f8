"""The child process of :func:`mlmath_jax.exercises.run_file`: import the learner's file,
grade its function, write the report as JSON. Run as
``python -m mlmath_jax.exercises._child FILE NAME OUT.json CPU_S MEM_MB``."""

from __future__ import annotations

import importlib.util
import json
import sys


def _write(out: str, data: dict) -> None:
    with open(out, "w") as f:
        json.dump(data, f)


def main(path: str, name: str, out: str) -> int:
    from mlmath_jax import exercises
    from mlmath_jax.exercises._grading import error_line

    try:
        exercises.get(name)
    except ValueError as exc:
        _write(out, {"error": f"{exc}; name the file NAME.py or pass --name"})
        return 2
    fname = path.rsplit("/", 1)[-1]
    spec = importlib.util.spec_from_file_location("learner_exercise", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)  # the learner's file: the one program run on purpose
    except MemoryError:
        raise
    except BaseException as exc:
        line = getattr(exc, "lineno", None)
        if line is None and exc.__traceback__ is not None:
            tb = exc.__traceback__
            while tb.tb_next is not None:
                tb = tb.tb_next
            line = tb.tb_lineno if tb.tb_frame.f_code.co_filename == path else None
        at = f" (line {line})" if line else ""
        _write(out, {"error": f"{fname} does not import{at}: {error_line(exc)}"})
        return 2
    fn = getattr(module, name, None)
    if not callable(fn):
        _write(out, {"error": f"{fname} has no function {name}(...): define "
                              f"`def {name}({exercises.get(name).signature}):`"})
        return 2
    report = exercises.check(fn, name)
    _write(out, {"exercise": report.exercise,
                 "checks": [[c.name, c.passed, c.message] for c in report.checks]})
    return 0


if __name__ == "__main__":
    from mlmath_jax.exercises._sandbox import set_limits

    set_limits(float(sys.argv[4]), int(sys.argv[5]))
    sys.exit(main(*sys.argv[1:4]))
