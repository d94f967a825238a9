"""Hostile model files, the third round: data that is not in the file (HDF5 virtual
datasets, external links and storage), sizes that overflow or ask for gigabytes, names
given twice, structures nested too deep, and JSON of the wrong shapes. Each is refused
in one line naming the file and the place (exit code 1, nothing on stdout, no
traceback); the legal forms beside them (gzip chunks, a soft link inside the file, an
unused constant) read to numbers worked out here with numpy."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from rnncli.cli import app
from tests.conftest import check_model_refused, reference_module

h5py = reference_module("h5py")
runner = CliRunner()

# One SimpleRNN, I = 2 inputs, H = 3 units: h_t = tanh(x_t K + h_{t-1} R + b) (Keras's
# orientation), run over X here.
rng = np.random.default_rng(22)
KERNEL, RECURRENT, BIAS = rng.normal(size=(2, 3)), rng.normal(size=(3, 3)), rng.normal(size=3)
X = np.array([[1.0, 2.0], [0.5, -1.0], [-0.25, 0.75]])
SEQUENCE = "1,2\n0.5,-1\n-0.25,0.75\n"


def expected_h(K: Any = KERNEL, R: Any = RECURRENT, b: Any = BIAS) -> list[list[float]]:
    h, rows = np.zeros(3), []
    for x in X:
        h = np.tanh(x @ K + h @ R + b)
        rows.append(h.tolist())
    return rows


def forward_h(model: Path) -> list[list[float]]:
    result = runner.invoke(app, ["forward", "-", "-c", str(model), "-f", "json"], input=SEQUENCE)
    assert result.exit_code == 0, result.stderr
    return [step["h"] for step in json.loads(result.stdout)["steps"]]


# -- Keras: three layouts of the same weights ------------------------------------------

SIMPLE_RNN = {"class_name": "SimpleRNN", "config": {"name": "rnn", "return_sequences": True}}
#: Where each layout keeps the kernel.
KERNEL_PATH = {
    "keras": "layers/simple_rnn/cell/vars/0",
    "weights": "layers/simple_rnn/cell/vars/0",
    "legacy": "model_weights/rnn/rnn/kernel",
}
EXTENSION = {"keras": ".keras", "weights": ".weights.h5", "legacy": ".h5"}


def sequential(*layers: Any) -> dict[str, Any]:
    return {"class_name": "Sequential", "config": {"name": "s", "layers": list(layers)}}


def hdf5_weights(
    layout: str, edit: Callable[[Any, str], None] | None = None, **options: Any
) -> bytes:
    """The HDF5 file of one layout holding KERNEL, RECURRENT and BIAS (`options` as
    create_dataset's, e.g. compression), then `edit(file, kernel path)`."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as file:
        values = [KERNEL, RECURRENT, BIAS]
        if layout == "legacy":
            file.attrs["model_config"] = json.dumps(sequential(SIMPLE_RNN))
            names = ["rnn/kernel", "rnn/recurrent_kernel", "rnn/bias"]
            file.create_group("model_weights/rnn").attrs["weight_names"] = names
            paths = [f"model_weights/rnn/{n}" for n in names]
        else:
            paths = [f"layers/simple_rnn/cell/vars/{i}" for i in range(3)]
        for path, value in zip(paths, values, strict=True):
            file.create_dataset(path, data=value.astype(np.float32), **options)
        if edit is not None:
            edit(file, KERNEL_PATH[layout])
    return buffer.getvalue()


def keras_model(folder: Path, layout: str, weights: bytes, config: Any = None) -> Path:
    """The model file of `layout` in `folder` (a .keras zip around `weights`)."""
    model = folder / f"model{EXTENSION[layout]}"
    if layout != "keras":
        model.write_bytes(weights)
        return model
    text = config if isinstance(config, str) else json.dumps(config or sequential(SIMPLE_RNN))
    with zipfile.ZipFile(model, "w") as archive:  # STORED, as Keras writes it
        archive.writestr("metadata.json", "{}")
        archive.writestr("config.json", text)
        archive.writestr("model.weights.h5", weights)
    return model


LAYOUTS = ["keras", "weights", "legacy"]
F32 = np.float32


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    "options",
    [{}, {"chunks": True, "compression": "gzip", "shuffle": True}, {"compression": "lzf"}],
    ids=["contiguous", "gzip", "lzf"],
)
def test_a_keras_file_as_h5py_writes_it_reads_to_its_numbers(
    tmp_path: Path, layout: str, options: dict[str, Any]
) -> None:
    model = keras_model(tmp_path, layout, hdf5_weights(layout, **options))
    K, R, b = (np.float32(v).astype(np.float64) for v in (KERNEL, RECURRENT, BIAS))
    np.testing.assert_allclose(forward_h(model), expected_h(K, R, b), rtol=0, atol=1e-12)


