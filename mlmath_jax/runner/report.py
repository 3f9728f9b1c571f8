"""A self-contained ``report.html`` for one run, and ``index.html`` for a tour."""

from __future__ import annotations

import base64
import html
import json
import os
from pathlib import Path

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#1d2733}h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #d0d7de;padding:.3em .6em;
text-align:left;font-size:.92em}th{background:#f3f5f7}pre{background:#f6f8fa;padding:.8em;
overflow:auto;font-size:.85em}.ok{color:#1a7f37}.diverged,.failed,.error,.interrupted{color:#cf222e}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #e1e4e8}
figcaption{font-size:.85em;color:#57606a}
"""


def _write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file and rename it: a failed write (disk full) leaves no
    truncated page behind, and the OSError reaches the caller."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, list | dict):
        text = json.dumps(v)
        return text if len(text) < 200 else text[:197] + "…"
    return str(v)


def _table(rows: dict) -> str:
    body = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(_fmt(v))}</td></tr>"
                   for k, v in rows.items())
    return f"<table>{body}</table>"


def write_report(run_dir: Path, summary: dict, config: dict) -> Path:
    """Write ``run_dir/report.html`` embedding every figure the run saved."""
    run_dir = Path(run_dir)
    status = summary.get("status", "?")
    timing_keys = ("compile_seconds", "run_seconds", "wall_seconds", "steps",
                   "steps_per_second", "jax_version", "backend", "devices", "seed", "dtype")
    figures = []
    for name in summary.get("figures", []):
        png = run_dir / name
        if png.exists():
            data = base64.b64encode(png.read_bytes()).decode("ascii")
            figures.append(f'<figure><img alt="{html.escape(name)}" '
                           f'src="data:image/png;base64,{data}">'
                           f"<figcaption>{html.escape(name)}</figcaption></figure>")
    message = summary.get("message") or ""
    page = f"""<!doctype html><html><head><meta charset="utf-8">
<title>{html.escape(str(summary.get('experiment')))} — mlmath_jax</title><style>{_STYLE}</style>
</head><body>
<h1>{html.escape(str(summary.get('experiment')))}
<span class="{html.escape(status)}">[{html.escape(status)}]</span></h1>
<p>{html.escape(str(summary.get('description', '')))}</p>
{f'<p class="{html.escape(status)}">{html.escape(message)}</p>' if message else ''}
<h2>Final metrics</h2>{_table(summary.get('metrics') or {})}
<h2>Figures</h2>{''.join(figures) or '<p>none</p>'}
<h2>Run</h2>{_table({k: summary.get(k) for k in timing_keys})}
<h2>Config</h2><pre>{html.escape(json.dumps(config, indent=2))}</pre>
</body></html>
"""
    out = run_dir / "report.html"
    _write_atomic(out, page)
    return out


def write_index(tour_dir: Path, rows: list[dict]) -> Path:
    """``index.html`` linking each run's report. ``rows``: config, experiment, description,
    status, expected, run_dir (relative), metrics."""
    body = []
    for r in rows:
        ok = r["status"] == r["expected"]
        status = r["status"] + ("" if r["expected"] == "ok" else f" (expected {r['expected']})")
        link = f'<a href="{html.escape(r["run_dir"])}/report.html">report</a>'
        metrics = ", ".join(f"{k}={_fmt(v)}" for k, v in list((r.get("metrics") or {}).items())[:4])
        body.append(f"<tr><td>{html.escape(r['config'])}</td><td>{html.escape(r['experiment'])}"
                    f"</td><td>{html.escape(r.get('description', ''))}</td>"
                    f'<td class="{"ok" if ok else "failed"}">{html.escape(status)}</td>'
                    f"<td>{html.escape(metrics)}</td><td>{link}</td></tr>")
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>mlmath_jax tour</title>
<style>{_STYLE}</style></head><body><h1>mlmath_jax tour</h1>
<table><tr><th>config</th><th>experiment</th><th>what</th><th>status</th><th>metrics</th>
<th></th></tr>{''.join(body)}</table></body></html>
"""
    out = Path(tour_dir) / "index.html"
    _write_atomic(out, page)
    return out
