"""The help, read as a user reads it: sections, metavars, examples one per line that run
as written in an empty folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, command_environment


def rnncli(*args: str, cwd: Path = ROOT) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "rnncli", *args], capture_output=True, text=True, cwd=cwd
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def sections(help_text: str) -> dict[str, list[str]]:
    """Each heading ("Options:", "Input:", ...) with the lines under it."""
    found: dict[str, list[str]] = {}
    current: list[str] = []
    for line in help_text.splitlines():
        if line and not line[0].isspace() and line.endswith(":"):
            current = found.setdefault(line[:-1], [])
        elif line.strip():
            current.append(line.strip())
    return found


def options_of(lines: list[str]) -> list[str]:
    """The option names that start the lines of a section."""
    return [line.split()[0].rstrip(",") for line in lines if line.startswith("-")]


def test_forward_groups_its_options_into_panels() -> None:
    help_text = rnncli("forward", "--help")
    found = sections(help_text)
    assert [s for s in found if s not in ("Usage", "Arguments")][:7] == [
        "Input", "Network", "Mode", "Output", "Explain", "Check", "Options"
    ]  # fmt: skip
    assert options_of(found["Input"]) == [
        "--input-format", "--group-by", "--columns", "--drop", "--keep", "--standardize"
    ]  # fmt: skip
    assert options_of(found["Check"]) == ["--expect", "--atol", "--rtol"]
    assert options_of(found["Network"]) == ["-c", "--h0", "--dtype"]
    assert options_of(found["Mode"]) == ["-m", "-n", "--feedback"]
    assert options_of(found["Explain"]) == ["--explain", "--hand-step"]
    assert help_text.splitlines()[0] == "Usage: rnncli forward [OPTIONS] SEQUENCE"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("forward", ["-c, --config FILE", "-m, --mode MODE", "-n, --steps N", "-p, --precision N"]),
        ("forward", ["--group-by COLUMN", "-o, --output FILE", "--h0 VALUES|FILE"]),
        ("init-weights", ["-i, --input-size N", "--seed N", "--init SCHEME", "-o, --output FILE"]),
        ("inspect", ["-f, --format FORMAT"]),
    ],
)
def test_metavars_say_what_to_give(command: str, expected: list[str]) -> None:
    help_text = rnncli(command, "--help")
    for words in expected:
        assert any(line.strip().startswith(words) for line in help_text.splitlines()), words
    assert "<" not in help_text.replace("<=", "") and "{" not in help_text.split("\n")[0]


def test_mode_and_format_help_name_every_choice() -> None:
    joined = " ".join(rnncli("forward", "--help").split())
    for mode in ("many-to-many (", "many-to-one (", "one-to-many (", "many-to-many-delayed ("):
        assert mode.replace("-", "") in joined.replace("-", ""), mode
    inspect_help = " ".join(rnncli("inspect", "--help").split())
    assert "table (for people) or json (for programs)" in inspect_help
    assert "csv" not in inspect_help


def test_the_command_summaries_are_whole() -> None:
    lines = sections(rnncli("--help"))["Commands"]
    assert all(not line.endswith("...") for line in lines), lines
    assert lines[0] == "forward       Run the network over a sequence: x_t, h_t and o_t."


def examples(command: str) -> list[str]:
    """The example commands of a command's help, one per line."""
    lines = rnncli(command, "--help").splitlines()
    return [line.strip()[2:] for line in lines if line.strip().startswith("$ ")]


def test_examples_are_one_per_line() -> None:
    assert examples("forward")[1:3] == [
        "rnncli forward samples/sample.csv",
        "rnncli forward samples/sample.csv -f json",
    ]
    assert all(example.count("$") == 0 for example in examples("init-weights"))


@pytest.mark.parametrize("command", ["forward", "init-weights", "inspect", "samples"])
def test_every_example_runs_as_written_in_an_empty_folder(tmp_path: Path, command: str) -> None:
    """Copied from --help into a shell in any folder, each example runs (exit 0)."""
    env = command_environment(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    for example in examples(command):
        done = subprocess.run(
            ["sh", "-c", f"set -e; {example}"], cwd=work, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, (example, done.stderr)
        assert "Traceback" not in done.stderr


def test_samples_prints_a_sample_and_copies_them_all(tmp_path: Path) -> None:
    assert rnncli("samples", "sample.csv") == (ROOT / "samples" / "sample.csv").read_text()
    paths = rnncli("samples").splitlines()
    names = [Path(p).name for p in paths]
    assert names[:5] == [
        "lesson.csv",
        "sample-target.csv",
        "sample.csv",
        "sample.json",
        "weather.csv",
    ]
    rnncli("samples", "--copy", cwd=tmp_path)
    copied = (tmp_path / "configs" / "weather.yaml").read_text()
    assert copied == (ROOT / "configs" / "weather.yaml").read_text()
    table = rnncli("forward", "samples/sample.csv", "-f", "csv", cwd=tmp_path)
    assert table.splitlines()[3] == "3,3.0,3.0,3.0,3.0,3.0,-0.8649416224056057,0.904663597901336"
    assert table.splitlines()[3].startswith("3,3.0,3.0,3.0,3.0,3.0,-0.8649")


def test_the_command_runs_blas_on_one_thread_unless_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """rnncli spreads batches over the cores itself; the BLAS gets one thread, unless the
    user set its variable (theirs stands)."""
    from rnncli import cli

    seen: dict[str, str | None] = {}
    monkeypatch.setattr(
        cli, "app", lambda **_: seen.update({n: os.environ.get(n) for n in cli.BLAS_THREADS})
    )
    for name in cli.BLAS_THREADS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    cli.main()
    assert seen == {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "3", "MKL_NUM_THREADS": "1"}
