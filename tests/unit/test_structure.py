"""The shape of the package: small modules, short functions, dependencies that run one way.

These are the habits of issue 8, checked so that they hold after the next change too. The limits
are those the README states: no module over 600 lines, no function over 80 lines, no import cycle
between the package's modules, and stats depends on the schema only.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "qzanalysis"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80


def _modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    out = {}
    for file in sorted(PACKAGE.rglob("*.py")):
        parts = list(file.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = file
    return out


def _internal_imports(name: str, file: Path, known: set[str]) -> set[str]:
    """Package modules imported at module level by ``name`` (imports inside functions are lazy
    on purpose and cannot form a cycle at import time)."""
    tree = ast.parse(file.read_text(encoding="utf-8"))
    package = name if file.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # "from . import schema" imports the module qzanalysis.schema, not the package
            submodules = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in known]
            candidates = submodules or [target]
        elif isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        else:
            continue
        found |= {c for c in candidates if c in known and c != name}
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _internal_imports(name, file, known) for name, file in modules.items()}


def test_no_module_is_too_long():
    long = {n: len(f.read_text(encoding="utf-8").splitlines()) for n, f in _modules().items()}
    assert {n: k for n, k in long.items() if k > MAX_MODULE_LINES} == {}


def test_no_function_is_too_long():
    too_long = []
    for name, file in _modules().items():
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    too_long.append(f"{name}.{node.name}: {lines} lines")
    assert too_long == []


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles of ``graph`` (module -> modules it imports), one per back edge found."""
    cycles: list[list[str]] = []
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in path:
                cycles.append(path[path.index(nxt) :] + [nxt])
            elif nxt not in done:
                visit(nxt, path + [nxt])
        done.add(node)

    for start in sorted(graph):
        if start not in done:
            visit(start, [start])
    return cycles


def test_no_import_cycle():
    assert find_cycles(_graph()) == []


def test_cycle_detector_finds_a_cycle():
    # control: the check above can fail (this was compare <-> stats before issue 8)
    assert find_cycles({"compare": {"stats"}, "stats": {"compare"}, "schema": set()}) == [
        ["compare", "stats", "compare"]
    ]


@pytest.mark.parametrize(
    "module, allowed",
    [
        ("qzanalysis.stats", {"qzanalysis.schema", "qzanalysis.columns"}),
        ("qzanalysis.schema", {"qzanalysis.columns"}),
        ("qzanalysis.columns", set()),
        ("qzanalysis.periods", set()),
        ("qzanalysis.units", set()),
    ],
)
def test_low_level_modules_depend_on_little(module, allowed):
    assert _graph()[module] <= allowed
