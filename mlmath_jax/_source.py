"""Read a module's literal constant (``DESCRIPTION``, ``HELP``) from its source without
importing it: importing an experiment or a command may import JAX, which `mlmath list`
and `mlmath --help` must not pay for.

Parsing only the module's head is enough: such constants sit near the top (after the
docstring and the imports), and parsing every experiment in full took most of the
time of `mlmath list` (30 modules, ~0.1 s).
"""

from __future__ import annotations

import ast
import re

_MISSING = object()


def _assigned(tree: ast.Module, name: str):
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == name):
            return ast.literal_eval(node.value)
    return _MISSING


def module_literal(path: str, name: str):
    """The value of the top-level ``name = <literal>`` in the module at ``path``.

    Only the source up to the end of that assignment is parsed; the value is exactly what
    a full :func:`ast.parse` gives (a line that merely looks like the assignment, inside a
    docstring say, is told apart because its prefix does not parse to that assignment).
    Raises ``LookupError`` when the module has no such assignment.
    """
    with open(path, encoding="utf-8") as f:
        source = f.read()
    lines = source.splitlines(keepends=True)
    starts = re.compile(rf"^{re.escape(name)}\s*=")
    for i, line in enumerate(lines):
        if not starts.match(line):
            continue
        for end in range(i + 1, min(len(lines), i + 40) + 1):
            try:
                tree = ast.parse("".join(lines[:end]), path)
            except SyntaxError:
                continue  # the assignment goes on, or the prefix cuts through a string
            last = tree.body[-1] if tree.body else None
            if (isinstance(last, ast.Assign) and len(last.targets) == 1
                    and isinstance(last.targets[0], ast.Name) and last.targets[0].id == name
                    and last.lineno == i + 1):
                return ast.literal_eval(last.value)
            break  # the prefix parses but this line is not the assignment (a string's text)
    value = _assigned(ast.parse(source, path), name)  # unusual layout: the whole module
    if value is _MISSING:
        raise LookupError(f"{path} has no top-level {name} = <literal>")
    return value
