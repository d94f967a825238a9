"""An ONNX graph's constants: initializers, Constant nodes and what they alone compute,
each computed only when the walk along the data path asks for it, within bounds.

A weight may be an initializer, the value of a Constant node, or the result of nodes
whose inputs are all constant (the Slice/Concat/Unsqueeze chains an exporter leaves when
it does not fold them); those are computed node by node with onnx's reference
evaluator, and only those the data path reads: a node nothing reads is never run.
Before a node is run, the size of what it makes is counted from its inputs in exact
integers (a ConstantOfShape [640, 1024, 1024] is 671,088,640 values) and held to
files.MAX_WEIGHT_VALUES, and what it made, with every tensor before it, to the same
bound (model_bounds.Budget); only the operators whose size is so known are computed
(FOLDED). Nothing the graph reads at run
time is touched.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import onnx
from onnx import numpy_helper

from rnncli.errors import RnnCliError
from rnncli.models.bounds import Budget, declared_count

#: Operators whose output is no larger than their inputs together (times the rank, for
#: NonZero's indices).
SHRINKING = {
    *("Identity", "Cast", "CastLike", "Reshape", "Squeeze", "Unsqueeze", "Flatten"),
    *("Transpose", "Slice", "Split", "Concat", "Shape", "Size", "NonZero", "Clip"),
    *("Neg", "Abs", "Sqrt", "Exp", "Log", "Relu", "Sigmoid", "Tanh", "Reciprocal"),
    *("Floor", "Ceil", "Round", "Not", "Sign", "Softmax", "ArgMax", "ArgMin"),
    *("ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "GatherElements"),
}
#: Operators whose output has the shape of their inputs broadcast together.
BROADCAST = {
    *("Add", "Sub", "Mul", "Div", "Pow", "Mod", "Max", "Min", "Sum", "Mean", "Where"),
    *("Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor"),
}
#: Operators that make more than they read, each sized from its inputs (_made).
GROWING = {"ConstantOfShape", "Expand", "Tile", "Range", "Gather", "MatMul"}
FOLDED = SHRINKING | BROADCAST | GROWING | {"Constant"}


def node_name(node: onnx.NodeProto) -> str:
    return f"node {node.name!r} ({node.op_type})" if node.name else f"a {node.op_type} node"


class Constants(Mapping[str, Any]):
    """The constant tensors of a graph by name; each computed when first looked up."""

    def __init__(self, graph: onnx.GraphProto, source: str) -> None:
        self.source = source
        self.budget = Budget(source)
        self.known: dict[str, Any] = {}
        self.tensors = {tensor.name: tensor for tensor in graph.initializer}
        self.makers: dict[str, onnx.NodeProto] = {}
        runtime = {i.name for i in graph.input} - set(self.tensors)
        for node in graph.node:  # in order: a node's constant inputs are known before it
            if node.domain not in ("", "ai.onnx") or node.op_type not in FOLDED:
                continue
            inputs = [name for name in node.input if name]
            if node.op_type == "Constant" or (
                inputs and all(name in self and name not in runtime for name in inputs)
            ):
                for name in node.output:
                    if name and name not in self:  # the first maker of a name counts
                        self.makers[name] = node

    def __contains__(self, name: object) -> bool:
        return name in self.tensors or name in self.makers

    def __iter__(self) -> Iterator[str]:
        yield from self.tensors
        yield from (name for name in self.makers if name not in self.tensors)

    def __len__(self) -> int:
        return len(self.tensors) + sum(name not in self.tensors for name in self.makers)

    def __getitem__(self, name: str) -> Any:
        if name not in self:
            raise KeyError(name)
        todo = [name]
        while todo:  # depth first, without recursion: a chain may be thousands long
            current = todo[-1]
            if current in self.known:
                todo.pop()
            elif current in self.tensors:
                self.known[current] = self.tensor(self.tensors[current], current)
            elif (node := self.makers[current]).op_type == "Constant":
                self.known[current] = self.tensor(_constant_tensor(node, self.source), current)
            elif missing := [i for i in node.input if i and i not in self.known]:
                todo.extend(missing)
            else:
                feeds = {i: self.known[i] for i in node.input if i}
                outputs = evaluate(node, feeds, self.source, self.budget)
                self.known.update(zip(node.output, outputs, strict=False))
                if current not in self.known:
                    raise RnnCliError(f"{self.source}: {node_name(node)} makes no {current}")
        return self.known[name]

    def tensor(self, tensor: onnx.TensorProto | np.ndarray[Any, Any], name: str) -> Any:
        """A TensorProto's values, counted against the budget before they are made."""
        if isinstance(tensor, np.ndarray):
            self.budget.take(tensor.shape, f"{self.source}: {name}")
            return tensor
        self.budget.take(list(tensor.dims), f"{self.source}: {name}")
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            raise RnnCliError(f"{self.source}: {name}: external data is read for initializers only")
        try:
            return numpy_helper.to_array(tensor)
        except Exception as error:  # values that do not fit the shape, an unknown type
            raise RnnCliError(f"{self.source}: {name}: cannot be read ({error})") from None


