"""An LSTM and a GRU of two inputs and two units, with weights simple enough to work the
first steps by hand, in the lecture's notation; rnncli's `forward -f json` must give the
same h_t (and c_t) to 1e-9, and `--explain -f json` the same gate values.

σ(z) = 1 / (1 + e^-z), so σ(0) = 0.5, σ(0.5) = 0.6224593312..., σ(1) = 0.7310585786...,
σ(-1) = 1 - σ(1) = 0.2689414213..., σ(2) = 0.8807970779...; tanh(1) = 0.7615941559...
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import orjson

from tests.conftest import (
    GRU,
    GRU_H_1,
    LSTM,
    LSTM_C_1,
    LSTM_GATES_1,
    LSTM_H_1,
    forward_json,
    sequence_documents,
    steps,
    write_json,
)

ATOL = 1e-9


# t = 1, x_1 = [1, 0], h_0 = [0, 0]:
#   r = σ([0, 1]) = [0.5, 0.7310585786300049]
#   z = σ(W_xh^z x_1) = σ([1, 0]) = [0.7310585786300049, 0.5]
#   n = tanh(W_xh^n x_1 + r ⊙ (W_hh^n h_0 + b_hh^n)) = tanh([1 + 0.5·0.5, 1 + 0.7311·0])
#     = tanh([1.25, 1]) = [0.8482836399575129, 0.7615941559557649]
#   h_1 = (1 - z) ⊙ n + z ⊙ h_0 = [0.2689414214·0.8482836400, 0.5·0.7615941560]
#       = [0.2281386078550867, 0.3807970779778824]
GRU_GATES_1 = {
    "r": [0.5, 0.7310585786300049],
    "z": [0.7310585786300049, 0.5],
    "n": [0.8482836399575129, 0.7615941559557649],
}
# t = 2, x_2 = [0, 1]: r is still [0.5, 0.7310585786], z = σ([0, -1]) = [0.5, 0.2689414214],
#   W_xh^n x_2 = [1, -1]
#   reset after (the default):
#     n = tanh([1 + 0.5·(0.2281386079 + 0.5), -1 + 0.7310585786·(0.3807970780 + 0)])
#       = tanh([1.3640693039275433, -0.7216150294270302])
#       = [0.8773335231104759, -0.6179086925202877]
#     h_2 = [0.5·0.8773335231 + 0.5·0.2281386079,
#            0.7310585786·(-0.6179086925) + 0.2689414214·0.3807970780]
#         = [0.5527360654827813, -0.3493153430720937]
GRU_H_2 = [0.5527360654827813, -0.3493153430720937]

# reset_after: false, r multiplies h_{t-1} before W_hh^n and b_hh^n is added whole, so
# already at t = 1 (r and z as above):
#   n = tanh(W_xh^n x_1 + W_hh^n (r ⊙ h_0) + b_hh^n) = tanh([1 + 0 + 0.5, 1 + 0 + 0])
#     = tanh([1.5, 1]) = [0.9051482536448664, 0.7615941559557649]
#   h_1 = [0.2689414214·0.9051482536, 0.5·0.7615941560] = [0.2434318578858192, 0.3807970779778824]
# t = 2: n = tanh([1 + 0.5·0.2434318579 + 0.5, -1 + 0.7310585786·0.3807970780])
#          = tanh([1.6217159289429097, -0.7216150294270302])
#          = [0.9248727543191559, -0.6179086925202877]
#   h_2 = [0.5·0.9248727543 + 0.5·0.2434318579,
#          0.7310585786·(-0.6179086925) + 0.2689414214·0.3807970780]
#       = [0.5841523061024876, -0.3493153430720937]
GRU_RESET_BEFORE_H = [
    [0.2434318578858192, 0.3807970779778824],
    [0.5841523061024876, -0.3493153430720937],
]


def run(tmp_path: Path, config: dict[str, Any], X: list[list[float]], *options: str) -> Any:
    config_file = write_json(tmp_path / "net.yaml", config)
    sequence = write_json(tmp_path / "x.json", X)
    (output,) = forward_json([sequence, "-c", config_file, *options])
    (document,) = sequence_documents(orjson.loads(output))
    return document


def test_lstm_first_step_by_hand(tmp_path: Path) -> None:
    document = run(tmp_path, LSTM, [[1.0, 0.0]])
    np.testing.assert_allclose(steps(document, "h")[0], LSTM_H_1, rtol=0, atol=ATOL)
    np.testing.assert_allclose(steps(document, "c")[0], LSTM_C_1, rtol=0, atol=ATOL)
    np.testing.assert_allclose(document["c_n"], LSTM_C_1, rtol=0, atol=ATOL)


def test_lstm_gates_of_the_first_step(tmp_path: Path) -> None:
    document = run(tmp_path, LSTM, [[1.0, 0.0]], "--explain")
    gates = document["steps"][0]["gates"]
    assert list(gates) == ["i", "f", "g", "o"]
    for gate, values in LSTM_GATES_1.items():
        np.testing.assert_allclose(gates[gate], values, rtol=0, atol=ATOL)


def test_gru_two_steps_by_hand(tmp_path: Path) -> None:
    document = run(tmp_path, GRU, [[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(steps(document, "h"), [GRU_H_1, GRU_H_2], rtol=0, atol=ATOL)
    assert "c_n" not in document


def test_gru_reset_before_by_hand(tmp_path: Path) -> None:
    config = {**GRU, "reset_after": False}
    document = run(tmp_path, config, [[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(steps(document, "h"), GRU_RESET_BEFORE_H, rtol=0, atol=ATOL)


def test_gru_gates_of_the_first_step(tmp_path: Path) -> None:
    document = run(tmp_path, GRU, [[1.0, 0.0], [0.0, 1.0]], "--explain")
    gates = document["steps"][0]["gates"]
    assert list(gates) == ["r", "z", "n"]
    for gate, values in GRU_GATES_1.items():
        np.testing.assert_allclose(gates[gate], values, rtol=0, atol=ATOL)
