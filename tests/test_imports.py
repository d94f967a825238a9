"""Imports flow one way, inward, by the table of layers below (MAY_IMPORT); no module of
rnncli imports one that imports it back; the views read no file.

Every import counts, read from the source with ast: at the top of a module, inside a
function (a lazy import), or under `if TYPE_CHECKING:`; absolute or relative.
"""

from __future__ import annotations

import ast
import sys
from collections import deque
from pathlib import Path
from typing import NamedTuple

from tests.conftest import ROOT

#: module -> the modules of the same package it imports.
Graph = dict[str, set[str]]

#: The layers, the package's folders, from the user inward.
LAYERS = ("commands", "pipelines", "models", "views", "io", "core", "cells")
#: The modules directly in the package (errors, option values, messages, decimals...):
#: words every layer shares. The program's entry (cli, __main__) is a layer of its own.
SHARED = "shared"
ENTRY = "entry"
#: layer -> the layers it may import, besides itself and the shared words. `views` reads
#: no file (so no `io`, no `models`), `io` knows no network, `core` is the math over
#: `cells`, and `commands` hand their options to a pipeline.
MAY_IMPORT: dict[str, set[str]] = {
    ENTRY: {"commands"},
    "commands": {"pipelines"},
    "pipelines": {"models", "views", "io", "core", "cells"},
    "models": {"io", "core", "cells"},
    "views": {"core", "cells"},
    "io": set(),
    "core": {"cells"},
    "cells": set(),
    SHARED: set(),
}
#: The folders under models/ that read and write one framework's files: none imports
#: another, and of the modules of models/ beside them only read.py (which picks a reader
#: by file) knows them.
FRAMEWORKS = ("config", "onnx", "torch", "keras")
#: The layers whose imports of other layers are made inside functions only, so `--help`
#: loads none of them.
LAZY_LAYERS = {"commands"}
#: The packages of the command line, which only the commands and the entry know.
COMMAND_LINE = {"typer", "click"}
#: layer -> the packages beyond the standard library it may import.
THIRD_PARTY: dict[str, set[str]] = {"cells": {"numpy"}, "core": {"numpy"}}


class Import(NamedTuple):
    """One import of one module: the module imported (None outside the package: then
    `external` names the top package) and whether it is made inside a function."""

    target: str | None
    external: str | None
    lazy: bool


def module_names(folder: Path) -> dict[str, Path]:
    """Every module of the package in folder by its dotted name (a package by its own)."""
    package = folder.name
    names = {}
    for path in sorted(folder.rglob("*.py")):
        parts = [package, *path.relative_to(folder).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def imports_of(folder: Path) -> dict[str, list[Import]]:
    """Each module's imports, read from its source."""
    package = folder.name
    modules = module_names(folder)

    def resolved(name: str) -> str | None:
        """The module `name` is, or the one that defines it (its nearest package)."""
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    found: dict[str, list[Import]] = {}
    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text("utf-8"), str(path))
        lazy_nodes = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            for inner in ast.walk(node)
        }
        listed: list[Import] = []
        for node in ast.walk(tree):
            lazy = id(node) in lazy_nodes
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: from the module's package (a package's own)
                    parts = module.split(".")
                    keep = len(parts) - node.level + (1 if is_package else 0)
                    base = ".".join([*parts[:keep], *([node.module] if node.module else [])])
                else:
                    base = node.module or ""
                # from base import name: a module of base's, else a name base defines
                names = [f"{base}.{alias.name}" for alias in node.names]
            for name in names:
                if name == package or name.startswith(f"{package}."):
                    target = resolved(name)
                    if target is not None and target != module:
                        listed.append(Import(target, None, lazy))
                else:
                    listed.append(Import(None, name.partition(".")[0], lazy))
        found[module] = listed
    return found


def import_graph(folder: Path) -> Graph:
    """Which modules of the package in folder import which (the package is folder.name)."""
    return {
        module: {i.target for i in listed if i.target is not None}
        for module, listed in imports_of(folder).items()
    }


