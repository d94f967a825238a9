"""A ModelForm as an ONNX model that ONNX Runtime runs to rnncli's numbers.

    x [N, T, I] -> Transpose -> RNN | LSTM | GRU (layout 0) -> Transpose + Reshape -> ...
      each layer -> Transpose -> [MatMul(W_ho^T) + Add(b_o) -> activation] -> y [N, T, O]
    the layers' Y_h, concatenated -> h_n [L*D, N, H]; an LSTM's Y_c -> c_n [L*D, N, H]

ONNX's operators hold W [D, G*H, I], R [D, G*H, H], B [D, 2*G*H] = [b_xh, b_hh]: rnncli's
arrays, directions stacked on a new first axis, an LSTM's and a GRU's gate blocks put back
in ONNX's order (models.onnx.operators); an LSTM's peepholes are P [D, 3H] as they stand.
Weights are float32, as ONNX Runtime runs these operators in float32 only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from rnncli.cells.activations import Activation
from rnncli.errors import RnnCliError
from rnncli.models.form import ModelForm, reordered
from rnncli.models.onnx.operators import OPERATORS
from rnncli.option_values import Direction

#: rnncli's activations as ONNX names them: inside the RNN operator ...
RNN_ACTIVATIONS = {
    "tanh": "Tanh",
    "relu": "Relu",
    "sigmoid": "Sigmoid",
    "identity": "Affine",
    "affine": "Affine",
    "leaky_relu": "LeakyRelu",
    "thresholded_relu": "ThresholdedRelu",
    "scaled_tanh": "ScaledTanh",
    "hard_sigmoid": "HardSigmoid",
    "elu": "Elu",
    "softsign": "Softsign",
    "softplus": "Softplus",
}
#: ... and as operators of their own, after the output layer.
OUTPUT_OPERATORS = {
    "tanh": "Tanh",
    "relu": "Relu",
    "sigmoid": "Sigmoid",
    "leaky_relu": "LeakyRelu",
    "thresholded_relu": "ThresholdedRelu",
    "hard_sigmoid": "HardSigmoid",
    "elu": "Elu",
    "softsign": "Softsign",
    "softplus": "Softplus",
    "softmax": "Softmax",
}
#: The IR version each opset needs at the least (onnx.helper.VERSION_TABLE).
IR_VERSIONS = {13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10, 22: 10}


def onnx_bytes(form: ModelForm, opset: int = 17) -> bytes:
    """The ONNX model of `form` (see the module), serialised."""
    if opset not in IR_VERSIONS:
        raise RnnCliError(f"--opset {opset}: write one of {', '.join(map(str, IR_VERSIONS))}")
    nodes: list[onnx.NodeProto] = []
    weights: list[onnx.TensorProto] = []

    def constant(name: str, value: np.ndarray) -> str:
        weights.append(numpy_helper.from_array(value, name))
        return name

    D = 2 if form.direction is Direction.BIDIRECTIONAL else 1
    op = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}[form.cell]
    # ONNX's block j is rnncli's block onnx_order[j] (the inverse of the reader's order)
    onnx_order = [int(j) for j in np.argsort(OPERATORS[op][1])]
    G = len(onnx_order)
    H = form.layers[0][0].W_h.shape[0] // G
    if any(c.W_hr is not None for cells in form.layers for c in cells):
        raise RnnCliError("ONNX's LSTM has no projection (W_hr); it cannot be exported to ONNX")
    attributes = _attributes(form, op, D)
    h0 = np.zeros((len(form.layers) * D, H)) if form.h0 is None else form.h0
    c0 = form.c0 if form.cell == "lstm" and form.c0 is not None and np.any(form.c0) else None
    nodes.append(helper.make_node("Transpose", ["x"], ["x_tni"], perm=[1, 0, 2]))
    if np.any(h0) or c0 is not None:  # initial_h is D x N x H: h0 repeated over the batch
        nodes.append(helper.make_node("Shape", ["x"], ["x_n"], start=0, end=1))
        shape = ["h_D", "x_n", "h_H"]
        constant("h_D", np.array([D], dtype=np.int64))
        constant("h_H", np.array([H], dtype=np.int64))
        nodes.append(helper.make_node("Concat", shape, ["h_shape"], axis=0))

    def initial(state: np.ndarray | None, k: int, tag: str) -> str:
        if state is None or not np.any(state):
            return ""
        rows = state[k * D : (k + 1) * D].reshape(D, 1, H).astype(np.float32)
        constant(f"{tag}0_{k}", rows)
        nodes.append(helper.make_node("Expand", [f"{tag}0_{k}", "h_shape"], [f"initial_{tag}_{k}"]))
        return f"initial_{tag}_{k}"

    X, states, cells_n = "x_tni", [], []
    for k, cells in enumerate(form.layers):
        W = np.stack([reordered(c.W_x, onnx_order, 0) for c in cells]).astype(np.float32)
        R = np.stack([reordered(c.W_h, onnx_order, 0) for c in cells]).astype(np.float32)
        B = np.stack(
            [
                np.concatenate([reordered(c.b_x, onnx_order, 0), reordered(c.b_h, onnx_order, 0)])
                for c in cells
            ]
        ).astype(np.float32)
        inputs = [X, constant(f"W_{k}", W), constant(f"R_{k}", R), constant(f"B_{k}", B), ""]
        inputs.append(initial(h0, k, "h"))
        outputs = [f"Y_{k}", f"Y_h_{k}"]
        if op == "LSTM":
            inputs.append(initial(c0, k, "c"))
            if any(c.peepholes is not None for c in cells):
                P = np.stack(
                    [np.zeros(3 * H) if c.peepholes is None else c.peepholes.ravel() for c in cells]
                )
                inputs.append(constant(f"P_{k}", P.astype(np.float32)))
            outputs.append(f"Y_c_{k}")
            cells_n.append(f"Y_c_{k}")
        while inputs[-1] == "":
            inputs.pop()
        nodes.append(
            helper.make_node(
                op,
                inputs,
                outputs,
                name=f"{form.cell}_layer_{k + 1}",
                hidden_size=H,
                direction=str(form.direction),
                **attributes,
            )
        )
        states.append(f"Y_h_{k}")
        # Y: T x D x N x H -> T x N x D x H -> T x N x D*H, the next layer's X
        nodes.append(helper.make_node("Transpose", [f"Y_{k}"], [f"Y_tndh_{k}"], perm=[0, 2, 1, 3]))
        merged = constant(f"shape_{k}", np.array([0, 0, -1], dtype=np.int64))
        nodes.append(helper.make_node("Reshape", [f"Y_tndh_{k}", merged], [f"H_{k}"]))
        X = f"H_{k}"
    last = "y" if form.W_o is None else "h_ntf"
    nodes.append(helper.make_node("Transpose", [X], [last], perm=[1, 0, 2]))
    if form.W_o is not None and form.b_o is not None:
        g = form.output_activation or Activation("identity")
        W_name = constant("W_ho_T", form.W_o.T.astype(np.float32))
        b_name = constant("b_o", form.b_o.astype(np.float32))
        nodes.append(helper.make_node("MatMul", [last, W_name], ["o_matmul"]))
        nodes.append(
            helper.make_node("Add", ["o_matmul", b_name], ["o_z" if g.name != "identity" else "y"])
        )
        if g.name != "identity":
            nodes.append(_output_activation(g))
    nodes.append(helper.make_node("Concat", states, ["h_n"], axis=0))
    if cells_n:
        nodes.append(helper.make_node("Concat", cells_n, ["c_n"], axis=0))
    O = form.W_o.shape[0] if form.W_o is not None else D * H
    I = form.layers[0][0].W_x.shape[1]
    graph = helper.make_graph(
        nodes,
        form.name or "rnncli",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", "T", I])],
        [
            helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", "T", O]),
            helper.make_tensor_value_info("h_n", TensorProto.FLOAT, [len(form.layers) * D, "N", H]),
        ]
        + [
            helper.make_tensor_value_info("c_n", TensorProto.FLOAT, [len(form.layers) * D, "N", H])
            for _ in cells_n[:1]
        ],
        weights,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = IR_VERSIONS[opset]
    model.producer_name = "rnncli"
    onnx.checker.check_model(model)
    return bytes(model.SerializeToString())


def _attributes(form: ModelForm, op: str, D: int) -> dict[str, Any]:
    """The operator's activations (per direction: RNN f; LSTM f, g, h; GRU f, g), their
    alpha and beta in order, and its options."""
    options = form.options
    chosen = {
        "RNN": [options.activation],
        "LSTM": [
            options.recurrent_activation,
            options.activation,
            options.state_activation or options.activation,
        ],
        "GRU": [options.recurrent_activation, options.activation],
    }[op] * D
    attributes: dict[str, Any] = {"activations": [RNN_ACTIVATIONS[f.name] for f in chosen]}
    alphas: list[float] = []
    betas: list[float] = []
    for f in chosen:
        parameters = {"alpha": 1.0, "beta": 0.0} if f.name == "identity" else f.parameters
        alphas += [parameters["alpha"]] if "alpha" in parameters else []
        betas += [parameters["beta"]] if "beta" in parameters else []
    if alphas:
        attributes["activation_alpha"] = alphas
    if betas:
        attributes["activation_beta"] = betas
    if options.clip is not None:
        attributes["clip"] = options.clip
    if op == "LSTM" and options.input_forget:
        attributes["input_forget"] = 1
    if op == "GRU":
        attributes["linear_before_reset"] = int(options.reset_after)
    return attributes


def _output_activation(g: Activation) -> onnx.NodeProto:
    """g as its own ONNX operator, or a refusal where ONNX has none."""
    if g.name not in OUTPUT_OPERATORS:
        raise RnnCliError(f"the output activation {g.name} has no ONNX operator")
    parameters: dict[str, Any] = dict(g.parameters)
    if g.name == "softmax":
        parameters = {"axis": -1}
    return helper.make_node(OUTPUT_OPERATORS[g.name], ["o_z"], ["y"], **parameters)
