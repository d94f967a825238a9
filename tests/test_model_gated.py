"""LSTM and GRU model files made by the frameworks themselves, run by rnncli to the
frameworks' numbers: nn.LSTM and nn.GRU state_dicts (.pt, .safetensors) in float64 to
1e-12, their torch.onnx graphs under ONNX Runtime and Keras LSTM and GRU models in float32
to 1e-5; then export and import round trips, and what each target refuses."""

from __future__ import annotations

import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from rnncli.cells.activations import Activation
from rnncli.cells.gru import GruCell
from rnncli.cells.kinds import CellOptions
from rnncli.cells.lstm import LstmCell
from rnncli.cli import app
from rnncli.core.network import Network
from rnncli.models.config.write import network_yaml
from rnncli.option_values import Direction
from tests.conftest import CASES, X, forward, name, outputs, reference_module, runner

torch = reference_module("torch")
ort = reference_module("onnxruntime")
reference_module("h5py")
safetensors_torch = reference_module("safetensors.torch")

KINDS = ["lstm", "gru"]


class Net(torch.nn.Module):
    def __init__(self, kind: str, L: int, bi: bool, head: bool, proj: int = 0) -> None:
        super().__init__()
        module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
        extra = {"proj_size": proj} if proj else {}
        self.rnn = module(3, 4, num_layers=L, bidirectional=bi, batch_first=True, **extra)
        size = (proj or 4) * (2 if bi else 1)
        self.fc = torch.nn.Linear(size, 2) if head else None

    def forward(self, x: Any) -> Any:
        y, _ = self.rnn(x)
        return y if self.fc is None else self.fc(y)


def tag(kind: str, case: tuple[int, bool, bool]) -> str:
    return f"{kind}_{name(case)}"


@pytest.fixture(scope="module")
def torch_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """For each kind and case: the state_dict as .pt and .safetensors, the torch.onnx
    export, and the float64 output over X; and an LSTM with proj_size 2."""
    folder = tmp_path_factory.mktemp("gated")
    torch.manual_seed(0)
    for kind in KINDS:
        for case in CASES:
            net = Net(kind, *case).eval()
            stem = folder / tag(kind, case)
            torch.save(net.state_dict(), f"{stem}.pt")
            safetensors_torch.save_file(net.state_dict(), f"{stem}.safetensors")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                torch.onnx.export(
                    net,
                    (torch.zeros(1, 6, 3),),
                    f"{stem}.onnx",
                    dynamo=False,
                    input_names=["x"],
                    output_names=["y"],
                    dynamic_axes={"x": {0: "N", 1: "T"}},
                )
            with torch.no_grad():
                np.save(f"{stem}.npy", net.double()(torch.tensor(X[None]))[0].numpy())
    net = Net("lstm", 2, True, True, proj=2).eval()
    torch.save({"model": net.state_dict(), "epoch": 3}, folder / "projected.pt")
    with torch.no_grad():
        np.save(folder / "projected.npy", net.double()(torch.tensor(X[None]))[0].numpy())
    return folder


@pytest.mark.parametrize("case", CASES, ids=name)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("extension", [".pt", ".safetensors"])
def test_an_lstm_or_gru_state_dict_runs_to_torch_in_float64(
    torch_files: Path, kind: str, case: tuple[int, bool, bool], extension: str
) -> None:
    document = forward(torch_files / f"{tag(kind, case)}{extension}", torch_files)
    expected = np.load(torch_files / f"{tag(kind, case)}.npy")
    np.testing.assert_allclose(outputs(document), expected, rtol=0, atol=1e-12)


def test_an_lstm_with_a_projection_runs_to_torch(torch_files: Path) -> None:
    document = forward(torch_files / "projected.pt", torch_files)
    expected = np.load(torch_files / "projected.npy")
    np.testing.assert_allclose(outputs(document), expected, rtol=0, atol=1e-12)
    header = runner.invoke(app, ["import", str(torch_files / "projected.pt")]).stdout
    assert "# conversion: PyTorch state_dict: nn.LSTM's weight_hr (proj_size) taken as W_hr" in (
        header.splitlines()
    )


