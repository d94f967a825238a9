"""What a cell takes beside its weights: its options, one value for every kind of cell.

An Elman cell reads `activation` (f) and `clip` (given by the network), an LSTM and a
GRU all of theirs; what a kind has no use for keeps its default.
"""

from __future__ import annotations

from typing import NamedTuple

from rnncli.cells.activations import SIGMOID, TANH, Activation


class CellOptions(NamedTuple):
    """A cell's options (see the module); every cell carries one as `options`."""

    activation: Activation = TANH  # rnn: f; lstm: g and h(c_t); gru: n
    recurrent_activation: Activation = SIGMOID  # lstm, gru: σ of the gates
    state_activation: Activation | None = None  # lstm: h(c_t) when not `activation`
    clip: float | None = None  # every pre-activation clamped to [-clip, clip]
    input_forget: bool = False  # lstm: f = 1 - i
    reset_after: bool = True  # gru: r applied after W_hh^n h (PyTorch's)
    bias: str = "two"  # how the biases were given: "two", "one" (b_h) or "none"


#: The options of a cell given none: tanh, the sigmoid for the gates, no clip, two biases.
DEFAULTS = CellOptions()