def layer_of(module: str) -> str:
    """The layer a module belongs to: its folder, the entry, or the shared words."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    return ENTRY if parts[1:] in (["cli"], ["__main__"]) else SHARED


def _framework_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if parts[1:2] == ["models"] and parts[2:3] and parts[2] in FRAMEWORKS else None


def crossings(found: dict[str, list[Import]]) -> list[str]:
    """Every import against the rules, as `module -> imported (the rule)`."""
    against: list[str] = []
    stdlib = sys.stdlib_module_names
    for module, listed in sorted(found.items()):
        layer = layer_of(module)
        for i in listed:
            if i.target is None:
                assert i.external is not None
                command_line = i.external in COMMAND_LINE
                if command_line and layer not in ("commands", ENTRY):
                    against.append(f"{module} -> {i.external} (the command line's)")
                elif (
                    layer in THIRD_PARTY
                    and i.external not in stdlib
                    and i.external not in THIRD_PARTY[layer]
                ):
                    against.append(f"{module} -> {i.external} ({layer} takes numpy only)")
                continue
            target = layer_of(i.target)
            if target not in (layer, SHARED) and target not in MAY_IMPORT[layer]:
                against.append(f"{module} -> {i.target} ({layer} never imports {target})")
            elif layer in LAZY_LAYERS and target != layer and target != SHARED and not i.lazy:
                against.append(f"{module} -> {i.target} ({layer} imports {target} lazily)")
            ours, theirs = _framework_of(module), _framework_of(i.target)
            reader = module == "rnncli.models.read"  # the one that picks a framework's reader
            if layer == "models" and theirs not in (None, ours) and (ours or not reader):
                against.append(f"{module} -> {i.target} (only models.read knows {theirs})")
    return against


#: What opens or reads a file: `views` calls none of them (nor imports io, which does).
FILE_CALLS = {"open", "read_text", "read_bytes", "read_sequence", "load_config", "File"}
#: The layers that read no file.
READ_NO_FILE = {"views"}


def file_reads(folder: Path) -> list[str]:
    """Every call that reads a file made in a layer that reads none, as `module: call`."""
    found = []
    for module, path in sorted(module_names(folder).items()):
        if layer_of(module) not in READ_NO_FILE:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if isinstance(node, ast.Call):
                called = node.func
                name = called.attr if isinstance(called, ast.Attribute) else None
                name = called.id if isinstance(called, ast.Name) else name
                if name in FILE_CALLS:
                    found.append(f"{module}: {name}()")
    return found


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
    assert "rnncli.cells.elman" in graph["rnncli.core.network"]  # and those in folders
    found = cycles(graph)
    assert found == [], "modules that import each other:\n" + "\n".join(
        " -> ".join(chain) for chain in found
    )


def test_every_import_keeps_to_the_table_of_layers() -> None:
    found = imports_of(ROOT / "rnncli")
    assert {layer_of(module) for module in found} == {*LAYERS, SHARED, ENTRY}
    assert crossings(found) == []


def test_the_views_read_no_file(tmp_path: Path) -> None:
    assert file_reads(ROOT / "rnncli") == []
    package = tmp_path / "rnncli"
    (package / "views").mkdir(parents=True)
    (package / "views" / "page.py").write_text(
        "import pathlib\ndef f(p):\n    return open(p).read() + pathlib.Path(p).read_text()\n"
    )
    (package / "io").mkdir()
    (package / "io" / "files.py").write_text("def f(p):\n    return open(p).read()\n")
    assert sorted(file_reads(package)) == [
        "rnncli.views.page: open()",
        "rnncli.views.page: read_text()",
    ]


def test_the_checker_sees_lazy_relative_and_chained_imports(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("VERSION = '1'\n")
    (package / "a.py").write_text("import pkg.b\n")
    (package / "b.py").write_text("def later() -> None:\n    from .c import name\n")
    (package / "c.py").write_text("from pkg import a, VERSION\n")  # a chain a -> b -> c -> a
    (package / "d.py").write_text("import os\nfrom pkg.c import name\nfrom . import e\n")
    (package / "e.py").write_text("if TYPE_CHECKING:\n    import pkg.d\n")  # d <-> e
    (package / "sub").mkdir()
    (package / "sub" / "__init__.py").write_text("from . import f\nfrom .. import e\n")
    (package / "sub" / "f.py").write_text("from ..sub import g\nfrom pkg.sub.g import h\n")
    (package / "sub" / "g.py").write_text("from . import f\n")  # f <-> g, in a folder
    graph = import_graph(package)
    assert graph == {
        "pkg": set(),
        "pkg.a": {"pkg.b"},
        "pkg.b": {"pkg.c"},
        "pkg.c": {"pkg.a", "pkg"},
        "pkg.d": {"pkg.c", "pkg.e"},
        "pkg.e": {"pkg.d"},
        "pkg.sub": {"pkg.sub.f", "pkg.e"},
        "pkg.sub.f": {"pkg.sub.g"},
        "pkg.sub.g": {"pkg.sub.f"},
    }
    assert cycles(graph) == [
        ["pkg.a", "pkg.b", "pkg.c", "pkg.a"],
        ["pkg.d", "pkg.e", "pkg.d"],
        ["pkg.sub.f", "pkg.sub.g", "pkg.sub.f"],
    ]
    assert cycles({"a": {"b", "c"}, "b": {"c"}, "c": set(), "d": {"a", "c"}}) == []
    lazy = {
        module: {(i.target, i.lazy) for i in listed}
        for module, listed in imports_of(package).items()
    }
    assert lazy["pkg.b"] == {("pkg.c", True)} and lazy["pkg.a"] == {("pkg.b", False)}


def test_the_table_refuses_each_kind_of_crossing(tmp_path: Path) -> None:
    """A tiny package with one import of each kind the table forbids, and one it allows."""
    package = tmp_path / "rnncli"
    files = {
        "__init__.py": "",
        "errors.py": "",
        "cli.py": "import typer\nfrom rnncli.commands import run\n",
        "cells/__init__.py": "",
        "cells/elman.py": "import numpy\nimport json\nfrom rnncli import errors\n",
        "cells/wrong.py": "import rich\n",  # cells: numpy only
        "core/__init__.py": "",
        "core/network.py": "from rnncli.cells import elman\n",
        "core/loss.py": "def later() -> None:\n    from rnncli.io import targets\n",  # lazy too
        "io/__init__.py": "",
        "io/targets.py": "from rnncli.core.loss import Targets\n",  # io knows no network
        "views/__init__.py": "",
        "views/facts.py": "from ..models.config import keys\n",  # views read no file
        "models/__init__.py": "",
        "models/read.py": "from rnncli.models.onnx import read\nfrom .torch import state\n",
        "models/form.py": "from rnncli.models.keras import read\n",  # only read.py knows them
        "models/config/__init__.py": "",
        "models/config/keys.py": "",
        "models/onnx/__init__.py": "",
        "models/onnx/read.py": "from rnncli.models.torch.state import load\n",  # frameworks
        "models/torch/__init__.py": "",
        "models/torch/state.py": "",
        "models/keras/__init__.py": "",
        "models/keras/read.py": "",
        "pipelines/__init__.py": "",
        "pipelines/run.py": "import typer\nfrom rnncli.views import facts\n",  # no typer
        "commands/__init__.py": "",
        "commands/run.py": "import typer\nfrom rnncli.pipelines import run\n",  # not lazy
        "commands/ok.py": "def go() -> None:\n    from rnncli.pipelines.run import x\n",
        "commands/far.py": "def go() -> None:\n    from rnncli.io.targets import x\n",
    }
    for name, text in files.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text)
    assert crossings(imports_of(package)) == [
        "rnncli.cells.wrong -> rich (cells takes numpy only)",
        "rnncli.commands.far -> rnncli.io.targets (commands never imports io)",
        "rnncli.commands.run -> rnncli.pipelines.run (commands imports pipelines lazily)",
        "rnncli.core.loss -> rnncli.io.targets (core never imports io)",
        "rnncli.io.targets -> rnncli.core.loss (io never imports core)",
        "rnncli.models.form -> rnncli.models.keras.read (only models.read knows keras)",
        "rnncli.models.onnx.read -> rnncli.models.torch.state (only models.read knows torch)",
        "rnncli.pipelines.run -> typer (the command line's)",
        "rnncli.views.facts -> rnncli.models.config.keys (views never imports models)",
    ]


def test_the_architecture_page_names_every_module_in_its_folder() -> None:
    """docs/architecture.md's "Every module" lists each module under its folder, no more."""
    text = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    listed: set[str] = set()
    folder = None
    for line in text.split("## Every module", 1)[1].splitlines():
        if line.startswith("### `rnncli/"):
            folder = line.removeprefix("### `").rstrip("`")
        elif line.startswith("- `") and folder is not None:
            listed.add(folder + line[3:].split("`", 1)[0])
    package = ROOT / "rnncli"
    modules = {
        f"rnncli/{p.relative_to(package).as_posix()}"
        for p in package.rglob("*.py")
        if p.name != "__init__.py" or p.parent == package
    }
    assert listed == modules