@pytest.mark.parametrize("case", CASES, ids=name)
@pytest.mark.parametrize("kind", KINDS)
def test_a_torch_onnx_lstm_or_gru_runs_to_onnx_runtime(
    torch_files: Path, kind: str, case: tuple[int, bool, bool]
) -> None:
    model = torch_files / f"{tag(kind, case)}.onnx"
    (y,) = ort.InferenceSession(str(model)).run(None, {"x": X[None].astype(np.float32)})
    document = forward(model, torch_files, "--dtype", "float32")
    np.testing.assert_allclose(outputs(document), y[0], rtol=0, atol=1e-5)


@pytest.fixture(scope="module")
def keras_files(tmp_path_factory: pytest.TempPathFactory, keras: ModuleType) -> Path:
    """Keras LSTM and GRU models (stacked with a Dense head; Bidirectional; a reset-before
    GRU; hard_sigmoid gates) with random weights and biases, and their float32 outputs."""
    folder = tmp_path_factory.mktemp("keras_gated")
    layers = keras.layers
    models = {
        "lstm_stacked": [
            layers.LSTM(4, return_sequences=True),
            layers.LSTM(4, return_sequences=True),
            layers.Dense(2, activation="softmax"),
        ],
        "lstm_bidirectional": [
            layers.Bidirectional(
                layers.LSTM(4, return_sequences=True, recurrent_activation="hard_sigmoid")
            ),
        ],
        "gru_stacked": [
            layers.GRU(4, return_sequences=True),
            layers.GRU(4, return_sequences=True),
            layers.Dense(2),
        ],
        "gru_reset_before": [
            layers.Bidirectional(layers.GRU(4, return_sequences=True, reset_after=False)),
            layers.Bidirectional(layers.GRU(4, return_sequences=True, reset_after=False)),
        ],
    }
    rng = np.random.default_rng(1)
    for stem, stack in models.items():
        model = keras.Sequential([keras.Input((None, 3)), *stack])
        for weight in model.weights:  # biases too, so that every one of them counts
            weight.assign(rng.normal(size=weight.shape) * 0.5)
        model.save(folder / f"{stem}.keras")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.save(folder / f"{stem}.h5")
        np.save(folder / f"{stem}.npy", model.predict(X[None].astype(np.float32), verbose=0)[0])
    keras.backend.clear_session()  # layer names such as "dense" start again for other tests
    return folder


@pytest.mark.parametrize(
    "stem", ["lstm_stacked", "lstm_bidirectional", "gru_stacked", "gru_reset_before"]
)
@pytest.mark.parametrize("extension", [".keras", ".h5"])
def test_a_keras_lstm_or_gru_runs_to_keras(keras_files: Path, stem: str, extension: str) -> None:
    document = forward(keras_files / f"{stem}{extension}", keras_files, "--dtype", "float32")
    expected = np.load(keras_files / f"{stem}.npy")
    np.testing.assert_allclose(outputs(document), expected, rtol=0, atol=1e-5)


def test_keras_and_onnx_imports_name_the_gate_reorder(keras_files: Path, torch_files: Path) -> None:
    keras_header = runner.invoke(app, ["import", str(keras_files / "gru_stacked.keras")]).stdout
    assert (
        "# conversion: Keras GRU: gate blocks reordered from z,r,h to r,z,n; the bias's two "
        "rows are b_xh, b_hh"
    ) in keras_header.splitlines()
    onnx_header = runner.invoke(app, ["import", str(torch_files / "lstm_L1fw.onnx")]).stdout
    assert (
        "# conversion: ONNX LSTM: gate blocks reordered from i,o,f,c to i,f,g,o; B split into "
        "b_xh, b_hh"
    ) in onnx_header.splitlines()


def strip(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith("#")]


