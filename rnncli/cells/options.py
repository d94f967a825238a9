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


class OptionFields:
    """A cell's options read by name (`cell.activation`, `cell.clip`, ...), each the field
    of its one `options` value, so the steps read as the lecture writes them."""

    options: CellOptions

    @property
    def activation(self) -> Activation:
        """rnn: f; lstm: g, and h's state activation unless state_activation; gru: n."""
        return self.options.activation

    @property
    def recurrent_activation(self) -> Activation:
        """σ of an LSTM's or a GRU's gates."""
        return self.options.recurrent_activation

    @property
    def state_activation(self) -> Activation | None:
        """An LSTM's h_t = o ⊙ state_act(c_t), the h of ONNX's f, g, h (None: activation)."""
        return self.options.state_activation

    @property
    def clip(self) -> float | None:
        """Every pre-activation clamped to [-clip, clip] before its activation, as ONNX's."""
        return self.options.clip

    @property
    def input_forget(self) -> bool:
        """An LSTM's f = 1 - i."""
        return self.options.input_forget

    @property
    def reset_after(self) -> bool:
        """A GRU's r applied after W_hh^n h (PyTorch's), or before (ONNX's default)."""
        return self.options.reset_after

    @property
    def bias(self) -> str:
        """How the biases were given: "two", "one" (b_h) or "none"."""
        return self.options.bias
