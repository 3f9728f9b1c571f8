"""Exercises: the learner writes the mathematics, and the grader checks it against
reference libraries (jax.grad/jacfwd, optax, jax.nn, jax.scipy, jnp.linalg, numpy).

From Python (a notebook)::

    from mlmath_jax import exercises
    report = exercises.check(my_softmax, "softmax")
    print(report.text())

From the shell: ``mlmath exercises``, ``mlmath exercise start NAME``, ``mlmath exercise
check FILE``. A file is graded in a child process with a time and a memory limit
(:func:`run_file`).

Example:
  >>> import jax.numpy as jnp
  >>> report = check(lambda x: 2 * (1 - jnp.tanh(x) ** 2), "tanh_grad")
  >>> report.solved, report.diagnoses
  (False, ('factor',))
  >>> print(report.checks[0].message)
  off by a factor of 2 at every point
"""

from __future__ import annotations

from mlmath_jax.exercises._core import CHAPTERS, Exercise, Report, grade, rng_for
from mlmath_jax.exercises._grading import Check
from mlmath_jax.exercises._progress import data_dir, mark_solved, solved
from mlmath_jax.exercises._sandbox import FileResult, run_file

__all__ = ["CHAPTERS", "Check", "Exercise", "FileResult", "Report", "by_chapter", "check",
           "data_dir", "get", "hint_text", "mark_solved", "markdown", "names", "run_file",
           "solved", "template"]


def _catalogue() -> dict:
    from mlmath_jax.exercises.catalogue import CATALOGUE

    return CATALOGUE


def names() -> list[str]:
    """The exercises' names in catalogue order.

    Example:
      >>> len(names()) >= 40
      True
    """
    return list(_catalogue())


def get(name: str) -> Exercise:
    """The exercise called ``name``.

    Raises:
      ValueError: no exercise has that name (the message lists the close ones).

    Example:
      >>> get("softmax").chapter
      'exponents & logs'
    """
    cat = _catalogue()
    if name not in cat:
        import difflib

        close = difflib.get_close_matches(name, cat, n=3)
        also = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"no exercise named {name!r}{also} (`mlmath exercises` lists them)")
    return cat[name]


def by_chapter() -> dict[str, list[Exercise]]:
    """The exercises grouped by chapter, chapters in teaching order.

    Example:
      >>> list(by_chapter())[0]
      'algebra & functions'
    """
    out = {c: [] for c in CHAPTERS}
    for ex in _catalogue().values():
        out[ex.chapter].append(ex)
    return out


def check(fn, name: str, *, inputs: int = 0) -> Report:
    """Grade ``fn`` as the answer to exercise ``name``, in this process.

    The inputs are generated (several shapes, extreme values) by a generator seeded by the
    exercise's name, so the same function gets the same report each time; pass another
    ``inputs`` number to grade on another set. The answer is computed by a reference
    library on the same inputs, never stored.

    Args:
      fn: the learner's function (for optimizers, the factory returning ``(init, update)``).
      name: the exercise's name.
      inputs: which set of generated inputs (0, the default, is the one every grade uses).

    Returns:
      A :class:`Report` (``solved``, ``checks``, ``diagnoses``).

    Raises:
      ValueError: no exercise has that name. TypeError: ``fn`` is not callable.

    Example:
      >>> import jax.numpy as jnp
      >>> check(lambda x: 1 - jnp.tanh(x) ** 2, "tanh_grad").solved
      True
    """
    ex = get(name)
    return grade(fn, ex, rng_for(name, inputs))


def template(name: str, *, hints: bool = False) -> str:
    """The starter file for exercise ``name``: the signature and the task as docstring.

    Example:
      >>> print(template("tanh_grad").splitlines()[-1].strip())
      raise NotImplementedError("write tanh_grad")
    """
    ex = get(name)
    task = "\n".join(("    " + line).rstrip() for line in ex.task.splitlines())
    hint = ""
    if hints and ex.hints:
        hint = "\n    Hints:\n" + "\n".join(f"      - {h}" for h in ex.hints) + "\n"
    return (f'"""Exercise {ex.name} ({ex.chapter}): {ex.title}.\n\n'
            f"Check your answer with:  mlmath exercise check {ex.name}.py\n"
            f'"""\n\n{ex.imports}\n\n\n'
            f"def {ex.name}({ex.signature}):\n"
            f'    """{ex.title[0].upper()}{ex.title[1:]}.\n\n{task}\n{hint}    """\n'
            f'    raise NotImplementedError("write {ex.name}")\n')


def hint_text(name: str) -> str:
    """The hints of exercise ``name``, one per line.

    Example:
      >>> print(hint_text("relu_grad"))
      - (x > 0).astype(x.dtype)
    """
    return "\n".join(f"- {h}" for h in get(name).hints)


def markdown() -> str:
    """docs/exercises.md, generated from the catalogue (a test keeps the page equal)."""
    lines = ["# Exercises", "",
             "Generated from `mlmath_jax.exercises.catalogue` by "
             "`mlmath_jax.exercises.markdown()`; a test keeps this page equal to it.", "",
             "`mlmath exercises` lists them with your progress; `mlmath exercise start NAME "
             "[DIR]` writes a starter file (`--hint` adds the hints); `mlmath exercise check "
             "FILE` grades it (exit 0 solved, 1 wrong, 2 when the file cannot be graded). "
             "From Python: `mlmath_jax.exercises.check(fn, NAME)`.", "",
             "Optimizer exercises return optax's `(init, update)` pair: `init(params)` → "
             "state, `update(grads, state)` → `(updates, state)`; they are compared with "
             "optax step by step for 10 steps.", ""]
    for chapter, exs in by_chapter().items():
        lines += [f"## {chapter[0].upper()}{chapter[1:]}", "", "| exercise | task |",
                  "|---|---|"]
        lines += [f"| `{e.name}({e.signature})` | {e.title} |" for e in exs]
        lines.append("")
    lines += [f"{len(_catalogue())} exercises in all.", "",
              "For contributors: `tests/exercise_solutions/` holds a correct solution and "
              "at least three typical wrong ones per exercise; the default test run grades "
              "a sample of them, `MLMATH_EXERCISES=all pytest tests/test_exercises.py` "
              "grades every one."]
    return "\n".join(lines) + "\n"