def _soft_link_inside(file: Any, path: str) -> None:
    file.create_dataset("elsewhere/kernel", data=KERNEL.astype(F32))
    del file[path]
    file[path] = h5py.SoftLink("/elsewhere/kernel")


def test_a_soft_link_inside_the_file_is_followed(tmp_path: Path) -> None:
    model = keras_model(tmp_path, "weights", hdf5_weights("weights", _soft_link_inside))
    K, R, b = (np.float32(v).astype(np.float64) for v in (KERNEL, RECURRENT, BIAS))
    np.testing.assert_allclose(forward_h(model), expected_h(K, R, b), rtol=0, atol=1e-12)


def _virtual(file: Any, path: str) -> None:
    del file[path]
    layout = h5py.VirtualLayout(shape=(2, 3), dtype="f4")
    layout[:] = h5py.VirtualSource("elsewhere.h5", "kernel", shape=(2, 3))
    file.create_virtual_dataset(path, layout, fillvalue=0.25)


def _external_link(file: Any, path: str) -> None:
    del file[path]
    file[path] = h5py.ExternalLink("other.h5", "/kernel")


def _soft_link_out(file: Any, path: str) -> None:
    file["outside"] = h5py.ExternalLink("other.h5", "/kernel")
    del file[path]
    file[path] = h5py.SoftLink("/outside")


def _soft_link_loop(file: Any, path: str) -> None:
    file["loop"] = h5py.SoftLink("/loop")
    del file[path]
    file[path] = h5py.SoftLink("/loop")


def _external_storage(file: Any, path: str) -> None:
    del file[path]
    file.create_dataset(path, shape=(2, 3), dtype="f4", external=[("raw.bin", 0, 24)])


def _never_written(file: Any, path: str) -> None:
    del file[path]
    file.create_dataset(path, shape=(2, 3), dtype="f4", fillvalue=0.25)


def _huge(file: Any, path: str) -> None:
    del file[path]
    file.create_dataset(path, shape=(10**6, 10**6), dtype="f4", chunks=(1, 1024))


def _plugin_filter(file: Any, path: str) -> None:
    """The kernel chunked through filter 32099 (no such plugin: optional, so HDF5 writes
    the chunks unfiltered and keeps the filter in the pipeline)."""
    del file[path]
    parent, name = path.rsplit("/", 1)
    plist = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    plist.set_chunk((2, 3))
    plist.set_filter(32099, h5py.h5z.FLAG_OPTIONAL, (0,))
    space = h5py.h5s.create_simple((2, 3))
    kernel = h5py.h5d.create(file[parent].id, name.encode(), h5py.h5t.IEEE_F32LE, space, dcpl=plist)
    kernel.write(h5py.h5s.ALL, h5py.h5s.ALL, KERNEL.astype(F32))


def _integers(file: Any, path: str) -> None:
    del file[path]
    file.create_dataset(path, data=np.ones((2, 3), dtype=np.int64))


def _a_group(file: Any, path: str) -> None:
    del file[path]
    file.create_group(path)


