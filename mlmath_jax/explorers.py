# ruff: noqa: E501  (the pages' JavaScript lives in strings with its own line lengths)
"""Explorers: self-contained HTML pages where a learner moves a slider and the mathematics
answers.

Each function here computes a whole family of answers with JAX — one ``vmap`` over the
parameter a slider moves (every learning rate's path, every matrix of the slider lattice,
every start vector, every number of Fourier terms) — embeds the numbers as JSON, and
returns one HTML page whose small hand-written script (no library: about 3–5 kB of plain
JavaScript per page, drawing on ``<canvas>``) only *chooses* among the precomputed
results and draws them. Nothing is approximated in JavaScript: every number shown (a
loss, a determinant, an eigenvalue, a mean-square error) was computed by the library; the
script only maps points to pixels (and, for the transformation page, multiplies the drawn
points by the 2×2 matrix). No request leaves the file: it works opened from disk.

Every page exposes what it draws as ``window.explorer`` (the current control values and
the drawn data), which the browser tests read.

An experiment writes an explorer next to its report with
``ctx.save_explorer(name, html, title)``; the report links it under "Explore".
"""

from __future__ import annotations

import html as _html
import json
import math
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax import lax

from mlmath_jax import linalg, optim, trig
from mlmath_jax._util import as_float
from mlmath_jax.errors import UserError

__all__ = ["gradient_descent", "transformation", "power_iteration", "fourier_series"]


# ------------------------------------------------------------------------ page assembly

def _clean(a, digits: int = 7):
    """A nested list of floats rounded to ``digits`` significant digits; non-finite
    values become None (JSON null)."""
    a = np.asarray(a, dtype=np.float64)
    flat = [None if not math.isfinite(v) else float(f"{v:.{digits}g}") for v in a.ravel()]
    return np.array(flat, dtype=object).reshape(a.shape).tolist() if a.ndim else flat[0]


