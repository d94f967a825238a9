"""YAML config -> Network: the schema of DESIGN.md, checked with the place of every mistake.

The YAML is parsed by PyYAML's safe loader into a tree of nodes (yaml.compose with
SafeLoader): nothing is ever constructed from it, so a config cannot create Python
objects. The nodes keep their line and column, which every message names; the values
are read from them here, so that `1e-3` is a number (YAML 1.1 calls it a string),
duplicate keys are refused (PyYAML would keep the last), and aliases cannot expand
beyond MAX_VALUES numbers.
"""

from __future__ import annotations

import difflib
import json
import math
from importlib import resources

import numpy as np
import yaml

from rnncli.choices import (
    ACTIVATION_ALIASES,
    ACTIVATION_NAMES,
    OUTPUT_ACTIVATION_NAMES,
    Direction,
    canonical_activation,
)
from rnncli.errors import RnnCliError, line_column, located
from rnncli.files import MAX_CONFIG_BYTES, decode_text, read_bytes, source_name
from rnncli.numbers import NON_FINITE, decimal, shown
from rnncli.rnn import Activation, Cell, FloatArray, Network
from rnncli.words import counted

#: The most numbers a config may hold once its aliases are expanded.
MAX_VALUES = 4_000_000

TOP_KEYS = (
    "name",
    "activation",
    "output_activation",
    "weights",
    "layers",
    "direction",
    "weights_reverse",
    "output",
    "clip",
    "h0",
    "input_size",
    "hidden_size",
    "output_size",
    "num_layers",
)
CELL_KEYS = ("W_xh", "W_hh", "b_xh", "b_hh", "b_h")
WEIGHT_KEYS = (*CELL_KEYS, "W_ho", "b_o")

#: Names other tools give the same arrays, and what to write instead.
KNOWN_NAMES = {
    "weight_ih_l0": "W_xh",
    "weight_hh_l0": "W_hh",
    "bias_ih_l0": "b_xh",
    "bias_hh_l0": "b_hh",
    "kernel": "W_xh (transposed: a Keras kernel is input x hidden)",
    "recurrent_kernel": "W_hh (transposed: Keras stores it as hidden x hidden, columns first)",
    "bias": "b_h",
    "W": "W_xh",
    "R": "W_hh",
    "b": "b_h",
}

_CORE_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp", "value")
}

BUILTIN_CONFIG = "textbook.yaml"

#: A block of weights in the config: its node, its key path and the keys it may hold.
Block = tuple[yaml.Node, str, tuple[str, ...]]


def load_config(path: str) -> Network:
    """Read the network config at `path` (`-` for standard input)."""
    source = source_name(path)
    return parse_config(
        decode_text(read_bytes(path, "YAML config", MAX_CONFIG_BYTES), source), source
    )


def default_network() -> Network:
    """The built-in network: the textbook's nn.RNN(5, 2) with torch.manual_seed(1)."""
    text = resources.files("rnncli").joinpath(BUILTIN_CONFIG).read_text(encoding="utf-8")
    return parse_config(text, f"<built-in {BUILTIN_CONFIG}>")


def parse_config(text: str, source: str) -> Network:
    """The network described by the YAML `text`; `source` names it in messages."""
    root = _compose(text, source)
    reader = _Reader(source)
    if root is None:
        raise RnnCliError(
            f"{source}: is empty; a config needs at least `weights:` with W_xh and W_hh"
        )
    reader.check_tags_and_size(root)
    return reader.network(root)


