"""Fuzzing the model readers: whatever the bytes of a safetensors header, a pickle in a
.pt zip, an ONNX graph or a Keras config, the reader either reads a model or raises
rnncli's own error (one line, exit code 1): never anything else. Where a mutated file
(bytes flipped, inserted or deleted in its header or structure) is read, each tensor
holds the valid file's numbers and the model read has the valid file's weights, unless
the mutation changed the bytes of the weights (or renamed a tensor: `fc.weight` renamed
leaves `fc.bias` unread, a model of its own).

The regular run tries a few dozen examples per target; `HYPOTHESIS_PROFILE=fuzz pytest
tests/test_fuzz_models.py` tries 10,000 each.
"""

from __future__ import annotations

import functools
import io
import json
import struct
import zipfile
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from rnncli.errors import RnnCliError
from rnncli.models.form import ModelForm, Stated, to_network
from tests.conftest import reference_module

h5py = reference_module("h5py")
onnx = reference_module("onnx")

rng = np.random.default_rng(7)
I, H = 2, 3


def read_or_refuse(read: Callable[[], Any]) -> Any | None:
    """What `read` gives, or None where it raises rnncli's error (checked to be one line
    and a bad-input exit code); any other exception fails the test."""
    try:
        return read()
    except RnnCliError as error:
        assert error.exit_code == 1
        assert "\n" not in error.message and error.message
        return None


def form_weights(form: ModelForm) -> list[np.ndarray]:
    """Every number of a model's weights and states, in order."""
    to_network(form)  # a form read must also make a network, or be refused
    arrays = [form.W_o, form.b_o, form.h0, form.c0]
    for cells in form.layers:
        for w in cells:
            arrays += [w.W_x, w.W_h, w.b_x, w.b_h, w.W_hr, w.peepholes]
    return [np.asarray(a) for a in arrays if a is not None]


def same_weights(read: list[np.ndarray], valid: list[np.ndarray]) -> bool:
    return len(read) == len(valid) and all(
        a.shape == b.shape and np.array_equal(a, b) for a, b in zip(read, valid, strict=True)
    )


def form_or_refuse(read: Callable[[], ModelForm]) -> list[np.ndarray] | None:
    return read_or_refuse(lambda: form_weights(read()))


