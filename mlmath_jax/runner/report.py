"""A self-contained ``report.html`` for one run — a lesson — and ``index.html`` for a tour.

A report reads top to bottom as a page of a course: the lesson (concept, equations as
MathML, what this run found, what to try next), then the figures with their captions, the
final metrics, and the run's details. Every number on it comes from the run; text is UTF-8
(no JSON escapes); numbers are shown to four significant digits; fields that do not apply
to a run (steps of a run that does not train) are left out.
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
from pathlib import Path

from mlmath_jax.runner.lesson import CHAPTERS, mathml, paragraphs

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#1d2733;line-height:1.45}h1{font-size:1.5em;margin-bottom:.2em}
h2{font-size:1.15em;margin-top:1.6em}h3{font-size:1em;margin:1.2em 0 .4em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #d0d7de;padding:.3em .6em;
text-align:left;font-size:.92em;vertical-align:top}th{background:#f3f5f7}
pre{background:#f6f8fa;padding:.8em;overflow:auto;font-size:.85em}
code{background:#f6f8fa;padding:.1em .3em;border-radius:3px;font-size:.9em}
.ok{color:#1a7f37}.diverged,.failed,.error,.interrupted{color:#cf222e}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #e1e4e8}
figcaption{font-size:.9em;color:#3d4650;margin-top:.3em}
.banner{background:#fff8c5;border:1px solid #d4a72c;padding:.6em .9em;border-radius:6px}
.eq{margin:.6em 0;font-size:1.1em}.obs li{margin:.25em 0}.obs .not{color:#9a6700}
nav{font-size:.9em;margin-bottom:1em}.muted{color:#57606a;font-size:.9em}
.chapter td{vertical-align:middle}.thumb{width:150px;height:auto;border:1px solid #e1e4e8}
td.what{max-width:360px}
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


def fmt(v) -> str:
    """A value for a reader: floats to 4 significant digits, short lists inline, long lists
    summarized, nested dicts as ``k: v`` pairs."""
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            return str(v)
        if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e6):
            return f"{v:.3e}".replace("e-0", "e-").replace("e+0", "e+").replace("e+", "e")
        return f"{v:.4g}"
    if isinstance(v, int):
        return f"{v:,}" if abs(v) >= 10_000 else str(v)
    if isinstance(v, list | tuple):
        flat = [x for x in v if not isinstance(x, list | tuple | dict)]
        if len(v) <= 6 and len(flat) == len(v):
            return "[" + ", ".join(fmt(x) for x in v) + "]"
        nums = [x for x in flat if isinstance(x, int | float) and not isinstance(x, bool)]
        if nums and len(nums) == len(v):
            return f"{len(v)} values from {fmt(min(nums))} to {fmt(max(nums))}"
        return f"a list of {len(v)} item{'s' if len(v) != 1 else ''}"
    if isinstance(v, dict):
        items = [(k, x) for k, x in v.items() if x is not None]   # what does not apply
        if not items:
            return "none"
        text = ", ".join(f"{k}: {fmt(x)}" for k, x in items[:6])
        return text + (", …" if len(items) > 6 else "")
    return str(v)


def _table(rows: dict) -> str:
    body = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(fmt(v))}</td></tr>"
                   for k, v in rows.items())
    return f"<table>{body}</table>"


def _run_details(summary: dict) -> dict:
    rows = {}
    for k in ("status", "dtype", "seed", "wall_seconds"):
        if summary.get(k) is not None:
            rows[k] = summary[k]
    if summary.get("steps"):
        for k in ("steps", "compile_seconds", "run_seconds", "steps_per_second"):
            if summary.get(k):
                rows[k] = summary[k]
    rows["backend"] = f"{summary.get('backend', '?')} (jax {summary.get('jax_version', '?')})"
    devices = summary.get("devices") or []
    rows["devices"] = f"{len(devices)}: {devices[0]}{' …' if len(devices) > 1 else ''}" \
        if devices else "?"
    return rows


def _lesson_html(lesson, summary: dict, config_path) -> str:
    if lesson is None:
        return ""
    heading, docs = CHAPTERS[lesson.chapter]
    parts = [paragraphs(lesson.concept)]
    parts += [f'<div class="eq">{mathml(eq)}</div>' for eq in lesson.equations]
    parts.append(f'<p class="muted">Chapter: <a href="{_docs_href(docs)}">{html.escape(heading)}'
                 f"</a> · config: <code>{html.escape(str(config_path))}</code></p>")
    return "".join(parts)


def _docs_href(page: str) -> str:
    """A link to the docs chapter in this checkout (file URL), else the relative path."""
    here = Path(__file__).resolve().parents[2] / "docs" / page
    return here.as_uri() if here.exists() else f"docs/{page}"


def _observations_html(summary: dict) -> str:
    obs = summary.get("observations") or []
    if not obs:
        return ""
    tour = summary.get("tour")
    items = []
    for o in obs:
        if o["held"]:
            items.append(f"<li>{html.escape(o['text'])}</li>")
        else:
            extra = ""
            if tour:
                extra = (" The full run shows more: <code>"
                         f"{html.escape(tour['full_command'])}</code>.")
            items.append(f'<li class="not">{html.escape(o["text"])}{extra}</li>')
    return f'<h2>What this run shows</h2><ul class="obs">{"".join(items)}</ul>'


def _explore_html(summary: dict) -> str:
    """Links to the run's interactive explorers (``ctx.save_explorer``)."""
    items = "".join(f'<li><a href="{html.escape(e["file"])}">{html.escape(e["title"])}</a></li>'
                    for e in summary.get("explorers") or [])
    return (f"<h2>Explore</h2><p>Interactive pages (open offline): move a control and "
            f"see the mathematics answer.</p><ul>{items}</ul>") if items else ""


