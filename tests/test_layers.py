"""Imports only point down the package's layers (LAYERS below, as the README's Layout lists
them), and no modules import each other.

Every module of the package is read with `ast` (nothing is imported): absolute and relative
imports, at module level, inside functions and under TYPE_CHECKING alike, and
`importlib.import_module("lakehouse_assets....")` with a literal name. An import's target is the
most specific module it names: `from lakehouse_assets.engine import resource` is
`lakehouse_assets.engine.resource`, `from lakehouse_assets.contracts import Project` is the
package `lakehouse_assets.contracts` (its `__init__` counts as a module of its own).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "lakehouse_assets"

# Rank of each top-level subpackage or module of the package; the package root itself is an
# entry point. A module may import from its own rank or below, never above.
LAYERS: dict[str, int] = {
    "contracts": 0,
    "engine": 1,
    "storage": 1,
    "tables": 2,
    "strategies": 2,
    "ingest": 3,
    "io": 3,
    "checks": 4,
    "migrations": 4,
    "security": 4,
    "assets": 5,
    **dict.fromkeys(
        [
            "sensors",
            "schedules",
            "jobs",
            "definitions",
            "cli",
            "code_location",
            "component",
            "defs",
            "status",
            "governance",
            "demo",
            "deploy",
            "project_loader",
            "delta_io_manager",
        ],
        6,
    ),
}
ROOT_RANK = 6

# Violations tolerated for now: none. Kept so a listed entry that no longer exists fails too.
# "upward: importer -> imported" or "cycle: a, b, ..." (the modules of the cycle, sorted).
KNOWN_VIOLATIONS: set[str] = set()


@dataclass(frozen=True)
class Edge:
    importer: str
    imported: str
    line: int


def module_names(package_dir: Path) -> dict[str, Path]:
    """Dotted name -> file for every module of the package (`pkg.sub` for pkg/sub/__init__)."""
    root = package_dir.name
    names = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = [root, *path.relative_to(package_dir).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of `name` that is a module of the package."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def _imported_names(module: str, is_package: bool, tree: ast.AST) -> Iterable[tuple[str, int]]:
    """Every dotted name the module imports (for `from X import a`: X.a, resolved later)."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join([*base_parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            for alias in node.names:
                yield (base if alias.name == "*" else f"{base}.{alias.name}"), node.lineno
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and (
                getattr(node.func, "attr", None) == "import_module"
                or getattr(node.func, "id", None) == "import_module"
            )
        ):
            yield node.args[0].value, node.lineno


def import_edges(package_dir: Path) -> list[Edge]:
    modules = module_names(package_dir)
    edges = set()
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, line in _imported_names(module, path.name == "__init__.py", tree):
            target = _resolve(name, modules)
            if target is not None and target != module:
                edges.add(Edge(module, target, line))
    return sorted(edges, key=lambda e: (e.importer, e.imported, e.line))


def layer_of(module: str, layers: dict[str, int]) -> tuple[str, int]:
    """(layer name, rank) of a dotted module name of the package."""
    parts = module.split(".")
    if len(parts) == 1:
        return "package root", ROOT_RANK
    if parts[1] not in layers:
        raise AssertionError(
            f"{module}: top-level {parts[1]!r} has no layer; add it to LAYERS "
            "in tests/test_layers.py (and to the README's Layout)"
        )
    return parts[1], layers[parts[1]]


def upward_imports(edges: list[Edge], layers: dict[str, int]) -> dict[str, str]:
    """'upward: importer -> imported' -> message naming both modules and both layers."""
    found: dict[str, str] = {}
    for e in edges:
        (low_name, low), (high_name, high) = (
            layer_of(e.importer, layers),
            layer_of(e.imported, layers),
        )
        if high > low:
            key = f"upward: {e.importer} -> {e.imported}"
            found.setdefault(
                key,
                (
                    f"{e.importer} (layer {low_name}, rank {low}) imports {e.imported} (layer "
                    f"{high_name}, rank {high}) at line {e.line}: imports only point down"
                ),
            )
    return found


