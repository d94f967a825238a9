"""The command line end to end, through typer.testing.CliRunner and a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from rnncli import __version__
from rnncli.cli import app
from tests.conftest import ROOT, SAMPLE, WEATHER, WEATHER_CONFIG, textbook

runner = CliRunner()


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_forward_table_shows_the_textbook_h3() -> None:
    code, out, err = run("forward", SAMPLE, "-f", "table")
    assert code == 0, err
    assert err == ""
    assert "textbook · 5 → 2 · many-to-many" in out
    assert "-0.8649  0.9047" in out  # h_3 at the default precision


def test_forward_with_the_textbook_config_equals_the_builtin_network() -> None:
    builtin = run("forward", SAMPLE, "-f", "csv")
    configured = run("forward", SAMPLE, "-f", "csv", "-c", str(ROOT / "configs" / "textbook.yaml"))
    assert builtin == configured
    rows = [line.split(",") for line in builtin[1].splitlines()[1:]]
    np.testing.assert_allclose(
        [[float(v) for v in row[6:]] for row in rows], textbook.PRINTED_OUTPUT, atol=1e-7
    )


def test_forward_json_document() -> None:
    code, out, _ = run("forward", str(ROOT / "samples" / "sample.json"), "-f", "json")
    assert code == 0
    document = json.loads(out)
    assert list(document) == ["mode", "network", "steps", "output", "h_n"]
    np.testing.assert_allclose(document["h_n"], textbook.H3_FLOAT64, atol=1e-10)


def test_forward_many_to_one_with_an_output_layer() -> None:
    code, out, err = run(
        "forward", WEATHER, "-c", WEATHER_CONFIG, "-m", "many-to-one", "-f", "json"
    )
    assert code == 0, err
    document = json.loads(out)
    assert document["mode"] == "many-to-one"
    assert document["network"]["output_activation"] == "sigmoid"
    assert [("o" in step) for step in document["steps"]] == [False] * 4 + [True]
    # o_T = sigmoid(W_ho h_T + b_o), from h_T as written in the same document.
    h_T = np.array(document["h_n"])
    expected = 1 / (1 + np.exp(-(np.array([1.5, -0.8, 1.0]) @ h_T - 0.2)))
    assert document["output"] == pytest.approx([expected], abs=1e-15)
    code, table, _ = run(
        "forward", WEATHER, "-c", WEATHER_CONFIG, "-m", "many-to-one", "-f", "table"
    )
    assert code == 0 and "weather · 2 → 3 → 1 · many-to-one" in table and "o_t" in table


def test_h0_overrides_the_initial_state() -> None:
    code, out, _ = run("forward", SAMPLE, "-f", "json", "--h0", "0.5,-0.25")
    assert code == 0
    step1 = json.loads(out)["steps"][0]["h"]
    W_xh, W_hh = np.array(textbook.W_xh), np.array(textbook.W_hh)
    b = np.array(textbook.b_xh) + np.array(textbook.b_hh)
    expected = np.tanh(W_xh @ np.ones(5) + W_hh @ np.array([0.5, -0.25]) + b)
    np.testing.assert_allclose(step1, expected, atol=1e-15)


def test_precision_option() -> None:
    code, out, _ = run("forward", SAMPLE, "-p", "2", "-f", "table")
    assert code == 0 and "-0.86  0.90" in out


def test_stdin_sequence() -> None:
    code, out, err = run("forward", "-", "-f", "csv", stdin="1,1,1,1,1\n")
    assert code == 0, err
    assert out.splitlines()[1].startswith("1,1.0,1.0,1.0,1.0,1.0,-0.35198012")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["forward", "missing.csv"], ["missing.csv: no such file"]),
        (["forward", ""], ["an empty name was given for the sequence file"]),
        (["forward", SAMPLE, "-c", ""], ["an empty name was given for the YAML config file"]),
        (
            ["forward", WEATHER],
            ["weather.csv: has 2 features per step but the built-in textbook network takes 5"],
        ),
        (
            ["forward", SAMPLE, "-c", WEATHER_CONFIG],
            ["sample.csv: has 5 features", "weather.yaml takes 2"],
        ),
        (["forward", SAMPLE, "-c", SAMPLE], ["sample.csv", "expected a mapping"]),
        (["forward", "-", "-c", "-"], ["cannot both be read from stdin"]),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_1(args: list[str], words: list[str]) -> None:
    code, out, err = run(*args, stdin="")
    assert code == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("rnncli: error: ")
    for word in words:
        assert word in err, err


@pytest.mark.parametrize(
    "args",
    [
        ["forward", SAMPLE, "-m", "sideways"],
        ["forward", SAMPLE, "-f", "xml"],
        ["forward", SAMPLE, "--h0", "a,b"],
        ["forward", SAMPLE, "--h0", "1,2,3"],
        ["forward", SAMPLE, "--h0", "nan,0"],
        ["forward", SAMPLE, "--h0", "1e999,0"],
        ["forward", SAMPLE, "--h0", ""],
        ["forward", SAMPLE, "-p", "-1"],
        ["forward"],
        ["nonsense"],
    ],
)
def test_bad_usage_exits_2_without_stdout(args: list[str]) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    assert "Traceback" not in err


def test_version_and_help() -> None:
    assert run("--version")[:2] == (0, f"rnncli {__version__}\n")
    code, out, _ = run("--help")
    assert code == 0 and "forward" in out
    code, out, _ = run("forward", "--help")
    assert code == 0 and "rnncli forward samples/sample.csv" in out


def test_overflow_warns_with_the_step_and_unit(tmp_path: Path) -> None:
    config = tmp_path / "big.yaml"
    config.write_text("activation: relu\nweights:\n  W_xh: [[1e200]]\n  W_hh: [[1e200]]\n")
    code, out, err = run("forward", "-", "-c", str(config), "-f", "csv", stdin="1\n1\n1\n")
    assert code == 0
    assert "warning: h_t overflowed to inf or nan at t = 2 (unit 1)" in err
    assert out.splitlines()[2] == "2,1.0,inf"


def test_python_m_rnncli_runs_the_command_line() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "rnncli", "forward", SAMPLE, "-f", "csv"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    assert completed.stdout.splitlines()[0] == "t,x1,x2,x3,x4,x5,h1,h2"
