"""An ONNX graph indexed by tensor (who makes it, who reads it) for walking its data
path, and its constants (onnx_constants: computed only when the walk reads them).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx

from rnncli.errors import RnnCliError
from rnncli.models.onnx.constants import FOLDED, Constants, evaluate, node_name

#: Operators that never take part in folding: the recurrence itself and control flow.
NOT_FOLDED = {"RNN", "LSTM", "GRU", "Loop", "Scan", "If"}
__all__ = ["NOT_FOLDED", "GraphIndex", "attributes", "node_name"]


def attributes(node: onnx.NodeProto) -> dict[str, Any]:
    """A node's attributes by name, strings decoded."""

    def decoded(value: Any) -> Any:
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        if isinstance(value, list):
            return [decoded(v) for v in value]
        return value

    return {a.name: decoded(onnx.helper.get_attribute_value(a)) for a in node.attribute}


class GraphIndex:
    """A graph's constants, the node making each tensor and the nodes reading it."""

    def __init__(self, graph: onnx.GraphProto, source: str) -> None:
        self.source = source
        self.values = Constants(graph, source)
        self.consumers: dict[str, list[onnx.NodeProto]] = {}
        self.producers = {output: node for node in graph.node for output in node.output}
        for node in graph.node:
            for name in node.input:
                self.consumers.setdefault(name, []).append(node)

    def error(self, node: onnx.NodeProto, message: str) -> RnnCliError:
        return RnnCliError(f"{self.source}: {node_name(node)}: {message}")

    def users(self, tensor: str) -> list[onnx.NodeProto]:
        """The nodes reading `tensor`'s values (a Shape reads only its shape)."""
        return [n for n in self.consumers.get(tensor, []) if n.op_type != "Shape"]

    def next_node(self, tensor: str) -> onnx.NodeProto | None:
        users = self.users(tensor)
        if len(users) > 1:
            names = ", ".join(node_name(n) for n in users)
            raise RnnCliError(f"{self.source}: {tensor} feeds more than one node ({names})")
        return users[0] if users else None

    def const(self, node: onnx.NodeProto, index: int) -> Any | None:
        if index >= len(node.input) or not node.input[index]:
            return None
        name = node.input[index]
        if name not in self.values:
            raise self.error(node, f"input {name} is not a constant")
        return self.values[name]

    def zeros(self, tensor: str) -> bool:
        """Whether `tensor` is a constant zero, broadcast (Expand) to a shape read at run
        time, unsqueezed or concatenated: the zero state tf2onnx builds for Keras."""
        todo, seen = [tensor], set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            if name in self.values:
                if np.any(self.values[name]):
                    return False
                continue
            node = self.producers.get(name)
            if node is not None and node.op_type in ("Expand", "Unsqueeze", "Identity", "Cast"):
                todo.append(node.input[0])
            elif node is not None and node.op_type == "Concat":
                todo.extend(node.input)
            else:
                return False
        return True

    def shape_value(self, tensor: str, shapes: dict[str, list[int]]) -> list[int] | None:
        """`tensor` computed from constants and the Shape of the tensors in `shapes` (as
        given there); None when it reads anything else."""
        known: dict[str, Any] = {}
        todo, pushed = [tensor], {tensor}
        while todo:
            name = todo[-1]
            node = self.producers.get(name)
            if name in known or name in self.values:
                todo.pop()
            elif node is None or node.op_type in NOT_FOLDED:
                return None
            elif node.op_type == "Shape":
                if node.input[0] not in shapes:
                    return None
                known[name] = np.array(shapes[node.input[0]], dtype=np.int64)
                known[name] = known[name][int(attributes(node).get("start", 0)) :]
            elif all(i in known or i in self.values for i in node.input if i):
                if node.op_type not in FOLDED:
                    return None
                feeds = {i: known[i] if i in known else self.values[i] for i in node.input if i}
                outputs = evaluate(node, feeds, self.source, self.values.budget)
                known.update(zip(node.output, outputs, strict=False))
                if name not in known:
                    return None
            else:
                missing = [i for i in node.input if i and i not in known and i not in self.values]
                if any(i in pushed for i in missing):
                    return None  # a cycle: no value
                pushed.update(missing)
                todo.extend(missing)
        value = known[tensor] if tensor in known else self.values[tensor]
        return [int(v) for v in np.ravel(value)]
