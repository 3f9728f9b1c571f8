"""The grader: runs a learner's function beside a reference and says what differs.

Every diagnosis is a named check (``Check.name``) so that tests can ask for it:

- ``raised``: the function raised on a valid input.
- ``structure``: a different number or nesting of returned arrays.
- ``transposed``: the right numbers with the last two axes swapped.
- ``shape``: another shape.
- ``dtype``: another dtype than the reference's (float32 in, float32 out).
- ``mistake:<name>``: the numbers of a typical mistake of this exercise, recomputed on the
  same inputs (never a stored answer).
- ``not_finite``: inf or nan where the mathematics is finite (overflow, 0·log 0, …).
- ``conjugated``: the complex conjugate of the answer (the sign of an exponent).
- ``sign``: the negative of the answer at every point.
- ``factor``: a constant multiple of the answer at every point.
- ``offset``: the answer plus a constant at every point.
- ``half_domain``: right for x > 0 and wrong for x < 0, or the reverse.
- ``values``: wrong, with no pattern found; the first wrong entry is shown.
- ``jit`` / ``vmap``: fails, or gives other numbers, under ``jax.jit`` / ``jax.vmap``.
- ``drift``: an update rule that matches optax for some steps and then departs.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Check(NamedTuple):
    """One graded property.

    Attributes:
      name: the check's name (``values``, ``jit``, ``factor``, ``mistake:naive``, …).
      passed: whether the learner's function has the property.
      message: one line saying what was found.
    """

    name: str
    passed: bool
    message: str


def _leaves(tree):
    import jax

    return [np.asarray(x) for x in jax.tree.leaves(tree)]


def _fmt(v) -> str:
    v = complex(v) if np.iscomplexobj(v) else float(v)
    if isinstance(v, complex):
        return f"{v.real:.6g}{v.imag:+.6g}j"
    return f"{v:.6g}"


def _nice_factor(c: float) -> str:
    for k in (2, 3, 4, 0.5, 1 / 3, 0.25):
        if abs(c - k) < 1e-3 * abs(k):
            return {0.5: "1/2", 1 / 3: "1/3", 0.25: "1/4"}.get(k, f"{k:g}")
    return f"{c:.4g}"


def _close(out, ref, rtol, atol):
    return np.isclose(out, ref, rtol=rtol, atol=atol, equal_nan=True)


def error_line(exc: BaseException) -> str:
    """One line for an exception raised by the learner's code."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".strip().rstrip(":")


def jit_message(exc: BaseException) -> str:
    """What a failure under ``jax.jit`` means, from the exception's type."""
    import jax

    errs = jax.errors
    if isinstance(exc, (errs.TracerBoolConversionError, errs.ConcretizationTypeError)):
        return ("fails under jit: a Python `if` (or `while`, `bool`, `float`) on a traced "
                "value; use jnp.where, jax.lax.cond or jax.lax.fori_loop")
    if isinstance(exc, errs.TracerArrayConversionError):
        return "fails under jit: converts a traced value to NumPy; use jax.numpy, not numpy"
    if isinstance(exc, errs.TracerIntegerConversionError):
        return ("fails under jit: uses a traced value as a Python int (a shape, a range, an "
                "index); take it from an array's .shape instead")
    return f"fails under jit: {error_line(exc)}"


