"""The direction of dependency between runyard's packages, read statically from every module's imports.

The graph is built from the source (AST), so it covers imports inside functions as well as module-level
ones and does not depend on which code paths a test happens to execute. Importing `runyard.a.b` also
runs the `__init__` of `runyard.a`, so parent packages count as imported, except the root
`runyard/__init__.py`: that is the SDK facade a user's script imports, not part of any package's code.
Imports under `if TYPE_CHECKING:` are left out (they never run).
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

import runyard

ROOT = Path(runyard.__file__).parent
# Top-level units whose mutual imports must form no cycle.
PACKAGES = ("sdk", "wire", "store", "server", "api", "cli", "compat", "sweeps")


def _module_name(path: Path) -> str:
    parts = ("runyard",) + path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_names(path: Path, module: str) -> set[str]:
    """Every `runyard...` module name the file imports (resolved, relative imports included)."""
    tree = ast.parse(path.read_text(), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names.add(target)
            # `from pkg import mod` imports the submodule when there is one
            names.update(f"{target}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {n for n in names if n == "runyard" or n.startswith("runyard.")}


@lru_cache(maxsize=1)
def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it loads directly (parent packages included, root facade excluded)."""
    files = {_module_name(p): p for p in ROOT.rglob("*.py") if "migrations" not in p.parts}
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        edges: set[str] = set()
        for name in _imported_names(path, module):
            # keep the longest prefix that is a real module (`from x import func` names no module)
            while name not in files and "." in name:
                name = name.rpartition(".")[0]
            parts = name.split(".")
            edges.update(".".join(parts[:i]) for i in range(2, len(parts) + 1))
        parts = module.split(".")
        edges.update(".".join(parts[:i]) for i in range(2, len(parts)))  # own parent packages
        edges.discard(module)
        graph[module] = {e for e in edges if e in files}
    return graph


def _reachable(start: str) -> dict[str, str]:
    """Every module loaded by importing `start`, each with the module that imported it."""
    graph = import_graph()
    seen = {start: ""}
    todo = [start]
    while todo:
        mod = todo.pop()
        for dep in graph[mod]:
            if dep not in seen:
                seen[dep] = mod
                todo.append(dep)
    return seen


def _chain(seen: dict[str, str], end: str) -> str:
    path = [end]
    while seen[path[-1]]:
        path.append(seen[path[-1]])
    return " -> ".join(reversed(path))


def _unit(module: str) -> str:
    return module.split(".")[1] if module.count(".") else "runyard"


def _modules_of(*units: str) -> list[str]:
    return sorted(m for m in import_graph() if _unit(m) in units)


def test_graph_sees_the_project():
    graph = import_graph()
    assert "runyard.server.wandb.runs" in graph and "runyard.wire.framing" in graph
    assert "runyard.compat.wandb_map" in graph["runyard.server.wandb.convert"]  # a relative import
    assert "runyard.sdk.artifacts.artifact" in _reachable("runyard.compat.wandb_import")  # transitively


def test_server_and_store_never_load_the_sdk():
    """The server process must not depend on the SDK's code (a wandb-free install, separate release)."""
    bad = []
    for start in _modules_of("server", "store"):
        seen = _reachable(start)
        bad += [_chain(seen, m) for m in seen if _unit(m) == "sdk"]
    assert bad == [], "\n".join(sorted(set(bad))[:20])


def test_wire_imports_nothing_of_the_project():
    """`runyard.wire` is the format both sides share; it depends on no other part of runyard."""
    graph = import_graph()
    bad = [f"{m} -> {d}" for m in _modules_of("wire") for d in graph[m] if _unit(d) != "wire"]
    assert bad == [], "\n".join(bad)


def test_no_import_cycle_between_packages():
    graph = import_graph()
    edges: dict[str, set[str]] = {p: set() for p in PACKAGES}
    examples: dict[tuple[str, str], str] = {}
    for mod, deps in graph.items():
        for dep in deps:
            a, b = _unit(mod), _unit(dep)
            if a != b and a in PACKAGES and b in PACKAGES:
                edges[a].add(b)
                examples.setdefault((a, b), f"{mod} -> {dep}")
    cycles = []
    for a in PACKAGES:
        for b in edges[a]:
            # a -> b closes a cycle when b reaches a
            todo, seen = [b], {b}
            while todo:
                for nxt in edges[todo.pop()]:
                    if nxt == a:
                        cycles.append(f"{a} -> {b} ({examples[(a, b)]}) and back")
                    elif nxt not in seen:
                        seen.add(nxt)
                        todo.append(nxt)
    assert cycles == [], "\n".join(sorted(set(cycles)))
