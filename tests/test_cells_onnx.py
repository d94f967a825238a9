"""rnncli's LSTM and GRU cells against ONNX Runtime's LSTM and GRU operators, through the
command line only, in float32 (`--dtype float32`), every number to 1e-5.

Each case is one ONNX node (opset 14) with its W, R, B (and P) as initializers in ONNX's
gate order (LSTM i, o, f, c; GRU z, r, h), run by onnxruntime on a batch of three
sequences of different lengths (`sequence_lens`) with initial_h (and initial_c). The test
converts the same weights to rnncli's per-gate config (LSTM i, f, g, o; GRU r, z, n) and
runs the batch as `{"sequences": [...]}`, each cut to its length; every sequence's steps h
and its h_n (and c_n) are compared with Y, Y_h (and Y_c) of its batch row.

Covered: every activation ORT accepts in each of the f, g, h positions, with explicit
alpha and beta where it takes them; clip; input_forget; peepholes; linear_before_reset 0
and 1; the forward, reverse and bidirectional directions.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
import pytest

from tests.conftest import (
    GATES,
    forward_json,
    reference_module,
    sequence_documents,
    states,
    steps,
    write_json,
)

onnx = reference_module("onnx")
onnxruntime = reference_module("onnxruntime")

ATOL = 1e-5
OPSET = 14
LENGTHS = (5, 2, 4)  # sequence_lens of the batch; rnncli gets each sequence cut to its length

#: ONNX's activation -> (rnncli's name, alpha, beta); None where it takes no parameter.
#: The values differ from every default and are exact in float32 (ONNX stores float32).
ACTIVATIONS: dict[str, tuple[str, float | None, float | None]] = {
    "Sigmoid": ("sigmoid", None, None),
    "Tanh": ("tanh", None, None),
    "Relu": ("relu", None, None),
    "HardSigmoid": ("hard_sigmoid", 0.375, 0.625),
    "Affine": ("affine", 0.75, 0.25),
    "LeakyRelu": ("leaky_relu", 0.125, None),
    "ThresholdedRelu": ("thresholded_relu", 0.25, None),
    "ScaledTanh": ("scaled_tanh", 1.5, 0.75),
    "Elu": ("elu", 0.75, None),
    "Softsign": ("softsign", None, None),
    "Softplus": ("softplus", None, None),
}
NAMES = list(ACTIVATIONS)
#: ONNX's row blocks -> rnncli's gates.
ONNX_GATES = {"LSTM": ("i", "o", "f", "g"), "GRU": ("z", "r", "n")}


@dataclass
class Case:
    op: str  # LSTM or GRU
    seed: int
    direction: str = "forward"
    activations: tuple[str, ...] = ()  # ONNX names (f, g[, h]); () for the defaults
    clip: float | None = None
    input_forget: bool = False
    peepholes: bool = False
    linear_before_reset: int = 0
    arrays: dict[str, npt.NDArray[np.float32]] = field(default_factory=dict)

    @property
    def D(self) -> int:
        return 2 if self.direction == "bidirectional" else 1


def draw(case: Case) -> tuple[int, int]:
    """W, R, B, P, initial states and X, in float32, from the case's seed; returns I, H."""
    rng = np.random.default_rng([case.seed, len(case.op), case.D])
    I, H = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    G, D, N = len(ONNX_GATES[case.op]), case.D, len(LENGTHS)

    def draw_array(scale: float, *shape: int) -> npt.NDArray[np.float32]:
        return rng.normal(scale=scale, size=shape).astype(np.float32)

    case.arrays = {
        "W": draw_array(0.7, D, G * H, I),
        "R": draw_array(0.7 / np.sqrt(H), D, G * H, H),
        "B": draw_array(0.5, D, 2 * G * H),
        "X": draw_array(1.0, max(LENGTHS), N, I),
    }
    # One initial state per direction, the same for every sequence (rnncli's h0 and c0).
    case.arrays["initial_h"] = np.repeat(draw_array(0.5, D, 1, H), N, axis=1)
    if case.op == "LSTM":
        case.arrays["initial_c"] = np.repeat(draw_array(0.5, D, 1, H), N, axis=1)
        if case.peepholes:
            case.arrays["P"] = draw_array(0.5, D, 3 * H)
    return I, H


