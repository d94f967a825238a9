"""The bounds every model reader keeps: tensor sizes counted before anything is allocated,
nesting depth, and a JSON header or config read with a key given twice refused.

A size is the product of the dimensions a file declares, computed with Python's exact
integers (numpy's int64 product wraps: [2^32, 2^32] would be 0), and held to
files.MAX_WEIGHT_VALUES for each tensor and for all of one file's tensors together
(a `Budget`), so a small file cannot ask for gigabytes: an HDF5 dataset of 10^12 values,
a pickled tensor viewing one value a billion times, an ONNX ConstantOfShape.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from rnncli.errors import RnnCliError
from rnncli.io.files import MAX_MODEL_DEPTH, MAX_WEIGHT_VALUES
from rnncli.io.json_values import DuplicateKey, unique_keys


def declared_count(shape: Any, where: str) -> int:
    """The number of values of a tensor of `shape` (whole numbers >= 0), exactly; more
    than MAX_WEIGHT_VALUES, or a shape that is not one, is an error naming `where`
    (`file: tensor`)."""
    if isinstance(shape, (str, bytes)) or not isinstance(shape, Iterable):
        raise RnnCliError(f"{where}: its shape is not a list of sizes")
    count = 1
    dims = list(shape)
    for n in dims:
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise RnnCliError(f"{where}: its shape {_shown(dims)} is not a list of sizes >= 0")
    for n in dims:
        count *= n
    if count > MAX_WEIGHT_VALUES:
        raise RnnCliError(
            f"{where}: declares {_counted(dims)} values, more than the "
            f"{MAX_WEIGHT_VALUES:,} a model file's weights may hold"
        )
    return count


def _shown(dims: list[Any]) -> str:
    text = repr(dims)
    return text if len(text) <= 60 else text[:57] + "..."


def _counted(dims: list[int]) -> str:
    """[640, 1024, 1024] as `640x1024x1024`, however many digits (short if long)."""
    text = "x".join(str(n) if n < 10**15 else f"{n:.3g}" for n in dims)
    return text if len(text) <= 60 else f"{len(dims)} dimensions of"


class Budget:
    """What is left of MAX_WEIGHT_VALUES for the tensors of one file."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.left = MAX_WEIGHT_VALUES

    def take(self, shape: Any, where: str) -> int:
        """The values of a tensor of `shape` (`where` naming it), taken from what is left."""
        count = declared_count(shape, where)
        if count > self.left:
            raise RnnCliError(
                f"{where}: with the tensors before it, more than the {MAX_WEIGHT_VALUES:,} "
                "values a model file's weights may hold"
            )
        self.left -= count
        return count


def checked_depth(tree: Any, where: str) -> None:
    """`tree` (lists and dicts) nests at most MAX_MODEL_DEPTH deep; walked without
    recursion."""
    todo: list[tuple[Any, int]] = [(tree, 1)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, (dict, list, tuple)):
            if depth > MAX_MODEL_DEPTH:
                raise RnnCliError(f"{where}: nests more than {MAX_MODEL_DEPTH} levels deep")
            items = value.values() if isinstance(value, dict) else value
            todo.extend((item, depth + 1) for item in items)


def model_json(text: str | bytes, where: str) -> Any:
    """The JSON `text` (a safetensors header, a Keras config): a key given twice, nesting
    deeper than MAX_MODEL_DEPTH or anything but JSON is an error naming `where`."""
    try:
        tree = json.loads(text, object_pairs_hook=unique_keys)
    except DuplicateKey as error:
        raise RnnCliError(f"{where}: the key {json.dumps(str(error))} appears twice") from None
    except RecursionError:
        raise RnnCliError(f"{where}: nests more than {MAX_MODEL_DEPTH} levels deep") from None
    except (ValueError, TypeError) as error:  # UnicodeDecodeError is a ValueError
        raise RnnCliError(f"{where}: is not JSON ({error})") from None
    checked_depth(tree, where)
    return tree
