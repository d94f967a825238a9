"""Where a Keras file keeps each layer's arrays: a `.keras` zip's model.weights.h5 by
layer class and count, a legacy `.h5` by layer name and its `weight_names`. Both give a
layer's arrays in Keras's order (kernel, recurrent_kernel, bias; a Dense's kernel, bias).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from rnncli.models.keras.hdf5 import Hdf5Tree


def _snake(name: str) -> str:
    """Keras's to_snake_case: SimpleRNN -> simple_rnn, LSTM -> lstm."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


class KerasWeights:
    """`.keras`: layers/<snake class>[_N]/[forward_layer/]cell/vars/<i>, N by class order."""

    def __init__(self, tree: Hdf5Tree) -> None:
        self.tree, self.seen = tree, {}  # type: ignore[var-annotated]

    def arrays(self, layer: dict[str, Any], part: str | None) -> list[Any]:
        snake = _snake(layer["class_name"])
        if part != "backward_layer":
            n = self.seen.get(snake, 0)
            self.seen[snake] = n + 1
            self.path = f"layers/{snake}" + (f"_{n}" if n else "")
        path = self.path + (f"/{part}/cell" if part else "")
        if part is None and layer["class_name"] != "Dense":  # a recurrent layer: in its cell
            path += "/cell"
        group = self.tree.group(path + "/vars")
        if group is None:
            raise KeyError(path)
        count = len(self.tree.keys(group))
        return [self.tree.array(f"{path}/vars/{i}") for i in range(count)]


class LegacyWeights:
    """Legacy `.h5`: model_weights/<layer name>, its `weight_names` in order."""

    def __init__(self, tree: Hdf5Tree) -> None:
        self.tree = tree
        self.bidirectional = ""  # the Bidirectional layer being read

    def arrays(self, layer: dict[str, Any], part: str | None) -> list[Any]:
        name = layer["config"]["name"]
        if part is not None:  # Bidirectional: the names hold forward_ or backward_
            name = self.bidirectional
        group = self.tree.group(f"model_weights/{name}")
        if group is None:
            raise KeyError(f"model_weights/{name}")
        given = group.attrs.get("weight_names", [])
        if not isinstance(given, (np.ndarray, list)) or not all(
            isinstance(n, (str, bytes)) for n in given
        ):
            raise ValueError(f"model_weights/{name}'s weight_names is not a list of names")
        names = [n.decode("utf-8", "replace") if isinstance(n, bytes) else n for n in given]
        if part is not None:
            side = part.split("_")[0] + "_"
            names = [n for n in names if any(s.startswith(side) for s in n.split("/"))]
        return [self.tree.array(f"model_weights/{name}/{n}") for n in names]
