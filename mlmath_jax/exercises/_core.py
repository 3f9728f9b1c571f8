"""Exercise records and the driver that grades a function against its exercise."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from mlmath_jax.exercises._grading import Check, compare, error_line, jit_message

CHAPTERS = ("algebra & functions", "exponents & logs", "trigonometry", "linear algebra",
            "calculus", "probability", "optimization", "neural networks")


class Exercise(NamedTuple):
    """One exercise of the catalogue.

    Attributes:
      name: the exercise's name, also the name of the function the learner writes.
      chapter: one of ``CHAPTERS``.
      title: one line.
      signature: the parameters, as written in the learner's file (``"x"``).
      task: what to compute, with the equation (becomes the function's docstring).
      hints: hints, shown with ``--hint``.
      reference: computes the right answer from the same arguments, with a reference
        library (jax.nn, jax.scipy, jnp.linalg, jnp.fft, numpy, jax.grad, optax).
      cases: ``cases(rng)`` → list of argument tuples (several shapes); with ``vmap`` the
        first two share their shapes.
      extreme: ``(label, args, message)`` inputs where the answer is finite and a naive
        formula is not; ``message`` says what goes wrong and what to do.
      mistakes: ``(name, fn, message)``: typical wrong formulas, recomputed on the same
        inputs; a learner's numbers that match one get its message.
      static: argument positions that are Python values under ``jit``.
      vmap: ``in_axes`` for the ``vmap`` check, or None to skip it.
      elementwise: whether the first argument is ``x`` of the output's shape (enables the
        ``half_domain`` check).
      rtol, atol: tolerances at float32 (looser for iterative methods).
      kind: ``"function"`` or ``"optimizer"`` (the learner returns optax's ``(init,
        update)`` pair; ``reference`` is then the optax factory and ``cases`` gives
        keyword arguments of the factory).
      adapt: turns the learner's function into one of arrays only (for exercises whose
        function takes or returns functions), or None.
      dtype: the dtype every returned array must have, or None.
      imports: import lines for the starter file.
    """

    name: str
    chapter: str
    title: str
    signature: str
    task: str
    hints: tuple = ()
    reference: Callable | None = None
    cases: Callable | None = None
    extreme: tuple = ()
    mistakes: tuple = ()
    static: tuple = ()
    vmap: Any = None
    elementwise: bool = False
    rtol: float = 1e-4
    atol: float = 1e-5
    kind: str = "function"
    adapt: Callable | None = None
    dtype: str | None = "float32"
    imports: str = "import jax.numpy as jnp"


class Report(NamedTuple):
    """What ``check`` found.

    Attributes:
      exercise: the exercise's name.
      solved: True when every check passed.
      checks: the ``Check`` results in the order they ran.
    """

    exercise: str
    solved: bool
    checks: tuple

    @property
    def diagnoses(self) -> tuple:
        """The names of the failing checks."""
        return tuple(c.name for c in self.checks if not c.passed)

    def text(self) -> str:
        """The report as lines: ✓ for a passing check, ✗ for a failing one."""
        lines = [f"{'✓' if c.passed else '✗'} {c.name}: {c.message}" for c in self.checks]
        verdict = "solved" if self.solved else "not solved yet"
        return "\n".join([f"{self.exercise}: {verdict}", *lines])


def rng_for(name: str, inputs: int = 0) -> np.random.Generator:
    """The grader's inputs: a generator seeded by the exercise's name, so a file gets the
    same grade each time (and by ``inputs``, to grade on another set)."""
    if not isinstance(inputs, int) or inputs < 0:
        raise ValueError(f"inputs must be a non-negative integer, got {inputs!r}")
    seed = zlib.crc32(name.encode())
    return np.random.default_rng([seed, inputs] if inputs else seed)


def _call(fn, args):
    try:
        return fn(*args), None
    except Exception as exc:  # the learner's code: any failure is a grade, not a crash
        return None, exc


def _shapes(args) -> str:
    out = [str(tuple(np.shape(a))) if hasattr(a, "shape") else repr(a) for a in args]
    return "args " + ", ".join(out)


def _mistake_outputs(ex, args):
    out = []
    for name, fn, message in ex.mistakes:
        try:
            out.append((name, fn(*args), message))
        except Exception:  # a mistake model that does not apply to these inputs
            continue
    return out


def _pooled(seen, ex):
    """A pattern (sign, factor, offset) over all inputs together: a scalar answer shows
    one only across several inputs."""
    try:
        outs = [_leaves(o) for o, _ in seen]
        refs = [_leaves(r) for _, r in seen]
        if any(len(o) != len(r) or any(a.shape != b.shape for a, b in zip(o, r, strict=True))
               for o, r in zip(outs, refs, strict=True)):
            return None
        po = [np.concatenate([o[i].ravel() for o in outs]) for i in range(len(outs[0]))]
        pr = [np.concatenate([r[i].ravel() for r in refs]) for i in range(len(refs[0]))]
    except (ValueError, TypeError):
        return None
    got = compare(po, pr, rtol=ex.rtol, atol=ex.atol)
    if got and got[0].name in ("sign", "factor", "offset"):
        return got
    return None


def grade_function(fn, ex: Exercise, rng) -> list[Check]:
    import jax

    afn = ex.adapt(fn) if ex.adapt else fn
    cases = ex.cases(rng)
    checks = []
    seen, first = [], None
    for args in cases:
        out, exc = _call(afn, args)
        if exc is not None:
            return [Check("raised", False, f"raised {error_line(exc)} ({_shapes(args)})")]
        ref = ex.reference(*args)
        x = args[0] if ex.elementwise else None
        fails = compare(out, ref, rtol=ex.rtol, atol=ex.atol, x=x,
                        mistakes=_mistake_outputs(ex, args), label=f"({_shapes(args)})")
        seen.append((out, ref))
        if fails and first is None:
            first = fails
        if ex.dtype:
            got = [str(np.asarray(v).dtype) for v in jax.tree.leaves(out)]
            wrong = [g for g in got if g != ex.dtype]
            if wrong:
                return [Check("dtype", False, f"returned {wrong[0]}, expected {ex.dtype}: "
                                              f"compute with jax.numpy on the inputs")]
    if first is not None:
        return (_pooled(seen, ex) if first[0].name == "values" else None) or first
    checks.append(Check("values", True, f"matches the reference on {len(cases)} inputs"))
    for label, args, message in ex.extreme:
        out, exc = _call(afn, args)
        if exc is not None:
            checks.append(Check("raised", False, f"raised {error_line(exc)} at {label}"))
            continue
        fails = compare(out, ex.reference(*args), rtol=ex.rtol, atol=ex.atol,
                        mistakes=_mistake_outputs(ex, args))
        for f in fails:
            if f.name == "not_finite":
                f = f._replace(message=f"{message} ({f.message} at {label})")
            else:
                f = f._replace(message=f"{f.message} at {label}: {message}")
            checks.append(f)
        if not fails:
            checks.append(Check("extreme", True, f"finite and right at {label}"))
    args = cases[0]
    try:
        out = jax.jit(afn, static_argnums=ex.static)(*args)
    except Exception as exc:
        checks.append(Check("jit", False, jit_message(exc)))
    else:
        fails = compare(out, ex.reference(*args), rtol=ex.rtol, atol=ex.atol)
        checks.append(Check("jit", not fails, "works under jax.jit" if not fails else
                            f"other numbers under jit: {fails[0].message}"))
    if ex.vmap is not None and len(cases) > 1:
        a = cases[0]
        b = tuple(v if ax == 0 else u for u, v, ax in zip(a, cases[1], ex.vmap, strict=True))
        batched = tuple(np.stack([u, v]) if ax == 0 else u
                        for u, v, ax in zip(a, b, ex.vmap, strict=True))
        try:
            out = jax.vmap(afn, in_axes=ex.vmap)(*batched)
        except Exception as exc:
            checks.append(Check("vmap", False, f"fails under jax.vmap: {error_line(exc)}"))
        else:
            ref = jax.tree.map(lambda u, v: np.stack([u, v]), ex.reference(*a),
                               ex.reference(*b))
            fails = compare(out, ref, rtol=ex.rtol, atol=ex.atol)
            checks.append(Check("vmap", not fails, "works under jax.vmap" if not fails else
                                f"other numbers under vmap: {fails[0].message}"))
    return checks


STEPS = 10


def _trajectory(pair, params, grads):
    init, update = pair
    state = init(params)
    out = []
    for g in grads:
        u, state = update(g, state)
        out.append(u)
    return out


def grade_optimizer(fn, ex: Exercise, rng) -> list[Check]:
    import jax

    checks = []
    for hyper in ex.cases(rng):
        params = {"w": rng.normal(size=(3, 2)).astype(np.float32),
                  "b": rng.normal(size=(2,)).astype(np.float32)}
        grads = [jax.tree.map(lambda p: rng.normal(size=p.shape).astype(np.float32), params)
                 for _ in range(STEPS)]
        try:
            pair = fn(**hyper)
            init, update = pair
        except Exception as exc:
            return [Check("raised", False, f"{ex.name}(**{hyper}) must return (init, update):"
                                           f" {error_line(exc)}")]
        opt = ex.reference(**hyper)
        ref = _trajectory((opt.init, lambda g, s, o=opt: o.update(g, s, None)), params, grads)
        try:
            mine = _trajectory((init, update), params, grads)
        except Exception as exc:
            return [Check("raised", False, f"raised {error_line(exc)}")]
        agree = [not compare(m, r, rtol=ex.rtol, atol=ex.atol)
                 for m, r in zip(mine, ref, strict=True)]
        if all(agree):
            continue
        for name, factory, message in ex.mistakes:
            try:
                alt = _trajectory(factory(**hyper), params, grads)
            except Exception:
                continue
            if all(not compare(m, a, rtol=ex.rtol, atol=ex.atol)
                   for m, a in zip(mine, alt, strict=True)):
                return [Check(f"mistake:{name}", False, message)]
        k = agree.index(False)
        if k == 0:
            return [c._replace(message=f"{c.message} at step 1 ({hyper})")
                    for c in compare(mine[0], ref[0], rtol=ex.rtol, atol=ex.atol)]
        lm, lr = _leaves(mine[-1]), _leaves(ref[-1])
        rel = max(float(np.max(np.abs(m - r) / (np.abs(r) + 1e-12)))
                  for m, r in zip(lm, lr, strict=True))
        return [Check("drift", False, f"matches optax for {k} step{'s' * (k > 1)} and drifts "
                      f"by step {STEPS} (relative difference {rel:.2g}); check what the state "
                      f"carries from step to step ({hyper})")]
    checks.append(Check("values", True, f"matches optax step by step for {STEPS} steps"))
    hyper = ex.cases(rng)[0]
    init, update = fn(**hyper)
    params = {"w": np.ones((3, 2), np.float32), "b": np.ones((2,), np.float32)}
    g = jax.tree.map(lambda p: 0.5 * p, params)
    try:
        u, _ = jax.jit(update)(g, jax.jit(init)(params))
    except Exception as exc:
        checks.append(Check("jit", False, jit_message(exc)))
    else:
        opt = ex.reference(**hyper)
        fails = compare(u, opt.update(g, opt.init(params), None)[0], rtol=ex.rtol,
                        atol=ex.atol)
        checks.append(Check("jit", not fails, "init and update work under jax.jit"
                            if not fails else f"other numbers under jit: {fails[0].message}"))
    return checks


def _leaves(tree):
    import jax

    return [np.asarray(x) for x in jax.tree.leaves(tree)]


def grade(fn, ex: Exercise, rng) -> Report:
    if not callable(fn):
        raise TypeError(f"{ex.name} must be a function, got {type(fn).__name__}")
    import jax

    run = grade_optimizer if ex.kind == "optimizer" else grade_function
    # Learners write NumPy-style broadcasting ((n, h) + (h,)); grade it as NumPy does,
    # whatever the surrounding process sets.
    with jax.numpy_rank_promotion("allow"):
        checks = tuple(run(fn, ex, rng))
    return Report(ex.name, all(c.passed for c in checks), checks)