@st.composite
def mutated(draw: st.DrawFn, data: bytes, start: int = 0, end: int | None = None) -> bytes:
    """`data` with 1 to 4 bytes flipped, inserted or deleted between `start` and `end`."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        stop = len(out) if end is None else min(end, len(out))
        where = draw(st.integers(min(start, stop), stop))
        kind = draw(st.sampled_from(["flip", "insert", "delete"]))
        byte = draw(st.integers(0, 255))
        if kind == "insert":
            out.insert(where, byte)
        elif where < len(out):
            if kind == "flip":
                out[where] = byte
            else:
                del out[where]
    return bytes(out)


# -- safetensors ---------------------------------------------------------------------------


@functools.cache
def valid_safetensors() -> bytes:
    from rnncli.models.torch.safetensors import safetensors_bytes

    tensors = {
        "rnn.weight_ih_l0": rng.normal(size=(H, I)),
        "rnn.weight_hh_l0": rng.normal(size=(H, H)),
        "rnn.bias_ih_l0": rng.normal(size=H),
        "rnn.bias_hh_l0": rng.normal(size=H),
        "fc.weight": rng.normal(size=(1, H)),
        "fc.bias": rng.normal(size=1),
    }
    return safetensors_bytes(tensors, {"rnncli.name": "fuzz"})


def read_tensors(data: bytes) -> dict[str, np.ndarray] | None:
    from rnncli.models.torch.safetensors import read_safetensors

    read = read_or_refuse(lambda: read_safetensors(data, "fuzz.safetensors"))
    return None if read is None else read[0]


def safetensors_form(data: bytes) -> list[np.ndarray] | None:
    from rnncli.models.torch.safetensors import read_safetensors
    from rnncli.models.torch.state_dict import state_dict_form

    def read() -> ModelForm:
        tensors, metadata = read_safetensors(data, "fuzz.safetensors")
        return state_dict_form(tensors, metadata, "fuzz.safetensors", "safetensors")

    return form_or_refuse(read)


def header_end(data: bytes) -> int:
    return 8 + struct.unpack("<Q", data[:8])[0]


@given(st.binary(max_size=300))
def test_the_safetensors_reader_takes_any_bytes(data: bytes) -> None:
    safetensors_form(data)


@given(st.binary(max_size=200))
def test_the_safetensors_reader_takes_any_header(header: bytes) -> None:
    safetensors_form(struct.pack("<Q", len(header)) + header + bytes(64))


@given(st.data())
def test_a_mutated_safetensors_header_reads_the_same_tensors_or_none(data: st.DataObject) -> None:
    valid = valid_safetensors()
    end = header_end(valid)
    changed = data.draw(mutated(valid, 0, end))
    tensors = read_tensors(changed)
    form = safetensors_form(changed)
    if len(changed) < 8 or changed[header_end(changed) :] != valid[end:]:
        return  # the weights' bytes moved: any numbers may be read
    original = read_tensors(valid)
    assert original is not None
    if tensors is not None:
        for name in tensors.keys() & original.keys():
            assert np.array_equal(tensors[name], original[name]), name
    if form is not None and tensors is not None and tensors.keys() == original.keys():
        assert same_weights(form, form_weights_of(valid))


def form_weights_of(valid: bytes) -> list[np.ndarray]:
    weights = safetensors_form(valid)
    assert weights is not None
    return weights


# -- .pt: a pickle in a torch.save zip -------------------------------------------------------


@functools.cache
def valid_pt() -> dict[str, bytes]:
    """The members of a torch.save zip of nn.LSTM(2, 3, bias=False)'s state_dict (its
    tensors of 24 and 36 values: no storage can stand in for another)."""
    torch = reference_module("torch")
    torch.manual_seed(3)
    buffer = io.BytesIO()
    torch.save(torch.nn.LSTM(I, H, bias=False).state_dict(), buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def pt_bytes(members: dict[str, bytes], pickled: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(
                name, pickled if pickled is not None and name.endswith("data.pkl") else data
            )
    return buffer.getvalue()


def pt_form(data: bytes) -> list[np.ndarray] | None:
    from rnncli.io.files import MAX_CONFIG_BYTES
    from rnncli.models.torch.safe_pickle import load_state_dict
    from rnncli.models.torch.state_dict import flat_tensors, state_dict_form

    def read() -> ModelForm:
        loaded = load_state_dict(data, "fuzz.pt", MAX_CONFIG_BYTES)
        return state_dict_form(flat_tensors(loaded, "fuzz.pt"), {}, "fuzz.pt", "PyTorch")

    return form_or_refuse(read)


def pickle_of(members: dict[str, bytes]) -> bytes:
    return next(data for name, data in members.items() if name.endswith("data.pkl"))


@given(st.binary(max_size=300))
def test_the_pt_reader_takes_any_pickle(pickled: bytes) -> None:
    pt_form(pt_bytes(valid_pt(), b"\x80\x02" + pickled))


@given(st.binary(max_size=300))
def test_the_pt_reader_takes_any_bytes(data: bytes) -> None:
    pt_form(b"PK" + data)
    pt_form(data)


@given(st.data())
def test_a_mutated_pickle_reads_the_same_weights_or_none(data: st.DataObject) -> None:
    members = valid_pt()
    changed = data.draw(mutated(pickle_of(members)))
    weights = pt_form(pt_bytes(members, changed))
    if weights is not None:  # the storages' bytes are never touched here
        valid = pt_form(pt_bytes(members))
        assert valid is not None and same_weights(weights, valid)


# -- ONNX -------------------------------------------------------------------------------------


@functools.cache
def valid_onnx() -> bytes:
    """An ONNX GRU (I = 2, H = 3) and a MatMul + Add head, as torch.onnx lays it out."""
    from onnx import TensorProto, helper, numpy_helper

    weights = {
        "W": rng.normal(size=(1, 3 * H, I)),
        "R": rng.normal(size=(1, 3 * H, H)),
        "B": rng.normal(size=(1, 6 * H)),
        "axes": np.array([1]),
        "W_o": rng.normal(size=(H, 2)),
        "b_o": rng.normal(size=2),
    }
    nodes = [
        helper.make_node("GRU", ["x", "W", "R", "B"], ["Y"], hidden_size=H, name="gru"),
        helper.make_node("Squeeze", ["Y", "axes"], ["h"]),
        helper.make_node("MatMul", ["h", "W_o"], ["m"]),
        helper.make_node("Add", ["m", "b_o"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.DOUBLE, ["T", 1, I])],
        [helper.make_tensor_value_info("y", TensorProto.DOUBLE, None)],
        [numpy_helper.from_array(value, name) for name, value in weights.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return bytes(model.SerializeToString())


def onnx_weights(data: bytes) -> list[np.ndarray] | None:
    from rnncli.models.onnx.read import onnx_form

    return form_or_refuse(lambda: onnx_form(data, "fuzz.onnx"))


def weights_kept(data: bytes) -> bool:
    """Whether every initializer of the valid model is in `data`, byte for byte."""
    model = onnx.load_from_string(valid_onnx())
    return all(tensor.SerializeToString() in data for tensor in model.graph.initializer)


@given(st.binary(max_size=400))
def test_the_onnx_reader_takes_any_bytes(data: bytes) -> None:
    onnx_weights(data)


@given(st.data())
def test_a_mutated_onnx_graph_reads_the_same_weights_or_none(data: st.DataObject) -> None:
    changed = data.draw(mutated(valid_onnx()))
    weights = onnx_weights(changed)
    if weights is not None and weights_kept(changed):
        valid = onnx_weights(valid_onnx())
        assert valid is not None and same_weights(weights, valid)


# -- Keras: config.json and the weights beside it ------------------------------------------------

KERNEL, RECURRENT, BIAS = rng.normal(size=(I, H)), rng.normal(size=(H, H)), rng.normal(size=H)
DENSE, DENSE_BIAS = rng.normal(size=(H, 1)), rng.normal(size=1)
CONFIG = json.dumps(
    {
        "class_name": "Sequential",
        "config": {
            "name": "s",
            "layers": [
                {"class_name": "InputLayer", "config": {"batch_shape": [None, None, I]}},
                {
                    "class_name": "SimpleRNN",
                    "config": {"name": "rnn", "return_sequences": True, "activation": "tanh"},
                },
                {"class_name": "Dense", "config": {"name": "d", "activation": "linear"}},
            ],
        },
    }
)


@functools.cache
def keras_weights() -> bytes:
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as file:
        for i, value in enumerate([KERNEL, RECURRENT, BIAS]):
            file.create_dataset(f"layers/simple_rnn/cell/vars/{i}", data=value)
        for i, value in enumerate([DENSE, DENSE_BIAS]):
            file.create_dataset(f"layers/dense/vars/{i}", data=value)
    return buffer.getvalue()


def keras_bytes(config: str | bytes, weights: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("config.json", config)
        archive.writestr("model.weights.h5", keras_weights() if weights is None else weights)
    return buffer.getvalue()


def keras_weights_read(data: bytes, extension: str = ".keras") -> list[np.ndarray] | None:
    from rnncli.models.keras.read import keras_form

    return form_or_refuse(lambda: keras_form(data, f"fuzz{extension}", extension, Stated()))


scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
KEYS = ["class_name", "config", "layers", "name", "layer", "activation", "return_sequences"]
json_trees = st.recursive(
    scalars | st.sampled_from(["SimpleRNN", "LSTM", "GRU", "Dense", "Bidirectional", "tanh"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), inner, max_size=5)
    ),
    max_leaves=30,
)


@given(json_trees)
def test_the_keras_reader_takes_any_json_config(tree: Any) -> None:
    keras_weights_read(keras_bytes(json.dumps(tree)))


@given(st.binary(max_size=300))
def test_the_keras_reader_takes_any_bytes(data: bytes) -> None:
    keras_weights_read(data)
    keras_weights_read(data, ".h5")


@given(st.data())
def test_a_mutated_keras_config_reads_the_same_weights_or_none(data: st.DataObject) -> None:
    changed = data.draw(mutated(CONFIG.encode()))
    weights = keras_weights_read(keras_bytes(changed))
    if weights is not None:  # the weights file is never touched here
        valid = keras_weights_read(keras_bytes(CONFIG))
        assert valid is not None and same_weights(weights, valid)


@given(st.data())
def test_a_mutated_keras_weights_file_is_read_or_refused(data: st.DataObject) -> None:
    weights = keras_weights()
    keras_weights_read(keras_bytes(CONFIG, data.draw(mutated(weights))))
    keras_weights_read(data.draw(mutated(weights)), ".h5")


def test_the_valid_files_here_are_read() -> None:
    """The fixtures above are real models (or the mutation targets would test nothing)."""
    assert safetensors_form(valid_safetensors()) is not None
    assert pt_form(pt_bytes(valid_pt())) is not None
    assert onnx_weights(valid_onnx()) is not None
    keras = keras_weights_read(keras_bytes(CONFIG))
    assert keras is not None
    np.testing.assert_array_equal(keras[0], DENSE.T)  # W_ho = the Dense kernel^T