def _compose(text: str, source: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "syntax error"
        if error.context and error.problem and not error.context.startswith("while"):
            problem = f"{error.context}, {error.problem}"  # "expected a single document, but ..."
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise RnnCliError(located(source, f"not valid YAML: {problem}", line, column)) from None
    except yaml.reader.ReaderError as error:
        line, column = line_column(text, error.position)
        message = f"not valid YAML: the character {chr(error.character)!r} is not allowed"
        raise RnnCliError(located(source, message, line, column)) from None
    except yaml.YAMLError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else "syntax error"
        raise RnnCliError(f"{source}: not valid YAML: {first_line}") from None
    except RecursionError:
        raise RnnCliError(f"{source}: not a config: nested too deeply") from None


class _Reader:
    """Turns the nodes of one config into a Network, naming the place of each mistake."""

    def __init__(self, source: str) -> None:
        self.source = source

    # -- messages ---------------------------------------------------------------------

    def error(self, node: yaml.Node, key: str, message: str) -> RnnCliError:
        mark = node.start_mark
        return RnnCliError(
            located(self.source, f"{key}: {message}", mark.line + 1, mark.column + 1)
        )

    # -- the whole tree ---------------------------------------------------------------

    def check_tags_and_size(self, root: yaml.Node) -> None:
        """Refuse foreign tags, self-referring aliases and alias bombs before reading values."""
        sizes: dict[int, int] = {}
        in_progress: set[int] = set()

        def size(node: yaml.Node) -> int:
            key = id(node)
            if key in sizes:
                return sizes[key]
            if node.tag == "tag:yaml.org,2002:merge":
                raise self.error(node, "<<", "merge keys are not supported; write the keys out")
            if node.tag not in _CORE_TAGS:
                raise self.error(
                    node,
                    "tag",
                    f"{node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed: "
                    "a config holds only names, numbers and lists of numbers",
                )
            if key in in_progress:
                raise self.error(node, "alias", "refers to itself")
            in_progress.add(key)
            if isinstance(node, yaml.ScalarNode):
                total = 1
            elif isinstance(node, yaml.SequenceNode):
                total = sum(size(item) for item in node.value)
            else:
                total = sum(size(k) + size(v) for k, v in node.value)
            in_progress.discard(key)
            if total > MAX_VALUES:
                raise self.error(
                    node, "size", f"expands to more than {MAX_VALUES:,} values (YAML aliases?)"
                )
            sizes[key] = total
            return total

        try:
            size(root)
        except RecursionError:
            raise RnnCliError(f"{self.source}: not a config: nested too deeply") from None

    def network(self, root: yaml.Node) -> Network:
        top = self.mapping(root, "config", TOP_KEYS, hints=_TOP_HINTS)
        direction = self.direction(top.get("direction"))
        D = 2 if direction is Direction.BIDIRECTIONAL else 1
        blocks = self.blocks(root, top, direction)

        layers: list[tuple[Cell, ...]] = []
        H = 0  # from layer 1's W_xh
        for k, directions in enumerate(blocks):
            cells: list[Cell] = []
            for node, path, allowed in directions:
                weights = self.mapping(node, path, allowed, hints=_WEIGHT_HINTS)
                cell = self.cell(node, weights, path, None if k == 0 else D * H)
                if not layers and not cells:
                    first_weights, first_path = weights, path
                    H = cell.W_xh.shape[0]
                    self.check_size_key(top, "hidden_size", H, "W_xh has", "rows")
                    I = cell.W_xh.shape[1]
                    self.check_size_key(top, "input_size", I, "W_xh has", "columns")
                elif cell.W_xh.shape[0] != H or (k == 0 and cell.W_xh.shape[1] != I):
                    raise self.error(
                        weights["W_xh"],
                        f"{path}.W_xh",
                        f"is {_shape(cell.W_xh)}, expected {H}x{D * H if k else I} "
                        "(every layer and direction has the same H)",
                    )
                cells.append(cell)
            layers.append(tuple(cells))
        L = len(layers)
        self.check_size_key(top, "num_layers", L, "the config has", "layers")

        W_ho, b_o = self.output_layer(top, first_weights, first_path, D * H)
        activation = self.activation(top.get("activation"), "activation", ACTIVATION_NAMES)
        output_activation: Activation | None = None
        if "output_activation" in top:
            if W_ho is None:
                raise self.error(
                    top["output_activation"],
                    "output_activation",
                    "needs an output layer (W_ho); without one o_t = h_t",
                )
            output_activation = self.activation(
                top["output_activation"], "output_activation", OUTPUT_ACTIVATION_NAMES
            )
        elif W_ho is not None:
            output_activation = Activation("identity")

        h0 = self.initial_state(top.get("h0"), L * D, H)
        clip = None
        if "clip" in top:
            clip = self.number(top["clip"], "clip")
            if clip <= 0:
                raise self.error(top["clip"], "clip", "must be a positive number")
        return Network(
            layers=tuple(layers),
            h0=h0,
            W_ho=W_ho,
            b_o=b_o,
            activation=activation,
            output_activation=output_activation,
            direction=direction,
            clip=clip,
            name=self.name(top["name"]) if "name" in top else None,
        )

    def direction(self, node: yaml.Node | None) -> Direction:
        if node is None:
            return Direction.FORWARD
        text = self.text(node, "direction")
        if text not in set(Direction):
            choices = ", ".join(Direction)
            raise self.error(node, "direction", f"expected one of {choices}, got {shown(text)}")
        return Direction(text)

    def blocks(
        self, root: yaml.Node, top: dict[str, yaml.Node], direction: Direction
    ) -> list[list[Block]]:
        """The weight blocks of every layer and direction: (node, key path, allowed keys)."""
        two_way = direction is Direction.BIDIRECTIONAL
        if "weights" in top and "layers" in top:
            raise self.error(
                top["layers"], "layers", "give weights (one layer) or layers, not both"
            )
        if "weights" in top:
            layer: list[Block] = [(top["weights"], "weights", WEIGHT_KEYS)]
            if two_way:
                if "weights_reverse" not in top:
                    raise self.error(
                        top["weights"], "weights_reverse", "missing; bidirectional needs it"
                    )
                layer.append((top["weights_reverse"], "weights_reverse", CELL_KEYS))
            elif "weights_reverse" in top:
                raise self.error(
                    top["weights_reverse"], "weights_reverse", "needs direction: bidirectional"
                )
            return [layer]
        if "layers" not in top:
            raise self.error(
                root, "weights", "missing; the config needs `weights:` with W_xh and W_hh"
            )
        items = top["layers"]
        if not isinstance(items, yaml.SequenceNode) or not items.value:
            raise self.error(items, "layers", "expected a list of weight blocks, one per layer")
        result: list[list[Block]] = []
        for k, item in enumerate(items.value):
            path = f"layers[{k}]"
            keys = self.mapping(item, path, (*CELL_KEYS, "reverse"), hints=_WEIGHT_HINTS)
            layer = [(item, path, (*CELL_KEYS, "reverse"))]
            if two_way:
                if "reverse" not in keys:
                    raise self.error(item, f"{path}.reverse", "missing; bidirectional needs it")
                layer.append((keys["reverse"], f"{path}.reverse", CELL_KEYS))
            elif "reverse" in keys:
                raise self.error(
                    keys["reverse"], f"{path}.reverse", "needs direction: bidirectional"
                )
            result.append(layer)
        return result

    def cell(
        self, node: yaml.Node, weights: dict[str, yaml.Node], path: str, inputs: int | None
    ) -> Cell:
        """One layer in one direction; `inputs` is the size it must read (None: any)."""
        for required in ("W_xh", "W_hh"):
            if required not in weights:
                raise self.error(node, f"{path}.{required}", "missing")
        W_xh = self.matrix(weights["W_xh"], f"{path}.W_xh")
        H, I = W_xh.shape
        if inputs is not None and inputs != I:
            raise self.error(
                weights["W_xh"],
                f"{path}.W_xh",
                f"is {_shape(W_xh)}, expected {H}x{inputs} (this layer reads the "
                f"{inputs} values of the layer below)",
            )
        W_hh = self.matrix(weights["W_hh"], f"{path}.W_hh")
        if W_hh.shape != (H, H):
            hint = ""
            if W_hh.shape == (I, I):
                hint = (
                    f"; or is W_xh transposed? It must be H x I = {I}x{H} (hidden x input), "
                    "and a Keras kernel is stored as input x hidden"
                )
            raise self.error(
                weights["W_hh"],
                f"{path}.W_hh",
                f"is {_shape(W_hh)}, expected {H}x{H} (H x H, with H = {H} from W_xh's rows)"
                + hint,
            )
        bias = "none"
        b_xh: FloatArray = np.zeros(H)
        b_hh: FloatArray = np.zeros(H)
        if "b_h" in weights:
            for two in ("b_xh", "b_hh"):
                if two in weights:
                    raise self.error(
                        weights[two],
                        f"{path}.{two}",
                        "give one bias b_h or b_xh and b_hh, not both",
                    )
            b_xh, bias = self.vector(weights["b_h"], f"{path}.b_h", H, "H"), "one"
        if "b_xh" in weights:
            b_xh, bias = self.vector(weights["b_xh"], f"{path}.b_xh", H, "H"), "two"
        if "b_hh" in weights:
            b_hh, bias = self.vector(weights["b_hh"], f"{path}.b_hh", H, "H"), "two"
        return Cell(W_xh, W_hh, b_xh, b_hh, bias)

    def output_layer(
        self,
        top: dict[str, yaml.Node],
        keys: dict[str, yaml.Node],
        path: str,
        state_size: int,
    ) -> tuple[FloatArray | None, FloatArray | None]:
        """W_ho and b_o: in `weights:` (one layer; `keys` are the first block's) or in
        `output:` (any network)."""
        if "output" in top:
            if "W_ho" in keys or "b_o" in keys:
                raise self.error(
                    top["output"], "output", f"give W_ho in {path} or in output, not both"
                )
            node, path = top["output"], "output"
            keys = self.mapping(node, path, ("W_ho", "b_o"), hints=_WEIGHT_HINTS)
        if "W_ho" not in keys:
            if "b_o" in keys:
                raise self.error(keys["b_o"], f"{path}.b_o", "needs the output layer W_ho")
            if "output_size" in top:
                raise self.error(top["output_size"], "output_size", "needs the output layer W_ho")
            return None, None
        W_ho = self.matrix(keys["W_ho"], f"{path}.W_ho")
        if W_ho.shape[1] != state_size:
            hint = "; transposed?" if W_ho.shape[0] == state_size else ""
            raise self.error(
                keys["W_ho"],
                f"{path}.W_ho",
                f"is {_shape(W_ho)}, expected {W_ho.shape[0]}x{state_size} "
                f"(O x H: one column per hidden unit, H = {state_size}){hint}",
            )
        O = W_ho.shape[0]
        self.check_size_key(top, "output_size", O, "W_ho has", "rows")
        b_o = self.vector(keys["b_o"], f"{path}.b_o", O, "O") if "b_o" in keys else np.zeros(O)
        return W_ho, b_o

    def initial_state(self, node: yaml.Node | None, count: int, H: int) -> FloatArray:
        """h0: a vector of H for one layer and direction; else a list of L*D vectors."""
        if node is None:
            return np.zeros((count, H))
        if count == 1 and not (
            isinstance(node, yaml.SequenceNode)
            and node.value
            and isinstance(node.value[0], yaml.SequenceNode)
        ):
            return self.vector(node, "h0", H, "H").reshape(1, H)
        if (
            isinstance(node, yaml.SequenceNode)
            and node.value
            and not isinstance(node.value[0], yaml.SequenceNode)
        ):
            raise self.error(
                node,
                "h0",
                f"is one vector, expected {count}x{H}: one state of H = {H} per layer and "
                "direction, as [[...], ...], layer by layer, forward first",
            )
        matrix = self.matrix(node, "h0")
        if matrix.shape != (count, H):
            raise self.error(
                node,
                "h0",
                f"is {_shape(matrix)}, expected {count}x{H} (one state of H = {H} per layer "
                "and direction, layer by layer, forward first)",
            )
        return matrix

    # -- one value each ---------------------------------------------------------------

    def mapping(
        self, node: yaml.Node, key: str, allowed: tuple[str, ...], hints: dict[str, str]
    ) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(
                node, key, f"expected a mapping of keys ({', '.join(allowed)}), got {_kind(node)}"
            )
        values: dict[str, yaml.Node] = {}
        first_seen: dict[str, int] = {}
        present = {str(k.value) for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
        # A misspelt key most likely stands for a missing one, a required one first.
        missing = tuple(name for name in allowed if name not in present)
        groups = [tuple(n for n in missing if n in _REQUIRED), missing, allowed]
        for key_node, value_node in node.value:
            name = self.text(key_node, key + " key")
            path = name if key == "config" else f"{key}.{name}"
            if name in values:
                message = f"appears twice (first on line {first_seen[name]})"
                raise self.error(key_node, path, message)
            if name not in allowed:
                suggestions = (_suggestion(name, group, hints) for group in groups if group)
                suggestion = next((s for s in suggestions if "did you mean" in s), "")
                raise self.error(
                    key_node, path, "unknown key" + (suggestion or _suggestion(name, allowed, {}))
                )
            values[name] = value_node
            first_seen[name] = key_node.start_mark.line + 1
        return values

    def text(self, node: yaml.Node, key: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
            raise self.error(node, key, f"expected a name, got {_kind(node)}")
        return str(node.value)

    def name(self, node: yaml.Node) -> str:
        """The network's name: any single value, as written."""
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(node, "name", f"expected a name, got {_kind(node)}")
        return str(node.value)

    def number(self, node: yaml.Node, key: str) -> float:
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(node, key, f"expected a number, got {_kind(node)}")
        if node.style in ("'", '"'):
            raise self.error(node, key, f"expected a number, got the quoted text {node.value!r}")
        if node.tag in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"):
            raise self.error(node, key, f"expected a number, got {_kind(node)}")
        text = str(node.value)
        value = decimal(text)
        if value is not None and math.isfinite(value):
            return value
        if value is None and not NON_FINITE.fullmatch(text):
            raise self.error(node, key, f"expected a decimal number, got {shown(text)}")
        raise self.error(
            node, key, f"{shown(text)} is not a finite number; every value must be one"
        )

    def numbers(self, node: yaml.Node, key: str) -> list[float]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, key, f"expected a list of numbers, got {_kind(node)}")
        return [self.number(item, f"{key}[{i}]") for i, item in enumerate(node.value)]

    def vector(self, node: yaml.Node, key: str, length: int, size_name: str) -> FloatArray:
        values = self.numbers(node, key)
        if len(values) != length:
            message = (
                f"has {counted(len(values), 'value')}, expected {length} ({size_name} = {length})"
            )
            raise self.error(node, key, message)
        return np.array(values, dtype=np.float64)

    def matrix(self, node: yaml.Node, key: str) -> FloatArray:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            raise self.error(node, key, f"expected a matrix (a list of rows), got {_kind(node)}")
        if not isinstance(node.value[0], yaml.SequenceNode):
            raise self.error(
                node,
                key,
                "expected a matrix (a list of rows), got a flat list; write one row as [[...]]",
            )
        rows = [self.numbers(row, f"{key}[{i}]") for i, row in enumerate(node.value)]
        width = len(rows[0])
        if width == 0:
            raise self.error(node.value[0], f"{key}[0]", "is an empty row")
        for i, row in enumerate(rows):
            if len(row) != width:
                raise self.error(
                    node.value[i],
                    f"{key}[{i}]",
                    f"has {counted(len(row), 'value')}, row 0 has {width}",
                )
        return np.array(rows, dtype=np.float64)

    def activation(self, node: yaml.Node | None, key: str, names: tuple[str, ...]) -> Activation:
        """`tanh`, or `{name: leaky_relu, alpha: 0.1}` with ONNX's parameters."""
        if node is None:
            return Activation("tanh")
        parameters: dict[str, float] = {}
        name_node = node
        if isinstance(node, yaml.MappingNode):
            keys = self.mapping(node, key, ("name", "alpha", "beta"), hints={})
            if "name" not in keys:
                raise self.error(node, f"{key}.name", "missing")
            name_node = keys["name"]
            parameters = {
                p: self.number(keys[p], f"{key}.{p}") for p in ("alpha", "beta") if p in keys
            }
        name = self.text(name_node, key)
        canonical = canonical_activation(name)
        if canonical not in names:
            known = (*names, *ACTIVATION_ALIASES)
            message = f"unknown activation {shown(name)}{_suggestion(name, known, {})}"
            if canonical in OUTPUT_ACTIVATION_NAMES:
                message = f"{name} is for output_activation only, with an output layer"
            raise self.error(name_node, key, message)
        activation = Activation.named(canonical, **parameters)
        unused = set(parameters) - set(activation.parameters)
        if unused:
            raise self.error(node, key, f"{canonical} takes no {' or '.join(sorted(unused))}")
        return activation

    def check_size_key(
        self, top: dict[str, yaml.Node], key: str, actual: int, owner: str, what: str
    ) -> None:
        if key not in top:
            return
        node = top[key]
        value = self.number(node, key)
        if value != int(value) or value < 1:
            raise self.error(node, key, f"expected a positive whole number, got {node.value}")
        if int(value) != actual:
            raise self.error(node, key, f"is {int(value)} but {owner} {actual} {what}")


_REQUIRED = {"weights", "W_xh", "W_hh"}
_TOP_HINTS = {name: "weights." + name + " (weights go under `weights:`)" for name in WEIGHT_KEYS}
_TOP_HINTS.update({k: f"weights.{v} (under `weights:`)" for k, v in KNOWN_NAMES.items()})
_WEIGHT_HINTS = {**KNOWN_NAMES, "h0": "h0 at the top level, not under weights"}
for _name in TOP_KEYS:
    if _name != "weights":
        _WEIGHT_HINTS.setdefault(_name, f"{_name} at the top level, not under weights")


def _suggestion(name: str, allowed: tuple[str, ...], hints: dict[str, str]) -> str:
    """`; did you mean W_xh?` where a likely fix is known, else nothing."""
    if name in hints:
        return f"; did you mean {hints[name]}?"
    lowered = name.lower()
    by_case = {candidate.lower(): candidate for candidate in allowed}
    if lowered in by_case:
        return f"; did you mean {by_case[lowered]}?"
    close = difflib.get_close_matches(lowered, [a.lower() for a in allowed], n=1, cutoff=0.6)
    if close:
        return f"; did you mean {by_case[close[0]]}?"
    return f"; expected one of {', '.join(allowed)}"


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list" if node.value else "an empty list"
    tag = node.tag.rsplit(":", 1)[-1]
    if tag == "null":
        return "nothing (null)"
    if tag == "bool":
        return f"the boolean {node.value}"
    return f"{node.value!r}"


def _shape(array: FloatArray) -> str:
    rows, columns = array.shape
    return f"{rows}x{columns}"


def network_yaml(net: Network, header: list[str]) -> str:
    """The config text of `net`, which parse_config reads back to the same bits.

    One layer, forward, as init-weights makes. `header` lines become the leading
    comments; each matrix gets a comment with its shape and is written one row per line;
    floats are written with their shortest round-trip repr.
    """
    lines = [f"# {line}" if line else "#" for line in header]
    if net.name is not None:
        lines.append(f"name: {json.dumps(net.name, ensure_ascii=False)}")
    lines.append(f"activation: {_activation_yaml(net.activation)}")
    if net.output_activation is not None:
        lines.append(f"output_activation: {_activation_yaml(net.output_activation)}")
    lines.append("weights:")

    def matrix(key: str, shape: str, array: FloatArray) -> None:
        lines.append(f"  # {key}: {shape} = {array.shape[0]} x {array.shape[1]}")
        lines.append(f"  {key}:")
        lines.extend(f"    - {_yaml_numbers(row)}" for row in array)

    def vector(key: str, shape: str, array: FloatArray) -> None:
        lines.append(f"  # {key}: {shape} = {len(array)}")
        lines.append(f"  {key}: {_yaml_numbers(array)}")

    matrix("W_xh", "H x I", net.W_xh)
    matrix("W_hh", "H x H", net.W_hh)
    if net.bias == "two":
        vector("b_xh", "H", net.b_xh)
        vector("b_hh", "H", net.b_hh)
    elif net.bias == "one":
        vector("b_h", "H", net.b_xh + net.b_hh)
    if net.W_ho is not None and net.b_o is not None:
        matrix("W_ho", "O x H", net.W_ho)
        vector("b_o", "O", net.b_o)
    lines.append(f"# h0: H = {net.hidden_size}; the initial state")
    lines.append(f"h0: {_yaml_numbers(net.h0[0])}")
    return "\n".join(lines) + "\n"


def _activation_yaml(activation: Activation) -> str:
    """`tanh`, or `{name: leaky_relu, alpha: 0.1}`."""
    if not activation.parameters:
        return activation.name
    parameters = ", ".join(f"{k}: {v!r}" for k, v in activation.parameters.items())
    return f"{{name: {activation.name}, {parameters}}}"


def _yaml_numbers(values: FloatArray) -> str:
    return "[" + ", ".join(repr(float(v)) for v in values) + "]"
