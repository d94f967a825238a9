"""`forward --explain` of an LSTM and a GRU: the per-gate terms against the steps worked
by hand in tests/test_cells_textbook.py, the csv columns, and the explain table's text."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console
from typer.testing import CliRunner

from rnncli.cli import app
from rnncli.core.explain import terms
from rnncli.core.forward import forward
from rnncli.models.config.read import parse_config
from rnncli.views.explain_table import explain_view
from tests.conftest import (
    GRU,
    GRU_H_1,
    LSTM,
    LSTM_C_1,
    LSTM_GATES_1,
    LSTM_H_1,
    forward_json,
    sequence_documents,
    write_json,
)

ATOL = 1e-9


def explained(
    tmp_path: Path, config: dict[str, Any], X: list[list[float]], fmt: str = "json"
) -> Any:
    config_file = write_json(tmp_path / "net.yaml", config)
    sequence = write_json(tmp_path / "x.json", X)
    if fmt != "json":
        result = CliRunner().invoke(
            app, ["forward", str(sequence), "-c", str(config_file), "--explain", "-f", fmt]
        )
        assert result.exit_code == 0, result.output
        return list(csv.DictReader(io.StringIO(result.stdout)))
    (output,) = forward_json([sequence, "-c", config_file, "--explain"])
    (document,) = sequence_documents(json.loads(output))
    return document


def test_lstm_first_step_gate_by_gate(tmp_path: Path) -> None:
    step = explained(tmp_path, LSTM, [[1.0, 0.0]])["steps"][0]
    hand = {
        "h_prev": [0.0, 0.0],
        "c_prev": [0.5, -0.5],
        "W_xh_x_i": [0.5, 0.0],  # W_xh^i x_1 = 0.5·I [1, 0]
        "z_i": [0.5, 0.0],
        "b_xh_f": [1.0, -1.0],  # the one bias b_h^f is b_xh^f, b_hh^f = 0
        "b_hh_f": [0.0, 0.0],
        "z_f": [1.0, -1.0],
        "W_xh_x_g": [1.0, -1.0],
        "W_hh_h_prev_g": [0.0, 0.0],  # h_0 = 0
        "z_o": [0.0, 2.0],
        # f ⊙ c_0 and i ⊙ g as worked in test_cells_textbook; their sum is c_1
        "f_c_prev": [0.3655292893150024, -0.1344707106849976],
        "i_g": [0.4740613889634663, -0.3807970779778824],
        "act_c": [0.6855921975933432, -0.4740394309868559],  # tanh(c_1)
        "c": LSTM_C_1,
        "h": LSTM_H_1,
    }
    for key, values in hand.items():
        np.testing.assert_allclose(step[key], values, rtol=0, atol=ATOL, err_msg=key)
    assert list(step["gates"]) == ["i", "f", "g", "o"]
    for gate, values in LSTM_GATES_1.items():
        np.testing.assert_allclose(step["gates"][gate], values, rtol=0, atol=ATOL)


def test_gru_reset_after_and_before_by_hand(tmp_path: Path) -> None:
    # t = 1: r = [0.5, 0.7310585786], W_hh^n h_0 = 0, b_hh^n = [0.5, 0]
    after = explained(tmp_path, GRU, [[1.0, 0.0]])["steps"][0]
    np.testing.assert_allclose(after["recurrent_n"], [0.25, 0.0], rtol=0, atol=ATOL)  # r ⊙ b_hh
    np.testing.assert_allclose(after["z_n"], [1.25, 1.0], rtol=0, atol=ATOL)
    # (1 - z) ⊙ n = [0.2689414214·0.8482836400, 0.5·0.7615941560] = h_1 (h_0 = 0)
    np.testing.assert_allclose(after["one_minus_z_n"], GRU_H_1, rtol=0, atol=ATOL)
    np.testing.assert_allclose(after["z_h_prev"], [0.0, 0.0], rtol=0, atol=ATOL)
    before = explained(tmp_path, {**GRU, "reset_after": False}, [[1.0, 0.0], [0.0, 1.0]])
    first, second = before["steps"]
    np.testing.assert_allclose(first["recurrent_n"], [0.5, 0.0], rtol=0, atol=ATOL)  # b_hh whole
    np.testing.assert_allclose(first["z_n"], [1.5, 1.0], rtol=0, atol=ATOL)
    # t = 2: W_hh^n (r ⊙ h_1) = r ⊙ h_1 = [0.5·0.2434318579, 0.7310585786·0.3807970780]
    h_1 = np.array([0.2434318578858192, 0.3807970779778824])
    r = np.array([0.5, 0.7310585786300049])
    np.testing.assert_allclose(second["W_hh_h_prev_n"], r * h_1, rtol=0, atol=ATOL)
    np.testing.assert_allclose(
        second["z_n"], [1.6217159289429097, -0.7216150294270302], rtol=0, atol=ATOL
    )


def test_gated_csv_columns(tmp_path: Path) -> None:
    (row,) = explained(tmp_path, GRU, [[1.0, 0.0]], "csv")
    names = list(row)
    assert names[:7] == ["t", "x1", "x2", "h1", "h2", "h_prev1", "h_prev2"]
    assert names[-6:] == ["gate_r1", "gate_r2", "gate_z1", "gate_z2", "gate_n1", "gate_n2"]
    after_b_hh_n = names[names.index("b_hh_n2") + 1 :]
    assert after_b_hh_n[:4] == ["recurrent_n1", "recurrent_n2", "z_n1", "z_n2"]
    assert float(row["gate_z1"]) == float(np.float64(1) / (1 + np.exp(np.float64(-1))))
    assert abs(float(row["recurrent_n1"]) - 0.25) < ATOL


def _view_text(config: dict[str, Any], X: list[list[float]], width: int) -> str:
    net = parse_config(json.dumps(config), "net.yaml")
    result = forward(net, np.array(X))
    console = Console(record=True, width=width, color_system=None)
    console.print(explain_view(result, net, terms(net, result), precision=4))
    return console.export_text()


def test_lstm_explain_table_text() -> None:
    config = {**LSTM, "weights": {**LSTM["weights"], "o": {**LSTM["weights"]["o"]}}}
    config["weights"]["o"]["b_h"] = [0.0, 6.0]  # o_2 = σ(6) = 0.9975: saturated
    text = _view_text(config, [[1.0, 0.0]], 80)
    lines = [line.rstrip() for line in text.splitlines()]
    assert "│ f: W_xh x_t         │  0.0000 │   0.0000 │" in lines
    assert "│    = z^f            │  1.0000 │  -1.0000 │" in lines
    assert "│ f = sigmoid(z^f)    │  0.7311 │   0.2689 │" in lines
    assert "│ o = sigmoid(z^o)    │  0.5000 │  0.9975* │" in lines
    assert "│ f ⊙ c_{t-1}         │  0.3655 │  -0.1345 │" in lines
    assert "│ + i ⊙ g             │  0.4741 │  -0.3808 │" in lines
    assert "│ = c_t               │  0.8396 │  -0.5153 │" in lines
    assert any(line.startswith("* a gate within 0.01 of 0 or 1") for line in lines)
    assert "  c_1, unit 1: f·c_0 + i·g = 0.7311·0.5000 + 0.6225·0.7616 = 0.8396" in lines
    assert "  W_xh^g x_1, unit 2: (-1.0000)·1 + 0.0000·0 = -1.0000" in lines


def test_gru_explain_table_text() -> None:
    text = _view_text(GRU, [[1.0, 0.0]], 80)
    lines = [line.rstrip() for line in text.splitlines()]
    assert "│    + r ⊙ (W_hh h_{t-1} + b_hh) │ 0.2500 │ 0.0000 │" in lines
    assert "│ n = tanh(z^n)                  │ 0.8483 │ 0.7616 │" in lines
    assert "│ = h_t                          │ 0.2281 │ 0.3808 │" in lines
    assert "  h_1, unit 1: (1 - z)·n + z·h_0 = 0.2689·0.8483 + 0.7311·0.0000 = 0.2281" in lines
    assert not any(line.startswith("* a gate") for line in lines)  # nothing saturated


# One input, H = 2 units, a projection to P = 1 and peepholes; only W_xh^i and W_xh^g
# (unit 1) are non-zero, so the peepholes make the gates of unit 2 alone.
PEEPHOLE_LSTM = {
    "cell": "lstm",
    "weights": {
        "W_xh": [[1.0], [0.0], [0.0], [0.0], [1.0], [0.0], [0.0], [0.0]],  # i, f, g, o
        "W_hh": [[0.0]] * 8,  # 4H x P
        "W_hr": [[2.0, -1.0]],  # P x H
        "peepholes": {"i": [1.0, 1.0], "f": [-1.0, -1.0], "o": [0.5, 0.5]},
    },
    "c0": [1.0, -1.0],
}
# x_1 = [1], h_0 = [0], c_0 = [1, -1]:
#   z^i = W_xh^i x + p_i ⊙ c_0 = [1 + 1, 0 - 1] = [2, -1]   i = [0.8807970780, 0.2689414214]
#   z^f = p_f ⊙ c_0 = [-1, 1]                               f = [0.2689414214, 0.7310585786]
#   g = tanh([1, 0]) = [0.7615941560, 0]
#   c_1 = f ⊙ c_0 + i ⊙ g = [0.2689414214 + 0.8807970780·0.7615941560, -0.7310585786]
#       = [0.9397513285408644, -0.7310585786300049]
#   z^o = p_o ⊙ c_1 = [0.4698756642704322, -0.36552928931500245]   (the NEW c_1)
#   o = σ(z^o) = [0.6153543273693293, 0.4096217429772847]
#   o ⊙ tanh(c_1) = [0.6153543274·0.7351079804, 0.4096217430·(-0.6237125498)]
#                 = [0.4523518767994649, -0.2554862217764817]
#   h_1 = W_hr (o ⊙ tanh(c_1)) = 2·0.4523518768 - (-0.2554862218) = 1.1601899753754115
PEEPHOLE_HAND = {
    "h_prev": [0.0],
    "c_prev": [1.0, -1.0],
    "peephole_i": [1.0, -1.0],
    "z_i": [2.0, -1.0],
    "peephole_f": [-1.0, 1.0],
    "z_f": [-1.0, 1.0],
    "peephole_o": [0.4698756642704322, -0.36552928931500245],
    "z_o": [0.4698756642704322, -0.36552928931500245],
    "o_act_c": [0.4523518767994649, -0.2554862217764817],
    "c": [0.9397513285408644, -0.7310585786300049],
    "h": [1.1601899753754115],
}


def test_lstm_peepholes_and_projection_by_hand(tmp_path: Path) -> None:
    step = explained(tmp_path, PEEPHOLE_LSTM, [[1.0]])["steps"][0]
    for key, values in PEEPHOLE_HAND.items():
        np.testing.assert_allclose(step[key], values, rtol=0, atol=ATOL, err_msg=key)
    np.testing.assert_allclose(step["gates"]["o"], [0.6153543273693293, 0.4096217429772847])
    keys = [key for key in step if key.startswith("peephole") or key.startswith("z_")]
    assert keys == ["peephole_i", "z_i", "peephole_f", "z_f", "z_g", "peephole_o", "z_o"]
    (row,) = explained(tmp_path, PEEPHOLE_LSTM, [[1.0]], "csv")
    assert [key for key in row if key.startswith("h")] == ["h1", "h_prev1"]  # P = 1
    for key, values in PEEPHOLE_HAND.items():
        for unit, value in enumerate(values, start=1):
            assert float(row[f"{key}{unit}"]) == pytest.approx(value, abs=ATOL), key


def test_lstm_peepholes_and_projection_in_the_table(tmp_path: Path) -> None:
    config = write_json(tmp_path / "net.yaml", PEEPHOLE_LSTM)
    sequence = write_json(tmp_path / "x.json", [[1.0]])
    args = ["forward", str(sequence), "-c", str(config), "--explain", "-f", "table"]
    result = CliRunner().invoke(app, args, terminal_width=120)
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.replace("│", " ").split()) for line in result.stdout.splitlines()]
    assert "+ p_i ⊙ c_{t-1} 1.0000 -1.0000" in lines
    assert "+ p_f ⊙ c_{t-1} -1.0000 1.0000" in lines
    assert "+ p_o ⊙ c_t 0.4699 -0.3655" in lines
    assert "o ⊙ tanh(c_t) 0.4524 -0.2555" in lines
    assert "h_t = W_hr (o ⊙ tanh(c_t)) 1.1602" in lines
    assert "h_1 = W_hr (o ⊙ tanh(c_1)) = [1.1602]" in lines
    assert "(largest difference 0)." in result.stdout
