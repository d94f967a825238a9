"""The catalogue of bad input in tests/bad_inputs/, run through the real command line."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from rnncli.cli import app
from tests.conftest import ROOT

HERE = ROOT / "tests" / "bad_inputs"
CASES: list[dict[str, Any]] = yaml.safe_load((HERE / "catalogue.yaml").read_text("utf-8"))
runner = CliRunner()


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_the_catalogue_is_large_and_unique() -> None:
    assert len(CASES) >= 40
    assert len({case["id"] for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_bad_input(case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "inputs"
    shutil.copytree(HERE, folder)
    monkeypatch.chdir(folder)
    before = snapshot(folder)
    stdin = ""
    if "stdin_repeat" in case:
        text, times = case["stdin_repeat"]
        stdin = text * times
    result = runner.invoke(app, case["args"], input=stdin)
    assert result.exit_code == case["exit"], result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if case["exit"] == 1:
        assert result.stderr.startswith("rnncli: error: ")
        assert len(result.stderr.splitlines()) == 1, result.stderr
    for word in case["words"]:
        assert word in result.stderr, result.stderr
    assert snapshot(folder) == before
