"""Sphinx helpers for the mlmath_jax site, all offline.

* ``mathml``: a math renderer that turns every ``$...$`` / ``$$...$$`` (MyST dollarmath)
  and ``:math:`` node into MathML with latex2mathml at build time, so the pages need no
  script and no CDN (``html_math_renderer = "mathml"``).
* the API reference: ``docs/api/`` is regenerated at each build by walking the
  ``mlmath_jax`` package (:func:`public_modules`), one page per public module with an
  autosummary table and an autodoc entry for each public name, so a new module appears
  without editing anything.
* ``{mlmath-exercises} CHAPTER``: a table of the chapter's exercises, read from
  ``mlmath_jax.exercises``' catalogue at build time (nothing is copied by hand).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive

PACKAGE = "mlmath_jax"
#: modules that are commands or entry points, not a library API (documented by ``--help``)
SKIP = ("mlmath_jax.__main__",)


# --------------------------------------------------------------------------- MathML
def _mathml(latex: str, display: str) -> str:
    from latex2mathml.converter import convert

    return convert(latex.strip(), display=display)


def _visit_inline(self, node):
    self.body.append(_mathml(node.astext(), "inline"))
    raise nodes.SkipNode


def _visit_block(self, node):
    html = _mathml(node.astext(), "block")
    self.body.append(f'<div class="math-block">{html}</div>\n')
    raise nodes.SkipNode


# ----------------------------------------------------------------------- API pages
def _private(modname: str) -> bool:
    return any(part.startswith("_") for part in modname.split("."))


def public_modules() -> list[str]:
    """Every public module of the package (no ``_``-prefixed component), sorted."""
    pkg = importlib.import_module(PACKAGE)
    names = [PACKAGE]
    for info in pkgutil.walk_packages(pkg.__path__, PACKAGE + "."):
        if not _private(info.name) and info.name not in SKIP:
            names.append(info.name)
    return sorted(names)


def public_names(modname: str) -> list[str]:
    """The public functions and classes a module offers: its ``__all__`` when it has one,
    else every non-underscore function or class defined in it (not imported into it)."""
    mod = importlib.import_module(modname)
    if hasattr(mod, "__all__"):
        out = []
        for n in mod.__all__:
            obj = getattr(mod, n, None)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                out.append(n)
        return out
    return [n for n, obj in vars(mod).items()
            if not n.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
            and getattr(obj, "__module__", None) == modname]


def home(modname: str, name: str) -> str:
    """Where a public name is documented: the public module that defines it; a name
    defined in a private module is documented where it is exported."""
    obj = getattr(importlib.import_module(modname), name)
    defined = getattr(obj, "__module__", modname) or modname
    if defined == modname or _private(defined) or defined not in public_modules():
        return modname
    return defined


ABS = "\u2223"  # '∣': looks like '|' and has the same width, but is no reST markup


def _escape(line: str) -> str:
    """The docstrings are plain text with Unicode math, read as reST: ``|x|`` would be a
    substitution and ``f(*args)`` an emphasis; make both literal characters."""
    line = line.replace("|", ABS).replace("(*", "(\\*")
    # ``name_`` ending a word is a reST reference; keep table columns where they were
    line = re.sub(r"(?<=\w)_  ", r"\\_ ", line)
    return re.sub(r"(?<=\w)_$", r"\\_", line)


def escape_docstring(app, what, name, obj, options, lines) -> None:
    """autodoc hook, after napoleon: escape prose lines (doctest blocks are left as
    written), and give an indented doctest block the blank line reST wants before it."""
    in_doctest = False
    out = []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(">>>"):
            if (not in_doctest and out and out[-1].strip()
                    and len(line) - len(line.lstrip()) > len(out[-1]) - len(out[-1].lstrip())):
                out.append("")
            in_doctest = True
        elif not stripped:
            in_doctest = False
        out.append(line if in_doctest or stripped.startswith("+") else _escape(line))
    lines[:] = out


def _first_line(obj) -> str:
    doc = inspect.getdoc(obj) or ""
    line = _escape(doc.strip().splitlines()[0]) if doc.strip() else ""
    return line[:-1] if line.endswith("::") else line


def _table(rows: list[tuple[str, str]]) -> list[str]:
    if not rows:
        return []
    out = [".. list-table::", "   :widths: 30 70", "   :class: api-summary", ""]
    for ref, text in rows:
        out += [f"   * - {ref}", f"     - {text or ' '}"]
    return out + [""]


def _page(modname: str, mods: list[str]) -> str:
    title = f"``{modname}``"
    lines = [title, "=" * len(title), "", f".. automodule:: {modname}", "   :no-members:", ""]
    subs = [m for m in mods if m.rsplit(".", 1)[0] == modname]
    if subs:
        lines += [".. rubric:: Submodules", ""]
        lines += _table([(f":py:mod:`{m}`", _first_line(importlib.import_module(m)))
                         for m in subs])
    names = public_names(modname)
    mod = importlib.import_module(modname)
    if names:
        lines += [".. rubric:: Summary", ""]
        rows = []
        for n in names:
            obj = getattr(mod, n)
            role = "py:class" if inspect.isclass(obj) else "py:func"
            rows.append((f":{role}:`~{home(modname, n)}.{n}`", _first_line(obj)))
        lines += _table(rows)
    for n in names:
        if home(modname, n) != modname:
            continue
        obj = getattr(mod, n)
        kind = "autoclass" if inspect.isclass(obj) else "autofunction"
        lines += [f".. {kind}:: {modname}.{n}"]
        if inspect.isclass(obj) and not hasattr(obj, "_fields"):  # NamedTuple fields are
            lines += ["   :members:"]                           # in the class docstring
        lines += [""]
    return "\n".join(lines)


def write_api(app) -> None:
    out = Path(app.srcdir) / "api"
    out.mkdir(exist_ok=True)
    mods = public_modules()
    wanted = {f"{m}.rst": _page(m, mods) for m in mods}
    index = ["API reference", "=============", "",
             "Generated at each build from the docstrings of every public module of",
             "``mlmath_jax`` (found by walking the package).", "",
             ]
    index += _table([(f":doc:`{m}`", _first_line(importlib.import_module(m))) for m in mods])
    index += [ ".. toctree::", "   :hidden:", "", *[f"   {m}" for m in mods], ""]
    wanted["index.rst"] = "\n".join(index)
    for stale in out.glob("*.rst"):
        if stale.name not in wanted:
            stale.unlink()
    for name, text in wanted.items():
        path = out / name
        if not path.exists() or path.read_text() != text:  # unchanged files stay cached
            path.write_text(text)


# ------------------------------------------------------------------- exercises table
class ExercisesDirective(Directive):
    """``{mlmath-exercises} linear algebra``: the chapter's exercises as a table."""

    required_arguments = 1
    final_argument_whitespace = True

    def run(self):
        from mlmath_jax import exercises

        chapter = self.arguments[0].strip()
        groups = exercises.by_chapter()
        if chapter not in groups:
            raise self.error(f"no exercise chapter {chapter!r}; chapters: {list(groups)}")
        table = nodes.table(classes=["exercises"])
        group = nodes.tgroup(cols=2)
        table += group
        group += nodes.colspec(colwidth=1)
        group += nodes.colspec(colwidth=2)
        head = nodes.thead()
        group += head
        head += self._row("exercise", "task", literal=False)
        body = nodes.tbody()
        group += body
        for ex in groups[chapter]:
            body += self._row(f"{ex.name}({ex.signature})", ex.title)
        note = nodes.paragraph(text=f"{len(groups[chapter])} exercises. Start one with "
                               "`mlmath exercise start NAME`, grade it with `mlmath exercise "
                               "check NAME.py`, or from Python with "
                               "`mlmath_jax.exercises.check(fn, NAME)`.")
        return [table, note]

    @staticmethod
    def _row(first, second, literal=True):
        row = nodes.row()
        a, b = nodes.entry(), nodes.entry()
        a += nodes.paragraph("", "", nodes.literal(text=first) if literal
                             else nodes.Text(first))
        b += nodes.paragraph(text=second)
        row += a
        row += b
        return row


def setup(app):
    app.add_html_math_renderer("mathml", (_visit_inline, None), (_visit_block, None))
    app.connect("builder-inited", write_api)
    app.connect("autodoc-process-docstring", escape_docstring, priority=600)
    app.add_directive("mlmath-exercises", ExercisesDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
