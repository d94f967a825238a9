"""`-f table` into a pipe or a file: written row by row as the run goes, checked against
the csv of the same run and against rich's table of the same rows."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import RNNCLI

LONG = 300_000


@pytest.fixture(scope="module")
def long_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stream") / "long.csv"
    X = np.random.default_rng(0).normal(size=(LONG, 5))
    np.savetxt(path, X, delimiter=",", fmt="%.6f")
    return path


def table_rows(text: str) -> dict[int, list[str]]:
    """The table's rows by t: each row's numbers as written (marks dropped)."""
    rows = {}
    for line in text.splitlines():
        if line.startswith("│") and "⋮" not in line:
            t, *groups = line.strip("│ \n").split("│")
            rows[int(t)] = [v.rstrip("*") for group in groups for v in group.split()]
    return rows


def test_a_table_into_head_stops_at_once(long_csv: Path) -> None:
    pipeline = subprocess.run(
        f"{sys.executable} -m rnncli forward {long_csv} -f table | head -n 3",
        shell=True,
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    lines = pipeline.stdout.splitlines()
    assert lines[0].rstrip() == "textbook · 5 → 2 · many-to-many"
    assert lines[2].split() == ["┃", "t", "┃", "x_t", "┃", "h_t", "┃"]
    assert pipeline.stderr == ""


def test_a_long_table_in_a_file_has_every_row_right(long_csv: Path, tmp_path: Path) -> None:
    table, steps = tmp_path / "table.txt", tmp_path / "steps.csv"
    for target, output_format in ((table, "table"), (steps, "csv")):
        subprocess.run(
            [*RNNCLI, "forward", str(long_csv), "-f", output_format, "-o", str(target)],
            check=True,
            timeout=120,
        )
    text = table.read_text()
    rows = table_rows(text)
    assert sorted(rows) == list(range(1, LONG + 1))
    with steps.open() as f:
        reader = csv.reader(f)
        next(reader)
        for record in reader:
            t = int(record[0])
            # every value of the csv at the table's 4 decimals (-0.0000 written 0.0000)
            expected = [f"{float(v):.4f}".replace("-0.0000", "0.0000") for v in record[1:]]
            assert rows[t] == expected, t
    # one layout for every piece: every row as wide as the header
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("┃"))
    assert {len(line) for line in lines if line.startswith("│")} == {len(header)}
    assert lines[-2].startswith("h1  ") and lines[-1].startswith("h2  ")


@pytest.mark.parametrize(
    ("option", "value"), [("--activation", "tanh"), ("--activation", "relu"), ("--cell", "lstm")]
)
def test_a_short_streamed_table_is_rich_s_table(tmp_path: Path, option: str, value: str) -> None:
    # The same rows read from csv (written as they come) and from json (laid out by
    # rich): the same text, saturation marks and all.
    config = tmp_path / "net.yaml"
    sizes = ["-i", "2", "-H", "3", "-O", "2", "--seed", "5", "--init", "normal", "--std", "2"]
    subprocess.run(
        [*RNNCLI, "init-weights", *sizes, option, value, "-o", str(config)],
        check=True,
    )
    X = np.round(np.random.default_rng(4).normal(size=(30, 2)) * 3, 5)
    np.savetxt(tmp_path / "s.csv", X, delimiter=",", fmt="%.5f")
    (tmp_path / "s.json").write_text(json.dumps(X.tolist()))
    texts = [
        subprocess.run(
            [*RNNCLI, "forward", str(tmp_path / name), "-c", str(config), "-f", "table"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for name in ("s.csv", "s.json")
    ]
    assert texts[0] == texts[1]
    assert ("*" in texts[0]) == (value == "tanh")  # marks for an rnn cell's tanh only
    assert ("c_t" in texts[0]) == (value == "lstm")


def test_the_sparklines_of_a_stream_keep_evenly_spaced_steps() -> None:
    import io

    from rnncli.core.forward import forward
    from rnncli.core.sequence_run import Run
    from rnncli.models.config.read import default_network
    from rnncli.views.table_stream import TableStream

    net = default_network()
    result = forward(net, np.random.default_rng(0).normal(size=(100_000, 5)))
    stream = TableStream(net, 4, io.StringIO())
    for start in range(0, 100_000, 16_384):
        end = start + 16_384
        stream.piece(Run(result._replace(X=result.X[start:end], H=result.H[start:end])))
    stream.end()
    # 100,000 steps: kept every 2,048 steps from t = 1 (49 of them, at most 96 kept)
    assert [k for k, _ in stream.kept] == list(range(0, 100_000, 2_048))
    for k, row in stream.kept:
        np.testing.assert_array_equal(row, result.H[k])
