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

from tests.cells_cli import forward_json, sequence_documents, steps, write_json

ATOL = 1e-9
ZERO = [[0.0, 0.0], [0.0, 0.0]]

# i: W_xh^i = [[0.5, 0], [0, 0.5]], no bias      f: only b_h^f = [1, -1]
# g: W_xh^g = [[1, 0], [-1, 0]]                  o: only b_h^o = [0, 2]
# W_hh of every gate is 0.5·I; it plays no part at t = 1, where h_0 = 0.
HALF = [[0.5, 0.0], [0.0, 0.5]]
LSTM = {
    "cell": "lstm",
    "weights": {
        "i": {"W_xh": HALF, "W_hh": HALF},
        "f": {"W_xh": ZERO, "W_hh": HALF, "b_h": [1.0, -1.0]},
        "g": {"W_xh": [[1.0, 0.0], [-1.0, 0.0]], "W_hh": HALF},
        "o": {"W_xh": ZERO, "W_hh": HALF, "b_h": [0.0, 2.0]},
    },
    "c0": [0.5, -0.5],
}

# x_1 = [1, 0], h_0 = [0, 0], c_0 = [0.5, -0.5]:
#   i = σ(W_xh^i x_1)   = σ([0.5, 0])  = [0.6224593312018546, 0.5]
#   f = σ(b_h^f)        = σ([1, -1])   = [0.7310585786300049, 0.2689414213699951]
#   g = tanh(W_xh^g x_1) = tanh([1, -1]) = [0.7615941559557649, -0.7615941559557649]
#   o = σ(b_h^o)        = σ([0, 2])    = [0.5, 0.8807970779778823]
#   f ⊙ c_0 = [0.7310585786·0.5, 0.2689414214·(-0.5)] = [0.3655292893150024, -0.1344707106849976]
#   i ⊙ g   = [0.6224593312·0.7615941560, 0.5·(-0.7615941560)]
#           = [0.4740613889634663, -0.3807970779778824]
#   c_1 = f ⊙ c_0 + i ⊙ g = [0.8395906782784688, -0.5152677886628800]
#   tanh(c_1) = [0.6855921975933432, -0.4740394309868559]
#   h_1 = o ⊙ tanh(c_1) = [0.5·0.6855921976, 0.8807970780·(-0.4740394310)]
#       = [0.3427960987966716, -0.4175325456595207]
LSTM_GATES_1 = {
    "i": [0.6224593312018546, 0.5],
    "f": [0.7310585786300049, 0.2689414213699951],
    "g": [0.7615941559557649, -0.7615941559557649],
    "o": [0.5, 0.8807970779778823],
}
LSTM_C_1 = [0.8395906782784688, -0.5152677886628800]
LSTM_H_1 = [0.3427960987966716, -0.4175325456595207]

# r: only b_h^r = [0, 1]                       z: W_xh^z = [[1, 0], [0, -1]], no bias
# n: W_xh^n = [[1, 1], [1, -1]], W_hh^n = I, b_hh^n = [0.5, 0]
GRU = {
    "cell": "gru",
    "weights": {
        "r": {"W_xh": ZERO, "W_hh": ZERO, "b_h": [0.0, 1.0]},
        "z": {"W_xh": [[1.0, 0.0], [0.0, -1.0]], "W_hh": ZERO},
        "n": {
            "W_xh": [[1.0, 1.0], [1.0, -1.0]],
            "W_hh": [[1.0, 0.0], [0.0, 1.0]],
            "b_xh": [0.0, 0.0],
            "b_hh": [0.5, 0.0],
        },
    },
}

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
GRU_H_1 = [0.2281386078550867, 0.3807970779778824]
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