def compare(out, ref, *, rtol, atol, x=None, mistakes=(), label="") -> list[Check]:
    """Compare a learner's output pytree with the reference's; return failing checks (empty
    when they agree). ``x`` is the elementwise input for the ``half_domain`` check;
    ``mistakes`` are ``(name, output, message)`` triples computed on the same inputs."""
    where = f" {label}" if label else ""
    lo, lr = _leaves(out), _leaves(ref)
    if len(lo) != len(lr):
        return [Check("structure", False, f"returned {len(lo)} array(s){where}, expected "
                                          f"{len(lr)}")]
    for i, (o, r) in enumerate(zip(lo, lr, strict=True)):
        which = f" (output {i})" if len(lr) > 1 else ""
        if o.shape != r.shape:
            if o.shape == r.shape[::-1] and o.ndim >= 2 and np.allclose(
                    o.T, r, rtol=rtol, atol=atol):
                return [Check("transposed", False, f"returned{which} "
                              f"{o.shape}, expected {r.shape}")]
            return [Check("shape", False, f"wrong shape{which}{where}: returned "
                          f"{o.shape}, expected {r.shape}")]
    bad = [i for i, (o, r) in enumerate(zip(lo, lr, strict=True))
           if not _close(o, r, rtol, atol).all()]
    if not bad:
        return []
    for name, mo, message in mistakes:
        lm = _leaves(mo)
        if len(lm) == len(lr) and all(m.shape == o.shape and _close(o, m, rtol, atol).all()
                                      for m, o in zip(lm, lo, strict=True)):
            return [Check(f"mistake:{name}", False, message)]
    i = bad[0]
    o, r = lo[i], lr[i]
    which = f" (output {i})" if len(lr) > 1 else ""
    o_, r_ = o.ravel(), r.ravel()
    if o.ndim >= 2 and o.shape[-1] == o.shape[-2] and np.allclose(
            np.swapaxes(o, -1, -2), r, rtol=rtol, atol=atol):
        return [Check("transposed", False, f"the transpose{which}: the (i, j) entry "
                                           f"belongs at (j, i)")]
    nonfinite = ~np.isfinite(o_) & np.isfinite(r_)
    if nonfinite.any():
        k = int(np.argmax(nonfinite))
        return [Check("not_finite", False, f"returns {_fmt(o_[k])} where the answer is "
                      f"finite ({_fmt(r_[k])}){which}{where}")]
    if np.iscomplexobj(o) and np.allclose(np.conj(o), r, rtol=rtol, atol=atol):
        return [Check("conjugated", False, f"the complex conjugate of the answer{which}: "
                                           f"the exponent's sign is flipped")]
    big = np.abs(r_) > max(atol * 10, 1e-6)
    if big.sum() >= 2:
        ratio = o_[big] / r_[big]
        c = np.median(ratio.real) if np.iscomplexobj(ratio) else np.median(ratio)
        if c != 0 and np.allclose(o_, c * r_, rtol=rtol * 10, atol=atol * 10):
            if abs(c + 1) < 1e-3:
                return [Check("sign", False, f"sign flipped at every point{which}")]
            return [Check("factor", False, f"off by a factor of {_nice_factor(float(np.real(c)))}"
                                           f" at every point{which}")]
    d = np.median((o_ - r_).real)
    if o_.size >= 2 and d != 0 and np.allclose(o_, r_ + d, rtol=rtol * 10, atol=atol * 10):
        return [Check("offset", False, f"off by a constant {_fmt(d)} at every point{which}")]
    if x is not None and np.shape(x) == o.shape:
        xs = np.asarray(x).ravel()
        wrong = ~_close(o_, r_, rtol, atol)
        for good, badside in ((xs > 0, xs < 0), (xs < 0, xs > 0)):
            if wrong[badside].any() and not wrong[good].any() and good.any() and (
                    wrong[badside].mean() > 0.5):
                g, b = (">", "<") if good is not None and (xs[good] > 0).all() else ("<", ">")
                return [Check("half_domain", False, f"right for x {g} 0, wrong for x {b} 0")]
    wrong = ~_close(o_, r_, rtol, atol)
    k = int(np.argmax(wrong))
    idx = np.unravel_index(k, o.shape) if o.ndim else ()
    at = f" at index {tuple(int(j) for j in idx)}" if o.ndim else ""
    return [Check("values", False, f"wrong at {int(wrong.sum())} of {wrong.size} entries"
                  f"{which}{where}; e.g.{at}: returned {_fmt(o_[k])}, expected {_fmt(r_[k])}")]
