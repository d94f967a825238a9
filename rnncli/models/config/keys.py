"""The keys of a network config, the names other tools give the same arrays, and the
fix to suggest for a key in the wrong place."""

from __future__ import annotations

#: The keys of the config's top level.
TOP_KEYS = (
    "name",
    "cell",
    "activation",
    "recurrent_activation",
    "state_activation",
    "reset_after",
    "input_forget",
    "output_activation",
    "weights",
    "layers",
    "direction",
    "weights_reverse",
    "output",
    "clip",
    "h0",
    "c0",
    "scale",
    "input_size",
    "hidden_size",
    "output_size",
    "num_layers",
)
#: The keys of one cell's weight block: one layer in one direction.
CELL_KEYS = ("W_xh", "W_hh", "b_xh", "b_hh", "b_h")
#: The keys of `weights:`, which may also hold the output layer.
WEIGHT_KEYS = (*CELL_KEYS, "W_ho", "b_o")
#: The top-level keys that only some cells take, and which (the options a cell reads
#: beside its activation and clip: rnncli.cells.options).
CELL_ONLY_KEYS = {
    "recurrent_activation": ("lstm", "gru"),
    "state_activation": ("lstm",),
    "input_forget": ("lstm",),
    "reset_after": ("gru",),
    "c0": ("lstm",),
}
#: The keys of an LSTM's or GRU's block beside its gates or stacked matrices: an LSTM's
#: projection W_hr and peepholes (read in a GRU's block too, to be refused by name).
GATED_EXTRAS = ("W_hr", "peepholes")
#: The keys of one gate's block and of `peepholes:`.
GATE_KEYS = CELL_KEYS
PEEPHOLE_KEYS = ("i", "o", "f")
#: The keys of `scale:`, the inputs' standardization.
SCALE_KEYS = ("mean", "std")
#: The keys of `output:`.
OUTPUT_KEYS = ("W_ho", "b_o")
#: The keys a misspelt key most likely stands for when they are missing.
REQUIRED = frozenset({"weights", "W_xh", "W_hh"})

#: Names other tools give the same arrays, and what to write instead.
KNOWN_NAMES = {
    "weight_ih_l0": "W_xh",
    "weight_hh_l0": "W_hh",
    "bias_ih_l0": "b_xh",
    "bias_hh_l0": "b_hh",
    "kernel": "W_xh (transposed: a Keras kernel is input x hidden)",
    "recurrent_kernel": "W_hh (transposed: Keras stores it as hidden x hidden, columns first)",
    "bias": "b_h",
    "W": "W_xh",
    "R": "W_hh",
    "b": "b_h",
}

#: What to suggest for a key that belongs elsewhere, at the top level ...
TOP_HINTS = {name: "weights." + name + " (weights go under `weights:`)" for name in WEIGHT_KEYS}
TOP_HINTS.update({k: f"weights.{v} (under `weights:`)" for k, v in KNOWN_NAMES.items()})
#: ... and in a block of weights.
WEIGHT_HINTS = {**KNOWN_NAMES, "h0": "h0 at the top level, not under weights"}
for _name in TOP_KEYS:
    if _name != "weights":
        WEIGHT_HINTS.setdefault(_name, f"{_name} at the top level, not under weights")


#: What to suggest for a gate name of another cell or another framework.
GATE_HINTS = {
    "lstm": {
        "c": "g (the candidate, the book's C~; ONNX and Keras call it c)",
        "input": "i",
        "forget": "f",
        "cell": "g",
        "candidate": "g",
        "output": "o",
        "r": "i, f, g or o (an lstm's gates; r, z, n are a gru's)",
        "z": "i, f, g or o (an lstm's gates; r, z, n are a gru's)",
        "n": "i, f, g or o (an lstm's gates; r, z, n are a gru's)",
    },
    "gru": {
        "h": "n (the candidate; ONNX and Keras call it h)",
        "reset": "r",
        "update": "z",
        "u": "z (the update gate)",
        "candidate": "n",
        **{gate: "r, z or n (a gru's gates; i, f, g, o are an lstm's)" for gate in "ifgo"},
    },
}
#: ... and in one gate's block.
GATE_BLOCK_HINTS = {
    **WEIGHT_HINTS,
    **{key: f"{key} beside the gates, not inside one" for key in ("W_hr", "peepholes")},
}
