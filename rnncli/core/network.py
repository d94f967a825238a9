"""The network: cells stacked in layers and directions, h_0, and an output layer.

As nn.RNN, a network may stack L layers (layer k > 1 reads layer k-1's states) and run
in D = 2 directions (h_t = [h_t forward; h_t reverse]); h0 then holds L*D states in
PyTorch's order (layer by layer, forward first). On top of the last layer, optionally:

    o_t = g(W_ho h_t + b_o)      W_ho: O x (D*H), b_o: O  (o_t = h_t without W_ho)

Every cell of a network is of one kind (`cell_kind`): rnn (ElmanCell), lstm (LstmCell)
or gru (GruCell). Sizes, by name: `hidden_size` is the size of h (an LSTM's P when it
projects; H otherwise), so h0 is (L*D) x hidden_size and h_t has `state_size` = D *
hidden_size values; `cell_size` is H, the units of each gate and of an LSTM's c, so c0
is (L*D) x cell_size and c_t has D * cell_size values.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from rnncli.cells.activations import IDENTITY, TANH, Activation, FloatArray
from rnncli.cells.elman import RecurrentCell
from rnncli.cells.kinds import CellOptions, make_cell
from rnncli.core.input_scale import Scale
from rnncli.option_values import ACTIVATION_NAMES, Direction


@dataclass(frozen=True)
class Network:
    """A recurrent network: L layers of D directions, and an optional output layer.

    layers[k][d] is the cell of layer k + 1 in direction d (0 forward, 1 reverse); h0 is
    (L*D) x H; W_ho is O x (D*H) and b_o is O, or both None (then o_t = h_t of the top
    layer); c0 (an LSTM's, (L*D) x cell_size) is zeros when None. Every Elman cell runs
    with the network's activation f and clip; an LSTM's and a GRU's cells carry their
    own activations and clip, and the network's `activation` and `clip` then read the
    first cell's.
    """

    layers: tuple[tuple[RecurrentCell, ...], ...]
    h0: FloatArray
    W_ho: FloatArray | None = None
    b_o: FloatArray | None = None
    activation: Activation = TANH
    output_activation: Activation | None = None
    direction: Direction = Direction.FORWARD
    clip: float | None = None
    name: str | None = None
    c0: FloatArray | None = None
    # x_t' = (x_t - mean) / std for the rows read from the sequence, before W_xh; the
    # forward pipeline applies it (the config's `scale:` block, or --standardize).
    scale: Scale | None = None

    def __post_init__(self) -> None:
        D = 2 if self.direction is Direction.BIDIRECTIONAL else 1
        if not self.layers or any(len(cells) != D for cells in self.layers):
            raise ValueError(f"every layer needs {D} direction(s)")
        H = self.layers[0][0].hidden_size
        for k, cells in enumerate(self.layers):
            for cell in cells:
                try:
                    cell.check()
                except ValueError as error:
                    raise ValueError(f"layer {k + 1}: {error}") from None
                if cell.hidden_size != H or (k > 0 and cell.input_size != D * H):
                    raise ValueError(f"layer {k + 1}: every cell has H = {H}, reading D*H above 1")
        kinds = {cell.kind for cells in self.layers for cell in cells}
        if len(kinds) != 1:
            raise ValueError("every cell of a network is of one kind")
        if self.h0.shape != (len(self.layers) * D, H):
            raise ValueError(f"h0 must be {len(self.layers) * D} x {H}")
        C = self.layers[0][0].cell_size
        if any(cell.cell_size != C for cells in self.layers for cell in cells):
            raise ValueError(f"every cell has {C} units")
        if self.c0 is not None and (kinds != {"lstm"} or self.c0.shape != (len(self.h0), C)):
            raise ValueError(f"c0 is an LSTM's, {len(self.h0)} x {C}")
        if self.scale is not None and not (
            self.scale.mean.shape == self.scale.std.shape == (self.layers[0][0].input_size,)
            and (self.scale.std > 0).all()
        ):
            raise ValueError("scale needs a mean and a std > 0 for every input")
        if (self.W_ho is None) != (self.b_o is None):
            raise ValueError("W_ho and b_o come together")
        if (
            self.W_ho is not None
            and self.b_o is not None
            and (self.W_ho.shape[1] != D * H or self.b_o.shape != (self.W_ho.shape[0],))
        ):
            raise ValueError(f"W_ho must be O x {D * H} and b_o must have O values")
        # Usage the config reader and the command line refuse with a message first.
        assert self.output_activation is None or self.W_ho is not None
        assert self.activation.name in ACTIVATION_NAMES, self.activation.name
        if kinds != {"rnn"}:  # gated cells carry their own; the network reads them
            first = self.layers[0][0]
            object.__setattr__(self, "activation", first.activation)
            object.__setattr__(self, "clip", first.clip)
            if kinds == {"lstm"} and self.c0 is None:
                object.__setattr__(self, "c0", np.zeros((len(self.h0), C), self.h0.dtype))
            return
        # Every Elman cell steps with the network's f and clip.
        layers = tuple(
            tuple(cell.configured(self.activation, self.clip) for cell in cells)
            for cells in self.layers
        )
        object.__setattr__(self, "layers", layers)

    @property
    def cells(self) -> list[RecurrentCell]:
        """Every cell, layer by layer, forward first: the order of h0's rows."""
        return [cell for cells in self.layers for cell in cells]

    @property
    def cell_kind(self) -> str:
        """ "rnn", "lstm" or "gru": the kind of every cell."""
        return self.cell.kind

    @property
    def gates(self) -> tuple[str, ...]:
        """The cell's gates in PyTorch's order (none for rnn)."""
        return self.cell.gates

    @property
    def bias(self) -> str:
        """How the config gave the biases: "two", "one" (b_h) or "none"; "mixed" where
        its cells differ."""
        forms = {cell.bias for cell in self.cells}
        return forms.pop() if len(forms) == 1 else "mixed"

    @property
    def cell(self) -> RecurrentCell:
        """The first layer's forward cell: the lecture's, in a one-layer network."""
        return self.layers[0][0]

    # Its weights under the lecture's names.
    @property
    def W_xh(self) -> FloatArray:
        return self.cell.W_xh

    @property
    def W_hh(self) -> FloatArray:
        return self.cell.W_hh

    @property
    def b_xh(self) -> FloatArray:
        return self.cell.b_xh

    @property
    def b_hh(self) -> FloatArray:
        return self.cell.b_hh

    @property
    def input_size(self) -> int:
        return self.layers[0][0].input_size

    @property
    def hidden_size(self) -> int:
        """The size of h per layer and direction (an LSTM's P when it projects)."""
        return self.layers[0][0].hidden_size

    @property
    def cell_size(self) -> int:
        """H: the units of each gate, and of an LSTM's c per layer and direction."""
        return self.layers[0][0].cell_size

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    @property
    def num_directions(self) -> int:
        return len(self.layers[0])

    @property
    def state_size(self) -> int:
        """D*H: the size of h_t, both directions side by side."""
        return self.num_directions * self.hidden_size

    @property
    def cell_state_size(self) -> int:
        """D*H: the size of an LSTM's c_t, both directions side by side; 0 without a c."""
        return self.num_directions * self.cell_size if self.cell_kind == "lstm" else 0

    @property
    def output_size(self) -> int:
        """O, or D*H when there is no output layer (then o_t = h_t)."""
        return self.state_size if self.W_ho is None else int(self.W_ho.shape[0])

    @property
    def has_output_layer(self) -> bool:
        return self.W_ho is not None

    @property
    def is_simple(self) -> bool:
        """One layer, run forward: the lecture's network."""
        return self.num_layers == 1 and self.direction is Direction.FORWARD

    def output(self, states: FloatArray) -> FloatArray:
        """o = g(W_ho h + b_o) for states h of D*H values (any leading axes: one matrix
        product for every step); h itself, read-only, without an output layer."""
        if self.W_ho is None or self.b_o is None:
            view = states.view()  # o_t = h_t: the same numbers, not a copy of them
            view.flags.writeable = False
            return view
        g = self.output_activation or IDENTITY
        with np.errstate(all="ignore"):
            return g(states @ self.W_ho.T + self.b_o)

    def astype(self, dtype: npt.DTypeLike) -> Network:
        """The same network with every array in `dtype` (itself, where they all are)."""
        weights = ((c.W_xh, c.W_hh, c.b_xh, c.b_hh) for c in self.cells)
        arrays = (self.h0, self.c0, self.W_ho, self.b_o, *(a for w in weights for a in w))
        if all(array is None or array.dtype == dtype for array in arrays):
            return self

        def cast(array: FloatArray | None) -> Any:
            with np.errstate(over="ignore"):  # beyond float32 becomes inf; the caller warns
                return None if array is None else np.asarray(array, dtype=dtype)

        with np.errstate(over="ignore"):
            h0 = np.asarray(self.h0, dtype=dtype)
        return replace(
            self,
            layers=tuple(tuple(cell.astype(dtype) for cell in cells) for cells in self.layers),
            h0=h0,
            c0=cast(self.c0),
            W_ho=cast(self.W_ho),
            b_o=cast(self.b_o),
        )


def single_layer(
    W_xh: FloatArray,
    W_hh: FloatArray,
    b_xh: FloatArray,
    b_hh: FloatArray,
    h0: FloatArray | None = None,
    W_ho: FloatArray | None = None,
    b_o: FloatArray | None = None,
    activation: str | Activation = "tanh",
    output_activation: str | Activation | None = None,
    name: str | None = None,
    bias: str = "two",
) -> Network:
    """The lecture's network: one layer, forward; h0 is a vector of H (zeros by default)."""
    H = W_xh.shape[0]
    return Network(
        layers=((make_cell("rnn", W_xh, W_hh, b_xh, b_hh, CellOptions(bias=bias)),),),
        h0=np.zeros((1, H)) if h0 is None else np.asarray(h0, dtype=np.float64).reshape(1, H),
        W_ho=W_ho,
        b_o=b_o,
        activation=_activation(activation),
        output_activation=None if output_activation is None else _activation(output_activation),
        name=name,
    )


def _activation(spec: str | Activation) -> Activation:
    return spec if isinstance(spec, Activation) else Activation.named(spec)
