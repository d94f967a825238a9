"""Every kind of cell by its name: the one place a kind, its stacked weights and its
options become a cell (the config reader, the model-file readers and init-weights all
come here), and each kind's gates, as its class names them."""

from __future__ import annotations

from rnncli.cells.activations import FloatArray
from rnncli.cells.elman import ElmanCell, RecurrentCell
from rnncli.cells.gru import GruCell
from rnncli.cells.lstm import LstmCell
from rnncli.cells.options import CellOptions

__all__ = ["GATES", "GATE_MEANINGS", "CellOptions", "gate_blocks", "make_cell"]

_CLASSES: dict[str, type[ElmanCell] | type[LstmCell] | type[GruCell]] = {
    "rnn": ElmanCell,
    "lstm": LstmCell,
    "gru": GruCell,
}
#: Each kind's gates, in the order their weights are stacked (PyTorch's); none for rnn.
GATES: dict[str, tuple[str, ...]] = {kind: cls.gates for kind, cls in _CLASSES.items()}
#: Each kind's gates and what each one is.
GATE_MEANINGS: dict[str, dict[str, str]] = {
    kind: cls.gate_meanings for kind, cls in _CLASSES.items()
}


def gate_blocks(kind: str) -> int:
    """G, the blocks of rows stacked in a cell's W_xh: 1 (rnn), 4 (lstm) or 3 (gru)."""
    return max(1, len(GATES[kind]))


def make_cell(
    kind: str,
    W_xh: FloatArray,
    W_hh: FloatArray,
    b_xh: FloatArray,
    b_hh: FloatArray,
    options: CellOptions | None = None,
    W_hr: FloatArray | None = None,
    peepholes: FloatArray | None = None,
) -> RecurrentCell:
    """The cell of `kind` ("rnn", "lstm" or "gru") with weights stacked in PyTorch's gate
    order (lstm i, f, g, o; gru r, z, n), its options, and an lstm's projection and
    peepholes."""
    options = options or CellOptions()
    if kind == "lstm":
        return LstmCell(W_xh, W_hh, b_xh, b_hh, options, W_hr=W_hr, peepholes=peepholes)
    if kind == "gru":
        return GruCell(W_xh, W_hh, b_xh, b_hh, options)
    return ElmanCell(W_xh, W_hh, b_xh, b_hh, options)
