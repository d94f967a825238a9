"""The run options of `rnncli forward`, through the command line: --standardize and the
config's scale: block, --last, --expect, and -p in the machine formats."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rnncli.cli import app
from tests.conftest import SAMPLE, WEATHER, WEATHER_CONFIG, textbook

runner = CliRunner()

#: samples/weather.csv: temperature and humidity of five days.
WEATHER_ROWS = [[22.1, 45.0], [22.5, 46.2], [23.0, 47.8], [22.8, 48.0], [22.3, 46.5]]


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def csv_rows(text: str) -> list[dict[str, str]]:
    header, *lines = text.splitlines()
    return [dict(zip(header.split(","), line.split(","), strict=True)) for line in lines]


def weather_scale() -> tuple[list[float], list[float]]:
    """Each feature's mean and population standard deviation, worked out plainly."""
    means = [sum(row[i] for row in WEATHER_ROWS) / 5 for i in range(2)]
    stds = [math.sqrt(sum((row[i] - means[i]) ** 2 for row in WEATHER_ROWS) / 5) for i in range(2)]
    return means, stds


@pytest.fixture
def network(tmp_path: Path) -> Path:
    """A network from init-weights: 2 inputs, 4 tanh units, 1 output."""
    path = tmp_path / "net.yaml"
    code, _, err = run(
        "init-weights", "-i", "2", "-H", "4", "-O", "1", "--seed", "1", "-o", str(path)
    )
    assert code == 0, err
    return path


# -- --standardize and scale: ----------------------------------------------------------


def test_standardize_prints_the_weather_mean_and_std(network: Path) -> None:
    code, _, err = run("forward", WEATHER, "-c", str(network), "--standardize", "-f", "csv")
    assert code == 0, err
    means, stds = weather_scale()
    assert means == pytest.approx([22.54, 46.7], abs=1e-12)
    line = err.strip()
    assert len(err.splitlines()) == 1 and line.startswith("rnncli: standardized: mean [")
    printed_mean, printed_std = (
        [float(v) for v in group.split(", ")] for group in re.findall(r"\[([^]]*)\]", line)
    )
    assert printed_mean == pytest.approx(means, abs=1e-12)
    assert printed_std == pytest.approx(stds, abs=1e-12)


def test_standardize_equals_running_the_standardized_data(network: Path, tmp_path: Path) -> None:
    means, stds = weather_scale()
    scaled = tmp_path / "scaled.csv"
    scaled.write_text(
        "".join(
            ",".join(repr((row[i] - means[i]) / stds[i]) for i in range(2)) + "\n"
            for row in WEATHER_ROWS
        )
    )
    _, standardized, _ = run("forward", WEATHER, "-c", str(network), "--standardize", "-f", "csv")
    _, by_hand, _ = run("forward", str(scaled), "-c", str(network), "-f", "csv")
    for ours, theirs in zip(csv_rows(standardized), csv_rows(by_hand), strict=True):
        # the x columns show the x_t the network read: the standardized ones (named after
        # weather.csv's header in ours, x1 and x2 in the headerless file's)
        ours_values = [float(v) for k, v in ours.items() if k != "t"]
        theirs_values = [float(v) for k, v in theirs.items() if k != "t"]
        assert ours_values == pytest.approx(theirs_values, abs=1e-12)


def test_a_config_scale_block_equals_standardize(network: Path, tmp_path: Path) -> None:
    means, stds = weather_scale()
    scaled = tmp_path / "scaled.yaml"
    scaled.write_text(network.read_text() + f"scale: {{mean: {means}, std: {stds}}}\n")
    _, standardized, _ = run("forward", WEATHER, "-c", str(network), "--standardize", "-f", "csv")
    code, configured, err = run("forward", WEATHER, "-c", str(scaled), "-f", "csv")
    assert code == 0 and err == ""
    for ours, theirs in zip(csv_rows(standardized), csv_rows(configured), strict=True):
        for column, value in ours.items():
            assert float(value) == pytest.approx(float(theirs[column]), abs=1e-12)
    code, _, err = run("forward", WEATHER, "-c", str(scaled), "--standardize")
    assert code == 2 and "--standardize" in err and "scale:" in err