def _try_next_html(lesson, config_path) -> str:
    if lesson is None or not lesson.try_next:
        return ""
    items = []
    for t in lesson.try_next:
        sets = " ".join(f"--set {_shell_quote(s)}" for s in t.sets)
        cmd = f"mlmath run {config_path} {sets}".strip()
        items.append(f"<li><code>{html.escape(cmd)}</code><br>{html.escape(t.shows)}</li>")
    return f"<h2>Try next</h2><ul>{''.join(items)}</ul>"


def _shell_quote(s: str) -> str:
    safe = all(c.isalnum() or c in "._=-,/:+" for c in s)
    return s if safe else "'" + s.replace("'", "'\\''") + "'"


def _banner(summary: dict) -> str:
    tour = summary.get("tour")
    if not tour:
        return ""
    changes = ", ".join(f"{k} = {fmt(v['tour'])} (full run: {fmt(v['full'])})"
                        for k, v in tour["budget"].items())
    return (f'<p class="banner">A tour run, shortened to a small budget: {html.escape(changes)}.'
            f" The full run: <code>{html.escape(tour['full_command'])}</code></p>")


def write_report(run_dir: Path, summary: dict, config: dict, *, lesson=None,
                 config_path=None) -> Path:
    """Write ``run_dir/report.html``: the lesson, this run's observations and figures."""
    run_dir = Path(run_dir)
    status = summary.get("status", "?")
    title = lesson.title if lesson is not None else str(summary.get("experiment"))
    captions = summary.get("captions") or {}
    figures = []
    for name in summary.get("figures", []):
        png = run_dir / name
        if png.exists():
            data = base64.b64encode(png.read_bytes()).decode("ascii")
            cap = captions.get(name, "")
            figures.append(f'<figure><img alt="{html.escape(cap or name)}" '
                           f'src="data:image/png;base64,{data}">'
                           f"<figcaption>{html.escape(cap)}</figcaption></figure>")
    message = summary.get("message") or ""
    config_path = config_path or summary.get("config", "")
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} — mlmath_jax</title><style>{_STYLE}</style>
</head><body>
<nav><a href="../index.html">← all lessons</a></nav>
<h1>{html.escape(title)} <span class="{html.escape(status)}">[{html.escape(status)}]</span></h1>
<p class="muted">{html.escape(str(summary.get('description', '')))}</p>
{_banner(summary)}
{f'<p class="{html.escape(status)}">{html.escape(message)}</p>' if message else ''}
{_lesson_html(lesson, summary, config_path)}
{_observations_html(summary)}
<h2>Figures</h2>{''.join(figures) or '<p>none</p>'}
{_explore_html(summary)}
{_try_next_html(lesson, config_path)}
<h2>Final metrics</h2>{_table({k: v for k, v in (summary.get('metrics') or {}).items()
                               if v is not None})}
