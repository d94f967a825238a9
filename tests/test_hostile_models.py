"""Hostile and broken model files: one line on stderr, exit 1, nothing on stdout, nothing
run and nothing written."""

from __future__ import annotations

import io
import json
import os
import pickle
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from rnncli.cli import app
from tests.conftest import check_model_refused, reference_module

runner = CliRunner()


def torch_zip(payload: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A torch.save-shaped zip whose data.pkl is `payload`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("m/data.pkl", payload)
        archive.writestr("m/version", "3\n")
        for name, data in (extra or {}).items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


class _System:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def safetensors(header: dict[str, object], body: bytes) -> bytes:
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + body


def test_a_pickle_that_calls_os_system_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    model = tmp_path / "evil.pt"
    model.write_bytes(torch_zip(pickle.dumps({"weight_ih_l0": _System(marker)}, protocol=2)))
    check_model_refused(model, "refused to load posix.system: only tensors are read", tmp_path)
    assert not marker.exists()
    check_forward = runner.invoke(app, ["forward", "-", "-c", str(model)], input="1,2\n")
    assert check_forward.exit_code == 1 and not marker.exists()


def test_a_pickle_naming_any_other_global_is_refused(tmp_path: Path) -> None:
    model = tmp_path / "evil.pth"
    model.write_bytes(torch_zip(b"cbuiltins\neval\n(S'1'\ntR."))
    check_model_refused(model, "refused to load builtins.eval", tmp_path)


def test_a_zip_bomb_inside_a_pt_is_refused_unread(tmp_path: Path) -> None:
    model = tmp_path / "bomb.pt"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("m/data.pkl", b"x")
        with archive.open("m/data/0", "w", force_zip64=True) as member:
            block = bytes(2**24)
            for _ in range(20):  # 320 MiB of zeros, a few hundred KiB packed
                member.write(block)
    model.write_bytes(buffer.getvalue())
    check_model_refused(model, "more than the", tmp_path)


def test_a_zip_bomb_inside_a_keras_file_is_refused(tmp_path: Path) -> None:
    reference_module("h5py")
    model = tmp_path / "bomb.keras"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", "{}")
        with archive.open("model.weights.h5", "w", force_zip64=True) as member:
            for _ in range(20):
                member.write(bytes(2**24))
    model.write_bytes(buffer.getvalue())
    check_model_refused(model, "more than the", tmp_path)


def test_a_truncated_pt_is_refused(tmp_path: Path) -> None:
    torch = reference_module("torch")
    whole = tmp_path / "whole.pt"
    torch.save(torch.nn.RNN(3, 2).state_dict(), whole)
    model = tmp_path / "cut.pt"
    model.write_bytes(whole.read_bytes()[:300])
    whole.unlink()
    check_model_refused(model, "cut.pt: ", tmp_path)


@pytest.mark.parametrize(
    ("header", "body", "message"),
    [
        (
            {"weight_ih_l0": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}},
            bytes(8),
            "point outside the file",
        ),
        (
            {
                "weight_ih_l0": {"dtype": "F32", "shape": [2, 1], "data_offsets": [0, 8]},
                "weight_hh_l0": {"dtype": "F32", "shape": [2, 1], "data_offsets": [4, 12]},
            },
            bytes(12),
            "overlap",
        ),
        (
            {
                "weight_ih_l0": {"dtype": "I32", "shape": [2, 1], "data_offsets": [0, 8]},
                "weight_hh_l0": {"dtype": "I32", "shape": [2, 2], "data_offsets": [8, 24]},
            },
            bytes(24),
            "weights must be floats",
        ),
        (
            {
                "weight_ih_l0": {"dtype": "F64", "shape": [1, 1], "data_offsets": [0, 8]},
                "weight_hh_l0": {"dtype": "F64", "shape": [1, 1], "data_offsets": [8, 16]},
            },
            np.array([np.nan, 1.0]).tobytes(),
            "NaN or infinite",
        ),
        (
            {
                "weight_ih_l0": {"dtype": "F64", "shape": [2, 1], "data_offsets": [0, 16]},
                "weight_hh_l0": {"dtype": "F64", "shape": [2, 2], "data_offsets": [16, 48]},
                "weight_ih_l1": {"dtype": "F64", "shape": [2, 3], "data_offsets": [48, 96]},
                "weight_hh_l1": {"dtype": "F64", "shape": [2, 2], "data_offsets": [96, 128]},
            },
            bytes(128),
            "layer 2: W_x is 2x3, expected 2x2",
        ),
    ],
    ids=["outside", "overlap", "int", "nan", "shape"],
)
def test_a_bad_safetensors_file_is_refused(
    tmp_path: Path, header: dict[str, object], body: bytes, message: str
) -> None:
    model = tmp_path / "bad.safetensors"
    model.write_bytes(safetensors(header, body))
    check_model_refused(model, message, tmp_path)


def test_a_huge_onnx_file_is_refused_before_reading(tmp_path: Path) -> None:
    model = tmp_path / "huge.onnx"
    with model.open("wb") as sparse:  # 2 GiB, sparse: costs no disk
        sparse.truncate(2 * 2**30)
    check_model_refused(model, "is larger than 256 MiB", tmp_path)


