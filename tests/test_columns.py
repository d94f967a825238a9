"""Choosing the columns of real data files: --columns, --drop and --keep, the header's
names in the output, the index column pandas writes, pandas' JSON and Parquet files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from rnncli.cli import app
from rnncli.errors import RnnCliError
from rnncli.io.parquet import read_parquet
from rnncli.io.sequence import parse_sequence
from rnncli.models.config.read import default_network
from rnncli.pipelines.sequence_fit import check_fits
from tests.conftest import WEATHER_CONFIG, reference_module

runner = CliRunner()

# h_t = x_t + 0.5 h_{t-1} (identity activation, one input, one unit): worked by hand,
# x = 2, 4, 6 gives h = 2, 2*0.5 + 4 = 5, 5*0.5 + 6 = 8.5.
HALF = "activation: identity\nweights:\n  W_xh: [[1.0]]\n  W_hh: [[0.5]]\n"

READINGS = (
    "timestamp,temperature,humidity\n"
    "2024-01-01T00:00,2,10\n"
    "2024-01-01T01:00,4,20\n"
    "2024-01-01T02:00,6,30\n"
)


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "half.yaml").write_text(HALF)
    (tmp_path / "readings.csv").write_text(READINGS)
    return tmp_path


def test_columns_and_keep_by_hand(files: Path) -> None:
    code, out, err = run(
        "forward", str(files / "readings.csv"), "-c", str(files / "half.yaml"), "-f", "csv",
        "--columns", "temperature", "--keep", "timestamp",
    )  # fmt: skip
    assert code == 0, err
    assert out == (
        "t,timestamp,temperature,h1\n"
        "1,2024-01-01T00:00,2.0,2.0\n"
        "2,2024-01-01T01:00,4.0,5.0\n"
        "3,2024-01-01T02:00,6.0,8.5\n"
    )


def test_drop_by_number_and_name_repeated_or_listed(files: Path) -> None:
    expected = "t,humidity,h1\n1,10.0,10.0\n2,20.0,25.0\n3,30.0,42.5\n"
    for drops in (["--drop", "1", "--drop", "temperature"], ["--drop", "timestamp,2"]):
        code, out, err = run(
            "forward", str(files / "readings.csv"), "-c", str(files / "half.yaml"), "-f", "csv",
            *drops,
        )  # fmt: skip
        assert (code, out) == (0, expected), err


def test_keep_in_json_and_jsonl(files: Path) -> None:
    args = ["forward", str(files / "readings.csv"), "-c", str(files / "half.yaml")]
    code, out, err = run(*args, "-f", "jsonl", "--keep", "1", "--drop", "humidity")
    assert code == 0, err
    first = json.loads(out.splitlines()[0])
    assert first == {
        "t": 1,
        "keep": {"timestamp": "2024-01-01T00:00"},
        "x": [2.0],
        "h": [2.0],
        "o": [2.0],
    }
    code, out, err = run(*args, "-f", "json", "--keep", "timestamp", "--columns", "2")
    document = json.loads(out)
    assert document["input_names"] == ["temperature"]
    assert [step["h"] for step in document["steps"]] == [[2.0], [5.0], [8.5]]
    assert document["steps"][2]["keep"] == {"timestamp": "2024-01-01T02:00"}


def test_a_long_file_streams_with_its_columns_chosen(tmp_path: Path) -> None:
    """20,000 rows cross several pieces: the same h as the file cut by hand."""
    rng = np.random.default_rng(5)
    X = np.round(rng.uniform(-1, 1, (20_000, 2)), 3)
    lines = [f"s{t},{a},{b}" for t, (a, b) in enumerate(X.tolist())]
    (tmp_path / "long.csv").write_text("id,a,b\n" + "\n".join(lines) + "\n")
    cut = "\n".join(f"{a},{b}" for a, b in X.tolist()) + "\n"
    (tmp_path / "cut.csv").write_text(cut)
    config = WEATHER_CONFIG
    code, chosen, err = run("forward", str(tmp_path / "long.csv"), "-c", config, "-f", "csv",
                            "--keep", "id")  # fmt: skip
    assert code == 0, err
    code, plain, err = run("forward", str(tmp_path / "cut.csv"), "-c", config, "-f", "csv")
    chosen_rows = chosen.splitlines()
    assert chosen_rows[0] == "t,id,a,b,h1,h2,h3,o1"
    assert chosen_rows[20_000] == "20000,s19999," + plain.splitlines()[20_000].split(",", 1)[1]
    assert [row.split(",", 2)[2] for row in chosen_rows[1:]] == [
        row.split(",", 1)[1] for row in plain.splitlines()[1:]
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--columns", "temprature"], "rnncli: error: --columns: readings.csv has no column "
         "'temprature'; did you mean 'temperature'? The columns are: timestamp, temperature, "
         "humidity\n"),
        (["--drop", "4"], "rnncli: error: --drop: column 4 is out of range; readings.csv has "
         "3 columns\n"),
        (["--columns", "temperature", "--drop", "2", "--keep", "1"], "rnncli: error: --drop: "
         "column 'temperature' is also picked by --columns\n"),
    ],
)  # fmt: skip
def test_column_options_misused(
    files: Path, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(files)
    code, out, err = run("forward", "readings.csv", "-c", "half.yaml", *args)
    assert (code, out, err) == (2, "", message)


def test_a_name_for_a_file_without_a_header(tmp_path: Path) -> None:
    (tmp_path / "bare.csv").write_text("1,2\n3,4\n")
    code, _, err = run("forward", str(tmp_path / "bare.csv"), "--drop", "a")
    assert code == 2
    assert "has no header, so its columns have no names; give numbers from 1 to 2" in err


def test_a_text_column_suggests_keep(files: Path) -> None:
    code, _, err = run("forward", str(files / "readings.csv"), "-c", str(files / "half.yaml"))
    assert code == 1
    assert err == (
        f"rnncli: error: {files / 'readings.csv'}:2:1: column 1 (timestamp): expected a "
        "number, got '2024-01-01T00:00'; --keep 'timestamp' copies a text column to the "
        "output, --drop leaves it out\n"
    )


def test_names_that_clash_become_x_and_their_position(tmp_path: Path) -> None:
    (tmp_path / "clash.csv").write_text("t,h1,x2,x2\n1,2,3,4\n")
    config = tmp_path / "four.yaml"
    config.write_text("weights:\n  W_xh: [[0, 0, 0, 0]]\n  W_hh: [[0]]\n")
    code, out, err = run("forward", str(tmp_path / "clash.csv"), "-c", str(config), "-f", "csv")
    assert code == 0, err
    # t and h1 are the output's own; x2 is taken by the second feature by the time the
    # third comes, and the fourth's x4 is free.
    assert out.splitlines()[0] == "t,x1,x2,x3,x4,h1"


def test_without_a_header_the_columns_stay_x1_to_xi(tmp_path: Path) -> None:
    (tmp_path / "bare.csv").write_text("1,2,3,4,5\n")
    _, out, _ = run("forward", str(tmp_path / "bare.csv"), "-f", "csv")
    assert out.splitlines()[0] == "t,x1,x2,x3,x4,x5,h1,h2"
    _, out, _ = run("forward", str(tmp_path / "bare.csv"), "-f", "json")
    assert "input_names" not in json.loads(out)


def test_the_table_names_the_features(files: Path) -> None:
    code, out, err = run(
        "forward", str(files / "readings.csv"), "-c", str(files / "half.yaml"), "-f", "table",
        "--keep", "timestamp", "--columns", "temperature",
    )  # fmt: skip
    assert code == 0, err
    assert "x_t: temperature" in out
    assert "2024-01-01T02:00" in out and "8.5000" in out


def test_an_index_column_is_told_as_such(tmp_path: Path) -> None:
    frame = pd.DataFrame({"temperature": [22.1, 22.5, 23.0], "humidity": [45.0, 46.2, 47.8]})
    frame.to_csv(tmp_path / "frame.csv")  # pandas' default: an unnamed index column first
    config = tmp_path / "hidden3.yaml"
    config.write_text(
        "weights:\n  W_xh: [[1, 0], [0, 1], [1, 1]]\n"
        "  W_hh: [[0.1, 0, 0], [0, 0.1, 0], [0, 0, 0.1]]\n"
    )
    code, out, err = run("forward", str(tmp_path / "frame.csv"), "-c", str(config))
    assert (code, out) == (1, "")
    assert err == (
        f"rnncli: error: {tmp_path / 'frame.csv'}: has 3 features per step but the network "
        f"in {config} takes 2 (W_xh is 3x2); its first column, unnamed and counting 0, 1, "
        "2, ..., looks like an index (pandas' to_csv writes one unless index=False): "
        "--drop 1 leaves it out\n"
    )
    code, out, err = run("forward", str(tmp_path / "frame.csv"), "-c", str(config), "--drop", "1")
    assert code == 0, err
    assert out.splitlines()[0] == "t,temperature,humidity,h1,h2,h3"


def test_transposed_only_without_an_index() -> None:
    net = default_network()  # W_xh is 2x5
    with pytest.raises(RnnCliError) as caught:
        check_fits(parse_sequence("1,2\n3,4\n", "w.csv"), net, "n.yaml")
    assert str(caught.value) == (
        "w.csv: has 2 features per step but the network in n.yaml takes 5 (W_xh is 2x5); "
        "transposed? W_xh must be H x I (hidden x input), and a Keras kernel is stored as "
        "input x hidden"
    )
    # Six columns, the first unnamed and counting 0, 1: an index, not a transposition.
    with pytest.raises(RnnCliError) as caught:
        check_fits(parse_sequence(",a,b,c,d,e\n0,1,1,1,1,1\n1,2,2,2,2,2\n", "i.csv"), net, None)
    assert str(caught.value).endswith("looks like an index (pandas' to_csv writes one unless "
                                      "index=False): --drop 1 leaves it out")  # fmt: skip


@pytest.mark.parametrize("orient", ["records", "columns"])
def test_pandas_json_reads_with_named_columns(files: Path, orient: str) -> None:
    frame = pd.read_csv(files / "readings.csv")
    frame.to_json(files / "frame.json", orient=orient)
    code, out, err = run(
        "forward", str(files / "frame.json"), "-c", str(files / "half.yaml"), "-f", "csv",
        "--keep", "timestamp", "--drop", "humidity",
    )  # fmt: skip
    assert code == 0, err
    assert out == (
        "t,timestamp,temperature,h1\n"
        "1,2024-01-01T00:00,2.0,2.0\n"
        "2,2024-01-01T01:00,4.0,5.0\n"
        "3,2024-01-01T02:00,6.0,8.5\n"
    )
    code, _, err = run("forward", str(files / "frame.json"), "-c", str(files / "half.yaml"))
    assert code == 1
    assert "column 'timestamp', step 1: expected a number, got '2024-01-01T00:00'" in err


def test_pandas_json_lines_read_with_named_columns(files: Path) -> None:
    frame = pd.read_csv(files / "readings.csv")
    frame.to_json(files / "frame.jsonl", orient="records", lines=True)
    assert (files / "frame.jsonl").read_text().startswith('{"timestamp":"2024-01-01T00:00",')
    half = str(files / "half.yaml")
    code, out, err = run(
        "forward", str(files / "frame.jsonl"), "-c", half, "-f", "csv",
        "--keep", "timestamp", "--drop", "humidity",
    )  # fmt: skip
    assert code == 0, err
    assert out == (
        "t,timestamp,temperature,h1\n"
        "1,2024-01-01T00:00,2.0,2.0\n"
        "2,2024-01-01T01:00,4.0,5.0\n"
        "3,2024-01-01T02:00,6.0,8.5\n"
    )
    # --columns by name picks humidity: h = 10, 0.5*10 + 20 = 25, 0.5*25 + 30 = 42.5
    code, out, err = run(
        "forward", str(files / "frame.jsonl"), "-c", half, "-f", "jsonl", "--columns", "humidity"
    )
    assert code == 0, err
    assert [json.loads(line)["h"] for line in out.splitlines()] == [[10.0], [25.0], [42.5]]
    # read from stdin too, the format told by its lines
    code, out, err = run(
        "forward", "-", "-c", half, "-f", "csv", "--columns", "temperature",
        stdin=(files / "frame.jsonl").read_text(),
    )  # fmt: skip
    assert code == 0, err
    assert out.splitlines()[-1] == "3,6.0,8.5"
    code, _, err = run("forward", str(files / "frame.jsonl"), "-c", half)
    assert code == 1
    assert "column 'timestamp', step 1: expected a number, got '2024-01-01T00:00'" in err
    assert "frame.jsonl:1:" in err  # the line (and column) of the value


def test_json_lines_records_must_share_their_keys(tmp_path: Path) -> None:
    lines = tmp_path / "bad.jsonl"
    lines.write_text('{"a": 1, "b": 2}\n{"a": 3, "b": 4}\n{"a": 5}\n')
    code, _, err = run("forward", str(lines), "-c", WEATHER_CONFIG)
    assert code == 1
    assert "bad.jsonl:3:" in err and "step 3 has the keys ['a'], step 1 has ['a', 'b']" in err


def test_parquet_reads_where_pyarrow_is_installed(files: Path) -> None:
    reference_module("pyarrow")
    frame = pd.read_csv(files / "readings.csv")
    frame.to_parquet(files / "frame.parquet")
    code, out, err = run(
        "forward", str(files / "frame.parquet"), "-c", str(files / "half.yaml"), "-f", "csv",
        "--keep", "timestamp", "--columns", "temperature",
    )  # fmt: skip
    assert code == 0, err
    assert out == (
        "t,timestamp,temperature,h1\n"
        "1,2024-01-01T00:00,2.0,2.0\n"
        "2,2024-01-01T01:00,4.0,5.0\n"
        "3,2024-01-01T02:00,6.0,8.5\n"
    )


def test_parquet_without_its_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in ("pyarrow", "pyarrow.parquet", "polars"):
        monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    with pytest.raises(RnnCliError) as caught:
        read_parquet(b"PAR1", "data.parquet")
    assert str(caught.value) == (
        "data.parquet: reading Parquet needs pyarrow or polars: pip install 'rnncli[parquet]'"
    )