EDITS = {
    "virtual": (_virtual, ": is a virtual dataset (its values come from elsewhere); not read"),
    "external-link": (_external_link, ": is an external link to /kernel in 'other.h5'"),
    "soft-link-out": (_soft_link_out, "/outside: is an external link to /kernel in 'other.h5'"),
    "soft-link-loop": (_soft_link_loop, "/loop: more than 16 soft links in a row"),
    "external-storage": (_external_storage, ": keeps its values in external files; not read"),
    "never-written": (_never_written, ": has values never written"),
    "huge": (_huge, ": declares 1000000x1000000 values, more than the 67,108,864"),
    "plugin-filter": (_plugin_filter, ": is written with the HDF5 filter 32099, not one built"),
    "integers": (_integers, ": holds int64 values; weights must be floats"),
    "group": (_a_group, ": is not a dataset"),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("edit", list(EDITS))
def test_a_keras_kernel_not_stored_in_the_file_is_refused_by_name(
    tmp_path: Path, layout: str, edit: str
) -> None:
    change, message = EDITS[edit]
    (tmp_path / "raw.bin").write_bytes(KERNEL.astype("<f4").tobytes())  # for external storage
    model = keras_model(tmp_path, layout, hdf5_weights(layout, change))
    place = "/" + KERNEL_PATH[layout] if edit not in ("soft-link-out", "soft-link-loop") else ""
    inner = ": model.weights.h5" if layout == "keras" else ""
    check_model_refused(model, f"{model}{inner}: {place}" if place else message, tmp_path)
    check_model_refused(model, message, tmp_path)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (sequential("oops"), "layer 1 of the config is text, not a layer (an object)"),
        (sequential(SIMPLE_RNN, 7), "layer 2 of the config is a number, not a layer"),
        (sequential({"class_name": 3}), "layer 1 of the config: class_name is a number, not text"),
        (sequential({"config": {}}), "layer 1 of the config has no class_name"),
        (
            sequential({"class_name": "SimpleRNN", "config": []}),
            "layer 1 of the config (SimpleRNN): its config is a list, not an object",
        ),
        (
            sequential({"class_name": "SimpleRNN", "config": {"name": {"a": 1}}}),
            "layer 1 of the config (SimpleRNN): name is an object, not text",
        ),
        (
            sequential({"class_name": "SimpleRNN", "config": {"return_sequences": "yes"}}),
            "layer 'SimpleRNN': return_sequences is text, not true or false",
        ),
        (
            sequential({"class_name": "Bidirectional", "config": {"name": "b", "layer": "LSTM"}}),
            "the layer inside 'b' is text, not a layer (an object)",
        ),
        (
            sequential({"class_name": "SimpleRNN", "config": {"activation": {"config": 5}}}),
            "layer 'SimpleRNN': the activation",
        ),
        ({"class_name": "Sequential", "config": "layers"}, "its config holds no list of layers"),
        (["not", "an", "object"], "its config holds no list of layers"),
        (
            '{"class_name": "Sequential", "config": {"layers": [], "layers": []}}',
            'its model config: the key "layers" appears twice',
        ),
        (
            '{"class_name": "Sequential", "config": {"layers": [], "deep": '
            + "[" * 100
            + "]" * 100
            + "}}",
            "its model config: nests more than 64 levels deep",
        ),
        ("[" * 100_000 + "]" * 100_000, "its model config: nests more than 64 levels deep"),
        ("{not json", "its model config: is not JSON"),
    ],
    ids=lambda value: str(value)[:30],
)
def test_a_keras_config_of_the_wrong_shape_is_refused(
    tmp_path: Path, config: Any, message: str
) -> None:
    model = keras_model(tmp_path, "keras", hdf5_weights("keras"), config)
    check_model_refused(model, message, tmp_path)


def test_a_legacy_model_config_that_is_not_text_is_refused(tmp_path: Path) -> None:
    def numeric_config(file: Any, _: str) -> None:
        file.attrs["model_config"] = np.arange(3)

    model = keras_model(tmp_path, "legacy", hdf5_weights("legacy", numeric_config))
    check_model_refused(model, "its model config is not JSON text", tmp_path)


def test_a_zip_naming_a_member_twice_is_refused(tmp_path: Path) -> None:
    model = keras_model(tmp_path, "keras", hdf5_weights("keras"))
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(model, "a") as zip_:
        zip_.writestr("config.json", json.dumps(sequential(SIMPLE_RNN)))
    check_model_refused(model, "the archive holds 'config.json' more than once", tmp_path)


# -- safetensors -----------------------------------------------------------------------


def safetensors_text(header: str, body: bytes) -> bytes:
    text = header.encode()
    return struct.pack("<Q", len(text)) + text + body


ENTRY = '"weight_ih_l0": {"dtype": "F32", "shape": [2, 1], "data_offsets": [0, 8]}'


