"""A Keras 3 `.weights.h5` (model.save_weights) as a model config, read from its groups.

A weights file holds no config: only the tree `layers/<snake class>[_N]/...`, its
datasets numbered `vars/0..2` (kernel, recurrent_kernel, bias). The class of each layer
is read from its group's name (`lstm_1` is the second LSTM), the cell inside a
Bidirectional from its vars' `name` attribute (`gru_cell`), a GRU's reset_after from its
bias's shape (2 x 3H with, 3H without); the sizes from the shapes, checked against each
other as every model's are (model_form.to_network). `import --cell` is checked against
the cell of every layer group. What the file cannot say is what `import --activation`
and `--recurrent-activation` state, else Keras's defaults: activation tanh, recurrent
activation sigmoid; and always a Dense linear, a Bidirectional concatenating its
directions, every recurrent layer before the Dense, in the order N. `origins` names, for
import's header, where the cell and the activations came from.
"""

from __future__ import annotations

import re
from typing import Any

import h5py  # type: ignore[import-untyped]

from rnncli.errors import RnnCliError
from rnncli.models.form import Stated
from rnncli.models.keras.hdf5 import Hdf5Tree

#: Group name (Keras's snake case class name) -> class name.
CLASSES = {"simple_rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}
NAME = re.compile(r"^(simple_rnn|lstm|gru|bidirectional|dense|dropout)(?:_(\d{1,9}))?$")
#: rnncli's cell of each recurrent class.
CELLS = {"SimpleRNN": "rnn", "LSTM": "lstm", "GRU": "gru"}
TREE_NOTE = "Keras weights only: layers read from the HDF5 groups"
NOT_RECORDED = "not recorded in a weights file"


def weights_tree_config(tree: Hdf5Tree, source: str, stated: Stated) -> dict[str, Any]:
    """The config a Keras `.weights.h5` implies, as `config.json` would give it, with
    the activations `stated`."""
    group = tree.group("layers")
    if group is None:
        raise RnnCliError(
            f"{source}: holds neither a model_config nor Keras 3's layers/ tree of weights"
        )
    found: dict[str, list[tuple[int, str]]] = {}
    for key in tree.keys(group):
        match = NAME.match(key)
        if match is None:
            raise RnnCliError(
                f"{source}: layer group {key!r} is not read: only SimpleRNN, LSTM, GRU, "
                "Bidirectional, Dropout and Dense layers are"
            )
        found.setdefault(match[1], []).append((int(match[2] or 0), key))
    recurrent = [kind for kind in found if kind in (*CLASSES, "bidirectional")]
    if len(recurrent) != 1:
        raise RnnCliError(
            f"{source}: a weights file must hold recurrent layers of one class to be read in "
            f"order; it holds {', '.join(sorted(recurrent)) or 'none'}"
        )
    if len(found.get("dense", [])) > 1:
        raise RnnCliError(f"{source}: holds more than one Dense layer; their order is unknown")
    layers = [
        _recurrent(tree, recurrent[0], key, source, stated)
        for _, key in sorted(found[recurrent[0]])
    ]
    layers += [
        {"class_name": "Dense", "config": {"name": key, "activation": "linear"}}
        for _, key in found.get("dense", [])
    ]
    return {"class_name": "Sequential", "config": {"layers": layers}}


def origins(cell: str, dense: bool, stated: Stated) -> list[str]:
    """Where the cell and the activations of a weights file's model came from:

    cell lstm: derived from the layer groups
    activations: Keras defaults (tanh, sigmoid; Dense linear), not recorded in a weights file

    or, with an activation stated, one line each ("activation relu: given by --activation").
    """
    given = "given by --cell" if stated.cell else "derived from the layer groups"
    lines = [f"cell {cell}: {given}"]
    # (what, Keras's default, the value stated or None, the option stating it)
    told = [("activation", "tanh", stated.activation, "--activation")]
    if cell != "rnn":
        sigma = stated.recurrent_activation
        told.append(("recurrent activation", "sigmoid", sigma, "--recurrent-activation"))
    if not stated.activation and not stated.recurrent_activation:
        defaults = ", ".join(default for _, default, _, _ in told) + ("; Dense linear" * dense)
        return [*lines, f"activations: Keras defaults ({defaults}), {NOT_RECORDED}"]
    if dense:
        told.append(("Dense activation", "linear", None, ""))
    for what, default, value, option in told:
        where = f"given by {option}" if value else f"Keras default, {NOT_RECORDED}"
        lines.append(f"{what} {value or default}: {where}")
    return lines


def _recurrent(tree: Hdf5Tree, kind: str, key: str, source: str, stated: Stated) -> dict[str, Any]:
    if kind != "bidirectional":
        return _layer(CLASSES[kind], tree, f"layers/{key}/cell/vars", key, source, stated)
    path = f"layers/{key}/forward_layer/cell/vars"
    cell = tree.group(path)
    inner = str(cell.attrs.get("name", "")) if cell is not None else ""
    inner = re.sub(r"(_cell)?(_\d+)?$", "", inner)
    if inner not in CLASSES:
        raise RnnCliError(f"{source}: layer group {key!r} wraps {inner or 'no'} cell, not read")
    layer = _layer(CLASSES[inner], tree, path, key, source, stated)
    return {
        "class_name": "Bidirectional",
        "config": {"name": key, "layer": layer, "merge_mode": "concat"},
    }


def _layer(
    kind: str, tree: Hdf5Tree, path: str, key: str, source: str, stated: Stated
) -> dict[str, Any]:
    """The config of the layer `kind` in group `key` (its vars at `path`); --cell checked
    against it."""
    if stated.cell is not None and stated.cell != CELLS[kind]:
        raise RnnCliError(
            f"{source}: layer group {key!r} holds {CELLS[kind]} cells; --cell says {stated.cell}"
        )
    config: dict[str, Any] = {"name": key, "return_sequences": True}
    if stated.activation is not None:
        config["activation"] = stated.activation
    if stated.recurrent_activation is not None:
        if kind == "SimpleRNN":
            raise RnnCliError(
                f"{source}: --recurrent-activation: layer group {key!r} is a SimpleRNN, "
                "which has no gates"
            )
        config["recurrent_activation"] = stated.recurrent_activation
    bias = tree.get(f"{path}/2") if kind == "GRU" else None
    if isinstance(bias, h5py.Dataset):
        config["reset_after"] = len(bias.shape or ()) == 2
    return {"class_name": kind, "config": config}
