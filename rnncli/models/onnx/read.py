"""An ONNX model as a ModelForm: the graph an exporter makes around RNN operators.

The data path is walked from the graph input to the output, tracking what each axis of
the tensor holds (T time, N batch, D direction, H units, F features, O outputs):

    x -> [Transpose] -> RNN (X: T x N x F, layout 0; N x T x F, layout 1)
      -> Squeeze(D) | Transpose + Reshape (D, H -> F)  -> the next RNN ...
      -> [Transpose] -> [MatMul(W) + Add(b) | Gemm] -> [activation] -> y

tf2onnx (Keras) adds its own joins, read in models.onnx.axes: a bidirectional Y sliced into its
directions, squeezed and concatenated; Keras's Dense as Reshape [T*N, F], MatMul, Reshape
back, Add; and initial states of zeros expanded to the batch read at run time.

Weights come from models.onnx.graph.constants; models.onnx.operators turns each RNN, LSTM or GRU
operator's W, R, B (and an LSTM's P) into rnncli's W_xh, W_hh, b_xh, b_hh, its gate
blocks reordered, and its attributes into the cell's options. Any other node
on the path, and a recurrence unrolled into Loop or Scan, is refused by name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx

from rnncli.cells.activations import Activation, FloatArray
from rnncli.cells.kinds import CellOptions
from rnncli.errors import RnnCliError
from rnncli.models.form import ModelForm, checked_array
from rnncli.models.onnx.axes import Flattened, merged_directions, reshaped, squeezed
from rnncli.models.onnx.external import read_external_data
from rnncli.models.onnx.graph import GraphIndex, attributes, node_name
from rnncli.models.onnx.operators import OPERATORS, cell_options, operator_cells
from rnncli.option_values import Direction, canonical_activation

PASS_THROUGH = {"Identity", "Dropout", "Cast"}
HEAD_ACTIVATIONS = {
    "Sigmoid",
    "Tanh",
    "Relu",
    "Softmax",
    "LeakyRelu",
    "Elu",
    "Softsign",
    "Softplus",
    "HardSigmoid",
    "ThresholdedRelu",
}


def onnx_form(data: bytes, source: str, folder: Path | None = None) -> ModelForm:
    """The recurrent model in the ONNX file `data`, read from `folder` (where an external
    data file may be; None for stdin)."""
    try:
        model = onnx.load_from_string(data)
    except Exception as error:  # protobuf's DecodeError, or any other parse failure
        raise RnnCliError(f"{source}: is not a valid ONNX model ({error})") from None
    read_external_data(model, folder, source)
    graph = model.graph
    if not graph.node:
        raise RnnCliError(f"{source}: is not an ONNX model with a graph (no nodes)")
    for node in graph.node:
        if node.op_type in ("Loop", "Scan"):
            raise RnnCliError(
                f"{source}: {node_name(node)}: the recurrence is unrolled into a "
                f"{node.op_type}, which is not read; export with the RNN, LSTM or GRU "
                "operator, or give rnncli the framework's own file (.keras, .h5, .pt)"
            )
    if not any(node.op_type in ("RNN", "LSTM", "GRU") for node in graph.node):
        # torch.onnx.export(dynamo=True) writes nn.RNN so: MatMul, Add, Tanh per step.
        steps = [node for node in graph.node if node.op_type in ("Tanh", "Relu")]
        if not steps:
            raise RnnCliError(f"{source}: has no RNN, LSTM or GRU node")
        raise RnnCliError(
            f"{source}: has no RNN, LSTM or GRU node: the recurrence is unrolled step by "
            f"step ({len(steps)} Tanh/Relu nodes, the first {node_name(steps[0])}), which is "
            "not read; export nn.RNN with torch.onnx.export(..., dynamo=False)"
        )
    try:
        return _Walk(graph, source).form()
    except (ValueError, TypeError, IndexError, KeyError, AttributeError) as error:
        # an attribute of the wrong type or out of range, anywhere on the data path
        message = f"{type(error).__name__}: {error}"
        raise RnnCliError(f"{source}: is not an ONNX model this reads ({message})") from None


class _Walk(GraphIndex):
    """The walk along the data path; see the module."""

    def __init__(self, graph: onnx.GraphProto, source: str) -> None:
        super().__init__(graph, source)
        self.graph = graph
        inputs = [i.name for i in graph.input if i.name not in self.values]
        if len(inputs) != 1:
            raise RnnCliError(f"{source}: expected one graph input, found {len(inputs)}")
        self.input = inputs[0]
        self.model = ModelForm(source, "ONNX", [])
        self.options = CellOptions()  # the first operator's, which every other must match
        self.flattened: Flattened = None  # time and batch flattened for a head; see reshaped
        self.path: dict[str, tuple[tuple[str, ...], int]] = {}  # tensor: axes, layers before
        self.input_axes: dict[str, str] = {}  # the input's axes a, b as T, N; see recurrent

    def form(self) -> ModelForm:
        form, tensor = self.model, self.input
        self.path[tensor] = (("a", "b", "F"), 0)
        axes: tuple[str, ...] = ("a", "b", "F")
        outputs = {o.name for o in self.graph.output}
        head_done = False
        while True:
            merged = merged_directions(self, tensor, axes)
            if merged is not None:
                tensor, axes = merged
                self.path[tensor] = (axes, len(form.layers))
                continue
            node = self.next_node(tensor)
            if node is None:
                break
            op = node.op_type
            if op in PASS_THROUGH:
                pass
            elif op == "Transpose":
                perm = list(attributes(node).get("perm", reversed(range(len(axes)))))
                axes = tuple(axes[p] for p in perm)
            elif op in ("RNN", "LSTM", "GRU") and not head_done:
                axes = self.recurrent(node, axes)
            elif op == "Squeeze":
                axes = squeezed(self, node, axes)
            elif op == "Reshape":
                shapes = {name: self.shape(*seen) for name, seen in self.path.items()}
                axes, self.flattened = reshaped(self, node, tensor, axes, shapes, self.flattened)
            elif op in ("MatMul", "Gemm") and form.layers and not head_done:
                axes = self.head(node, axes)
                head_done = op == "Gemm"
            elif op == "Add" and form.W_o is not None and not head_done:
                other = [n for n in node.input if n != tensor]
                b_o = self.values.get(other[0]) if other else None
                if b_o is None:
                    raise self.error(node, "adds something other than a constant bias")
                form.b_o = checked_array(self.source, "the output bias", b_o).reshape(-1)
                head_done = True
            elif op in HEAD_ACTIVATIONS and form.layers and form.output_activation is None:
                form.output_activation = self.activation(node, op)
            else:
                raise self.error(node, "is not part of a recurrent model this reads")
            tensor = node.output[0]
            self.path[tensor] = (axes, len(form.layers))
        if not form.layers:
            raise RnnCliError(f"{self.source}: has no RNN, LSTM or GRU operator")
        if tensor not in outputs:
            raise RnnCliError(f"{self.source}: the data path ends in {tensor}, not a graph output")
        expected = tuple(self.input_axes.get(a, a) for a in ("a", "b"))
        if axes[:2] != expected:
            raise RnnCliError(
                f"{self.source}: the output's time and batch axes are not the input's"
            )
        if form.W_o is not None and form.b_o is None:
            form.b_o = np.zeros(form.W_o.shape[0])
        return form

    def shape(self, axes: tuple[str, ...], layers: int) -> list[int]:
        """The shape of a tensor on the path, with `axes` after `layers` layers, as made-up
        sizes of time (7) and batch (11) and the real ones of the others: to compute
        what a shape read at run time (Shape, Gather, Concat ...) would be."""
        form = self.model
        cells = form.layers[layers - 1] if layers else []
        H = cells[0].W_h.shape[1] if cells else 0
        inputs = form.layers[0][0].W_x.shape[1] if form.layers else 0
        sizes = {"T": 7, "N": 11, "*": 77, "D": len(cells), "H": H, "F": H * len(cells)}
        sizes["O"] = 0 if form.W_o is None else form.W_o.shape[0]
        named = [self.input_axes.get(a, a) for a in axes]
        return [inputs if a == "F" and not layers else sizes.get(a, 0) for a in named]

    def activation(self, node: onnx.NodeProto, op: str) -> Activation:
        given = attributes(node)
        if op == "Softmax" and int(given.get("axis", -1)) not in (-1, 2):
            raise self.error(node, "softmax over an axis other than the units")
        return Activation.named(canonical_activation(op), given.get("alpha"), given.get("beta"))

    def head(self, node: onnx.NodeProto, axes: tuple[str, ...]) -> tuple[str, ...]:
        """MatMul(h, W_o^T) (+ Add(b_o)), or Gemm(h, B, C) on a matrix."""
        form = self.model
        if axes[-1] != "F":
            raise self.error(node, "multiplies an axis other than the units")
        B = checked_array(self.source, "the output weight", self.const(node, 1))
        if node.op_type == "MatMul":
            form.W_o = B.T
            form.notes.append("ONNX MatMul weight transposed into W_ho")
        else:
            a = attributes(node)
            alpha, beta = float(a.get("alpha", 1.0)), float(a.get("beta", 1.0))
            if a.get("transA", 0):
                raise self.error(node, "transA is not read")
            form.W_o = alpha * (B if a.get("transB", 0) else B.T)
            C = self.const(node, 2)
            form.b_o = beta * (
                checked_array(self.source, "C", C).reshape(-1)
                if C is not None
                else np.zeros(form.W_o.shape[0])
            )
            form.notes.append("ONNX Gemm: W_ho = alpha B (transposed unless transB), b_o = beta C")
        return (*axes[:-1], "O")

    def recurrent(self, node: onnx.NodeProto, axes: tuple[str, ...]) -> tuple[str, ...]:
        """One RNN, LSTM or GRU operator: its weights appended as a layer; the axes of Y."""
        form, a, op = self.model, attributes(node), node.op_type
        cell, order, _, note = OPERATORS[op]
        layout = int(a.get("layout", 0))
        if axes[-1] != "F" or len(axes) != 3:
            raise self.error(node, "its input X is not a sequence of feature vectors")
        if not form.layers:  # the graph input's axes become time and batch here
            time, batch = (axes[0], axes[1]) if layout == 0 else (axes[1], axes[0])
            self.input_axes = {time: "T", batch: "N"}
            axes = tuple(self.input_axes.get(x, x) for x in axes)
        if axes != (("T", "N", "F") if layout == 0 else ("N", "T", "F")):
            raise self.error(node, f"its input is laid out {axes}, not as layout {layout} reads")
        if a.get("direction", "forward") not in {d.value for d in Direction}:
            raise self.error(node, f"the direction {a.get('direction')!r} is not one ONNX has")
        direction = Direction(a.get("direction", "forward"))
        if form.layers and (direction is not form.direction or cell != form.cell):
            raise self.error(node, "every layer must be of one operator and run one direction")
        form.direction, form.cell = direction, cell
        D, G = 2 if direction is Direction.BIDIRECTIONAL else 1, len(order)
        W = checked_array(self.source, f"{node.input[1]} (W)", self.const(node, 1))
        R = checked_array(self.source, f"{node.input[2]} (R)", self.const(node, 2))
        B = self.const(node, 3)
        H = int(a.get("hidden_size") or R.shape[-1])
        if W.ndim != 3 or W.shape[:2] != (D, G * H) or R.shape != (D, G * H, H):
            raise self.error(node, f"W or R has the wrong shape for {D} x {G} x {H} units")
        if B is not None:
            B = checked_array(self.source, f"{node.input[3]} (B)", B)
            if B.shape != (D, 2 * G * H):
                raise self.error(node, f"B is {B.shape}, expected ({D}, {2 * G * H})")
        P = self.const(node, 7) if op == "LSTM" else None
        if P is not None:
            P = checked_array(self.source, f"{node.input[7]} (P)", P)
            if P.shape != (D, 3 * H):
                raise self.error(node, f"P is {P.shape}, expected ({D}, {3 * H})")
        form.layers.append(operator_cells(op, W, R, B, P))
        options = cell_options(op, a, D)
        if isinstance(options, str):
            raise self.error(node, options)
        if len(form.layers) > 1 and options != self.options:
            raise self.error(node, "every layer must use the same activations and options")
        self.options = options
        form.options = options._replace(clip=form.options.clip)
        if note and note not in form.notes:
            form.notes.append(note)
        if len(node.input) > 4 and node.input[4]:
            form.notes.append(f"ONNX: {node_name(node)}'s sequence_lens ignored")
        form.h0 = self.initial_state(node, 5, "initial_h", D, H, form.h0)
        if op == "LSTM":
            form.c0 = self.initial_state(node, 6, "initial_c", D, H, form.c0)
        if a.get("clip") is not None:
            if form.layers[:-1] and form.options.clip != float(a["clip"]):
                raise self.error(node, "every layer must use the same clip")
            form.options = form.options._replace(clip=float(a["clip"]))
        elif form.layers[:-1] and form.options.clip is not None:
            raise self.error(node, "every layer must use the same clip")
        return ("T", "D", "N", "H") if layout == 0 else ("N", "T", "D", "H")

    def initial_state(
        self, node: onnx.NodeProto, index: int, name: str, D: int, H: int, before: Any
    ) -> FloatArray:
        """`before` (the layers' states so far) with this operator's D rows appended."""
        given = node.input[index] if len(node.input) > index else ""
        expanded = self.producers.get(given)
        if (
            expanded is not None
            and expanded.op_type == "Expand"
            and np.shape(self.values.get(expanded.input[0], ())) == (D, 1, H)
        ):
            given = expanded.input[0]  # D x 1 x H repeated over the batch: the same rows
        if not given or self.zeros(given):
            state: FloatArray = np.zeros((D, H))
        elif given in self.values:
            value = checked_array(self.source, name, self.values[given])
            if value.shape[0] != D or value.shape[-1] != H or value.ndim != 3:
                raise self.error(node, f"{name} is {value.shape}, expected ({D}, N, {H})")
            if np.any(value != value[:, :1, :]):
                raise self.error(node, f"{name} differs between batch rows")
            state = np.array(value[:, 0, :])
        else:
            self.model.notes.append(
                f"ONNX: {node_name(node)}'s {name} is computed at run time; zeros assumed"
            )
            state = np.zeros((D, H))
        return state if before is None else np.concatenate([before, state])
