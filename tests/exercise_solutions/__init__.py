"""Solutions to the exercises, for the tests only (not shipped in the package).

Each chapter module defines ``CORRECT`` (exercise name → a right answer) and ``WRONG``
(a list of ``(exercise, function, expected diagnosis)``: typical mistakes and the check
that must catch each)."""

from tests.exercise_solutions import algebra, calculus, explog, linalg, nn, optim, prob, trig

MODULES = (algebra, explog, trig, linalg, calculus, prob, optim, nn)
CORRECT = {k: v for m in MODULES for k, v in m.CORRECT.items()}
WRONG = [w for m in MODULES for w in m.WRONG]
