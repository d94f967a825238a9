"""ONNX's RNN, LSTM and GRU operators in rnncli's terms: their weights in PyTorch's gate
order and orientation, and their attributes as the cell's options.

Each operator holds W [D, G*H, I], R [D, G*H, H] and B [D, 2*G*H] = [Wb, Rb] (G = 1, 4
or 3), its gate blocks in ONNX's order, which this puts in rnncli's:

    RNN    one block                       W = W_xh, R = W_hh, Wb = b_xh, Rb = b_hh
    LSTM   i, o, f, c  ->  i, f, g, o      P [D, 3H] = peepholes p_i, p_o, p_f, as they stand
    GRU    z, r, h     ->  r, z, n         linear_before_reset = 1 is reset_after: true

The activations come per direction in the attribute `activations`: RNN f (default
Tanh); LSTM f, g, h (Sigmoid, Tanh, Tanh) = recurrent_activation, activation,
state_activation; GRU f, g (Sigmoid, Tanh) = recurrent_activation, activation. Their
alpha and beta are taken in order by the activations that read them, as ONNX Runtime does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncli.cells.activations import Activation, FloatArray
from rnncli.cells.kinds import CellOptions
from rnncli.models.form import DirectionWeights, reordered
from rnncli.option_values import ACTIVATION_NAMES, ACTIVATIONS, canonical_activation

#: Per operator: rnncli's cell, the ONNX block of each of rnncli's gates, the default
#: activations of one direction, and the note naming the reorder.
OPERATORS: dict[str, tuple[str, list[int], list[str], str]] = {
    "RNN": ("rnn", [0], ["Tanh"], ""),
    "LSTM": (
        "lstm",
        [0, 2, 3, 1],  # rnncli's i, f, g, o are ONNX's blocks i(0), f(2), c(3), o(1)
        ["Sigmoid", "Tanh", "Tanh"],
        "ONNX LSTM: gate blocks reordered from i,o,f,c to i,f,g,o; B split into b_xh, b_hh",
    ),
    "GRU": (
        "gru",
        [1, 0, 2],  # rnncli's r, z, n are ONNX's blocks r(1), z(0), h(2)
        ["Sigmoid", "Tanh"],
        "ONNX GRU: gate blocks reordered from z,r,h to r,z,n; B split into b_xh, b_hh",
    ),
}


def operator_cells(
    op: str, W: FloatArray, R: FloatArray, B: FloatArray | None, P: FloatArray | None
) -> list[DirectionWeights]:
    """Each direction's weights (W, R, B, P as the operator holds them; see the module)."""
    _, order, _, _ = OPERATORS[op]
    D, GH = W.shape[0], W.shape[1]
    cells = []
    for d in range(D):
        # B[d] = [Wb; Rb], each G*H in ONNX's gate order
        b_x = np.zeros(GH) if B is None else reordered(B[d, :GH], order, 0)
        b_h = np.zeros(GH) if B is None else reordered(B[d, GH:], order, 0)
        cells.append(
            DirectionWeights(
                reordered(W[d], order, 0),
                reordered(R[d], order, 0),
                b_x,
                b_h,
                "none" if B is None else "two",
                peepholes=None if P is None or not np.any(P) else P[d].reshape(3, -1),
            )
        )
    return cells


def cell_options(op: str, attributes: dict[str, Any], D: int) -> CellOptions | str:
    """The operator's activations and options, or what is wrong with them."""
    _, _, defaults, _ = OPERATORS[op]
    names = list(attributes.get("activations", [])) or defaults * D
    if len(names) != len(defaults) * D:
        return f"has {len(names)} activations, expected {len(defaults) * D}"
    alphas = list(attributes.get("activation_alpha", []))
    betas = list(attributes.get("activation_beta", []))
    found = []
    for name in names:
        canonical = canonical_activation(name)
        if canonical not in ACTIVATIONS or canonical == "softmax":
            return f"the activation {name} is not one rnncli knows"
        takes = ACTIVATIONS[canonical]  # ORT consumes alpha/beta only where they apply
        alpha = alphas.pop(0) if "alpha" in takes and alphas else None
        beta = betas.pop(0) if "beta" in takes and betas else None
        found.append(Activation.named(canonical, alpha, beta))
    per_direction = [tuple(found[d * len(defaults) : (d + 1) * len(defaults)]) for d in range(D)]
    if len(set(per_direction)) != 1:
        return "both directions must use the same activations"
    chosen = per_direction[0]
    if op == "RNN":
        return CellOptions(activation=chosen[0])
    if chosen[1].name not in ACTIVATION_NAMES:
        return f"{chosen[1].name} cannot be the cell's activation"
    if op == "GRU":
        return CellOptions(
            activation=chosen[1],
            recurrent_activation=chosen[0],
            reset_after=bool(attributes.get("linear_before_reset", 0)),
        )
    return CellOptions(
        activation=chosen[1],
        recurrent_activation=chosen[0],
        state_activation=None if chosen[2] == chosen[1] else chosen[2],
        input_forget=bool(attributes.get("input_forget", 0)),
    )
