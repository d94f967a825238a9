"""--explain: every term of every step, against the textbook, by hand and Formulation 2."""

from __future__ import annotations

import csv
import io
import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from rnncli.cli import app
from rnncli.core.explain import formulation_2, formulation_2_difference, terms
from rnncli.core.forward import forward
from rnncli.core.network import single_layer
from rnncli.models.config.read import default_network
from rnncli.views.explain_table import first_step_by_hand
from rnncli.views.explained_terms import HIDDEN_ROWS, OUTPUT_ROWS
from rnncli.views.table_text import fixed
from tests.conftest import SAMPLE, WEATHER, WEATHER_CONFIG, textbook

runner = CliRunner()


def explained_json(*args: str) -> dict:
    result = runner.invoke(app, ["forward", *args, "--explain", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_explained_json_has_the_textbook_hidden_and_output_rows() -> None:
    document = explained_json(SAMPLE)
    for step, hidden, output in zip(
        document["steps"], textbook.PRINTED_HIDDEN, textbook.PRINTED_OUTPUT, strict=True
    ):
        # W_xh x_t + b_xh as rnncli writes it, against the textbook's printed "Hidden"
        # (-0.4701929, 0.5863904 at t = 1); the textbook printed float32 results, so they
        # agree to 1e-7, relative to the value.
        np.testing.assert_allclose(step["W_xh_x_b_xh"], hidden, rtol=1e-7, atol=1e-7)
        np.testing.assert_allclose(step["h"], output, rtol=0, atol=1e-7)
    assert document["explain"]["formulation_2_max_abs_difference"] < 1e-12


def test_explained_terms_add_up_and_chain() -> None:
    document = explained_json(WEATHER, "-c", WEATHER_CONFIG)
    steps = document["steps"]
    assert list(steps[0]) == [
        "t", "x", "h", "o",
        "h_prev", "W_xh_x", "b_xh", "W_xh_x_b_xh", "W_hh_h_prev", "b_hh", "z",
        "W_ho_h", "b_o", "o_pre",
    ]  # fmt: skip
    assert steps[0]["h_prev"] == [0.0, 0.0, 0.0]
    for before, step in itertools.pairwise(steps):
        assert step["h_prev"] == before["h"]
    for step in steps:
        input_part = np.array(step["W_xh_x"]) + np.array(step["b_xh"])
        np.testing.assert_array_equal(step["W_xh_x_b_xh"], input_part)
        parts = [np.array(step[k]) for k in ("W_xh_x", "b_xh", "W_hh_h_prev", "b_hh")]
        np.testing.assert_allclose(sum(parts), step["z"], rtol=0, atol=1e-12)
        np.testing.assert_allclose(np.tanh(step["z"]), step["h"], rtol=0, atol=1e-15)
        o_pre = np.array(step["W_ho_h"]) + np.array(step["b_o"])
        np.testing.assert_allclose(o_pre, step["o_pre"], rtol=0, atol=1e-15)
        np.testing.assert_allclose(1 / (1 + np.exp(-o_pre)), step["o"], rtol=0, atol=1e-15)


def test_many_to_one_explains_the_output_only_at_the_last_step() -> None:
    steps = explained_json(WEATHER, "-c", WEATHER_CONFIG, "-m", "many-to-one")["steps"]
    assert ["o_pre" in step for step in steps] == [False] * 4 + [True]


def test_explained_csv_and_jsonl_carry_the_same_terms() -> None:
    document = explained_json(WEATHER, "-c", WEATHER_CONFIG)
    table = runner.invoke(app, ["forward", WEATHER, "-c", WEATHER_CONFIG, "--explain", "-f", "csv"])
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    for row, step in zip(rows, document["steps"], strict=True):
        terms = [key for key in step if key not in ("t", "x", "h", "o")]
        assert len(terms) == 10  # every term of the json step is in the csv too
        for key in terms:
            values = [float(row[f"{key}{k + 1}"]) for k in range(len(step[key]))]
            assert values == step[key]
    lines = runner.invoke(
        app, ["forward", WEATHER, "-c", WEATHER_CONFIG, "--explain", "-f", "jsonl"]
    ).stdout.splitlines()
    assert [json.loads(line) for line in lines] == document["steps"]


def test_every_row_of_the_explain_table_is_in_the_machine_formats() -> None:
    args = ["forward", WEATHER, "-c", WEATHER_CONFIG, "--explain"]
    table = runner.invoke(app, [*args, "-f", "table", "-p", "6"]).stdout.splitlines()
    steps = explained_json(WEATHER, "-c", WEATHER_CONFIG)["steps"]
    for name, key in (*HIDDEN_ROWS, *OUTPUT_ROWS):
        shown = [line.split("│")[2:-1] for line in table if line.startswith(f"│ {name} ")]
        written = [[fixed(v, 6) for v in step[key]] for step in steps]
        assert [[cell.strip() for cell in cells] for cells in shown] == written, name
    rows = {line.split("│")[1].strip() for line in table if line.startswith("│ ")}
    named = {name for name, _ in (*HIDDEN_ROWS, *OUTPUT_ROWS)}
    # The rest are h_t and o_t, written as "h" and "o".
    assert rows - named == {"h_t = tanh(z_t)", "o_t = sigmoid(...)"}


@pytest.mark.parametrize("seed", range(25))
def test_formulation_2_equals_formulation_1(seed: int) -> None:
    rng = np.random.default_rng(seed)
    I, H = int(rng.integers(1, 9)), int(rng.integers(1, 9))
    net = single_layer(
        W_xh=rng.normal(size=(H, I)),
        W_hh=rng.normal(size=(H, H)) * 0.5,
        b_xh=rng.normal(size=H),
        b_hh=rng.normal(size=H),
        h0=rng.normal(size=H),
    )
    result = forward(net, rng.normal(size=(int(rng.integers(1, 30)), I)))
    np.testing.assert_allclose(formulation_2(net, result), result.Z, rtol=0, atol=1e-12)
    assert formulation_2_difference(net, result) < 1e-12
    explained = terms(net, result)
    total = explained.W_xh_x + explained.b_xh + explained.W_hh_h_prev + explained.b_hh
    np.testing.assert_allclose(total, result.Z, rtol=0, atol=1e-12)
    assert explained.formulation_2_difference < 1e-12


def test_the_first_step_written_out_for_the_textbook() -> None:
    net = default_network()
    text = first_step_by_hand(forward(net, np.array(textbook.X)), net, 4).plain
    # The textbook's W_xh rows at 4 decimals, times x_1 = [1, 1, 1, 1, 1]; the sums are
    # the textbook's "Hidden" row at t = 1 less b_xh: -0.4702 + 0.0516, 0.5864 + 0.0637.
    assert text.splitlines() == [
        "t = 1 by hand, one row of each matrix at a time:",
        "  W_xh x_1, unit 1: 0.3643·1 + (-0.3121)·1 + (-0.1371)·1 + 0.3319·1 + (-0.6657)·1"
        " = -0.4186",
        "  W_xh x_1, unit 2: 0.4241·1 + (-0.1455)·1 + 0.3597·1 + 0.0983·1 + (-0.0866)·1 = 0.6500",
        "  W_hh h_0, unit 1: 0.1961·0 + 0.0349·0 = 0.0000",
        "  W_hh h_0, unit 2: 0.2583·0 + (-0.2756)·0 = 0.0000",
    ]


def test_explain_table_shows_the_textbook_hidden_row() -> None:
    result = runner.invoke(app, ["forward", SAMPLE, "--explain", "-f", "table"])
    assert result.exit_code == 0
    out = result.stdout
    assert "│ = W_xh x_t + b_xh │ -0.4702 │  0.5864 │" in out
    assert "│ h_t = tanh(z_t)   │ -0.8649 │  0.9047 │" in out
    assert "Formulation 2: [W_xh W_hh]·[x_t; h_{t-1}] + b_xh + b_hh gives the same z_t" in out


def test_large_networks_say_how_to_see_the_first_step() -> None:
    rng = np.random.default_rng(0)
    net = single_layer(
        W_xh=rng.normal(size=(9, 2)), W_hh=np.eye(9) * 0.1, b_xh=np.zeros(9),
        b_hh=np.zeros(9), h0=np.zeros(9),
    )  # fmt: skip
    text = first_step_by_hand(forward(net, np.ones((2, 2))), net, 4).plain
    assert "-f json --explain" in text


@pytest.mark.parametrize("force_color", [False, True])
def test_explain_view_has_colour_codes_only_when_forced(
    force_color: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Written to a pipe (CliRunner's stdout is no terminal), the explain view is plain
    # text; FORCE_COLOR shows the same bytes would carry escape codes if it were coloured.
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    env = {"FORCE_COLOR": "1"} if force_color else {}
    result = runner.invoke(app, ["forward", SAMPLE, "--explain", "-f", "table"], env=env)
    assert result.exit_code == 0
    assert b"t = 3" in result.stdout_bytes
    assert (b"\x1b[" in result.stdout_bytes) is force_color


def test_explain_in_float32_works_in_float32() -> None:
    document = explained_json(SAMPLE, "--dtype", "float32")
    net = default_network().astype(np.float32)
    X = np.array(textbook.X, dtype=np.float32)
    expected = (X @ net.W_xh.T)[0].astype(np.float64).tolist()
    assert document["steps"][0]["W_xh_x"] == expected
    assert document["explain"]["formulation_2_max_abs_difference"] < 1e-6


def test_explain_refuses_what_it_cannot_take_apart(tmp_path: Path) -> None:
    config = tmp_path / "clip.yaml"
    config.write_text("clip: 0.5\nweights: {W_xh: [[1.0]], W_hh: [[0.5]]}\n")
    result = runner.invoke(app, ["forward", "-", "-c", str(config), "--explain"], input="[1]")
    assert result.exit_code == 2
    assert "without a clip" in result.stderr