def test_a_constant_feature_keeps_std_1(tmp_path: Path) -> None:
    data = tmp_path / "flat.csv"
    data.write_text("1,5\n3,5\n")
    net = tmp_path / "net.yaml"
    net.write_text("activation: identity\nweights: {W_xh: [[1, 1]], W_hh: [[0]]}\n")
    code, out, err = run("forward", str(data), "-c", str(net), "--standardize", "-f", "csv")
    assert code == 0
    assert "mean [2.0, 5.0], std [1.0, 1.0] (feature 2 is constant: std taken as 1)" in err
    # x_1 = [(1 - 2) / 1, (5 - 5) / 1]; h_t = x1 + x2 with these weights
    assert [row["h1"] for row in csv_rows(out)] == ["-1.0", "1.0"]


def test_the_state_file_carries_the_scale_to_the_next_piece(network: Path, tmp_path: Path) -> None:
    first, second, state = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "state.json"
    first.write_text("".join(f"{a},{b}\n" for a, b in WEATHER_ROWS[:3]))
    second.write_text("".join(f"{a},{b}\n" for a, b in WEATHER_ROWS[3:]))
    net = str(network)
    code, _, err = run(
        "forward", str(first), "-c", net, "--standardize", "--save-state", str(state)
    )
    assert code == 0, err
    saved = json.loads(state.read_text())
    means = [sum(row[i] for row in WEATHER_ROWS[:3]) / 3 for i in range(2)]
    assert saved["scale"]["mean"] == pytest.approx(means, abs=1e-12)
    code, continued, err = run("forward", str(second), "-c", net, "--h0", str(state), "-f", "csv")
    assert code == 0 and err == ""
    # the same as the second piece under a scale: block holding the first piece's scale
    scaled = tmp_path / "scaled.yaml"
    scaled.write_text(network.read_text() + f"scale: {json.dumps(saved['scale'])}\n")
    h0 = ",".join(repr(v) for v in saved["h0"][0])
    _, expected, _ = run("forward", str(second), "-c", str(scaled), "--h0", h0, "-f", "csv")
    assert continued == expected
    code, _, err = run("forward", str(second), "-c", net, "--h0", str(state), "--standardize")
    assert code == 2 and "--h0" in err and "--standardize" in err


def test_the_saturation_note_names_large_inputs(network: Path) -> None:
    code, out, _ = run("forward", WEATHER, "-c", str(network), "-f", "table")
    assert code == 0
    assert "* saturated" in out
    assert "inputs up to |x| = 48 are large for the weights" in out
    assert "--standardize" in out
    _, out, _ = run("forward", WEATHER, "-c", str(network), "-f", "table", "--standardize")
    assert "large for the weights" not in out


# -- --last ----------------------------------------------------------------------------


def test_last_writes_the_one_output_of_many_to_one() -> None:
    args = ("forward", WEATHER, "-c", WEATHER_CONFIG, "-m", "many-to-one")
    _, document, _ = run(*args, "-f", "json")
    o_T = json.loads(document)["output"][0]
    code, out, _ = run(*args, "--last", "-f", "csv")
    assert code == 0
    (row,) = csv_rows(out)
    assert row["t"] == "5" and row["temperature"] == "22.3" and float(row["o1"]) == o_T
    assert run(*args, "--outputs-only", "-f", "csv")[1] == out
    _, lines, _ = run(*args, "--last", "-f", "jsonl")
    (step,) = [json.loads(line) for line in lines.splitlines()]
    assert step["t"] == 5 and step["o"] == [o_T]
    _, document, _ = run(*args, "--last", "-f", "json")
    assert [step["t"] for step in json.loads(document)["steps"]] == [5]
    _, table, _ = run(*args, "--last", "-f", "table")
    (row_5,) = [line for line in table.splitlines() if line.startswith("│ 5 │")]
    assert "22.3000  46.5000" in row_5 and "│ 1 │" not in table