@pytest.mark.parametrize(
    ("header", "body", "message"),
    [
        ("{" + ENTRY + ", " + ENTRY + "}", bytes(8), 'the key "weight_ih_l0" appears twice'),
        (
            '{"weight_ih_l0": {"dtype": "F32", "shape": [4294967296, 4294967296], '
            '"data_offsets": [0, 0]}}',
            b"",
            "tensor 'weight_ih_l0': declares 4294967296x4294967296 values, more than the",
        ),
        (
            '{"weight_ih_l0": {"dtype": "F32", "shape": [' + "1" + "0" * 30 + "], "
            '"data_offsets": [0, 0]}}',
            b"",
            "tensor 'weight_ih_l0': declares 1e+30 values, more than the 67,108,864",
        ),
        (
            '{"w": {"dtype": "F32", "shape": [2, -1], "data_offsets": [0, 8]}}',
            bytes(8),
            "tensor 'w': its shape [2, -1] is not a list of sizes >= 0",
        ),
        (
            '{"w": {"dtype": "F32", "shape": [2, 1.5], "data_offsets": [0, 8]}}',
            bytes(8),
            "tensor 'w': its shape [2, 1.5] is not a list of sizes >= 0",
        ),
        (
            '{"w": {"dtype": "F32", "shape": [true, 2], "data_offsets": [0, 8]}}',
            bytes(8),
            "tensor 'w': its shape [True, 2] is not a list of sizes >= 0",
        ),
        (
            '{"w": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}',
            bytes(8),
            "'w''s data_offsets [8, 0] end before they begin",
        ),
        (
            '{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8.0]}}',
            bytes(8),
            "'w' has malformed data_offsets",
        ),
        (
            '{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, '
            '"b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}}',
            bytes(12),
            "bytes 4 to 8 between 'a' and 'b' are no tensor's",
        ),
        (
            '{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}',
            bytes(8),
            "its tensors do not fill the data after the header",
        ),
        ('{"__metadata__": 0}', b"", "__metadata__ must map names to strings"),
        ("[" * 50_000 + "]" * 50_000, b"", "its safetensors header: nests more than 64 levels"),
    ],
    ids=[
        "twice",
        "wraps",
        "overflows",
        "negative",
        "fraction",
        "bool",
        "backwards",
        "float-offset",
        "gap",
        "short",
        "metadata",
        "deep",
    ],
)
def test_a_hostile_safetensors_header_is_refused(
    tmp_path: Path, header: str, body: bytes, message: str
) -> None:
    model = tmp_path / "bad.safetensors"
    model.write_bytes(safetensors_text(header, body))
    check_model_refused(model, message, tmp_path)


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ({"rnncli.activation": "{oops"}, "metadata rnncli.activation: is not JSON"),
        ({"rnncli.activation": '{"name": "nope"}'}, "is not an activation rnncli knows"),
        ({"rnncli.activation": "[1]"}, "is not an activation rnncli knows"),
        ({"rnncli.h0": "[[1], [1, 2]]"}, "metadata rnncli.h0 is not a matrix"),
        ({"rnncli.h0": "[" * 10_000 + "]" * 10_000}, "metadata rnncli.h0: nests more than 64"),
        ({"rnncli.bias": "three"}, "metadata rnncli.bias is 'three', expected two or one"),
    ],
    ids=["json", "name", "list", "ragged", "deep", "bias"],
)
def test_hostile_rnncli_metadata_is_refused(
    tmp_path: Path, metadata: dict[str, str], message: str
) -> None:
    from rnncli.models.torch.safetensors import safetensors_bytes

    tensors = {
        "rnn.weight_ih_l0": KERNEL.T,
        "rnn.weight_hh_l0": RECURRENT.T,
        "rnn.bias_ih_l0": BIAS,
        "rnn.bias_hh_l0": np.zeros(3),
    }
    model = tmp_path / "meta.safetensors"
    model.write_bytes(safetensors_bytes(tensors, metadata))
    check_model_refused(model, message, tmp_path)


def test_one_bias_of_a_pair_missing_is_refused(tmp_path: Path) -> None:
    from rnncli.models.torch.safetensors import safetensors_bytes

    tensors = {"weight_ih_l0": KERNEL.T, "weight_hh_l0": RECURRENT.T, "bias_ih_l0": BIAS}
    model = tmp_path / "half.safetensors"
    model.write_bytes(safetensors_bytes(tensors, {}))
    check_model_refused(model, "*_l0: holds one of bias_ih and bias_hh without the other", tmp_path)


