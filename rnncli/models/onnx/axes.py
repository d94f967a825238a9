"""What the nodes between an exporter's recurrent operators do to the axes of the tensor.

The axes are named as models.onnx.read tracks them: T time, N batch, D direction, H units, F
features, O outputs, "*" time and batch flattened into one. torch.onnx joins a
bidirectional operator's directions with Squeeze (one direction) or Transpose + Reshape;
tf2onnx slices Y into its two directions, squeezes each and concatenates them, forward
first, and runs Keras's Dense over a tensor reshaped to [-1, F] between two Reshapes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnx

from rnncli.models.onnx.graph import GraphIndex, attributes

Axes = tuple[str, ...]
#: The tensor flattened to [-1, F] for a head, and its axes before the units.
Flattened = tuple[str, Axes] | None


def squeezed(graph: GraphIndex, node: onnx.NodeProto, axes: Axes) -> Axes:
    """Squeeze of the direction axis (axes as input, opset 13, or attribute): D x H -> F."""
    given = graph.const(node, 1)
    drop = list(given) if given is not None else attributes(node).get("axes")
    if drop is None or [axes[int(i)] for i in drop] != ["D"]:
        raise graph.error(node, "squeezes an axis other than the direction")
    return tuple(
        "F" if a == "H" else a for i, a in enumerate(axes) if i != int(drop[0]) % len(axes)
    )


def reshaped(
    graph: GraphIndex,
    node: onnx.NodeProto,
    tensor: str,
    axes: Axes,
    shapes: dict[str, list[int]],
    flattened: Flattened,
) -> tuple[Axes, Flattened]:
    """Reshape [0, 0, -1] of directions x units into features; or time and batch
    flattened into one axis for a head (shape [T*N, F] or [-1, F]), then back to the
    shape of the tensor flattened. A shape computed at run time from the Shape of tensors
    on the path is computed here from `shapes` (made-up sizes of time and batch) to see
    which it is. The axes after `node`, and what is flattened."""
    if len(axes) == 4 and axes[2:] == ("D", "H"):
        return (*axes[:2], "F"), flattened
    target = graph.shape_value(node.input[1], shapes)
    T, N, F = shapes[tensor] if len(axes) == 3 else (0, 0, 0)
    if len(axes) == 3 and axes[-1] == "F" and T * N > 0 and target in ([-1, F], [T * N, F]):
        return ("*", "F"), (tensor, axes)
    if flattened is not None and axes[0] == "*" and target is not None:
        kept, O = shapes[flattened[0]][:-1], shapes[tensor][-1]
        if target[:-1] == kept and target[-1] in (-1, O):
            return (*flattened[1][:-1], axes[-1]), None
    raise graph.error(node, "reshapes something other than directions x units")


def merged_directions(graph: GraphIndex, tensor: str, axes: Axes) -> tuple[str, Axes] | None:
    """tf2onnx's bidirectional output: Y sliced into its two directions on D, each
    squeezed, then concatenated on the units, forward first. The Concat's output and its
    axes (D x H -> F), or None when `tensor` is not so split."""
    users = graph.users(tensor)
    if "D" not in axes or len(users) != 2 or any(n.op_type != "Slice" for n in users):
        return None
    parts: dict[int, str] = {}
    merged = axes
    for part in users:
        starts, ends, on, steps = (_ints(graph.const(part, i)) for i in (1, 2, 3, 4))
        if (
            [a % len(axes) for a in on] != [axes.index("D")]
            or len(starts) != 1
            or [e - s for s, e in zip(starts, ends, strict=False)] != [1]
            or steps not in ([], [1])
        ):
            raise graph.error(part, "slices something other than one direction")
        squeeze = graph.next_node(part.output[0])
        if squeeze is None or squeeze.op_type != "Squeeze":
            raise graph.error(part, "a direction sliced off is not squeezed")
        merged = squeezed(graph, squeeze, axes)
        parts[starts[0] % 2] = squeeze.output[0]
    concat = graph.next_node(parts.get(0, ""))
    if (
        concat is None
        or concat.op_type != "Concat"
        or list(concat.input) != [parts.get(0), parts.get(1)]
        or int(attributes(concat).get("axis", 0)) % len(merged) != merged.index("F")
    ):
        raise graph.error(users[0], "the directions are not concatenated forward first")
    return concat.output[0], merged


def _ints(value: Any) -> list[int]:
    """A constant input as a list of integers; [] when the input is not given."""
    return [] if value is None else [int(v) for v in np.ravel(value)]
