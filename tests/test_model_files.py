"""Model files made by the frameworks themselves, run by rnncli to the frameworks' numbers:
PyTorch state_dicts (.pt, .safetensors) in float64 to 1e-12, torch.onnx graphs under ONNX
Runtime and Keras models in float32 to 1e-5; then export and import round trips."""

from __future__ import annotations

import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from rnncli.cli import app
from tests.conftest import CASES, X, forward, name, outputs, reference_module, runner

torch = reference_module("torch")
ort = reference_module("onnxruntime")
reference_module("h5py")
safetensors_torch = reference_module("safetensors.torch")


class Net(torch.nn.Module):
    def __init__(self, L: int, bi: bool, head: bool) -> None:
        super().__init__()
        self.rnn = torch.nn.RNN(3, 4, num_layers=L, bidirectional=bi, batch_first=True)
        self.fc = torch.nn.Linear(8 if bi else 4, 2) if head else None

    def forward(self, x: Any) -> Any:
        y, h_n = self.rnn(x)
        return (y if self.fc is None else self.fc(y)), h_n


@pytest.fixture(scope="module")
def torch_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """For each case: the module's state_dict as .pt and .safetensors, its torch.onnx
    export, and its float64 output over X."""
    folder = tmp_path_factory.mktemp("torch")
    torch.manual_seed(0)
    for case in CASES:
        net = Net(*case).eval()
        torch.save(net.state_dict(), folder / f"{name(case)}.pt")
        safetensors_torch.save_file(net.state_dict(), str(folder / f"{name(case)}.safetensors"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                net,
                (torch.zeros(1, 6, 3),),
                str(folder / f"{name(case)}.onnx"),
                dynamo=False,
                input_names=["x"],
                output_names=["y", "h_n"],
                dynamic_axes={"x": {0: "N", 1: "T"}},
            )
        with torch.no_grad():
            y, _ = net.double()(torch.tensor(X[None]))
        np.save(folder / f"{name(case)}.npy", y[0].numpy())
    return folder


@pytest.mark.parametrize("case", CASES, ids=name)
@pytest.mark.parametrize("extension", [".pt", ".safetensors"])
def test_a_torch_state_dict_runs_to_torch_in_float64(
    torch_files: Path, case: tuple[int, bool, bool], extension: str
) -> None:
    document = forward(torch_files / f"{name(case)}{extension}", torch_files)
    expected = np.load(torch_files / f"{name(case)}.npy")
    np.testing.assert_allclose(outputs(document), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=name)
def test_a_torch_onnx_export_runs_to_onnx_runtime(
    torch_files: Path, case: tuple[int, bool, bool]
) -> None:
    model = torch_files / f"{name(case)}.onnx"
    session = ort.InferenceSession(str(model))
    y, h_n = session.run(None, {"x": X[None].astype(np.float32)})
    document = forward(model, torch_files, "--dtype", "float32")
    np.testing.assert_allclose(outputs(document), y[0], rtol=0, atol=1e-5)
    np.testing.assert_allclose(np.ravel(document["h_n"]), np.ravel(h_n[:, 0]), atol=1e-5)


def test_an_nn_linear_is_found_by_name_and_the_activation_given(tmp_path: Path) -> None:
    torch.manual_seed(1)
    rnn, head = torch.nn.RNN(3, 4, nonlinearity="relu"), torch.nn.Linear(4, 2)
    state = {f"encoder.{k}": v for k, v in rnn.state_dict().items()}
    state |= {f"decoder.{k}": v for k, v in head.state_dict().items()}
    state |= {"other.weight": torch.zeros(5, 4)}  # fits by shape too: the name decides
    torch.save(state, tmp_path / "m.pt")
    result = runner.invoke(
        app,
        [
            "import",
            str(tmp_path / "m.pt"),
            "--activation",
            "relu",
            "--output-layer",
            "decoder",
            "-o",
            str(tmp_path / "m.yaml"),
        ],
    )
    assert result.exit_code == 0, result.stderr
    document = forward(tmp_path / "m.yaml", tmp_path)
    with torch.no_grad():
        y = head.double()(rnn.double()(torch.tensor(X))[0])
    np.testing.assert_allclose(outputs(document), y.numpy(), rtol=0, atol=1e-12)
    result = runner.invoke(app, ["import", str(tmp_path / "m.pt")])
    assert result.exit_code == 1
    assert "more than one layer could be the output layer" in result.stderr


@pytest.fixture(scope="module")
def keras_files(tmp_path_factory: pytest.TempPathFactory, keras: ModuleType) -> Path:
    folder = tmp_path_factory.mktemp("keras")
    keras.backend.clear_session()  # layer names ("dense", ...) start afresh in any order
    keras.utils.set_random_seed(0)
    layers = keras.layers
    models = {
        "stacked": [
            layers.SimpleRNN(4, return_sequences=True, activation="hard_sigmoid"),
            layers.SimpleRNN(4, return_sequences=True, activation="hard_sigmoid"),
            layers.Dense(2, activation="softmax"),
        ],
        "bidirectional": [
            layers.Bidirectional(layers.SimpleRNN(4, return_sequences=True)),
            layers.Bidirectional(layers.SimpleRNN(4, return_sequences=True)),
        ],
    }
    for tag, stack in models.items():
        model = keras.Sequential([keras.Input((None, 3)), *stack])
        model.save(folder / f"{tag}.keras")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.save(folder / f"{tag}.h5")
        np.save(folder / f"{tag}.npy", model.predict(X[None].astype(np.float32), verbose=0)[0])
    return folder


@pytest.mark.parametrize("tag", ["stacked", "bidirectional"])
@pytest.mark.parametrize("extension", [".keras", ".h5"])
def test_a_keras_model_runs_to_keras(keras_files: Path, tag: str, extension: str) -> None:
    document = forward(keras_files / f"{tag}{extension}", keras_files, "--dtype", "float32")
    np.testing.assert_allclose(outputs(document), np.load(keras_files / f"{tag}.npy"), atol=1e-5)


@pytest.mark.parametrize("case", CASES, ids=name)
def test_export_runs_in_the_target_and_imports_back_bit_for_bit(
    torch_files: Path, case: tuple[int, bool, bool], tmp_path: Path
) -> None:
    config = tmp_path / "net.yaml"
    result = runner.invoke(
        app, ["import", str(torch_files / f"{name(case)}.pt"), "-o", str(config)]
    )
    assert result.exit_code == 0, result.stderr
    ours = outputs(forward(config, tmp_path))
    for target in ("onnx", "safetensors"):
        model = tmp_path / f"net.{target}"
        result = runner.invoke(app, ["export", str(config), "--to", target, "-o", str(model)])
        assert result.exit_code == 0, result.stderr
        back = runner.invoke(app, ["import", str(model)])
        assert back.exit_code == 0, back.stderr
        strip = lambda text: [l for l in text.splitlines() if not l.startswith("#")]  # noqa: E731
        assert strip(back.stdout) == strip(config.read_text())
    y, _ = ort.InferenceSession(str(tmp_path / "net.onnx")).run(
        None, {"x": X[None].astype(np.float32)}
    )
    np.testing.assert_allclose(y[0], ours, atol=1e-5)
    net = Net(*case).double()
    net.load_state_dict(safetensors_torch.load_file(str(tmp_path / "net.safetensors")))
    with torch.no_grad():
        expected, _ = net(torch.tensor(X[None]))
    np.testing.assert_allclose(expected[0].numpy(), ours, rtol=0, atol=1e-12)


def test_import_names_the_source_and_each_conversion(keras_files: Path) -> None:
    result = runner.invoke(app, ["import", str(keras_files / "stacked.keras")])
    assert result.exit_code == 0, result.stderr
    header = [line for line in result.stdout.splitlines() if line.startswith("#")][:4]
    assert header[:2] == ["# rnncli network imported from stacked.keras", "# format: Keras"]
    assert "# conversion: Keras Dense 'dense': kernel transposed into W_ho" in header
