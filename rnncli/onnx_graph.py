"""An ONNX graph's constants: initializers, Constant nodes and what they alone compute;
and the graph indexed by tensor (who makes it, who reads it) for walking its data path.

A weight may be an initializer, the value of a Constant node, or the result of nodes
whose inputs are all constant (the Slice/Concat/Unsqueeze chains an exporter leaves when
it does not fold them); those are computed here, node by node, with onnx's reference
evaluator. Nothing the graph reads at run time is touched.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
from onnx import numpy_helper

from rnncli.errors import RnnCliError

#: Operators that never take part in folding: the recurrence itself and control flow.
NOT_FOLDED = {"RNN", "LSTM", "GRU", "Loop", "Scan", "If"}


def node_name(node: onnx.NodeProto) -> str:
    return f"node {node.name!r} ({node.op_type})" if node.name else f"a {node.op_type} node"


def attributes(node: onnx.NodeProto) -> dict[str, Any]:
    """A node's attributes by name, strings decoded."""

    def decoded(value: Any) -> Any:
        if isinstance(value, bytes):
            return value.decode()
        if isinstance(value, list):
            return [decoded(v) for v in value]
        return value

    return {a.name: decoded(onnx.helper.get_attribute_value(a)) for a in node.attribute}


class GraphIndex:
    """A graph's constants, the node making each tensor and the nodes reading it."""

    def __init__(self, graph: onnx.GraphProto, source: str) -> None:
        self.source = source
        self.values = constants(graph, source)
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
        if tensor in self.values:
            return not np.any(self.values[tensor])
        node = self.producers.get(tensor)
        if node is None:
            return False
        if node.op_type in ("Expand", "Unsqueeze", "Identity", "Cast"):
            return self.zeros(node.input[0])
        return node.op_type == "Concat" and all(self.zeros(name) for name in node.input)

    def shape_value(self, tensor: str, shapes: dict[str, list[int]]) -> list[int] | None:
        """`tensor` computed from constants and the Shape of the tensors in `shapes` (as
        given there); None when it reads anything else."""
        known: dict[str, Any] = dict(self.values)
        todo = [tensor]
        while todo:
            name = todo[-1]
            node = self.producers.get(name)
            if name in known:
                todo.pop()
            elif node is None or node.op_type in NOT_FOLDED:
                return None
            elif node.op_type == "Shape":
                if node.input[0] not in shapes:
                    return None
                known[name] = np.array(shapes[node.input[0]], dtype=np.int64)
                known[name] = known[name][int(attributes(node).get("start", 0)) :]
            elif all(i in known for i in node.input if i):
                outputs = _evaluate(node, known, self.source)
                known.update(zip(node.output, outputs, strict=False))
            else:
                todo.extend(i for i in node.input if i and i not in known)
        return [int(v) for v in np.ravel(known[tensor])]


def constants(graph: onnx.GraphProto, source: str) -> dict[str, Any]:
    """Every tensor of `graph` known without its inputs, by name."""
    values: dict[str, Any] = {}
    for tensor in graph.initializer:  # external data is read in already (onnx_external)
        values[tensor.name] = numpy_helper.to_array(tensor)
    runtime = {i.name for i in graph.input} - set(values)
    for node in graph.node:
        if node.op_type == "Constant" and node.domain in ("", "ai.onnx"):
            values[node.output[0]] = _constant_value(node, source)
        elif (
            node.op_type not in NOT_FOLDED
            and node.domain in ("", "ai.onnx")
            and node.input
            and all(name in values for name in node.input if name)
            and not any(name in runtime for name in node.input)
        ):
            for name, value in zip(node.output, _evaluate(node, values, source), strict=False):
                values[name] = value
    return values


def _constant_value(node: onnx.NodeProto, source: str) -> Any:
    for attribute in node.attribute:
        if attribute.name == "value":
            return numpy_helper.to_array(attribute.t)
        if attribute.name in ("value_float", "value_int"):
            return np.array(onnx.helper.get_attribute_value(attribute))
        if attribute.name in ("value_floats", "value_ints"):
            return np.array(list(onnx.helper.get_attribute_value(attribute)))
    raise RnnCliError(f"{source}: {node_name(node)} has no value this reads")


def _evaluate(node: onnx.NodeProto, values: dict[str, Any], source: str) -> list[Any]:
    """The outputs of one node whose inputs are all in `values`."""
    from onnx.reference import ReferenceEvaluator

    feeds = {name: values[name] for name in node.input if name}
    try:
        return list(ReferenceEvaluator(node).run(None, feeds))
    except Exception as error:  # an operator the reference cannot run: say which
        raise RnnCliError(f"{source}: {node_name(node)} cannot be computed ({error})") from None
