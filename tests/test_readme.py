"""The README's pipeline recipes, run as written in a copy of the project's samples and
configs, with this session's rnncli (never the one on PATH)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, TOOLS, command_environment, require, requires

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Use it in a pipeline", 1)[1].split("\n## ", 1)[0]
BLOCKS = re.findall(r"```(sh|python)\n(.*?)```", SECTION, flags=re.DOTALL)
SHELL_RECIPES = [line for kind, block in BLOCKS if kind == "sh" for line in block.splitlines()]
PYTHON_RECIPES = [block for kind, block in BLOCKS if kind == "python"]


def tools_of(command: str) -> set[str]:
    """The programs a pipeline runs: the first word of each stage."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    tools, stage_start = set(), True
    for token in lexer:
        if token in ("|", "&&", ";"):
            stage_start = True
        elif stage_start:
            tools.add(token)
            stage_start = False
    return tools


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the files the recipes read, so that what they write lands in tmp_path."""
    for name in ("samples", "configs"):
        shutil.copytree(ROOT / name, tmp_path / name)
    return tmp_path


def test_the_section_has_recipes_for_each_tool() -> None:
    tools = set().union(*map(tools_of, SHELL_RECIPES))
    assert {"rnncli", "jq", "mlr", "csvlook", "csvstat"} <= tools
    assert len(PYTHON_RECIPES) == 1 and "pandas" in PYTHON_RECIPES[0]


@pytest.mark.parametrize("command", SHELL_RECIPES)
def test_shell_recipe_runs(command: str, folder: Path) -> None:
    require(*sorted(tools_of(command) & set(TOOLS)))
    completed = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=folder,
        env=command_environment(folder),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    assert completed.stdout.strip()
    if "moving-average" in command:
        # h_t = 0.5 x_t + 0.5 h_{t-1} over 1, 2, 3, 4, worked by hand.
        rows = completed.stdout.splitlines()[1:]
        assert [row.split(",")[2] for row in rows] == ["0.5", "1.25", "2.125", "3.0625"]
    if ".h_n" in command:
        assert completed.stdout.split() == ["[", "-0.8649416224056057,", "0.904663597901336", "]"]


@requires("pandas")
@pytest.mark.parametrize("recipe", PYTHON_RECIPES)
def test_python_recipe_runs(recipe: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The recipe's `rnncli` is this session's (command_environment), not PATH's."""
    monkeypatch.chdir(folder)
    for key, value in command_environment(folder).items():
        monkeypatch.setenv(key, value)
    namespace: dict[str, Any] = {}
    exec(compile(recipe, "README.md", "exec"), namespace)
    steps = namespace["steps"]
    assert list(steps.index) == [1, 2, 3]
    assert steps.loc[3, "h1"] == pytest.approx(-0.8649416224, abs=1e-10)