def cycles(edges: list[Edge]) -> dict[str, str]:
    """'cycle: a, b, ...' -> message showing one loop, for every strongly connected set of
    two or more modules (Tarjan)."""
    graph: dict[str, list[str]] = {}
    for e in edges:
        graph.setdefault(e.importer, []).append(e.imported)
        graph.setdefault(e.imported, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    found = {}
    for component in components:
        loop = _loop(component[0], set(component), graph)
        found[f"cycle: {', '.join(component)}"] = "modules import each other: " + " -> ".join(loop)
    return found


def _loop(start: str, members: set[str], graph: dict[str, list[str]]) -> list[str]:
    """A shortest import path start -> ... -> start inside one strongly connected set."""
    paths = {start: [start]}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph[v]):
            if w == start:
                return [*paths[v], start]
            if w in members and w not in paths:
                paths[w] = [*paths[v], w]
                queue.append(w)
    raise AssertionError(f"no loop through {start}")  # cannot happen in a component


def violations(package_dir: Path, layers: dict[str, int]) -> dict[str, str]:
    for module in module_names(package_dir):
        layer_of(module, layers)  # a module without a layer fails, naming it
    edges = import_edges(package_dir)
    return {**upward_imports(edges, layers), **cycles(edges)}


def test_imports_point_down_and_never_in_a_circle():
    found = violations(PACKAGE_DIR, LAYERS)
    new = sorted(set(found) - KNOWN_VIOLATIONS)
    gone = sorted(KNOWN_VIOLATIONS - set(found))
    problems = [found[k] for k in new]
    problems += [f"{k} is listed in KNOWN_VIOLATIONS but no longer exists: remove it" for k in gone]
    assert not problems, "\n".join(problems)


# --- the walker itself: a synthetic package with one upward import and one cycle ------------


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "pkg"


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    return _write(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg.high.top import main\n",
            "pkg/low/__init__.py": "",
            # upward, hidden in a function and under TYPE_CHECKING, relative and absolute
            "pkg/low/base.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n"
                "    from ..high import top\n"
                "def f():\n"
                "    import pkg.high.other\n"
            ),
            "pkg/low/ok.py": "from pkg.low import base\nfrom . import base as b\nimport os\n",
            "pkg/high/__init__.py": "",
            "pkg/high/top.py": "from pkg.high import other\ndef main(): ...\n",
            # a cycle through a package __init__, one side importing inside a function
            "pkg/high/other.py": "def g():\n    from pkg.high.top import main\n",
        },
    )


SYNTHETIC_LAYERS = {"low": 0, "high": 1}


def test_walker_finds_upward_imports_in_every_form(synthetic: Path):
    found = upward_imports(import_edges(synthetic), SYNTHETIC_LAYERS)
    assert set(found) == {
        "upward: pkg.low.base -> pkg.high.top",
        "upward: pkg.low.base -> pkg.high.other",
    }
    message = found["upward: pkg.low.base -> pkg.high.top"]
    assert "pkg.low.base (layer low, rank 0)" in message
    assert "pkg.high.top (layer high, rank 1)" in message


def test_walker_finds_cycles(synthetic: Path):
    found = cycles(import_edges(synthetic))
    assert found == {
        "cycle: pkg.high.other, pkg.high.top": "modules import each other: "
        "pkg.high.other -> pkg.high.top -> pkg.high.other"
    }
    (synthetic / "high" / "__init__.py").write_text("from pkg.high.top import main\n")
    (synthetic / "high" / "top.py").write_text("import pkg.high\ndef main(): ...\n")
    assert "cycle: pkg.high, pkg.high.top" in cycles(import_edges(synthetic))


def test_walker_names_a_module_without_a_layer(synthetic: Path):
    (synthetic / "stray.py").write_text("")
    with pytest.raises(AssertionError, match=r"pkg\.stray: top-level 'stray' has no layer"):
        violations(synthetic, SYNTHETIC_LAYERS)
