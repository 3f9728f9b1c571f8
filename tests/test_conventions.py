"""The mechanical part of docs/CONVENTIONS.md, checked over every module of mlmath_jax.

* §1 every public loss and metric takes (predictions | logits, targets | labels);
* §2 a parameter named ``key`` comes first and has no default; no parameter ``seed``;
* §3 no ``_info`` twins;
* §6/§7 every public function of a concept module has an ``Example`` doctest;
* §6 no import cycles, and no concept module imports ``nn``, ``models``, the runner or an
  experiment (imports read with ``ast``, so nothing is executed to find them).

"Public function": a module-level function (or a jax-wrapped one: ``custom_jvp``,
``jit``) defined in that module whose name does not start with ``_``. The modules are
found with ``pkgutil.walk_packages``, so a new module is checked without editing this file.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import mlmath_jax

PACKAGE = Path(mlmath_jax.__file__).parent

# Not checked for keys and examples: the command line, the runner and the benchmarks
# (they are applications of the library, not its concepts).
_SKIP = ("mlmath_jax.cli", "mlmath_jax.runner", "mlmath_jax.bench", "mlmath_jax.__main__")
# Applications built from several concepts (may import nn / models); everything else is a
# concept module.
_APPLICATIONS = _SKIP + ("mlmath_jax.models", "mlmath_jax.pipeline", "mlmath_jax.exercises")
# Drawing helpers (matplotlib axes in, nothing out): no mathematics to show in an example.
_NO_EXAMPLES = ("mlmath_jax.plotting",)
_FORBIDDEN = ("mlmath_jax.nn", "mlmath_jax.models", "mlmath_jax.runner", "experiments")

PREDICTION_NAMES = ("predictions", "logits")
TARGET_NAMES = ("targets", "labels")


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _all_module_names() -> list[str]:
    names = ["mlmath_jax"]
    for info in pkgutil.walk_packages(mlmath_jax.__path__, prefix="mlmath_jax."):
        names.append(info.name)
    return sorted(names)


ALL_MODULES = _all_module_names()
CHECKED = [m for m in ALL_MODULES
           if not _under(m, _SKIP) and not m.split(".")[-1].startswith("_")]
CONCEPTS = [m for m in CHECKED if not _under(m, _APPLICATIONS) and m != "mlmath_jax"]


def _public_functions(module_name: str):
    """(name, function) for each public function defined in the module (unwrapped)."""
    module = importlib.import_module(module_name)
    out = []
    for name, obj in vars(module).items():
        if name.startswith("_") or inspect.isclass(obj) or inspect.ismodule(obj):
            continue
        fn = obj
        if not inspect.isfunction(fn):
            if not callable(fn) or not hasattr(fn, "__wrapped__"):
                continue
            fn = inspect.unwrap(fn)
            if not inspect.isfunction(fn):
                continue
        if getattr(fn, "__module__", None) != module_name:
            continue  # imported from elsewhere; checked where it is defined
        out.append((name, obj, fn))
    return sorted(out, key=lambda t: t[0])


# ------------------------------------------------------------------ §1 argument order

@pytest.mark.parametrize("module_name", ["mlmath_jax.losses", "mlmath_jax.metrics"])
def test_losses_and_metrics_take_predictions_then_targets(module_name):
    bad = []
    functions = _public_functions(module_name)
    assert functions, f"{module_name} has no public functions?"
    for name, _, fn in functions:
        params = list(inspect.signature(fn).parameters)
        if (len(params) < 2 or params[0] not in PREDICTION_NAMES
                or params[1] not in TARGET_NAMES):
            bad.append(f"{module_name}.{name}{tuple(params[:2])}")
    assert not bad, ("first two parameters must be (predictions | logits, targets | "
                     "labels): " + ", ".join(bad))


# ---------------------------------------------------------------- §2 keys, §3 no _info

def test_key_is_first_without_default_and_no_seed_parameter():
    bad = []
    for module_name in CHECKED:
        for name, _, fn in _public_functions(module_name):
            params = inspect.signature(fn).parameters
            if "seed" in params:
                bad.append(f"{module_name}.{name}: takes 'seed' (take a key)")
            for pname, p in params.items():
                if pname.endswith("_key") and p.kind is not p.KEYWORD_ONLY:
                    bad.append(f"{module_name}.{name}: '{pname}' (a key for one mode) is "
                               "not keyword-only")
            if "key" in params:
                p = params["key"]
                if list(params)[0] != "key":
                    bad.append(f"{module_name}.{name}: 'key' is not the first parameter")
                if p.default is not inspect.Parameter.empty:
                    bad.append(f"{module_name}.{name}: 'key' has a default")
    assert not bad, "\n".join(bad)


def test_no_info_twins():
    bad = [f"{m}.{name}" for m in CHECKED for name, _, _ in _public_functions(m)
           if name.endswith("_info")]
    assert not bad, "functions ending in _info (return a NamedTuple instead): " + \
        ", ".join(bad)


# ------------------------------------------------------------------------ §7 examples

def test_every_public_function_of_a_concept_module_has_an_example():
    bad = []
    for module_name in CONCEPTS:
        if _under(module_name, _NO_EXAMPLES):
            continue
        for name, obj, fn in _public_functions(module_name):
            doc = inspect.getdoc(obj) or inspect.getdoc(fn) or ""
            if "Example" not in doc or ">>>" not in doc:
                bad.append(f"{module_name}.{name}")
    assert not bad, f"{len(bad)} public functions without an Example doctest: " + \
        ", ".join(bad)


# -------------------------------------------------------------------------- §6 imports

def _module_file(name: str) -> Path | None:
    rel = Path(*name.split(".")[1:])
    for candidate in (PACKAGE / rel / "__init__.py", (PACKAGE / rel).with_suffix(".py")):
        if name == "mlmath_jax":
            candidate = PACKAGE / "__init__.py"
        if candidate.is_file():
            return candidate
    return None


def _is_module(name: str) -> bool:
    return name.startswith("mlmath_jax") and _module_file(name) is not None


def _imports(module_name: str) -> set[str]:
    """Every module of mlmath_jax (or ``experiments``) that the module's source imports,
    at top level or inside functions, except under ``if TYPE_CHECKING:``."""
    path = _module_file(module_name)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    package = module_name if is_package else module_name.rpartition(".")[0]
    type_checking_nodes = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            type_checking_nodes.update(id(n) for n in ast.walk(node))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_checking_nodes:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                base_name = ".".join(base + ([node.module] if node.module else []))
            else:
                base_name = node.module or ""
            for alias in node.names:
                sub = f"{base_name}.{alias.name}"
                found.add(sub if _is_module(sub) else base_name)
    out = set()
    for name in found:
        if name == "experiments" or name.startswith("experiments."):
            out.add(name)
        elif name.startswith("mlmath_jax"):
            # the deepest module named (``import mlmath_jax.a.b`` names mlmath_jax.a.b)
            parts = name.split(".")
            while parts and not _is_module(".".join(parts)):
                parts.pop()
            if parts:
                out.add(".".join(parts))
    out.discard(module_name)
    return out


def test_no_import_cycles():
    graph = {m: _imports(m) for m in ALL_MODULES}
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if state.get(nxt) == "open":
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = "done"

    for m in ALL_MODULES:
        if m not in state:
            visit(m, [])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_concept_modules_do_not_import_nn_models_runner_or_experiments():
    bad = []
    for module_name in CONCEPTS:
        for imported in sorted(_imports(module_name)):
            if module_name == "mlmath_jax.nn" and imported == "mlmath_jax.nn":
                continue
            if _under(imported, _FORBIDDEN):
                bad.append(f"{module_name} imports {imported}")
    assert not bad, "\n".join(bad)


def test_the_checks_see_the_modules():
    """Guard against a walk that finds nothing (every check above would pass vacuously)."""
    for name in ("mlmath_jax.explog", "mlmath_jax.losses", "mlmath_jax.models.linear"):
        assert name in CHECKED
    assert "mlmath_jax.explog" in CONCEPTS and "mlmath_jax.models.linear" not in CONCEPTS
    assert "mlmath_jax.explog" in _imports("mlmath_jax.losses")
    assert "mlmath_jax.registry" in _imports("mlmath_jax.explog")
