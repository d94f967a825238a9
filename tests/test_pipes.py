"""The command line in pipes and on a terminal: real processes, a pseudo-terminal, stdin."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rnncli.cli import app
from tests.conftest import RNNCLI, SAMPLE, requires, wait_for

runner = CliRunner()


def test_auto_is_the_table_on_a_terminal(on_a_terminal: Callable[..., str]) -> None:
    screen = on_a_terminal("forward", SAMPLE)
    assert "textbook · 5 → 2 · many-to-many" in screen
    assert "-0.8649" in screen


def colour_codes(text: str) -> list[str]:
    """The SGR escape parameters that set a foreground or background colour."""
    codes = []
    for params in re.findall(r"\x1b\[([0-9;]*)m", text):
        codes += [p for p in params.split(";") if p and (30 <= int(p) <= 49 or 90 <= int(p) <= 107)]
    return codes


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_no_color_and_dumb_terminals_get_no_colour(
    env: dict[str, str], on_a_terminal: Callable[..., str]
) -> None:
    assert colour_codes(on_a_terminal("forward", SAMPLE)) != []
    screen = on_a_terminal("forward", SAMPLE, env=env)
    assert "-0.8649" in screen
    assert colour_codes(screen) == []


def test_auto_is_csv_in_a_pipe() -> None:
    completed = subprocess.run(
        [*RNNCLI, "forward", SAMPLE], capture_output=True, text=True, check=True
    )
    rows = list(csv.reader(io.StringIO(completed.stdout)))
    assert rows[0] == ["t", "x1", "x2", "x3", "x4", "x5", "h1", "h2"]
    assert float(rows[3][6]) == pytest.approx(-0.8649416224, abs=1e-10)
    assert "\x1b[" not in completed.stdout
    assert completed.stderr == ""


@pytest.mark.parametrize(
    ("input_format", "text"),
    [
        ("csv", "x1,x2,x3,x4,x5\n1,1,1,1,1\n2,2,2,2,2\n"),
        ("tsv", "1\t1\t1\t1\t1\n2\t2\t2\t2\t2\n"),
        ("json", '{"sequence": [[1, 1, 1, 1, 1], [2, 2, 2, 2, 2]]}'),
        ("jsonl", '[1, 1, 1, 1, 1]\n{"x": [2, 2, 2, 2, 2]}\n'),
    ],
)
def test_stdin_in_each_input_format(input_format: str, text: str) -> None:
    result = runner.invoke(
        app, ["forward", "-", "--input-format", input_format, "--json"], input=text
    )
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["steps"][1]["h"] == pytest.approx([-0.6842434558, 0.7607426875], abs=1e-10)


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    long = tmp_path / "long.csv"
    long.write_text("".join(f"{i % 7},1,2,3,4\n" for i in range(200_000)))
    pipeline = subprocess.run(
        f"{sys.executable} -m rnncli forward {long} -f csv | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert pipeline.stdout == "t,x1,x2,x3,x4,x5,h1,h2\n"
    assert pipeline.stderr == ""


def test_output_file_is_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    result = runner.invoke(app, ["forward", SAMPLE, "-f", "json", "-o", str(target)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(target.read_text())["h_n"][0] == pytest.approx(-0.8649416224, abs=1e-10)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_output_file_is_untouched_on_error(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("keep me\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2,3,4,5\n1,2,x,4,5\n")
    result = runner.invoke(app, ["forward", str(bad), "-o", str(target)])
    assert result.exit_code == 1
    assert target.read_text() == "keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "out.csv"]


def test_output_into_a_missing_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["forward", SAMPLE, "-o", str(tmp_path / "no" / "out.csv")])
    assert result.exit_code == 1
    assert "does not exist" in result.stderr


def test_an_interrupted_run_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rnncli.option_values import OutputFormat
    from rnncli.views.formats import FORMATS

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(FORMATS[OutputFormat.CSV], "forward", interrupted)
    target = tmp_path / "out.csv"
    result = runner.invoke(app, ["forward", SAMPLE, "-f", "csv", "-o", str(target)])
    assert result.exit_code == 130
    assert list(tmp_path.iterdir()) == []


def test_json_and_format_must_agree() -> None:
    result = runner.invoke(app, ["forward", SAMPLE, "--json", "-f", "csv"])
    assert result.exit_code == 2


def pipeline(command: str) -> str:
    """The stdout of a shell pipeline that must succeed."""
    return subprocess.run(command, shell=True, capture_output=True, text=True, check=True).stdout


@requires("jq")
def test_jq_reads_the_json_and_jsonl() -> None:
    h_n = pipeline(f"{sys.executable} -m rnncli forward {SAMPLE} -f json | jq -c .h_n")
    assert json.loads(h_n) == pytest.approx([-0.8649416224, 0.9046635979], abs=1e-10)
    jq = "jq -c 'select(.t > 1) | .h'"
    later = pipeline(f"{sys.executable} -m rnncli forward {SAMPLE} -f jsonl | {jq}")
    assert len(later.splitlines()) == 2


@requires("mlr")
def test_miller_reads_the_csv() -> None:
    mlr = "mlr --icsv --ojson filter '$t == 3'"
    out = pipeline(f"{sys.executable} -m rnncli forward {SAMPLE} | {mlr}")
    assert json.loads(out)[0]["h1"] == pytest.approx(-0.8649416224, abs=1e-10)


def test_ctrl_c_ends_quietly_with_130() -> None:
    import signal

    process = subprocess.Popen(
        [*RNNCLI, "forward", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # Ctrl-C as at a terminal, even where the tests run in the background (a shell
        # starts background jobs with SIGINT ignored, and a child inherits that).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    # Wait until it is waiting for the sequence on stdin (the kernel says where it
    # sleeps), however long a loaded machine takes to start it.
    wchan = Path(f"/proc/{process.pid}/wchan")
    wait_for(lambda: "pipe" in wchan.read_text(), "rnncli waiting to read its stdin")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert (process.returncode, out, err) == (130, b"", b"")