# -- .pt: the pickle inside a torch.save zip ---------------------------------------------


def torch_zip(pickled: bytes, members: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("m/data.pkl", pickled)
        archive.writestr("m/version", "3\n")
        for name, data in (members or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def nested_dicts(depth: int) -> bytes:
    """{'a': {'a': ... {}}} `depth` dicts deep, written as pickle opcodes: the dicts and
    keys pushed, then each set into the one below it (SETITEM), outermost last."""
    key = b"X\x01\x00\x00\x00a"  # BINUNICODE 'a'
    return b"\x80\x02" + (b"}" + key) * (depth - 1) + b"}" + b"s" * (depth - 1) + b"."


def rebuilt_tensor(numel: int, size: tuple[int, ...], stride: tuple[int, ...]) -> bytes:
    """{'weight_ih_l0': _rebuild_tensor_v2(storage 0 of `numel` floats, 0, size, stride)}."""

    def ints(values: tuple[int, ...]) -> bytes:  # a tuple of BININT / LONG1 values
        out = b"("
        for n in values:
            data = n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True)
            out += b"\x8a" + bytes([len(data)]) + data  # LONG1
        return out + b"t"

    storage = (
        b"(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpu"
    )
    storage += ints((numel,))[1:-1] + b"tQ"  # the persistent id tuple, BINPERSID
    return (
        b"\x80\x02}X\x0c\x00\x00\x00weight_ih_l0ctorch._utils\n_rebuild_tensor_v2\n("
        + storage
        + ints((0,))[1:-1]
        + ints(size)
        + ints(stride)
        + b"tRs."
    )


def test_the_tensor_pickle_written_here_reads(tmp_path: Path) -> None:
    # the opcodes of rebuilt_tensor make a real tensor (the builder is tested, not trusted)
    from rnncli.models.torch.safe_pickle import load_state_dict

    values = np.arange(6, dtype="<f4")
    data = torch_zip(rebuilt_tensor(6, (2, 3), (3, 1)), {"m/data/0": values.tobytes()})
    loaded = load_state_dict(data, "t.pt", 2**20)
    np.testing.assert_array_equal(loaded["weight_ih_l0"], values.reshape(2, 3))


@pytest.mark.parametrize(
    ("pickled", "members", "message"),
    [
        (nested_dicts(10_000), {}, "model.pt: its dicts nest more than 64 levels deep"),
        (
            rebuilt_tensor(6, (10**6, 10**6), (10**6, 1)),
            {"m/data/0": bytes(24)},
            "tensor 1 of the pickle: declares 1000000x1000000 values, more than the",
        ),
        (
            rebuilt_tensor(6, (10**5, 10**5), (0, 0)),
            {"m/data/0": bytes(24)},
            "declares 100000x100000 values",
        ),
        (
            rebuilt_tensor(6, (2, 3), (0, 0)),
            {"m/data/0": bytes(24)},
            "a tensor of size [2, 3] with strides [0, 0] is not stored row by row",
        ),
        (
            rebuilt_tensor(10**12, (2, 3), (3, 1)),
            {"m/data/0": bytes(24)},
            "storage 0 holds 6 values where its record says 1000000000000",
        ),
        (b"\x80\x02N" + b"\x85" * (5 * 2**20) + b".", {}, "unpacks to more than 4194304 bytes"),
    ],
    ids=["deep", "huge", "zero-strides", "strided", "numel", "big-pickle"],
)
def test_a_hostile_pickle_is_refused(
    tmp_path: Path, pickled: bytes, members: dict[str, bytes], message: str
) -> None:
    model = tmp_path / "model.pt"
    model.write_bytes(torch_zip(pickled, members))
    check_model_refused(model, message, tmp_path)


# -- ONNX ----------------------------------------------------------------------------------


def onnx_rnn(
    extra_nodes: list[Any] | None = None, initial_h: str = "", dtype: Any = np.float64
) -> Any:
    """An ONNX RNN (I = 2, H = 3) of the Keras weights above (W = K^T, R = R^T, B = [b, 0]),
    with `extra_nodes` before it and `initial_h` as its input 5."""
    from onnx import TensorProto, helper, numpy_helper

    kind = TensorProto.DOUBLE if dtype == np.float64 else TensorProto.FLOAT

    inputs = ["x", "W", "R", "B", "", initial_h] if initial_h else ["x", "W", "R", "B"]
    nodes = [
        *(extra_nodes or []),
        helper.make_node("RNN", inputs, ["Y"], hidden_size=3, name="rnn"),
        helper.make_node("Squeeze", ["Y", "axes"], ["y"]),
    ]
    weights = {
        "W": KERNEL.T[None].astype(dtype),
        "R": RECURRENT.T[None].astype(dtype),
        "B": np.concatenate([BIAS, np.zeros(3)])[None].astype(dtype),
        "axes": np.array([1]),
    }
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", kind, ["T", 1, 2])],
        [helper.make_tensor_value_info("y", kind, None)],
        [numpy_helper.from_array(value, name) for name, value in weights.items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def save_onnx(model: Any, path: Path) -> Path:
    path.write_bytes(model.SerializeToString())
    return path


def big_constant(output: str) -> list[Any]:
    from onnx import helper, numpy_helper

    shape = numpy_helper.from_array(np.array([640, 1024, 1024], dtype=np.int64), "shape")
    return [
        helper.make_node("Constant", [], ["shape"], value=shape, name="the_shape"),
        helper.make_node("ConstantOfShape", ["shape"], [output], name="big"),
    ]


def peak_memory_of(*args: str) -> tuple[int, int]:
    """`rnncli ARGS` in a process of its own: its exit code and peak memory in bytes."""
    probe = (
        "import resource, subprocess, sys\n"
        "code = subprocess.run(sys.argv[1:], capture_output=True).returncode\n"
        "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, sys.executable, "-m", "rnncli", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    code, kib = done.stdout.split()
    return int(code), int(kib) * 1024


def test_an_unused_constant_of_640_mebivalues_costs_no_memory(tmp_path: Path) -> None:
    reference_module("onnx")
    model = save_onnx(onnx_rnn(big_constant("unused")), tmp_path / "small.onnx")
    assert model.stat().st_size < 2048
    np.testing.assert_allclose(forward_h(model), expected_h(), rtol=0, atol=1e-12)
    code, peak = peak_memory_of("inspect", str(model))
    assert code == 0
    assert peak < 1024 * 2**20  # 640x1024x1024 float32 alone would be 2.5 GiB


def test_a_used_constant_over_the_bound_is_refused_before_it_is_made(tmp_path: Path) -> None:
    reference_module("onnx")
    model = save_onnx(onnx_rnn(big_constant("h0"), initial_h="h0"), tmp_path / "big.onnx")
    check_model_refused(
        model,
        "node 'big' (ConstantOfShape): declares 640x1024x1024 values, more than the 67,108,864",
        tmp_path,
    )


def test_a_long_chain_to_the_initial_state_reads_without_recursion(tmp_path: Path) -> None:
    from onnx import helper, numpy_helper

    zeros = numpy_helper.from_array(np.zeros((1, 1, 3)), "zero")
    chain = [helper.make_node("Constant", [], ["s0"], value=zeros)]
    chain += [helper.make_node("Identity", [f"s{i}"], [f"s{i + 1}"]) for i in range(1500)]
    model = save_onnx(onnx_rnn(chain, initial_h="s1500"), tmp_path / "chain.onnx")
    np.testing.assert_allclose(forward_h(model), expected_h(), rtol=0, atol=1e-12)


def test_an_initializer_declaring_more_than_the_bound_is_refused(tmp_path: Path) -> None:
    from onnx import TensorProto, helper

    model = onnx_rnn()
    W = next(t for t in model.graph.initializer if t.name == "W")
    W.CopyFrom(helper.make_tensor("W", TensorProto.DOUBLE, [1, 3, 2], [0.0] * 6))
    del W.dims[:]
    W.dims.extend([2**32, 2**32, 2])  # numpy's int64 product would wrap to 0
    check_model_refused(
        save_onnx(model, tmp_path / "w.onnx"),
        "w.onnx: W: declares 4294967296x4294967296x2",
        tmp_path,
    )


def test_an_external_data_location_with_a_nul_byte_is_refused(tmp_path: Path) -> None:
    from onnx import TensorProto

    model = onnx_rnn()
    W = next(t for t in model.graph.initializer if t.name == "W")
    W.ClearField("raw_data")
    W.data_location = TensorProto.EXTERNAL
    W.external_data.add(key="location", value="w\x00.data")
    check_model_refused(
        save_onnx(model, tmp_path / "nul.onnx"),
        "nul.onnx: W: its external data file 'w\\x00.data' is not a bare file name",
        tmp_path,
    )


def test_external_data_declaring_more_than_the_bound_is_refused(tmp_path: Path) -> None:
    from onnx import TensorProto

    (tmp_path / "w.data").write_bytes(bytes(48))
    model = onnx_rnn()
    W = next(t for t in model.graph.initializer if t.name == "W")
    W.ClearField("raw_data")
    del W.dims[:]
    W.dims.extend([2**32, 2**32])
    W.data_location = TensorProto.EXTERNAL
    W.external_data.add(key="location", value="w.data")
    W.external_data.add(key="length", value="0")
    check_model_refused(
        save_onnx(model, tmp_path / "ext.onnx"),
        "ext.onnx: W: declares 4294967296x4294967296",
        tmp_path,
    )


def test_a_constant_node_with_external_data_is_refused(tmp_path: Path) -> None:
    from onnx import TensorProto, helper, numpy_helper

    value = numpy_helper.from_array(np.zeros((1, 1, 3)), "v")
    value.ClearField("raw_data")
    value.data_location = TensorProto.EXTERNAL
    value.external_data.add(key="location", value="/etc/passwd")
    node = helper.make_node("Constant", [], ["h0"], value=value)
    model = save_onnx(onnx_rnn([node], initial_h="h0"), tmp_path / "c.onnx")
    check_model_refused(model, "c.onnx: h0: external data is read for initializers only", tmp_path)


def test_an_attribute_of_the_wrong_kind_is_refused(tmp_path: Path) -> None:
    model = onnx_rnn()
    rnn = next(n for n in model.graph.node if n.op_type == "RNN")
    from onnx import helper

    rnn.attribute.append(helper.make_attribute("direction", "sideways"))
    check_model_refused(
        save_onnx(model, tmp_path / "d.onnx"),
        "node 'rnn' (RNN): the direction 'sideways' is not one ONNX has",
        tmp_path,
    )
    rnn.attribute.pop()
    rnn.attribute.append(helper.make_attribute("clip", "high"))
    check_model_refused(
        save_onnx(model, tmp_path / "d.onnx"), "is not an ONNX model this reads (", tmp_path
    )


def test_the_onnx_written_here_runs_to_its_numbers(tmp_path: Path) -> None:
    ort = reference_module("onnxruntime")
    model = save_onnx(onnx_rnn(dtype=np.float32), tmp_path / "rnn32.onnx")
    (y,) = ort.InferenceSession(str(model)).run(None, {"x": X[:, None].astype(np.float32)})
    np.testing.assert_allclose(forward_h(model), y[:, 0], rtol=0, atol=1e-6)
    model = save_onnx(onnx_rnn(), tmp_path / "rnn.onnx")
    np.testing.assert_allclose(forward_h(model), expected_h(), rtol=0, atol=1e-12)


def test_the_readme_states_the_bound_on_weights() -> None:
    from rnncli.io.files import MAX_WEIGHT_VALUES
    from tests.conftest import ROOT

    readme = " ".join((ROOT / "README.md").read_text("utf-8").split())
    assert f"may hold at most {MAX_WEIGHT_VALUES:,} values" in readme


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def test_an_onnx_graph_nested_a_thousand_deep_is_refused(tmp_path: Path) -> None:
    reference_module("onnx")
    graph = b""
    for _ in range(1000):  # If(then_branch = the graph so far), written as protobuf bytes
        attribute = _field(1, b"then_branch") + _field(6, graph) + _varint(20 << 3) + _varint(5)
        graph = _field(1, _field(4, b"If") + _field(5, attribute))
    model = tmp_path / "deep.onnx"
    model.write_bytes(_varint(1 << 3) + _varint(8) + _field(7, graph))
    check_model_refused(model, "deep.onnx: is not a valid ONNX model", tmp_path)
