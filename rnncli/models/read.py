"""Model files by extension: which reader reads which file, and the package it needs.

    .onnx                 ONNX (onnx)             onnx/read
    .safetensors          a PyTorch state_dict    torch/safetensors, torch/state_dict
    .pt / .pth            a PyTorch state_dict    torch/safe_pickle, torch/state_dict
    .keras / .h5          Keras 3 (h5py)          keras/read

Every file is read whole, at most files.MAX_CONFIG_BYTES, before any parsing.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path, PurePath

from rnncli.cells.activations import Activation
from rnncli.core.network import Network
from rnncli.errors import RnnCliError
from rnncli.io.files import MAX_CONFIG_BYTES, read_bytes, source_name
from rnncli.models.form import ModelForm, Stated, to_network

#: Extension -> (the format's name, the package its reader needs or None).
MODEL_FORMATS = {
    ".onnx": ("ONNX", "onnx"),
    ".safetensors": ("safetensors", None),
    ".pt": ("PyTorch state_dict", None),
    ".pth": ("PyTorch state_dict", None),
    ".keras": ("Keras", "h5py"),
    ".h5": ("Keras HDF5", "h5py"),
}
EXTRA_HINT = "pip install 'rnncli[models]'"


def model_extension(path: str) -> str | None:
    """The model-file extension of `path`, or None for a config (or anything else)."""
    suffix = PurePath(path).suffix.lower()
    return suffix if suffix in MODEL_FORMATS else None


def known_extensions() -> str:
    return ", ".join(MODEL_FORMATS)


def read_model(path: str, stated: Stated | None = None) -> ModelForm:
    """The model in the file at `path`, in the one form every reader gives; `stated`
    (import's options) checked against it or read where the file cannot say."""
    stated = stated or Stated()
    extension = model_extension(path)
    source = source_name(path)
    if extension is None:
        raise RnnCliError(
            f"{source}: is not a model file this reads; the extensions known are "
            f"{known_extensions()}"
        )
    format_name, package = MODEL_FORMATS[extension]
    if package is not None and importlib.util.find_spec(package) is None:
        raise RnnCliError(
            f"{source}: reading a {format_name} file needs the {package} package: {EXTRA_HINT}"
        )
    data = read_bytes(path, "model", MAX_CONFIG_BYTES, text=False)
    if extension in (".keras", ".h5"):
        from rnncli.models.keras.read import keras_form

        form = keras_form(data, source, extension, stated)
    else:
        stated.refuse_activations(source, recorded=extension == ".onnx")
        form = _other_form(data, source, extension, format_name, stated, Path(path).parent)
    stated.check_cell(form)
    return form


def _other_form(
    data: bytes, source: str, extension: str, format_name: str, stated: Stated, folder: Path
) -> ModelForm:
    """An ONNX model (its external data from `folder`, the model file's) or a PyTorch
    state_dict (.safetensors, .pt, .pth)."""
    if extension == ".onnx":
        from rnncli.models.onnx.read import onnx_form

        return onnx_form(data, source, folder)
    from rnncli.models.torch.state_dict import flat_tensors, state_dict_form

    if extension == ".safetensors":
        from rnncli.models.torch.safetensors import read_safetensors

        tensors, metadata = read_safetensors(data, source)
    else:
        from rnncli.models.torch.safe_pickle import load_state_dict

        tensors, metadata = (
            flat_tensors(load_state_dict(data, source, MAX_CONFIG_BYTES), source),
            {},
        )
    activation = Activation.named(stated.activation) if stated.activation else None
    return state_dict_form(tensors, metadata, source, format_name, activation, stated.output_layer)


def files_read_with(what: str, path: str | None) -> list[tuple[str, str | None]]:
    """`path` as an input of a run, and beside an ONNX model every external data file it
    names in its own folder: the files a run reads for this model. A file that cannot be
    read or parsed adds nothing here; reading it later says why."""
    named: list[tuple[str, str | None]] = [(what, path)]
    if path is None or model_extension(path) != ".onnx" or importlib.util.find_spec("onnx") is None:
        return named
    try:
        data = read_bytes(path, "model", MAX_CONFIG_BYTES, text=False)
    except RnnCliError:
        return named
    import onnx

    from rnncli.models.onnx.external import external_data_names

    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except Exception:  # protobuf's DecodeError, or any other parse failure
        return named
    folder = Path(path).parent
    for name in external_data_names(model):
        if "\x00" not in name and PurePath(name).name == name and name not in (".", ".."):
            named.append((f"{what} {path}'s external data", str(folder / name)))
    return named


def load_model_network(path: str) -> Network:
    """The Network of the model file at `path`, as `-c` and `inspect` read it."""
    return to_network(read_model(path))


def load_config(path: str) -> Network:
    """The network in the file at `path` (`-` for standard input): a model file (ONNX,
    PyTorch, Keras) by its extension, else a YAML network config."""
    if model_extension(path) is not None:
        return load_model_network(path)
    from rnncli.models.config.read import read_config_file

    return read_config_file(path)
