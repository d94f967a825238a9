"""The benchmark runs (quick mode, no timings asserted), and a streamed run gives the
very text an in-memory run gives."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from rnncli.cli import app
from rnncli.core.forward import forward
from rnncli.core.sequence_run import Run
from rnncli.models.config.read import default_network
from rnncli.option_values import OutputFormat
from rnncli.pipelines.forward import CHUNK_ROWS
from rnncli.views.formats import FORMATS, Shown
from tests.conftest import ROOT

runner = CliRunner()


@pytest.mark.slow
def test_the_benchmark_runs_in_quick_mode(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    results = json.loads(out.read_text())
    targets = {row["target"] for row in results["rows"]}
    assert {"1 start-up", "4 memory", "5 writing", "6 batches"} <= targets
    assert all(row["ratio"] > 0 for row in results["rows"])
    assert "ratio" in completed.stdout.splitlines()[0]


@pytest.mark.parametrize("output_format", ["csv", "tsv", "jsonl"])
def test_a_streamed_run_equals_one_pass_in_memory(tmp_path: Path, output_format: str) -> None:
    T = 2 * CHUNK_ROWS + 123  # three pieces, the last a short one
    X = np.random.default_rng(9).normal(size=(T, 5))
    data = tmp_path / "long.csv"
    data.write_text("x1,x2,x3,x4,x5\n" + "".join(",".join(map(repr, r)) + "\n" for r in X.tolist()))
    streamed = runner.invoke(app, ["forward", str(data), "-f", output_format])
    assert streamed.exit_code == 0, streamed.stderr
    net = default_network()
    in_memory = io.StringIO()
    FORMATS[OutputFormat(output_format)].forward([Run(forward(net, X))], net, in_memory, Shown())
    assert streamed.stdout == in_memory.getvalue()


def test_a_late_error_in_a_stream_names_its_line(tmp_path: Path) -> None:
    lines = ["1,1,1,1,1"] * (CHUNK_ROWS + 10)
    lines[CHUNK_ROWS + 5] = "1,1,oops,1,1"
    data = tmp_path / "late.csv"
    data.write_text("\n".join(lines) + "\n")
    target = tmp_path / "out.csv"
    result = runner.invoke(app, ["forward", str(data), "-o", str(target)])
    assert result.exit_code == 1
    assert f"late.csv:{CHUNK_ROWS + 6}:5: column 3: expected a number, got 'oops'" in result.stderr
    assert not target.exists()  # -o writes whole or not at all


def test_a_late_byte_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    data = tmp_path / "late.csv"
    data.write_bytes(b"1,1,1,1,1\n" * (CHUNK_ROWS + 5) + b"1,1,\xe91,1,1\n")
    result = runner.invoke(app, ["forward", str(data), "-f", "csv"])
    assert result.exit_code == 1
    assert f"late.csv:{CHUNK_ROWS + 6}:5: is not UTF-8 text (byte 0xe9)" in result.stderr
