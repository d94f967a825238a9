"""The safetensors format, read and written with the standard library and numpy.

A file is an 8-byte little-endian header length N, N bytes of JSON
`{name: {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__":
{str: str}}`, then the tensors' bytes; offsets count from the end of the header. Every
name is given once (the library refuses a name given twice; json.loads would keep the
last); every size is counted from the shape in exact integers and held to the bound on
weights (model_bounds) before anything is read; the tensors tile the data after the
header, as the library requires: none outside the file, none overlapping, no gap.
"""

from __future__ import annotations

import itertools
import json
import struct
from typing import Any

import numpy as np

from rnncli.errors import RnnCliError
from rnncli.models.bounds import Budget, model_json

#: The dtypes read, and their numpy form (BF16 is widened to float32 by hand).
DTYPES = {
    "F64": "<f8",
    "F32": "<f4",
    "F16": "<f2",
    "BF16": "<u2",
    "I64": "<i8",
    "I32": "<i4",
    "I16": "<i2",
    "I8": "i1",
    "U8": "u1",
    "BOOL": "?",
}
MAX_HEADER = 100 * 2**20


def read_safetensors(data: bytes, source: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The tensors (name -> array) and the metadata in the safetensors file `data`."""

    def bad(message: str) -> RnnCliError:
        return RnnCliError(f"{source}: not a valid safetensors file: {message}")

    if len(data) < 8:
        raise bad("shorter than its 8-byte header length")
    (length,) = struct.unpack("<Q", data[:8])
    if length > min(MAX_HEADER, len(data) - 8):
        raise bad(f"its header of {length} bytes runs past the end of the file")
    header = model_json(data[8 : 8 + length], f"{source}: its safetensors header")
    if not isinstance(header, dict):
        raise bad("its header is not a JSON object")
    metadata = header.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise bad("__metadata__ must map names to strings")
    body = memoryview(data)[8 + length :]
    budget = Budget(source)
    tensors: dict[str, Any] = {}
    spans: list[tuple[int, int, str]] = []
    for name, entry in header.items():
        where = f"{source}: tensor {name!r}"
        if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
            raise bad(f"the entry of {name!r} needs dtype, shape and data_offsets")
        dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
        if not isinstance(dtype, str) or dtype not in DTYPES:
            raise bad(f"{name!r} has the unknown dtype {dtype!r}")
        if not isinstance(shape, list):
            raise bad(f"{name!r} has a shape that is not a list")
        count = budget.take(shape, where)
        if not (
            isinstance(offsets, list)
            and len(offsets) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) for n in offsets)
        ):
            raise bad(f"{name!r} has malformed data_offsets (two whole numbers)")
        begin, end = offsets
        if begin > end:
            raise bad(f"{name!r}'s data_offsets [{begin}, {end}] end before they begin")
        if not 0 <= begin <= end <= len(body):
            raise bad(f"{name!r}'s data_offsets [{begin}, {end}] point outside the file")
        itemsize = np.dtype(DTYPES[dtype]).itemsize
        if end - begin != count * itemsize:
            raise bad(f"{name!r}'s {end - begin} bytes do not hold a {dtype} tensor of {shape}")
        spans.append((begin, end, name))
        array = np.frombuffer(body[begin:end], dtype=DTYPES[dtype]).reshape(shape)
        if dtype == "BF16":
            array = (array.astype("<u4") << 16).view("<f4")
        tensors[name] = array
    spans.sort()
    for (_, end, first), (begin, _, second) in itertools.pairwise(spans):
        if begin < end:
            raise bad(f"{first!r} and {second!r} overlap")
        if begin > end:
            raise bad(f"bytes {end} to {begin} between {first!r} and {second!r} are no tensor's")
    if spans and (spans[0][0] != 0 or spans[-1][1] != len(body)):
        raise bad("its tensors do not fill the data after the header")
    return tensors, metadata


def safetensors_bytes(tensors: dict[str, Any], metadata: dict[str, str]) -> bytes:
    """The safetensors file holding `tensors` (float32 or float64 arrays) and `metadata`."""
    header: dict[str, Any] = {"__metadata__": metadata}
    blobs: list[bytes] = []
    offset = 0
    for name, array in tensors.items():
        array = np.ascontiguousarray(array)
        code = {"<f4": "F32", "<f8": "F64"}[array.dtype.newbyteorder("<").str]
        blob = array.astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {
            "dtype": code,
            "shape": list(array.shape),
            "data_offsets": [offset, offset + len(blob)],
        }
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the tensors start 8-byte aligned, as the library's
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)
