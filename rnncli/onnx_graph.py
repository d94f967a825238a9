"""An ONNX graph's constants: initializers, Constant nodes and what they alone compute.

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


def constants(graph: onnx.GraphProto, source: str) -> dict[str, Any]:
    """Every tensor of `graph` known without its inputs, by name."""
    values: dict[str, Any] = {}
    for tensor in graph.initializer:
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            raise RnnCliError(
                f"{source}: {tensor.name} is stored in an external data file, which is not "
                "read; save the model with its weights inside"
            )
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
