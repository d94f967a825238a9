"""Imports flow one way: no module of rnncli imports one that imports it back.

Every import counts, read from the source with ast: at the top of a module, inside a
function (a lazy import), or under `if TYPE_CHECKING:`; absolute or relative.
"""

from __future__ import annotations

import ast
from collections import deque
from pathlib import Path

from tests.conftest import ROOT

#: module -> the modules of the same package it imports.
Graph = dict[str, set[str]]


def import_graph(folder: Path) -> Graph:
    """Which modules of the package in folder import which (the package is folder.name)."""
    package = folder.name
    modules = {
        package if path.stem == "__init__" else f"{package}.{path.stem}": path
        for path in folder.glob("*.py")
    }

    def module_or_package(name: str) -> str | None:
        """name if it is one of the package's modules; the package for a name it defines."""
        if name in modules:
            return name
        return package if name.startswith(f"{package}.") and package in modules else None

    graph: Graph = {}
    for module, path in modules.items():
        imported: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names if alias.name in modules}
            elif isinstance(node, ast.ImportFrom):
                # from .x import y / from package.x import y / from package import x
                base = package if node.level else (node.module or "")
                if node.level and node.module:
                    base = f"{package}.{node.module}"
                if base == package:
                    imported |= {module_or_package(f"{base}.{a.name}") for a in node.names}
                elif base in modules:
                    imported.add(base)
        graph[module] = {name for name in imported if name is not None and name != module}
    return graph


def cycles(graph: Graph) -> list[list[str]]:
    """One import chain a -> ... -> a for each group of modules that import each other."""
    found: list[list[str]] = []
    seen: set[str] = set()
    for start in sorted(graph):
        if start in seen:
            continue
        # Breadth-first from start: the shortest chain back to start, if there is one.
        came_from: dict[str, str] = {}
        queue = deque([start])
        while queue and start not in came_from:
            module = queue.popleft()
            for target in sorted(graph[module]):
                if target not in came_from:
                    came_from[target] = module
                    queue.append(target)
        if start not in came_from:
            continue
        chain = [start]
        while (before := came_from[chain[0]]) != start:
            chain.insert(0, before)
        chain.insert(0, start)
        seen |= set(chain)
        found.append(chain)
    return found


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = import_graph(ROOT / "rnncli")
    assert graph["rnncli.__main__"] == {"rnncli.cli"}  # the sources were read
    found = cycles(graph)
    assert found == [], "modules that import each other:\n" + "\n".join(
        " -> ".join(chain) for chain in found
    )


def test_the_checker_sees_lazy_relative_and_chained_imports(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("VERSION = '1'\n")
    (package / "a.py").write_text("import pkg.b\n")
    (package / "b.py").write_text("def later() -> None:\n    from .c import name\n")
    (package / "c.py").write_text("from pkg import a, VERSION\n")  # a chain a -> b -> c -> a
    (package / "d.py").write_text("import os\nfrom pkg.c import name\nfrom . import e\n")
    (package / "e.py").write_text("if TYPE_CHECKING:\n    import pkg.d\n")  # d <-> e
    graph = import_graph(package)
    assert graph == {
        "pkg": set(),
        "pkg.a": {"pkg.b"},
        "pkg.b": {"pkg.c"},
        "pkg.c": {"pkg.a", "pkg"},
        "pkg.d": {"pkg.c", "pkg.e"},
        "pkg.e": {"pkg.d"},
    }
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"], ["pkg.d", "pkg.e", "pkg.d"]]
    assert cycles({"a": {"b", "c"}, "b": {"c"}, "c": set(), "d": {"a", "c"}}) == []
