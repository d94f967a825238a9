"""The weights an ONNX model keeps in an external data file, read without trusting it.

torch.onnx.export keeps the weights of any model of some size in `model.onnx.data` next
to `model.onnx` (its default, external_data=True): each such initializer names the file
(`location`), and its `offset` and `length` in it. What a file may name is narrowed to
what an exporter writes, so that a model cannot make rnncli read something else:

- a bare file name (no folder, no `..`), in the model's own folder;
- a regular file, not a link, not a device;
- every tensor within the file, its length the size its shape and type give;
- at most files.MAX_CONFIG_BYTES read in all.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import onnx
from onnx import helper

from rnncli.errors import RnnCliError
from rnncli.io.files import MAX_CONFIG_BYTES
from rnncli.models.bounds import declared_count


def external_data_names(model: onnx.ModelProto) -> list[str]:
    """The file names `model`'s initializers give for their external data, as written
    (each checked only when it is read)."""
    names: list[str] = []
    for tensor in model.graph.initializer:
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            location = {entry.key: entry.value for entry in tensor.external_data}.get("location")
            if location and location not in names:
                names.append(location)
    return names


def read_external_data(model: onnx.ModelProto, folder: Path | None, source: str) -> None:
    """Load the external data of every initializer of `model` into it, in place.

    `folder`: where the model file is (None when it came from stdin: then a model with
    external data is refused)."""
    read = 0
    for tensor in model.graph.initializer:
        if tensor.data_location != onnx.TensorProto.EXTERNAL:
            continue
        entries = {entry.key: entry.value for entry in tensor.external_data}
        name = entries.get("location", "")
        where = f"{source}: {tensor.name}: its external data file {name!r}"
        if folder is None:
            raise RnnCliError(f"{where} is not read from a model given on stdin")
        if (
            not name
            or name in (".", "..")
            or os.path.basename(name) != name
            or "\\" in name
            or "\x00" in name
        ):
            raise RnnCliError(f"{where} is not a bare file name in the model's folder")
        path = folder / name
        try:
            info = path.lstat()
        except OSError:
            raise RnnCliError(f"{where} is not in the model's folder ({folder})") from None
        if not stat.S_ISREG(info.st_mode):
            raise RnnCliError(f"{where} is not a regular file (a link or a device is not read)")
        try:
            offset = int(entries.get("offset", "0"))
            expected = _size(tensor, source)
            length = int(entries.get("length", str(expected)))
        except ValueError:
            raise RnnCliError(f"{where}: offset and length must be whole numbers") from None
        if length != expected:
            raise RnnCliError(
                f"{where}: holds {length} bytes for a tensor of {expected} "
                f"({'x'.join(map(str, tensor.dims)) or 'a scalar'})"
            )
        if offset < 0 or offset + length > info.st_size:
            raise RnnCliError(
                f"{where}: bytes {offset} to {offset + length} lie outside the file "
                f"({info.st_size} bytes)"
            )
        read += length
        if read > MAX_CONFIG_BYTES:
            raise RnnCliError(f"{source}: its external data is over {MAX_CONFIG_BYTES} bytes")
        with open(path, "rb") as file:
            file.seek(offset)
            tensor.raw_data = file.read(length)
        del tensor.external_data[:]
        tensor.data_location = onnx.TensorProto.DEFAULT


def _size(tensor: onnx.TensorProto, source: str) -> int:
    """The bytes a tensor's values take, from its shape (counted exactly and held to the
    bound on weights) and element type."""
    try:
        dtype = helper.tensor_dtype_to_np_dtype(tensor.data_type)
    except (KeyError, ValueError):
        raise RnnCliError(
            f"{source}: {tensor.name}: element type {tensor.data_type} is not read"
        ) from None
    count = declared_count(list(tensor.dims), f"{source}: {tensor.name}")
    return count * np.dtype(dtype).itemsize