def _constant_tensor(node: onnx.NodeProto, source: str) -> onnx.TensorProto | np.ndarray[Any, Any]:
    for attribute in node.attribute:
        if attribute.name == "value":
            tensor: onnx.TensorProto = attribute.t
            return tensor
        if attribute.name in ("value_float", "value_int"):
            return np.array(onnx.helper.get_attribute_value(attribute))
        if attribute.name in ("value_floats", "value_ints"):
            return np.array(list(onnx.helper.get_attribute_value(attribute)))
    raise RnnCliError(f"{source}: {node_name(node)} has no value this reads")


def evaluate(node: onnx.NodeProto, feeds: dict[str, Any], source: str, budget: Budget) -> list[Any]:
    """The outputs of one node of FOLDED whose inputs are `feeds`, its size counted
    against `budget` before it is run."""
    if node.op_type not in FOLDED:
        raise RnnCliError(f"{source}: {node_name(node)}: is not computed from constants here")
    inputs = [feeds[name] if name else None for name in node.input]
    where = f"{source}: {node_name(node)}"
    try:
        made = _made(node, inputs)
    except (ValueError, TypeError, OverflowError, IndexError, ZeroDivisionError) as error:
        raise RnnCliError(f"{where} cannot be computed ({error})") from None
    declared_count(made, where)
    from onnx.reference import ReferenceEvaluator

    try:
        outputs = list(ReferenceEvaluator(node).run(None, {k: v for k, v in feeds.items() if k}))
    except Exception as error:  # an operator the reference cannot run: say which
        raise RnnCliError(f"{where} cannot be computed ({error})") from None
    for output in outputs:  # what it made, with every tensor before it
        budget.take(np.shape(output), where)
    return outputs


def _made(node: onnx.NodeProto, inputs: list[Any]) -> list[int]:
    """A shape whose size is at least that of what `node` makes from `inputs`."""
    op = node.op_type
    given = [np.asarray(value) for value in inputs if value is not None]
    if op in SHRINKING:
        rank = max((value.ndim for value in given), default=1) if op == "NonZero" else 1
        return [sum(value.size for value in given), max(rank, 1)]
    if op in BROADCAST:
        return _broadcast([list(value.shape) for value in given])
    if op == "ConstantOfShape":
        return _ints(given[0])
    if op == "Expand":
        return _broadcast([list(given[0].shape), _ints(given[1])])
    if op == "Tile":
        return [given[0].size, math.prod(_ints(given[1]))]
    if op == "Range":
        start, limit, delta = (float(np.ravel(value)[0]) for value in given[:3])
        steps = math.ceil((limit - start) / delta)  # OverflowError when infinite
        return [max(steps, 0)]
    if op == "Gather":
        axis = next((a.i for a in node.attribute if a.name == "axis"), 0)
        shape = list(given[0].shape)
        del shape[axis]  # IndexError: an axis the data has not
        return [*shape, *given[1].shape]
    # MatMul: (..., n, k) x (..., k, m) -> (..., n, m), at most every row by every column
    a, b = given[0].shape, given[1].shape
    batch = _broadcast([list(a[:-2]), list(b[:-2])])
    return [*batch, a[-2] if len(a) > 1 else 1, b[-1] if len(b) > 1 else 1]


def _ints(value: Any) -> list[int]:
    return [int(v) for v in np.ravel(value)]


def _broadcast(shapes: list[list[int]]) -> list[int]:
    """numpy's broadcast of `shapes`, in Python integers; an error where they disagree."""
    rank = max((len(shape) for shape in shapes), default=0)
    result = [1] * rank
    for shape in shapes:
        for i, n in enumerate([1] * (rank - len(shape)) + shape):
            if n < 0:
                raise ValueError(f"the size {n}")
            if n != 1:
                if result[i] not in (1, n):
                    raise ValueError(f"shapes {shapes} do not broadcast")
                result[i] = n
    return result