@pytest.mark.parametrize("case", CASES, ids=name)
@pytest.mark.parametrize("kind", KINDS)
def test_an_lstm_or_gru_exports_to_torch_and_onnx_and_imports_back_bit_for_bit(
    torch_files: Path, kind: str, case: tuple[int, bool, bool], tmp_path: Path
) -> None:
    config = tmp_path / "net.yaml"
    result = runner.invoke(
        app, ["import", str(torch_files / f"{tag(kind, case)}.pt"), "-o", str(config)]
    )
    assert result.exit_code == 0, result.stderr
    document = forward(config, tmp_path)
    for target in ("onnx", "safetensors"):
        model = tmp_path / f"net.{target}"
        result = runner.invoke(app, ["export", str(config), "--to", target, "-o", str(model)])
        assert result.exit_code == 0, result.stderr
        back = runner.invoke(app, ["import", str(model)])
        assert back.exit_code == 0, back.stderr
        assert strip(back.stdout) == strip(config.read_text())
    found = ort.InferenceSession(str(tmp_path / "net.onnx")).run(
        None, {"x": X[None].astype(np.float32)}
    )
    np.testing.assert_allclose(found[0][0], outputs(document), atol=1e-5)
    np.testing.assert_allclose(np.ravel(found[1][:, 0]), np.ravel(document["h_n"]), atol=1e-5)
    if kind == "lstm":
        np.testing.assert_allclose(np.ravel(found[2][:, 0]), np.ravel(document["c_n"]), atol=1e-5)
    net = Net(kind, *case).double()
    net.load_state_dict(safetensors_torch.load_file(str(tmp_path / "net.safetensors")))
    with torch.no_grad():
        expected = net(torch.tensor(X[None]))[0].numpy()
    np.testing.assert_allclose(expected, outputs(document), rtol=0, atol=1e-12)


def float32_exact(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.normal(size=shape).astype(np.float32).astype(np.float64)


def onnx_only_network(kind: str, rng: np.random.Generator) -> Network:
    """A two-layer bidirectional network with what only ONNX runs: an LSTM with
    peepholes, clip, input_forget, hard_sigmoid gates, a relu state activation and h0,
    c0; a reset-before GRU with leaky_relu. Every number is float32-exact."""
    H, D = 3, 2
    G = 4 if kind == "lstm" else 3

    def cell(inputs: int) -> LstmCell | GruCell:
        stacked = (
            float32_exact(rng, G * H, inputs),
            float32_exact(rng, G * H, H),
            float32_exact(rng, G * H),
            float32_exact(rng, G * H),
        )
        if kind == "lstm":
            return LstmCell(
                *stacked,
                CellOptions(
                    recurrent_activation=Activation.named("hard_sigmoid", 0.25, 0.5),
                    state_activation=Activation("relu"),
                    clip=2.5,
                    input_forget=True,
                ),
                peepholes=float32_exact(rng, 3, H),
            )
        return GruCell(
            *stacked,
            CellOptions(activation=Activation.named("leaky_relu", 0.125), reset_after=False),
        )

    return Network(
        layers=tuple(tuple(cell(3 if k == 0 else D * H) for _ in range(D)) for k in range(2)),
        h0=float32_exact(rng, 2 * D, H),
        c0=float32_exact(rng, 2 * D, H) if kind == "lstm" else None,
        W_ho=float32_exact(rng, 2, D * H),
        b_o=float32_exact(rng, 2),
        output_activation=Activation("identity"),
        direction=Direction.BIDIRECTIONAL,
    )


@pytest.mark.parametrize("kind", KINDS)
def test_onnx_runs_what_torch_refuses_and_imports_it_back_bit_for_bit(
    kind: str, tmp_path: Path
) -> None:
    net = onnx_only_network(kind, np.random.default_rng(7))
    config = tmp_path / "net.yaml"
    config.write_text(network_yaml(net, []))
    document = forward(config, tmp_path, "--dtype", "float32")
    model = tmp_path / "net.onnx"
    result = runner.invoke(app, ["export", str(config), "--to", "onnx", "-o", str(model)])
    assert result.exit_code == 0, result.stderr
    found = ort.InferenceSession(str(model)).run(None, {"x": X[None].astype(np.float32)})
    np.testing.assert_allclose(found[0][0], outputs(document), atol=1e-5)
    if kind == "lstm":
        np.testing.assert_allclose(np.ravel(found[2][:, 0]), np.ravel(document["c_n"]), atol=1e-5)
    back = runner.invoke(app, ["import", str(model)])
    assert back.exit_code == 0, back.stderr
    assert strip(back.stdout) == strip(config.read_text())
    refused = runner.invoke(app, ["export", str(config), "--to", "safetensors"])
    assert refused.exit_code == 1
    expected = {
        "lstm": "rnncli: error: PyTorch's nn.LSTM cannot run a clip; export to ONNX instead",
        "gru": "rnncli: error: PyTorch's nn.GRU cannot run the activation "
        "leaky_relu(alpha=0.125) (it runs tanh); reset_after: false (it resets after "
        "W_hh^n); export to ONNX instead",
    }[kind]
    assert refused.stderr.strip() == expected