_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:1.2em auto;max-width:1180px;
padding:0 1em;color:#1d2733}h1{font-size:1.35em;margin:.2em 0}p{margin:.4em 0}
.row{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}
canvas{border:1px solid #d0d7de;background:#fff}
.controls{margin:.6em 0}.controls label{display:inline-block;margin-right:1.2em}
input[type=range]{width:340px;vertical-align:middle}
.row>div{max-width:480px}.readout{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.92em;background:#f6f8fa;
padding:.6em .8em;border-radius:6px;min-width:300px;white-space:pre-line}
.muted{color:#57606a;font-size:.9em}button{font-size:.95em;margin-right:.4em}
"""

# Helpers shared by every page: a plot frame mapping data coordinates to pixels.
_COMMON_JS = r"""
const DATA = JSON.parse(document.getElementById('explorer-data').textContent);
function fmt(v, d) { if (v === null || !isFinite(v)) return 'diverged';
  const a = Math.abs(v); d = d || 4;
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(d - 1);
  return v.toPrecision(d); }
function frame(canvas, x0, x1, y0, y1, pad) {
  pad = pad === undefined ? 30 : pad;
  const c = canvas.getContext('2d'), W = canvas.width, H = canvas.height;
  const px = x => pad + (x - x0) / (x1 - x0) * (W - 2 * pad);
  const py = y => H - pad - (y - y0) / (y1 - y0) * (H - 2 * pad);
  return {c, W, H, px, py, x0, x1, y0, y1, pad,
    clear() { c.clearRect(0, 0, W, H); },
    line(pts, color, width, dash) {
      c.save(); c.beginPath(); c.rect(pad, pad, W - 2 * pad, H - 2 * pad); c.clip();
      c.strokeStyle = color; c.lineWidth = width || 1.5; c.setLineDash(dash || []);
      c.beginPath(); let on = false;
      for (const p of pts) { if (p === null || p[0] === null || p[1] === null) { on = false; continue; }
        const X = px(p[0]), Y = py(p[1]);
        if (!isFinite(X) || !isFinite(Y) || Math.abs(X) > 1e5 || Math.abs(Y) > 1e5) { on = false; continue; }
        if (on) c.lineTo(X, Y); else c.moveTo(X, Y); on = true; }
      c.stroke(); c.restore(); },
    dot(p, color, r) { c.fillStyle = color; c.beginPath();
      c.arc(px(p[0]), py(p[1]), r || 4, 0, 2 * Math.PI); c.fill(); },
    text(s, X, Y, color, align) { c.fillStyle = color || '#1d2733'; c.font = '12px sans-serif';
      c.textAlign = align || 'left'; c.fillText(s, X, Y); },
    axes(xlabel, ylabel) { c.save(); c.strokeStyle = '#8c959f'; c.lineWidth = 1;
      c.strokeRect(pad, pad, W - 2 * pad, H - 2 * pad); c.restore();
      this.text(xlabel || '', W / 2, H - 6, '#57606a', 'center');
      this.text(ylabel || '', 4, pad - 10, '#57606a', 'left'); },
    ends(fx, fy) {           // the axes' end values, written inside the corners
      const m = '#57606a';
      this.text(fy(y1), pad + 4, pad + 14, m); this.text(fy(y0), pad + 4, H - pad - 4, m);
      this.text(fx(x0), pad, H - pad + 13, m); this.text(fx(x1), W - pad, H - pad + 13, m, 'right'); }};
}
"""


def _page(title: str, intro: str, data: dict, body: str, script: str) -> str:
    payload = json.dumps(data, separators=(",", ":"), allow_nan=False)
    payload = payload.replace("</", "<\\/")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; \
script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>{_html.escape(title)} — mlmath_jax explorer</title><style>{_STYLE}</style></head><body>
<h1>{_html.escape(title)}</h1><p class="muted">{_html.escape(intro)}</p>
{body}
<script type="application/json" id="explorer-data">{payload}</script>
<script>{_COMMON_JS}{script}</script>
</body></html>
"""


# ------------------------------------------------------------------- gradient descent

def _sgd_paths(f, start, lrs, steps, momentum):
    """Every learning rate's path at once: one vmap over ``lrs`` of a lax.scan of the
    library's ``optim.sgd`` update. Returns (paths (R, steps + 1, d), losses (R, steps + 1))."""
    grad = jax.grad(f)

    def one(lr):
        opt = optim.sgd(lr, momentum=momentum)

        def step(carry, _):
            p, s = carry
            updates, s = opt.update(grad(p), s, p)
            p = optax.apply_updates(p, updates)
            return (p, s), p

        _, ps = lax.scan(step, (start, opt.init(start)), None, length=steps)
        ps = jnp.concatenate([start[None], ps])
        return ps, jax.vmap(f)(ps)

    return jax.jit(jax.vmap(one))(lrs)


def gradient_descent(f: Callable, start, box, *, steps: int = 100, lr: float | None = None,
                     lrs: Sequence[float] | None = None, num_rates: int = 60,
                     momentum: float | None = None, hessian_at=None, log_levels: bool = False,
                     grid: int = 90, max_points: int = 200, max_steps: int = 5000,
                     title: str = "Gradient descent: the learning rate") -> str:
    """An explorer of x ← x − α∇f(x) on a 2-D surface with a learning-rate slider.

    The divergence threshold of plain gradient descent on a quadratic is α = 2/L, L the
    largest eigenvalue of the Hessian ∇²f (computed with ``jax.hessian`` at
    ``hessian_at``, default ``start``); with heavy-ball momentum μ it is 2(1 + μ)/L. The
    slider's rates run log-spaced from 1% of the threshold to 160% of it, so they go from
    crawling to divergent. Every rate's path is computed by
    one ``vmap`` over the rates of a ``lax.scan`` of the library's ``optim.sgd`` update.

    Args:
      f: the function, ``f(p) -> scalar`` for a point ``p`` of shape (2,) (a surface,
        drawn as level sets) or (1,) (a curve).
      start: the start point, shape (2,) or (1,); its dtype is the computation's.
      box: the plot box ((x_min, x_max), (y_min, y_max)), or (x_min, x_max) in 1-D.
      steps: updates per path.
      lr: the rate the page opens at (the nearest slider value; default the middle one).
      lrs: the slider's rates (overrides the 2/L-based range).
      num_rates: how many rates when ``lrs`` is not given.
      momentum: heavy-ball momentum μ, or None for plain gradient descent.
      hessian_at: the point where L is measured (e.g. the minimizer).
      log_levels: contour bands of log(1 + f − min f) instead of f − min f.
      grid: contour grid points per side.
      max_points: points kept per path (evenly spaced steps, the last always kept).
      max_steps: at most this many steps are computed (a long run's page shows its first
        ``max_steps`` and says so).
      title: the page's heading.

    Returns:
      The page, an HTML string.

    Example:
      >>> page = gradient_descent(lambda p: p[0] ** 2 + 5 * p[1] ** 2,
      ...                         jnp.array([-4.0, 2.0]), ((-5, 5), (-3, 3)), steps=20)
      >>> page.startswith("<!doctype html>"), "2/L = 0.2" in page
      (True, True)
    """
    start = as_float(start)
    if start.shape not in ((1,), (2,)):
        raise UserError(f"the gradient-descent explorer needs a 1-D or 2-D start point, "
                        f"got shape {start.shape}")
    if int(steps) < 1:
        raise UserError(f"steps must be >= 1, got {steps}")
    run_steps, steps = int(steps), min(int(steps), int(max_steps))
    dt = start.dtype
    at = start if hessian_at is None else jnp.asarray(hessian_at, dt)
    L = float(jnp.max(jnp.linalg.eigvalsh(jax.hessian(f)(at))))
    # heavy-ball momentum μ moves the quadratic's stability edge to 2(1 + μ)/L
    mu = float(momentum or 0.0)
    threshold = 2.0 * (1.0 + mu) / L if L > 0 else None
    label = "2(1+μ)/L" if mu else "2/L"
    if lrs is None:
        if threshold is None:
            raise UserError("f is not convex at hessian_at (L <= 0): pass lrs explicitly")
        lrs = np.geomspace(0.01 * threshold, 1.6 * threshold, int(num_rates))
    lrs = jnp.asarray(np.asarray(lrs, dtype=np.float64), dt)
    with np.errstate(all="ignore"):
        paths, losses = (np.asarray(a, np.float64)
                         for a in _sgd_paths(f, start, lrs, int(steps), momentum))
    keep = np.unique(np.round(np.linspace(0, steps, min(max_points, steps + 1))).astype(int))
    if start.shape == (1,):        # a curve y = f(x) instead of contours
        (x0, x1) = box
        gx = np.linspace(x0, x1, 4 * grid)
        fx = np.asarray(jax.vmap(f)(jnp.asarray(gx[:, None], dt)), np.float64)
        (y0, y1), gy = (float(fx.min()), float(fx.max())), np.zeros(1)
        Z = np.zeros((1, len(gx)))
    else:
        (x0, x1), (y0, y1) = box
        gx, gy = np.linspace(x0, x1, grid), np.linspace(y0, y1, int(grid * 0.75))
        X, Y = np.meshgrid(gx, gy)
        pts = jnp.asarray(np.stack([X.ravel(), Y.ravel()], axis=1), dt)
        Z = np.asarray(jax.vmap(f)(pts), np.float64).reshape(X.shape)
        fx = None
    Z = Z - Z.min()
    if log_levels:
        Z = np.log1p(Z)
    bands = np.clip((Z / max(np.percentile(Z, 98), 1e-30) * 14).astype(int), 0, 14)
    # Paths far outside the box are cut for drawing; the losses stay as computed.
    span = 50 * max(x1 - x0, y1 - y0)
    drawn = np.where(np.abs(paths) > span, np.nan, paths)
    first_bad = [int(np.argmax(~np.isfinite(lo))) if not np.all(np.isfinite(lo)) else None
                 for lo in losses]
    start_index = (int(np.argmin(np.abs(np.log(np.asarray(lrs, float) / lr))))
                   if lr else len(lrs) // 2)
    data = {
        "lrs": _clean(lrs), "threshold": threshold, "L": L, "steps": int(steps),
        "t": keep.tolist(), "paths": _clean(drawn[:, keep], 5),
        "losses": _clean(losses[:, keep], 7), "final": _clean(losses[:, -1], 7),
        "diverged_at": first_bad, "start": _clean(start), "box": [x0, x1, y0, y1],
        "grid": [len(gx), len(gy)], "bands": bands.ravel().tolist(), "index": start_index,
        "momentum": momentum, "label": label, "dim": int(start.shape[0]),
        "curve": None if fx is None else _clean(np.stack([gx, fx], 1), 6),
    }
    note = (f"; the dashed line is {label} = {threshold:.4g}, L = {L:.4g} the largest "
            f"eigenvalue of the Hessian{'' if hessian_at is None else ' at the minimum'}" if threshold
            else f"; the Hessian's largest eigenvalue is {L:.4g} (no 2/L threshold)")
    body = f"""<div class="controls"><label>learning rate α
<input id="lr" type="range" min="0" max="{len(lrs) - 1}" step="1" value="{start_index}">
</label><span id="lr-value"></span></div>
<div class="row"><canvas id="surface" width="560" height="440"></canvas>
<div><canvas id="loss" width="460" height="250"></canvas><br>
<canvas id="rates" width="460" height="180"></canvas></div></div>
<div class="readout" id="readout"></div>
<p class="muted">{'Black: f; red: the path of ' + str(int(steps)) + ' steps on it, from the black dot.' if start.shape == (1,) else 'Bands: level sets of f' + (' (log scale)' if log_levels else '') + '. Red: the path of ' + str(int(steps)) + ' steps from the white dot.'} Lower right: the final f for every α of the
slider (× where the path diverged){note}.{f' The run has {run_steps:,} steps; the page shows the first {steps:,}.' if run_steps > steps else ''}</p>"""
    return _page(title, "Move the learning rate: below 2/L the path converges (slowly when "
                 "α is tiny), above it the steps overshoot and grow. Every path was computed "
                 "in one vmap over the slider's rates.", data, body, _GD_JS)


_GD_JS = r"""
const S = document.getElementById('surface'), LC = document.getElementById('loss'),
      RC = document.getElementById('rates'), slider = document.getElementById('lr');
const [x0, x1, y0, y1] = DATA.box, [gw, gh] = DATA.grid;
const pal = i => `hsl(${215 - i * 13}, 70%, ${94 - i * 3.2}%)`;
const finiteLoss = DATA.losses.flat().filter(v => v !== null);
// f >= 0 everywhere: a log scale (an exact 0 drawn at the smallest positive f);
// else a symmetric log, sign(f)·log10(1 + |f|)
const pos = finiteLoss.every(v => v >= 0), floor = Math.min(...finiteLoss.filter(v => v > 0));
const tr = v => v === null ? null : (pos ? Math.log10(Math.max(v, floor)) : Math.sign(v) * Math.log10(1 + Math.abs(v)));
const untr = y => pos ? Math.pow(10, y) : Math.sign(y) * (Math.pow(10, Math.abs(y)) - 1);
function draw() {
  const i = +slider.value, lr = DATA.lrs[i], path = DATA.paths[i], loss = DATA.losses[i];
  const s = frame(S, x0, x1, y0, y1, 20); s.clear();
  if (DATA.dim === 1) {                 // the curve, and the path as points on it
    s.line(DATA.curve, '#1d2733', 1.5); s.axes('x', 'f(x)');
    const pts = path.map((p, k) => [p[0], loss[k]]);
    s.line(pts, '#cf222e', 1.2);
    for (const p of pts) if (p[0] !== null && p[0] >= x0 && p[0] <= x1 && p[1] <= y1) s.dot(p, '#cf222e', 2.5);
    s.dot([DATA.start[0], DATA.curve.reduce((b, q) => Math.abs(q[0] - DATA.start[0]) < Math.abs(b[0] - DATA.start[0]) ? q : b)[1]], '#000', 4);
  } else {
  const cw = (s.W - 40) / gw, ch = (s.H - 40) / gh;
  for (let r = 0; r < gh; r++) for (let q = 0; q < gw; q++) {
    s.c.fillStyle = pal(DATA.bands[r * gw + q]);
    s.c.fillRect(20 + q * cw - 0.5, s.H - 20 - (r + 1) * ch - 0.5, cw + 1, ch + 1); }
  s.axes('x', 'y');
  s.line(path, '#cf222e', 1.6); const shown = path.filter(p => p[0] !== null && Math.abs(p[0]) < 1e4);
  for (const p of shown) if (p[0] >= x0 && p[0] <= x1 && p[1] >= y0 && p[1] <= y1) s.dot(p, '#cf222e', 2);
  s.dot(DATA.start, '#fff', 5); s.c.strokeStyle = '#000'; s.c.stroke(); }
  // the loss curve of this rate
  // this rate's curve sets the scale (a diverging one up to its last finite value)
  const ys = loss.filter(v => v !== null).map(tr), lo = Math.min(...ys), hi = Math.max(...ys);
  const l = frame(LC, 0, DATA.steps, lo, hi + 1e-9, 34); l.clear(); l.axes('step', pos ? 'log10 f' : 'f (symlog)');
  l.line(DATA.t.map((t, k) => [t, tr(loss[k])]), '#0969da', 1.8);
  l.text('f = ' + fmt(untr(hi), 2), 38, 46, '#57606a');
  l.text('f = ' + fmt(untr(lo), 2), 38, l.H - 40, '#57606a');
  // final f against every rate, the threshold 2/L, the current rate
  const lx = DATA.lrs.map(Math.log10), fin = DATA.final.map(tr), ff = fin.filter(v => v !== null);
  const g = frame(RC, lx[0], lx[lx.length - 1], Math.min(...ff), Math.max(...ff) + 1e-9, 30); g.clear();
  g.axes('log10 α', 'final f' + (pos ? ' (log scale)' : ' (symlog)'));
  g.line(lx.map((x, k) => [x, fin[k]]), '#57606a', 1.2);
  g.text('f = ' + fmt(untr(g.y1), 2), 34, 42, '#57606a');
  g.text('f = ' + fmt(untr(g.y0), 2), 34, g.H - 36, '#57606a');
  fin.forEach((v, k) => { if (v === null) g.text('×', g.px(lx[k]), g.H - g.pad - 4, '#cf222e', 'center'); });
  g.text('α = ' + fmt(DATA.lrs[0], 2), 30, g.H - 18, '#57606a');
  g.text('α = ' + fmt(DATA.lrs[DATA.lrs.length - 1], 2), g.W - 30, g.H - 18, '#57606a', 'right');
  if (DATA.threshold) { const tx = Math.log10(DATA.threshold);
    g.line([[tx, g.y0], [tx, g.y1]], '#9a6700', 1.5, [5, 4]); g.text(DATA.label, g.px(tx) + 3, 40, '#9a6700'); }
  if (fin[i] !== null) g.dot([lx[i], fin[i]], '#cf222e', 5);
  else g.line([[lx[i], g.y0], [lx[i], g.y1]], '#cf222e', 1.5);
  const d = DATA.diverged_at[i], fl = DATA.final[i];
  const regime = DATA.threshold === null ? '' : (lr < DATA.threshold ? 'α < ' : 'α ≥ ') + DATA.label;
  document.getElementById('lr-value').textContent = 'α = ' + fmt(lr, 4);
  document.getElementById('readout').textContent =
    `α = ${fmt(lr, 5)}   (${regime}, ${DATA.label} = ${fmt(DATA.threshold, 5)})\n` +
    `final f after ${DATA.steps} steps: ` + (fl === null ? `diverged (non-finite at step ${d})` : fmt(fl, 6));
  window.explorer = {index: i, lr: lr, final_loss: fl, diverged_at: d, threshold: DATA.threshold,
                     path: path, losses: loss};
}
slider.addEventListener('input', draw); draw();
"""


# ------------------------------------------------------------------ 2-D transformation

def _analyze_2x2(M):
    """det, eigenvalues and unit eigenvectors (complex) of one 2×2 matrix, eigenvalues
    sorted by real part, then imaginary part, descending."""
    w, V = jnp.linalg.eig(M)
    order = jnp.lexsort((-w.imag, -w.real))
    return jnp.linalg.det(M), w[order], V[:, order]


def transformation(values: Sequence[float] | None = None, start=None,
                   title: str = "A 2×2 matrix as a map of the plane") -> str:
    """An explorer of x ↦ Mx for M = [[a, b], [c, d]], each entry a slider.

    Determinant, eigenvalues and eigenvectors (real or complex) of every matrix of the
    slider lattice are computed at once (``jax.vmap`` of ``jnp.linalg.det`` and
    ``jnp.linalg.eig`` over len(values)⁴ matrices); the page looks them up. The unit
    square, a grid and the unit circle are drawn transformed; the square's area becomes
    |det M|, and det M < 0 flips its orientation.

    Args:
      values: the values each slider takes (default −2, −1.5, …, 2: 9⁴ = 6561 matrices).
      start: the matrix the page opens at (each entry snapped to the nearest value);
        default a shear [[1, 0.5], [0, 1]].
      title: the page's heading.

    Returns:
      The page, an HTML string.

    Example:
      >>> page = transformation([0.0, 1.0, 2.0], start=[[2.0, 0.0], [0.0, 1.0]])
      >>> '"n":3' in page
      True
    """
    vals = np.asarray(np.arange(-2.0, 2.01, 0.5) if values is None else values, np.float64)
    if vals.ndim != 1 or len(vals) < 2:
        raise UserError("values must be a list of at least 2 numbers")
    n = len(vals)
    idx = np.stack(np.meshgrid(*[np.arange(n)] * 4, indexing="ij"), -1).reshape(-1, 4)
    dt = jnp.asarray(0.0).dtype
    mats = jnp.asarray(vals[idx].reshape(-1, 2, 2), dt)
    det, w, V = jax.vmap(_analyze_2x2)(mats)
    V = np.asarray(V)
    start = np.asarray([[1.0, 0.5], [0.0, 1.0]] if start is None else start, float)
    s_idx = [int(np.argmin(np.abs(vals - v))) for v in start.ravel()]
    data = {
        "values": vals.tolist(), "n": n, "start": s_idx,
        "det": _clean(det, 6), "eig": _clean(np.stack([np.real(w), np.imag(w)], -1), 6),
        "vec": _clean(np.stack([V.real, V.imag], -1).transpose(0, 2, 1, 3), 6),
    }
    sliders = "".join(
        f'<label>{name} <input id="m{k}" type="range" min="0" max="{n - 1}" step="1" '
        f'value="{s_idx[k]}"> <span id="v{k}"></span></label>'
        for k, name in enumerate("abcd"))
    body = f"""<div class="controls">M = [[a, b], [c, d]]: {sliders}</div>
<div class="row"><canvas id="plane" width="620" height="620"></canvas>
<div class="readout" id="readout"></div></div>
<p class="muted">Gray: the grid, and the unit square and unit circle before the map. Blue:
the image of the unit square (area |det M|, the first column Mê₁ in red, the second Mê₂
in green); orange: the image of the unit circle, an ellipse; dashed purple: the real
eigenvector lines, where M only stretches. det M, the eigenvalues and eigenvectors were
computed by JAX for all {n ** 4:,} matrices of the sliders.</p>"""
    return _page(title, "Move the four entries of M: the grid, square and circle follow; "
                 "the readout gives det M (the area factor) and the eigenpairs.", data, body,
                 _TRANSFORM_JS)


_TRANSFORM_JS = r"""
const P = document.getElementById('plane'), n = DATA.n, V = DATA.values;
const sl = [0, 1, 2, 3].map(k => document.getElementById('m' + k));
const cfmt = (re, im) => Math.abs(im) < 1e-9 ? fmt(re, 5) : `${fmt(re, 5)} ${im < 0 ? '−' : '+'} ${fmt(Math.abs(im), 5)}i`;
function draw() {
  const ix = sl.map(s => +s.value), [a, b, c, d] = ix.map(i => V[i]);
  ix.forEach((i, k) => document.getElementById('v' + k).textContent = V[i].toFixed(2));
  const flat = ((ix[0] * n + ix[1]) * n + ix[2]) * n + ix[3];
  const det = DATA.det[flat], eig = DATA.eig[flat], vec = DATA.vec[flat];
  const T = p => [a * p[0] + b * p[1], c * p[0] + d * p[1]];
  const f = frame(P, -4, 4, -4, 4, 10); f.clear();
  for (let k = -4; k <= 4; k++) { f.line([[k, -4], [k, 4]], '#eaeef2', 1); f.line([[-4, k], [4, k]], '#eaeef2', 1); }
  f.line([[-4, 0], [4, 0]], '#8c959f', 1); f.line([[0, -4], [0, 4]], '#8c959f', 1);
  const circle = [...Array(121).keys()].map(k => [Math.cos(k * Math.PI / 60), Math.sin(k * Math.PI / 60)]);
  const square = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]];
  for (let k = -3; k <= 3; k++) {                      // the transformed grid
    f.line([T([k, -3]), T([k, 3])], '#b6c7e3', 1); f.line([T([-3, k]), T([3, k])], '#b6c7e3', 1); }
  f.line(circle, '#8c959f', 1, [3, 3]); f.line(square, '#8c959f', 1, [3, 3]);
  const sq = square.map(T), el = circle.map(T);
  f.c.fillStyle = det < 0 ? 'rgba(207,34,46,0.18)' : 'rgba(9,105,218,0.2)'; f.c.beginPath();
  sq.forEach((p, k) => k ? f.c.lineTo(f.px(p[0]), f.py(p[1])) : f.c.moveTo(f.px(p[0]), f.py(p[1])));
  f.c.fill(); f.line(sq, '#0969da', 1.5); f.line(el, '#bc4c00', 2);
  const real = eig.every(e => Math.abs(e[1]) < 1e-9);
  const lines = [];
  if (real) vec.forEach(v => { const x = v[0][0], y = v[1][0];
    lines.push([x, y]); f.line([[-6 * x, -6 * y], [6 * x, 6 * y]], '#8250df', 1.5, [6, 4]); });
  f.line([[0, 0], [a, c]], '#cf222e', 3); f.line([[0, 0], [b, d]], '#1a7f37', 3);
  const ev = eig.map(e => cfmt(e[0], e[1]));
  const vs = vec.map(v => `(${cfmt(v[0][0], v[0][1])}, ${cfmt(v[1][0], v[1][1])})`);
  document.getElementById('readout').textContent =
    `M = [[${a.toFixed(2)}, ${b.toFixed(2)}], [${c.toFixed(2)}, ${d.toFixed(2)}]]\n` +
    `det M = ${fmt(det, 5)}\narea of the unit square × ${fmt(Math.abs(det), 5)}` +
    (det < 0 ? '  (orientation flipped)' : (Math.abs(det) < 1e-12 ? '  (the plane collapses)' : '')) +
    `\nλ₁ = ${ev[0]}\nλ₂ = ${ev[1]}\nv₁ = ${vs[0]}\nv₂ = ${vs[1]}` +
    (real ? '' : '\ncomplex eigenvalues: no real direction is kept; M turns every vector');
  window.explorer = {matrix: [[a, b], [c, d]], det: det, eigenvalues: eig, eigenvectors: vec,
                     square: sq, circle: el, eigen_lines: lines};
}
sl.forEach(s => s.addEventListener('input', draw)); draw();
"""


# ------------------------------------------------------------------- power iteration

def _power_iterates(A, v0, steps):
    """vₜ₊₁ = A vₜ / ‖A vₜ‖ for ``steps`` steps by lax.scan, the update of
    ``linalg.power_iteration``; returns the iterates (steps + 1, n) and their Rayleigh
    quotients (steps + 1,)."""
    def step(v, _):
        w = A @ v
        nw = linalg.norm(w)
        v = jnp.where(nw > 0, w / jnp.where(nw > 0, nw, 1.0), v)
        return v, v

    v0 = v0 / linalg.norm(v0)
    _, vs = lax.scan(step, v0, None, length=steps)
    vs = jnp.concatenate([v0[None], vs])
    return vs, jax.vmap(lambda v: linalg.rayleigh_quotient(A, v))(vs)


def power_iteration(A, *, steps: int = 30, num_starts: int = 24,
                    title: str = "Power iteration, step by step") -> str:
    """An explorer of power iteration on a 2×2 matrix: a step slider (and a step button)
    and a start-direction slider.

    The iterates vₜ₊₁ = A vₜ / ‖A vₜ‖ of ``num_starts`` start directions, evenly spread over
    a half circle, are computed at once (``vmap`` over the starts of a ``lax.scan`` over
    the steps). The angle between vₜ and the dominant eigenvector shrinks like
    |λ₂/λ₁|ᵗ, shown beside it; the Rayleigh quotient vₜᵀAvₜ approaches λ₁.

    Args:
      A: the (2, 2) matrix; its dtype is the computation's.
      steps: iterations computed.
      num_starts: start directions of the second slider.
      title: the page's heading.

    Returns:
      The page, an HTML string.

    Example:
      >>> page = power_iteration(jnp.array([[2.0, 1.0], [1.0, 2.0]]), steps=5)
      >>> "|λ₂/λ₁|" in page
      True
    """
    A = as_float(A)
    if A.shape != (2, 2):
        raise UserError(f"the power-iteration explorer needs a 2×2 matrix, got shape {A.shape}")
    if int(steps) < 1 or int(num_starts) < 1:
        raise UserError("steps and num_starts must be >= 1")
    ang = (np.arange(num_starts) + 0.5) * np.pi / num_starts
    starts = jnp.asarray(np.stack([np.cos(ang), np.sin(ang)], 1), A.dtype)
    vs, lams = jax.jit(jax.vmap(_power_iterates, (None, 0, None)), static_argnums=2)(
        A, starts, int(steps))
    w_j, V_j = jnp.linalg.eig(A)
    w, V = np.asarray(w_j), np.asarray(V_j)
    order = np.argsort(-np.abs(w), kind="stable")
    w, V = w[order], V[:, order]
    ratio = float(np.abs(w[1]) / np.abs(w[0])) if np.abs(w[0]) > 0 else float("nan")
    real = bool(np.all(np.abs(w.imag) < 1e-7 * max(1.0, float(np.max(np.abs(w))))))
    v1 = np.real(V[:, 0]) / np.linalg.norm(np.real(V[:, 0])) if real else None
    vs_np = np.asarray(vs, np.float64)
    # the angle to the line of v1 from both components (arccos loses it near 0)
    if real:
        along, across = vs_np @ v1, vs_np @ np.array([-v1[1], v1[0]])
        angles = np.degrees(np.arctan2(np.abs(across), np.abs(along)))
    else:
        angles = np.full(vs_np.shape[:2], np.nan)
    data = {
        "A": _clean(A), "steps": int(steps), "iterates": _clean(vs, 7),
        "rayleigh": _clean(lams, 7), "angle": _clean(angles, 6),
        "eigenvalues": _clean(np.stack([w.real, w.imag], -1), 7),
        "eigenvectors": _clean(np.stack([V.real, V.imag], -1).transpose(1, 0, 2), 6),
        "real": real, "ratio": None if not math.isfinite(ratio) else ratio,
        "start_angles": _clean(np.degrees(ang), 5), "start": num_starts // 3,
    }
    body = f"""<div class="controls"><label>step t <input id="step" type="range" min="0"
max="{int(steps)}" step="1" value="0"> <span id="t"></span></label>
<button id="next">step</button><button id="reset">reset</button>
<label>start direction <input id="start" type="range" min="0" max="{num_starts - 1}"
step="1" value="{num_starts // 3}"> <span id="s"></span></label></div>
<div class="row"><canvas id="plane" width="520" height="520"></canvas>
<div><canvas id="conv" width="460" height="260"></canvas>
<div class="readout" id="readout"></div></div></div>
<p class="muted">Gray: the unit circle; orange: its image under A. Purple dashed: the
eigenvector lines (v₁ thick). Red: the iterate vₜ (earlier iterates faded), blue dashed:
A vₜ. Right: the angle between vₜ and v₁ (log scale) against t, with the rate |λ₂/λ₁|ᵗ
(dashed) that theory predicts; the curve levels off where the dtype's rounding
is reached.</p>"""
    return _page(title, "Step the iteration v ← Av/‖Av‖: the component along the dominant "
                 "eigenvector wins by a factor |λ₁/λ₂| each step.", data, body, _POWER_JS)


_POWER_JS = r"""
const P = document.getElementById('plane'), C = document.getElementById('conv');
const step = document.getElementById('step'), startS = document.getElementById('start');
const [[a, b], [c, d]] = DATA.A, T = p => [a * p[0] + b * p[1], c * p[0] + d * p[1]];
const circle = [...Array(121).keys()].map(k => [Math.cos(k * Math.PI / 60), Math.sin(k * Math.PI / 60)]);
const image = circle.map(T), R = Math.max(1.2, ...image.map(p => Math.hypot(p[0], p[1]))) * 1.1;
const cf = e => Math.abs(e[1]) < 1e-9 ? fmt(e[0]) : `${fmt(e[0])} ${e[1] < 0 ? '−' : '+'} ${fmt(Math.abs(e[1]))}i`;
function draw() {
  const t = +step.value, s = +startS.value, its = DATA.iterates[s], v = its[t], Av = T(v);
  document.getElementById('t').textContent = t; document.getElementById('s').textContent =
    DATA.start_angles[s].toFixed(1) + '°';
  const f = frame(P, -R, R, -R, R, 10); f.clear();
  f.line([[-R, 0], [R, 0]], '#d0d7de', 1); f.line([[0, -R], [0, R]], '#d0d7de', 1);
  f.line(circle, '#8c959f', 1); f.line(image, '#bc4c00', 1.8);
  if (DATA.real) DATA.eigenvectors.forEach((e, k) => { const x = e[0][0], y = e[1][0];
    f.line([[-2 * R * x, -2 * R * y], [2 * R * x, 2 * R * y]], '#8250df', k ? 1 : 2.5, [6, 4]); });
  for (let k = 0; k < t; k++) f.line([[0, 0], its[k]], `rgba(207,34,46,${0.12 + 0.3 * k / Math.max(t, 1)})`, 1.5);
  f.line([[0, 0], Av], '#0969da', 1.8, [4, 3]); f.line([[0, 0], v], '#cf222e', 3); f.dot(v, '#cf222e', 4);
  const ang = DATA.angle[s], ok = ang.filter(x => x !== null && x > 0);
  let lines = `A = [[${fmt(a)}, ${fmt(b)}], [${fmt(c)}, ${fmt(d)}]]\nstep t = ${t}\nv_t = (${fmt(v[0])}, ${fmt(v[1])})\n` +
    `Rayleigh quotient v_tᵀ A v_t = ${fmt(DATA.rayleigh[s][t], 5)}\n` +
    `λ₁ = ${cf(DATA.eigenvalues[0])},  λ₂ = ${cf(DATA.eigenvalues[1])}\n` +
    `|λ₂/λ₁| = ${fmt(DATA.ratio)}`;
  const g = frame(C, 0, DATA.steps, -8, 2.2, 32); g.clear(); g.axes('step t', 'angle between v_t and v₁, degrees (log scale)');
  g.ends(x => String(x), y => fmt(Math.pow(10, y), 2));
  if (DATA.real && ok.length) {
    lines += `\nangle(v_t, v₁) = ${fmt(ang[t], 4)}°`;
    g.line(ang.map((x, k) => [k, x === null || x <= 0 ? null : Math.log10(x)]), '#cf222e', 1.8);
    if (ang[0] > 0) g.line(ang.map((x, k) => [k, Math.log10(ang[0]) + k * Math.log10(DATA.ratio)]), '#57606a', 1.2, [5, 4]);
    if (ang[t] > 0) g.dot([t, Math.log10(ang[t])], '#cf222e', 4);
  } else lines += '\n|λ₁| = |λ₂|: no direction wins; the iterates do not settle';
  document.getElementById('readout').textContent = lines;
  window.explorer = {step: t, start: s, v: v, Av: Av, rayleigh: DATA.rayleigh[s][t],
                     angle: ang[t], ratio: DATA.ratio, eigenvalues: DATA.eigenvalues};
}
document.getElementById('next').onclick = () => { step.value = Math.min(+step.value + 1, DATA.steps); draw(); };
document.getElementById('reset').onclick = () => { step.value = 0; draw(); };
step.addEventListener('input', draw); startS.addEventListener('input', draw); draw();
"""


# --------------------------------------------------------------------- Fourier series

def fourier_series(*, max_terms: int = 60, points: int = 600, start: int = 3,
                   title: str = "Fourier partial sums of a square wave") -> str:
    """An explorer of the partial sums (4/π) Σₖ₌₁ⁿ sin((2k − 1)x)/(2k − 1) with a terms
    slider n = 1 … ``max_terms``.

    All partial sums come from one call of ``trig.fourier_partial_sums`` (a cumulative sum
    over the harmonics, i.e. every n at once); the mean-square error and the overshoot
    for every n are reduced from them with JAX. The page shows the n-th sum over the
    square wave, the n-th harmonic alone, and the error against n.

    Args:
      max_terms: the slider's largest n.
      points: sample points over one period [−π, π).
      start: the n the page opens at.
      title: the page's heading.

    Returns:
      The page, an HTML string.

    Example:
      >>> page = fourier_series(max_terms=5, points=64)
      >>> '"max_terms":5' in page
      True
    """
    if int(max_terms) < 1 or int(points) < 16:
        raise UserError("max_terms must be >= 1 and points >= 16")
    x = jnp.linspace(-math.pi, math.pi, int(points), endpoint=False,
                     dtype=jnp.asarray(0.0).dtype)
    sums = trig.fourier_partial_sums(x, int(max_terms))            # (points, max_terms)
    target = trig.square_wave(x)
    mse = jnp.mean((sums - target[:, None]) ** 2, axis=0)
    overshoot = jnp.max(sums, axis=0) - 1.0
    data = {"x": _clean(x, 6), "target": _clean(target, 3), "sums": _clean(sums.T, 5),
            "mse": _clean(mse, 6), "overshoot": _clean(overshoot, 6),
            "max_terms": int(max_terms), "start": int(min(max(start, 1), max_terms))}
    body = f"""<div class="controls"><label>terms n <input id="n" type="range" min="1"
max="{int(max_terms)}" step="1" value="{data['start']}"> <span id="nv"></span></label></div>
<div class="row"><canvas id="wave" width="640" height="380"></canvas>
<div><canvas id="err" width="420" height="260"></canvas>
<div class="readout" id="readout"></div></div></div>
<p class="muted">Black: the square wave; blue: the partial sum with n odd harmonics; green:
the n-th harmonic (4/π) sin((2n − 1)x)/(2n − 1) alone. Right: the mean-square error
against n (log-log, it falls like 1/n) — while the overshoot at the jumps stays near 9% of
the jump (Gibbs).</p>"""
    return _page(title, "Add harmonics one at a time: the sum hugs the plateaus ever more "
                 "closely, but the ripple next to each jump does not shrink in height.",
                 data, body, _FOURIER_JS)


_FOURIER_JS = r"""
const Wv = document.getElementById('wave'), E = document.getElementById('err'),
      sl = document.getElementById('n'), X = DATA.x;
function draw() {
  const n = +sl.value, s = DATA.sums[n - 1];
  document.getElementById('nv').textContent = n;
  const f = frame(Wv, -Math.PI, Math.PI, -1.45, 1.45, 24); f.clear(); f.axes('x', '');
  f.line([[-Math.PI, 0], [Math.PI, 0]], '#d0d7de', 1);
  f.line(X.map((x, k) => [x, DATA.target[k]]), '#1d2733', 1.5);
  const prev = n > 1 ? DATA.sums[n - 2] : X.map(() => 0);
  f.line(X.map((x, k) => [x, s[k] - prev[k]]), '#1a7f37', 1.2);
  f.line(X.map((x, k) => [x, s[k]]), '#0969da', 2);
  const lm = DATA.mse.map(Math.log10), N = DATA.max_terms;
  const g = frame(E, 0, Math.log10(Math.max(N, 2)), Math.min(...lm) - 0.1, Math.max(...lm) + 0.1, 32);
  g.clear(); g.axes('n (log scale)', 'mean-square error (log scale)');
  g.ends(x => fmt(Math.pow(10, x), 2), y => fmt(Math.pow(10, y), 2));
  g.line(lm.map((y, k) => [Math.log10(k + 1), y]), '#57606a', 1.5); g.dot([Math.log10(n), lm[n - 1]], '#cf222e', 5);
  document.getElementById('readout').textContent =
    `n = ${n} odd harmonics (up to sin(${2 * n - 1}x))\nmean-square error = ${fmt(DATA.mse[n - 1], 5)}\n` +
    `overshoot max S_n − 1 = ${fmt(DATA.overshoot[n - 1], 4)}  (Gibbs: → 0.179 = 9% of the jump 2)`;
  window.explorer = {n: n, mse: DATA.mse[n - 1], overshoot: DATA.overshoot[n - 1], sum: s};
}
sl.addEventListener('input', draw); draw();
"""
