"""`import` and `export`: a model file to a config, and a config to a model file."""

from __future__ import annotations

from pathlib import Path, PurePath

from rnncli.errors import RnnCliError
from rnncli.io.files import source_name
from rnncli.io.output_files import check_run_files, output_stream
from rnncli.models.config.write import network_yaml
from rnncli.models.form import Stated, from_network, to_network
from rnncli.models.read import files_read_with, read_model

EXPORT_EXTENSIONS = {"onnx": ".onnx", "safetensors": ".safetensors"}


def _check_new(output: str | None, force: bool) -> None:
    if output is not None and output != "-" and Path(output).is_file() and not force:
        raise RnnCliError(f"{output}: already exists; add --force to replace it")


def import_model(
    path: str,
    output: str | None,
    force: bool,
    cell: str | None = None,
    activation: str | None = None,
    recurrent_activation: str | None = None,
    output_layer: str | None = None,
) -> None:
    """Write the config of the model file at `path`, its header naming where what the
    file does not record came from, and every conversion. The options state what the
    file cannot say (None where not given): the cell it must hold, f and σ by name, and
    a state_dict's prefix of the nn.Linear after the RNN."""
    check_run_files([("-o", output)], files_read_with("the model", path))
    _check_new(output, force)
    stated = Stated(
        cell=cell,
        activation=activation,
        recurrent_activation=recurrent_activation,
        output_layer=output_layer,
    )
    form = read_model(path, stated)
    net = to_network(form)
    header = [
        f"rnncli network imported from {PurePath(source_name(path)).name}",
        f"format: {form.format}",
        *form.origins,
        *(f"conversion: {note}" for note in form.notes),
    ]
    with output_stream(output) as out:
        out.write(network_yaml(net, header))


def export_model(config: str, target: str, output: str | None, force: bool, opset: int) -> None:
    """Write the network of `config` as an ONNX model or a safetensors state_dict."""
    from rnncli.models.read import load_config

    if output is None:
        output = str(PurePath(source_name(config)).with_suffix(EXPORT_EXTENSIONS[target]).name)
    check_run_files([("-o", output)], [("the config", config)])
    _check_new(output, force)
    form = from_network(load_config(config), source_name(config))
    if target == "onnx":
        from rnncli.models.onnx.write import onnx_bytes

        data = onnx_bytes(form, opset)
    else:
        from rnncli.models.torch.export import state_dict_bytes

        data = state_dict_bytes(form)
    with output_stream(output) as out:
        out.flush()
        out.buffer.write(data)
