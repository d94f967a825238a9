"""The safetensors format, read and written with the standard library and numpy.

A file is an 8-byte little-endian header length N, N bytes of JSON
`{name: {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__":
{str: str}}`, then the tensors' bytes; offsets count from the end of the header. Every
offset is checked to lie inside the file, and no two tensors may overlap.
"""

from __future__ import annotations

import itertools
import json
import struct
from typing import Any

import numpy as np

from rnncli.errors import RnnCliError

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
    try:
        header = json.loads(data[8 : 8 + length])
    except (ValueError, UnicodeDecodeError) as error:
        raise bad(f"its header is not JSON ({error})") from None
    if not isinstance(header, dict):
        raise bad("its header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise bad("__metadata__ must map names to strings")
    body = memoryview(data)[8 + length :]
    tensors: dict[str, Any] = {}
    spans: list[tuple[int, int, str]] = []
    for name, entry in header.items():
        if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
            raise bad(f"the entry of {name} needs dtype, shape and data_offsets")
        dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
        if dtype not in DTYPES:
            raise bad(f"{name} has the unknown dtype {dtype!r}")
        if not (
            isinstance(shape, list)
            and all(isinstance(n, int) and n >= 0 for n in shape)
            and isinstance(offsets, list)
            and len(offsets) == 2
            and all(isinstance(n, int) for n in offsets)
        ):
            raise bad(f"{name} has a malformed shape or data_offsets")
        begin, end = offsets
        if not 0 <= begin <= end <= len(body):
            raise bad(f"{name}'s data_offsets [{begin}, {end}] point outside the file")
        itemsize = np.dtype(DTYPES[dtype]).itemsize
        if (end - begin) != int(np.prod(shape, dtype=np.int64)) * itemsize:
            raise bad(f"{name}'s {end - begin} bytes do not hold a {dtype} tensor of {shape}")
        spans.append((begin, end, name))
        array = np.frombuffer(body[begin:end], dtype=DTYPES[dtype]).reshape(shape)
        if dtype == "BF16":
            array = (array.astype("<u4") << 16).view("<f4")
        tensors[name] = array
    spans.sort()
    for (_, end, first), (begin, _, second) in itertools.pairwise(spans):
        if begin < end:
            raise bad(f"{first} and {second} overlap")
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