def test_last_in_a_batch_and_after_a_delay() -> None:
    batch = json.dumps({"sequences": {"mon": WEATHER_ROWS[:2], "tue": WEATHER_ROWS[2:]}})
    code, out, _ = run(
        "forward", "-", "-c", WEATHER_CONFIG, "-m", "many-to-one", "--last", "-f", "csv",
        stdin=batch,
    )  # fmt: skip
    assert code == 0
    assert [(row["seq"], row["t"]) for row in csv_rows(out)] == [("mon", "2"), ("tue", "3")]
    code, out, _ = run(
        "forward", WEATHER, "-c", WEATHER_CONFIG, "-m", "many-to-many-delayed", "-n", "2",
        "--last", "-f", "csv",
    )  # fmt: skip
    assert code == 0
    rows = csv_rows(out)
    assert [row["t"] for row in rows] == ["6", "7"]
    assert all(row["temperature"] == "0.0" and row["o1"] for row in rows)


def test_last_with_explain_is_refused() -> None:
    code, out, err = run("forward", SAMPLE, "--last", "--explain")
    assert code == 2 and out == "" and "--last" in err


# -- --expect --------------------------------------------------------------------------


def test_expect_the_textbooks_printed_h(tmp_path: Path) -> None:
    reference = tmp_path / "book.csv"
    reference.write_text(
        "t,h1,h2\n"
        + "".join(f"{t},{a},{b}\n" for t, (a, b) in enumerate(textbook.PRINTED_OUTPUT, 1))
    )
    code, out, err = run(
        "forward", SAMPLE, "-f", "csv", "--expect", str(reference), "--atol", "1e-7"
    )
    assert code == 0 and out.startswith("t,x1")
    assert err.startswith(f"rnncli: {reference} agrees to within atol 1e-07, rtol 0: 6 values,")
    assert len(err.splitlines()) == 1
    code, out, err = run(
        "forward", SAMPLE, "-f", "csv", "--expect", str(reference), "--atol", "1e-9"
    )
    assert code == 1 and out.startswith("t,x1")  # the run is written all the same
    assert len(err.splitlines()) == 1
    assert f"{reference}: disagrees at t = 1, h1" in err
    # the run's float64 h_1 and the book's 7 printed digits
    assert "-0.3519801204561966" in err and "has -0.3519801 " in err
    # rtol scales with |reference|: 1e-8 · 0.352 is below h1's 2.05e-8, 1e-7 · 0.352 above
    code, _, _ = run("forward", SAMPLE, "--expect", str(reference), "--atol", "0", "--rtol", "1e-8")
    assert code == 1
    code, _, _ = run("forward", SAMPLE, "--expect", str(reference), "--atol", "0", "--rtol", "1e-7")
    assert code == 0


@pytest.mark.parametrize("output_format", ["csv", "tsv", "json", "jsonl"])
def test_expect_reads_rnncli_own_output(output_format: str, tmp_path: Path) -> None:
    reference = tmp_path / f"own.{output_format}"
    args = ("forward", WEATHER, "-c", WEATHER_CONFIG, "-m", "many-to-one")
    _, out, _ = run(*args, "-f", output_format)
    reference.write_text(out)
    code, _, err = run(*args, "--expect", str(reference), "--atol", "0")
    assert code == 0, err
    # csv and tsv name the x columns after weather.csv's header; json's "x" is x1, x2
    first = "x1" if output_format.startswith("json") else "temperature"
    assert f"largest difference 0 at t = 1, {first}" in err
    assert "26 values" in err  # 5 steps of x (2), h1..h3, and o1 at t = 5 alone


