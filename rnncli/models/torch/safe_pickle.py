"""A PyTorch `.pt` file read without running anything in it: a restricted unpickler.

torch.save writes a zip: `<archive>/data.pkl`, a pickle of the state_dict, whose tensors
point (as persistent ids `('storage', <type>, key, location, numel)`) at the raw bytes of
`<archive>/data/<key>`. A pickle may name any global and call it; this unpickler knows
four kinds of global only and maps each to a stand-in of its own, so nothing from torch
(or anything else) is imported or called:

    collections.OrderedDict                       the state_dict itself
    torch._utils._rebuild_tensor_v2               a tensor: a strided view of a storage
    torch._utils._rebuild_parameter               an nn.Parameter: its tensor
    torch.<Dtype>Storage                          a storage type: its numpy dtype

Any other global (os.system, builtins.eval, ...) is refused by name before it is touched.
Every tensor's size is counted before it is made (model_bounds: at most
files.MAX_WEIGHT_VALUES values in all) and must be laid out row by row in its storage,
as torch.save writes a state_dict; a storage's bytes come from the zip within its bound.
"""

from __future__ import annotations

import collections
import io
import math
import pickle
from typing import Any

import numpy as np

from rnncli.errors import RnnCliError
from rnncli.io.zip_members import BoundedZip
from rnncli.models.bounds import Budget

#: torch's storage types and the numpy dtype of their bytes (little-endian).
STORAGE_DTYPES = {
    "DoubleStorage": "<f8",
    "FloatStorage": "<f4",
    "HalfStorage": "<f2",
    "BFloat16Storage": "bfloat16",
    "LongStorage": "<i8",
    "IntStorage": "<i4",
    "ShortStorage": "<i2",
    "CharStorage": "i1",
    "ByteStorage": "u1",
    "BoolStorage": "?",
}


class StorageType:
    """What `torch.FloatStorage` and its kin unpickle to: the dtype of a storage's bytes."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.dtype = STORAGE_DTYPES[name]


def _rebuild_tensor_v2(
    storage: np.ndarray[Any, Any],
    offset: int,
    size: tuple[int, ...],
    stride: tuple[int, ...],
    *_: object,
) -> np.ndarray[Any, Any]:
    """torch._utils._rebuild_tensor_v2: the tensor storage[offset + sum(i_k stride_k)],
    its values counted (see _TensorUnpickler.rebuild) and laid out row by row."""
    if not isinstance(storage, np.ndarray):
        raise pickle.UnpicklingError("a tensor whose storage is not one")
    if not isinstance(size, (tuple, list)) or not isinstance(stride, (tuple, list)):
        raise pickle.UnpicklingError("a tensor whose shape or strides are not lists")
    size, stride = tuple(size), tuple(stride)
    if not all(_whole(n) for n in (offset, *size, *stride)):
        raise pickle.UnpicklingError("a tensor with a negative or non-integer shape")
    if len(size) != len(stride):
        raise pickle.UnpicklingError("a tensor whose shape and strides disagree")
    count = math.prod(size)
    if count == 0:
        return np.zeros(size, dtype=storage.dtype)
    expected = 1
    for n, s in reversed(list(zip(size, stride, strict=True))):
        if n > 1 and s != expected:
            raise pickle.UnpicklingError(
                f"a tensor of size {list(size)} with strides {list(stride)} is not stored "
                "row by row (contiguous); save a state_dict of contiguous tensors"
            )
        expected *= n
    if offset + count > storage.size:
        raise pickle.UnpicklingError("a tensor reaching past the end of its storage")
    return np.array(storage[offset : offset + count].reshape(size))


def _whole(n: object) -> bool:
    return isinstance(n, int) and not isinstance(n, bool) and n >= 0


def _rebuild_parameter(data: np.ndarray[Any, Any], *_: object) -> np.ndarray[Any, Any]:
    """torch._utils._rebuild_parameter: an nn.Parameter is its tensor."""
    return data


#: The largest data.pkl read: a state_dict's is a few KiB, and each byte of a pickle can
#: make an object of some 64 bytes.
MAX_PICKLE_BYTES = 4 * 2**20

ALLOWED: dict[tuple[str, str], object] = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
}


class _TensorUnpickler(pickle.Unpickler):
    """Unpickles tensors and the dicts holding them; refuses every other global."""

    def __init__(self, data: bytes, archive: BoundedZip, prefix: str) -> None:
        super().__init__(io.BytesIO(data))
        self.archive = archive
        self.prefix = prefix
        self.budget = Budget(archive.source)
        self.tensors = 0

    def rebuild(self, storage: Any, offset: Any, size: Any, *rest: Any) -> np.ndarray[Any, Any]:
        """_rebuild_tensor_v2, its size counted before anything is made: at most
        MAX_WEIGHT_VALUES for all the file's tensors together."""
        self.tensors += 1
        where = f"{self.archive.source}: tensor {self.tensors} of the pickle"
        if isinstance(size, (tuple, list)):
            self.budget.take(size, where)
        return _rebuild_tensor_v2(storage, offset, size, *rest)

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return self.rebuild
        if (module, name) in ALLOWED:
            return ALLOWED[module, name]
        if module == "torch" and name in STORAGE_DTYPES:
            return StorageType(name)
        raise pickle.UnpicklingError(f"refused to load {module}.{name}: only tensors are read")

    def persistent_load(self, pid: Any) -> Any:
        """('storage', type, key, location, numel): the bytes of data/<key>."""
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError("an unknown persistent id")
        storage_type, key, _, numel = pid[1:]
        if not isinstance(storage_type, StorageType) or not isinstance(numel, int):
            raise pickle.UnpicklingError("a storage of unknown type")
        raw = self.archive.read(f"{self.prefix}data/{key}")
        if storage_type.dtype == "bfloat16":  # the top half of a float32
            halves = np.frombuffer(raw, dtype="<u2")
            array = (halves.astype("<u4") << 16).view("<f4")
        else:
            array = np.frombuffer(raw, dtype=storage_type.dtype)
        if array.size != numel:  # torch.save writes a storage's values, no more, no less
            raise pickle.UnpicklingError(
                f"storage {key} holds {array.size} values where its record says {numel}"
            )
        return array[:numel]


def load_state_dict(data: bytes, source: str, limit: int) -> dict[str, Any]:
    """The state_dict in the torch.save zip `data`, read by the restricted unpickler."""
    if not data.startswith(b"PK"):
        raise RnnCliError(
            f"{source}: is not a zip-format torch.save file (a pickle from torch < 1.6 "
            "or a TorchScript archive is not read); save model.state_dict() with torch.save "
            "or as safetensors"
        )
    archive = BoundedZip(data, source, limit)
    pickles = [name for name in archive.names if name.endswith("/data.pkl")]
    if len(pickles) != 1:
        raise RnnCliError(f"{source}: is not a torch.save archive (no <name>/data.pkl)")
    prefix = pickles[0][: -len("data.pkl")]
    if any(name.startswith(prefix + "code/") for name in archive.names):
        raise RnnCliError(
            f"{source}: is a TorchScript archive, not a state_dict; save model.state_dict()"
        )
    try:
        pickled = archive.read(pickles[0], MAX_PICKLE_BYTES)
        loaded = _TensorUnpickler(pickled, archive, prefix).load()
    except RnnCliError:
        raise
    except Exception as error:  # any malformed pickle: one message, nothing run
        raise RnnCliError(f"{source}: {error}") from None
    if not isinstance(loaded, dict):
        raise RnnCliError(
            f"{source}: holds a {type(loaded).__name__}, not a state_dict; "
            "save model.state_dict(), not the model"
        )
    return loaded
