"""One form of a cell's options: every cell carries one CellOptions, the YAML reader and
the model readers fill the same ModelForm, and one make_cell builds every cell."""

from __future__ import annotations

import numpy as np
import pytest

from rnncli.cells.activations import Activation
from rnncli.cells.kinds import GATE_MEANINGS, GATES, CellOptions, gate_blocks, make_cell
from rnncli.core.network import Network
from rnncli.models.config.read import config_form, parse_config
from rnncli.models.config.write import network_yaml
from rnncli.models.form import from_network, to_network

#: Not one default: each option as a config can state it.
STATED = CellOptions(
    activation=Activation.named("leaky_relu", 0.125),
    recurrent_activation=Activation.named("hard_sigmoid", 0.25, 0.5),
    state_activation=Activation("relu"),
    clip=2.5,
    input_forget=True,
    reset_after=False,
    bias="one",
)

LSTM_YAML = """\
cell: lstm
activation: {name: leaky_relu, alpha: 0.125}
recurrent_activation: {name: hard_sigmoid, alpha: 0.25, beta: 0.5}
state_activation: relu
input_forget: true
clip: 2.5
weights:
  W_xh: [[0.5], [-1.0], [2.0], [0.25]]
  W_hh: [[1.0], [0.5], [-0.5], [2.0]]
  b_h: [0.1, 0.2, 0.3, 0.4]
"""

GRU_YAML = """\
cell: gru
reset_after: false
layers:
  - W_xh: [[1.0], [-0.5], [0.75]]
    W_hh: [[0.5], [1.5], [-1.0]]
  - W_xh: [[0.25], [0.5], [-0.75]]
    W_hh: [[-0.5], [1.0], [0.5]]
    b_xh: [0.1, 0.0, 0.2]
    b_hh: [0.0, 0.3, 0.4]
"""


def test_each_kind_names_its_gates_once() -> None:
    assert GATES == {"rnn": (), "lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}
    assert [gate_blocks(kind) for kind in ("rnn", "lstm", "gru")] == [1, 4, 3]
    assert GATE_MEANINGS["lstm"]["g"] == "candidate (the book's C~)"
    assert GATE_MEANINGS["gru"] == {"r": "reset gate", "z": "update gate", "n": "candidate"}


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_a_cell_carries_the_options_it_was_made_with(kind: str) -> None:
    G = gate_blocks(kind)
    W_xh, W_hh, b = np.ones((G * 2, 3)), np.ones((G * 2, 2)), np.zeros(G * 2)
    cell = make_cell(kind, W_xh, W_hh, b, b, STATED)
    assert cell.options == STATED
    assert (cell.kind, cell.gates, cell.bias, cell.clip) == (kind, GATES[kind], "one", 2.5)
    assert cell.activation == Activation.named("leaky_relu", 0.125)
    assert cell.W_hr is None and cell.peepholes is None
    assert make_cell(kind, W_xh, W_hh, b, b).options == CellOptions()


def test_the_yaml_reader_gives_the_form_every_model_reader_gives() -> None:
    form = config_form(LSTM_YAML, "lstm.yaml")
    assert (form.format, form.cell, form.source) == ("rnncli config", "lstm", "lstm.yaml")
    assert form.options == STATED._replace(reset_after=True, bias="two")
    assert form.layers[0][0].bias == "one"
    np.testing.assert_array_equal(form.layers[0][0].b_x, [0.1, 0.2, 0.3, 0.4])
    np.testing.assert_array_equal(form.layers[0][0].b_h, [0.0, 0.0, 0.0, 0.0])
    net = parse_config(LSTM_YAML, "lstm.yaml")
    assert net.cell.options == STATED._replace(reset_after=True)
    # One step by hand from x_1 = 2, h_0 = c_0 = 0: z = W_xh x_1 + b_h, clipped to 2.5;
    # hard_sigmoid(z) = 0.25 z + 0.5; f = 1 - i is not read (c_0 = 0)
    i = 0.25 * (1.0 + 0.1) + 0.5  # 0.775
    g = 2.5  # leaky_relu(clip(4.0 + 0.3)) = 2.5
    o = 0.25 * (0.5 + 0.4) + 0.5  # 0.725
    h_1, c_1 = net.cell.step(np.array([2.0]), net.cell.initial_state(np.zeros(1)))
    np.testing.assert_allclose(c_1, [i * g], rtol=1e-15)  # 1.9375
    np.testing.assert_allclose(h_1, [o * i * g], rtol=1e-15)  # o ⊙ relu(c_1)


def test_every_layer_takes_the_networks_options_and_its_own_bias_form() -> None:
    net = parse_config(GRU_YAML, "gru.yaml")
    assert [cell.options.bias for cell in net.cells] == ["none", "two"]
    assert {cell.options._replace(bias="two") for cell in net.cells} == {
        CellOptions(reset_after=False)
    }


@pytest.mark.parametrize("text", [LSTM_YAML, GRU_YAML])
def test_a_network_and_its_form_hold_the_same_options(text: str) -> None:
    net = parse_config(text, "config.yaml")
    form = from_network(net, "config.yaml")
    assert form.options == config_form(text, "config.yaml").options
    again: Network = to_network(form)
    assert [c.options for c in again.cells] == [c.options for c in net.cells]
    assert network_yaml(again, []) == network_yaml(net, [])