<h2>Run</h2>{_table(_run_details(summary))}
<h2>Config</h2><pre>{html.escape(json.dumps(config, indent=2, ensure_ascii=False))}</pre>
</body></html>
"""
    out = run_dir / "report.html"
    _write_atomic(out, page)
    return out


def _short(text: str, limit: int = 110) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def write_index(tour_dir: Path, rows: list[dict]) -> Path:
    """``index.html``: the tour as a front page, grouped by chapter, a thumbnail of each
    run's main figure, its status, the metric that matters and a link to its lesson.

    ``rows``: config, experiment, description, status, expected, run_dir (relative),
    metrics, and optionally lesson (title, chapter, main_figure, headline) and figures.
    """
    groups: dict[str, list[str]] = {k: [] for k in CHAPTERS}
    other: list[str] = []
    for r in rows:
        lesson = r.get("lesson") or {}
        ok = r["status"] == r["expected"]
        status = r["status"] + ("" if r["expected"] == "ok" else f" (expected {r['expected']})")
        href = f"{r['run_dir']}/report.html"
        figure = lesson.get("main_figure") or next(iter(r.get("figures") or []), None)
        thumb = (f'<a href="{html.escape(href)}"><img class="thumb" alt="" '
                 f'src="{html.escape(r["run_dir"])}/{html.escape(figure)}"></a>'
                 if figure and (Path(tour_dir) / r["run_dir"] / figure).exists() else "")
        metrics = r.get("metrics") or {}
        key = lesson.get("headline")
        if key not in metrics:
            key = next((k for k, v in metrics.items() if isinstance(v, int | float)), None)
        headline = f"{key} = {fmt(metrics[key])}" if key is not None else ""
        title = lesson.get("title") or r["experiment"]
        explore = "".join(f' · <a href="{html.escape(r["run_dir"])}/{html.escape(e["file"])}">'
                          f'explore: {html.escape(e["title"])}</a>'
                          for e in r.get("explorers") or [])
        row = (f"<tr><td>{thumb}</td><td><a href=\"{html.escape(href)}\">{html.escape(title)}"
               f"</a><br><span class=\"muted\">{html.escape(r['config'])}{explore}</span></td>"
               f"<td class=\"what\">{html.escape(_short(r.get('description', '')))}</td>"
               f'<td class="{"ok" if ok else "failed"}">{html.escape(status)}</td>'
               f"<td>{html.escape(headline)}</td></tr>")
        (groups.get(lesson.get("chapter")) if lesson.get("chapter") in groups else other
         ).append(row)
    sections = []
    head = "<tr><th></th><th>lesson</th><th>what</th><th>status</th><th>result</th></tr>"
    for k, body in [*groups.items(), ("other", other)]:
        if body:
            heading = CHAPTERS[k][0] if k in CHAPTERS else "Other"
            sections.append(f'<h2>{html.escape(heading)}</h2><table class="chapter">{head}'
                            f'{"".join(body)}</table>')
    ran = sum(1 for r in rows if r["status"] == r["expected"])
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>mlmath_jax tour</title><style>{_STYLE}</style></head><body><h1>mlmath_jax tour</h1>
<p>{len(rows)} lessons, {ran} ended as expected. Each ran with a short budget; its page says
which and gives the command for the full run.</p>
{''.join(sections)}</body></html>
"""
    out = Path(tour_dir) / "index.html"
    _write_atomic(out, page)
    return out