def onnx_run(case: Case, I: int, H: int) -> list[npt.NDArray[np.float32]]:
    """The node in onnxruntime: Y, Y_h (and Y_c)."""
    from onnx import TensorProto, helper, numpy_helper

    a = case.arrays
    attributes: dict[str, Any] = {"hidden_size": H, "direction": case.direction}
    if case.activations:
        specs = [ACTIVATIONS[name] for name in case.activations] * case.D
        attributes["activations"] = list(case.activations) * case.D
        # ORT takes an alpha (a beta) from the list for each activation that has one, in order.
        attributes["activation_alpha"] = [alpha for _, alpha, _ in specs if alpha is not None]
        attributes["activation_beta"] = [beta for _, _, beta in specs if beta is not None]
        attributes = {key: value for key, value in attributes.items() if value != []}
    if case.clip is not None:
        attributes["clip"] = case.clip
    if case.op == "LSTM":
        attributes["input_forget"] = int(case.input_forget)
    else:
        attributes["linear_before_reset"] = case.linear_before_reset
    weights = ["W", "R", "B"]
    inputs = [*weights, "sequence_lens", "initial_h"]
    outputs = ["Y", "Y_h"]
    if case.op == "LSTM":
        inputs += ["initial_c", "P" if case.peepholes else ""]
        outputs.append("Y_c")
        weights += ["P"] if case.peepholes else []
    node = helper.make_node(case.op, inputs=["X", *inputs], outputs=outputs, **attributes)
    fed = ["X", "initial_h", *(["initial_c"] if case.op == "LSTM" else [])]
    graph = helper.make_graph(
        [node],
        case.op.lower(),
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, a[name].shape) for name in fed]
        + [helper.make_tensor_value_info("sequence_lens", TensorProto.INT32, [len(LENGTHS)])],
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, None) for name in outputs],
        initializer=[numpy_helper.from_array(a[name], name) for name in weights],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    feeds = {name: a[name] for name in fed}
    feeds["sequence_lens"] = np.array(LENGTHS, dtype=np.int32)
    return list(session.run(None, feeds))


def _activation(name: str) -> Any:
    rnncli_name, alpha, beta = ACTIVATIONS[name]
    if alpha is None and beta is None:
        return rnncli_name
    spec: dict[str, Any] = {"name": rnncli_name, "alpha": alpha}
    return spec if beta is None else {**spec, "beta": beta}


def per_gate_block(case: Case, d: int, H: int) -> dict[str, Any]:
    """Direction d's weights from ONNX's row blocks into rnncli's per-gate form."""
    a, G = case.arrays, len(ONNX_GATES[case.op])
    block: dict[str, Any] = {}
    for gate in GATES[case.op.lower()]:
        k = ONNX_GATES[case.op].index(gate)
        rows = slice(k * H, (k + 1) * H)
        block[gate] = {
            "W_xh": a["W"][d, rows],
            "W_hh": a["R"][d, rows],
            "b_xh": a["B"][d, : G * H][rows],  # Wb
            "b_hh": a["B"][d, G * H :][rows],  # Rb
        }
    if case.peepholes:
        p_i, p_o, p_f = np.split(a["P"][d], 3)  # ONNX's P is [p_i, p_o, p_f]
        block["peepholes"] = {"i": p_i, "o": p_o, "f": p_f}
    return block


def rnncli_config(case: Case, H: int) -> dict[str, Any]:
    config: dict[str, Any] = {"cell": case.op.lower(), "direction": case.direction}
    if case.activations:
        keys = ["recurrent_activation", "activation", "state_activation"]
        config.update(zip(keys, map(_activation, case.activations), strict=False))
    if case.clip is not None:
        config["clip"] = case.clip
    if case.op == "LSTM":
        config["input_forget"] = case.input_forget
    else:
        config["reset_after"] = bool(case.linear_before_reset)
    config["weights"] = per_gate_block(case, 0, H)
    if case.D == 2:
        config["weights_reverse"] = per_gate_block(case, 1, H)
    config["h0"] = case.arrays["initial_h"][:, 0]
    if case.op == "LSTM":
        config["c0"] = case.arrays["initial_c"][:, 0]
    return config