def test_expect_a_hand_calculation_of_the_output(tmp_path: Path) -> None:
    """One number, no t: the row goes with the one step --last writes."""
    args = ("forward", WEATHER, "-c", WEATHER_CONFIG, "-m", "many-to-one", "--last")
    o_T = json.loads(run(*args, "-f", "json")[1])["output"][0]
    reference = tmp_path / "hand.csv"
    reference.write_text(f"o1\n{round(o_T, 4)}\n")
    code, _, err = run(*args, "--expect", str(reference), "--atol", "5e-5")
    assert code == 0, err
    code, _, err = run(*args, "--expect", str(reference))
    assert code == 1 and "t = 5, o1" in err


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("t,h1,h3\n1,0,0\n", ["column h3", "h1..h2"]),
        ("t,h1\n4,0\n", ["has t = 4", "ends at t = 3"]),
        ("h1\n0\n0\n0\n0\n", ["has 4 rows", "writes 3"]),
        ("t,hidden1\n1,0\n", ["'hidden1'", "t, x1..xI, h1..hH or o1..oO"]),
        ("t,h1\n1,abc\n", [":2:", "column h1", "'abc'"]),
    ],
)
def test_expect_refuses_a_reference_that_does_not_fit(
    text: str, words: list[str], tmp_path: Path
) -> None:
    reference = tmp_path / "ref.csv"
    reference.write_text(text)
    code, _, err = run("forward", SAMPLE, "-f", "csv", "--expect", str(reference))
    assert code == 1
    assert err.startswith(f"rnncli: error: {reference}")
    for word in words:
        assert word in err, err


# -- -p in the machine formats ---------------------------------------------------------


def test_precision_rounds_the_machine_formats_when_given() -> None:
    code, out, _ = run("forward", SAMPLE, "-f", "csv", "-p", "4")
    assert code == 0
    rows = csv_rows(out)
    assert [(row["h1"], row["h2"]) for row in rows] == [
        ("-0.352", "0.5253"),
        ("-0.6842", "0.7607"),
        ("-0.8649", "0.9047"),
    ]
    _, exact, _ = run("forward", SAMPLE, "-f", "csv")
    for exact_row, row in zip(csv_rows(exact), rows, strict=True):
        assert float(row["h1"]) == round(float(exact_row["h1"]), 4)
    _, document, _ = run("forward", SAMPLE, "-f", "json", "-p", "2")
    parsed = json.loads(document)
    assert parsed["h_n"] == [-0.86, 0.9]
    assert parsed["steps"][0]["h"] == [-0.35, 0.53]


def test_precision_rounds_half_to_even(tmp_path: Path) -> None:
    """0.125 and 0.375 are exact in binary: halfway, they go to the even digit."""
    net = tmp_path / "net.yaml"
    net.write_text("activation: identity\nweights: {W_xh: [[1]], W_hh: [[0]]}\n")
    code, out, _ = run(
        "forward", "-", "-c", str(net), "-f", "csv", "-p", "2", stdin="0.125\n0.375\n"
    )
    assert code == 0
    assert [row["x1"] for row in csv_rows(out)] == ["0.12", "0.38"]


def test_help_says_what_precision_rounds() -> None:
    _, out, _ = run("forward", "--help")
    assert "without it they are exact" in " ".join(out.split())


def test_backward_reads_the_inputs_through_the_config_scale(network: Path, tmp_path: Path) -> None:
    means, stds = weather_scale()
    scaled_config = tmp_path / "scaled.yaml"
    scaled_config.write_text(network.read_text() + f"scale: {{mean: {means}, std: {stds}}}\n")
    scaled_data = tmp_path / "scaled.csv"
    scaled_data.write_text(
        "".join(
            ",".join(repr((row[i] - means[i]) / stds[i]) for i in range(2)) + "\n"
            for row in WEATHER_ROWS
        )
    )
    code, through_scale, err = run("backward", WEATHER, "-c", str(scaled_config), "-f", "json")
    assert code == 0, err
    _, by_hand, _ = run("backward", str(scaled_data), "-c", str(network), "-f", "json")
    ours, theirs = json.loads(through_scale), json.loads(by_hand)
    for step, step_by_hand in zip(ours["steps"], theirs["steps"], strict=True):
        assert step["h"] == pytest.approx(step_by_hand["h"], abs=1e-12)