def test_a_small_garbage_onnx_file_is_refused(tmp_path: Path) -> None:
    reference_module("onnx")
    model = tmp_path / "garbage.onnx"
    model.write_bytes(bytes(range(256)) * 4)
    check_model_refused(model, "garbage.onnx: is not ", tmp_path)


def test_an_onnx_loop_is_refused_by_node(tmp_path: Path) -> None:
    onnx = reference_module("onnx")
    from onnx import TensorProto, helper

    body = helper.make_graph([], "body", [], [])
    node = helper.make_node("Loop", ["", ""], [], name="the_loop", body=body)
    graph = helper.make_graph(
        [node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])], []
    )
    model = tmp_path / "loop.onnx"
    onnx.save(helper.make_model(graph), model)
    check_model_refused(
        model, "node 'the_loop' (Loop): the recurrence is unrolled into a Loop", tmp_path
    )


def test_an_unknown_extension_lists_the_known_ones(tmp_path: Path) -> None:
    model = tmp_path / "model.bin"
    model.write_bytes(b"0")
    check_model_refused(
        model, "the extensions known are .onnx, .safetensors, .pt, .pth, .keras, .h5", tmp_path
    )


def test_a_missing_package_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "onnx" else real(name, *a)
    )
    model = tmp_path / "m.onnx"
    model.write_bytes(b"0")
    check_model_refused(model, "needs the onnx package: pip install 'rnncli[models]'", tmp_path)


def _external_rnn(folder: Path) -> tuple[Path, object]:
    """A one-layer ONNX RNN (I = 2, H = 3) whose weights lie in rnn.onnx.data, and its
    ModelProto as stored (the external references, not the data)."""
    onnx = reference_module("onnx")
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(2)
    weights = {"W": (1, 3, 2), "R": (1, 3, 3), "B": (1, 6)}
    nodes = [
        helper.make_node("RNN", ["x", "W", "R", "B"], ["Y"], hidden_size=3),
        helper.make_node("Squeeze", ["Y", "axes"], ["y"]),  # T x D x B x H -> T x B x H
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["T", 1, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [
            numpy_helper.from_array(rng.normal(size=shape).astype(np.float32), name)
            for name, shape in weights.items()
        ]
        + [numpy_helper.from_array(np.array([1], dtype=np.int64), "axes")],
    )
    model, data, offset = folder / "rnn.onnx", bytearray(), 0
    for tensor in graph.initializer[:3]:  # W, R, B into the data file, as an exporter does
        data += tensor.raw_data
        entries = {"location": "rnn.onnx.data", "offset": offset, "length": len(tensor.raw_data)}
        offset += len(tensor.raw_data)
        for key, value in entries.items():
            tensor.external_data.add(key=key, value=str(value))
        tensor.ClearField("raw_data")
        tensor.data_location = TensorProto.EXTERNAL
    (folder / "rnn.onnx.data").write_bytes(bytes(data))
    onnx.save_model(helper.make_model(graph), str(model))
    return model, onnx.load(str(model), load_external_data=False)


def test_an_onnx_external_data_file_is_read_beside_the_model(tmp_path: Path) -> None:
    ort = reference_module("onnxruntime")
    model, _ = _external_rnn(tmp_path)
    X = np.array([[1.0, 2.0], [0.5, -1.0]], dtype=np.float32)
    (y,) = ort.InferenceSession(str(model)).run(None, {"x": X[:, None]})
    result = runner.invoke(
        app, ["forward", "-", "-c", str(model), "-f", "json"], input="1,2\n0.5,-1\n"
    )
    assert result.exit_code == 0, result.stderr
    ours = [step["h"] for step in json.loads(result.stdout)["steps"]]
    np.testing.assert_allclose(ours, y[:, 0], rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    ("entry", "value", "message"),
    [
        ("location", "../rnn.onnx.data", "'../rnn.onnx.data' is not a bare file name"),
        ("location", "/etc/passwd", "'/etc/passwd' is not a bare file name"),
        ("location", "elsewhere.data", "'elsewhere.data' is not in the model's folder"),
        ("location", "link.data", "'link.data' is not a regular file"),
        ("offset", "100000", "'rnn.onnx.data': bytes 100000 to 100024 lie outside the file"),
        ("length", "20", "'rnn.onnx.data': holds 20 bytes for a tensor of 24 (1x3x2)"),
    ],
)
def test_an_onnx_external_data_reference_is_held_to_the_model_folder(
    tmp_path: Path, entry: str, value: str, message: str
) -> None:
    onnx = reference_module("onnx")
    model, stored = _external_rnn(tmp_path)
    (tmp_path / "link.data").symlink_to(tmp_path / "rnn.onnx.data")
    W = next(t for t in stored.graph.initializer if t.name == "W")  # type: ignore[attr-defined]
    for item in W.external_data:
        if item.key == entry:
            item.value = value
    if entry not in {item.key for item in W.external_data}:
        W.external_data.add(key=entry, value=value)
    onnx.save_model(stored, str(model))
    check_model_refused(model, f"rnn.onnx: W: its external data file {message}", tmp_path)