def compare(case: Case, documents: list[dict[str, Any]], onnx_outputs: list[Any]) -> None:
    """Each sequence's document against its row of Y ([T, D, N, H]), Y_h and Y_c."""
    Y, Y_h = onnx_outputs[0], onnx_outputs[1]
    assert len(documents) == len(LENGTHS)
    for b, (T, document) in enumerate(zip(LENGTHS, documents, strict=True)):
        np.testing.assert_allclose(steps(document, "h"), Y[:T, :, b].reshape(T, -1), atol=ATOL)
        np.testing.assert_allclose(states(document["h_n"], case.D), Y_h[:, b], atol=ATOL)
        if case.op == "LSTM":
            np.testing.assert_allclose(
                states(document["c_n"], case.D), onnx_outputs[2][:, b], atol=ATOL
            )


def check(case: Case, tmp_path: Path) -> None:
    I, H = draw(case)
    X = case.arrays["X"]
    sequences = write_json(
        tmp_path / "batch.json", {"sequences": [X[:T, b] for b, T in enumerate(LENGTHS)]}
    )
    config = write_json(tmp_path / "net.yaml", rnncli_config(case, H))
    (output,) = forward_json([sequences, "-c", config, "--dtype", "float32"])
    compare(case, sequence_documents(orjson.loads(output)), onnx_run(case, I, H))


# -- the cases --------------------------------------------------------------------------

DIRECTIONS = ("forward", "reverse", "bidirectional")


@pytest.mark.parametrize("k", range(len(NAMES)))
def test_lstm_every_activation_in_every_position(k: int, tmp_path: Path) -> None:
    """f, g, h = the k-th, (k+1)-th and (k+3)-th activation: over k, each of the eleven
    takes each position once, and no two positions hold the same one."""
    f, g, h = NAMES[k], NAMES[(k + 1) % len(NAMES)], NAMES[(k + 3) % len(NAMES)]
    direction = DIRECTIONS[k % 3]
    check(Case("LSTM", k, direction, (f, g, h), clip=1.5 if k % 2 else None), tmp_path)


@pytest.mark.parametrize("k", range(len(NAMES)))
def test_gru_every_activation_in_every_position(k: int, tmp_path: Path) -> None:
    """f, g = the k-th and (k+2)-th activation, with linear_before_reset 0 and 1 in turn."""
    f, g = NAMES[k], NAMES[(k + 2) % len(NAMES)]
    case = Case("GRU", k, DIRECTIONS[k % 3], (f, g), linear_before_reset=k % 2)
    case.clip = 0.75 if k % 4 >= 2 else None
    check(case, tmp_path)


LSTM_OPTIONS = list(itertools.product(DIRECTIONS, [False, True], [False, True], [None, 0.75]))


@pytest.mark.parametrize(("direction", "peepholes", "input_forget", "clip"), LSTM_OPTIONS)
def test_lstm_options(
    direction: str, peepholes: bool, input_forget: bool, clip: float | None, tmp_path: Path
) -> None:
    seed = 100 + LSTM_OPTIONS.index((direction, peepholes, input_forget, clip))
    case = Case("LSTM", seed, direction, clip=clip, input_forget=input_forget, peepholes=peepholes)
    check(case, tmp_path)


GRU_OPTIONS = list(itertools.product(DIRECTIONS, [0, 1], [None, 0.75]))


@pytest.mark.parametrize(("direction", "linear_before_reset", "clip"), GRU_OPTIONS)
def test_gru_options(
    direction: str, linear_before_reset: int, clip: float | None, tmp_path: Path
) -> None:
    seed = 200 + GRU_OPTIONS.index((direction, linear_before_reset, clip))
    check(
        Case("GRU", seed, direction, clip=clip, linear_before_reset=linear_before_reset), tmp_path
    )
