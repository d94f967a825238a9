"""Reading values from YAML nodes, naming the place of every mistake.

The YAML is parsed by PyYAML's safe loader into a tree of nodes (yaml.compose with
SafeLoader): nothing is ever constructed from it, so a file cannot create Python
objects. The nodes keep their line and column, which every message names
(`file:line:column: key: message`); the values are read from them here, so that `1e-3`
is a number (YAML 1.1 calls it a string), duplicate keys are refused (PyYAML would keep
the last), and aliases cannot expand beyond MAX_VALUES numbers.

This module knows the shapes of YAML values (mappings, names, numbers, vectors,
matrices), not what they mean.
"""

from __future__ import annotations

import difflib
import math

import numpy as np
import yaml

from rnncli.cells.activations import FloatArray
from rnncli.decimal_numbers import NON_FINITE, decimal
from rnncli.errors import RnnCliError, line_column, located
from rnncli.message_words import counted, shown
from rnncli.models.config.yaml_fast import NumberRow

#: The most numbers a config may hold once its aliases are expanded.
MAX_VALUES = 4_000_000

#: The key path of the whole file, in messages about its top level.
ROOT = "config"

_CORE_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp", "value")
}


def compose(text: str, source: str) -> yaml.Node | None:
    """The node tree of `text` (None if it holds no document), checked by check_tree."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
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
    return root


class NodeReader:
    """Reads the values of one file's nodes; every mistake is an RnnCliError naming
    the file, the line and column, and the key path (`weights.W_xh[0][3]`)."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, node: yaml.Node, key: str, message: str) -> RnnCliError:
        mark = node.start_mark
        return RnnCliError(
            located(self.source, f"{key}: {message}", mark.line + 1, mark.column + 1)
        )

    def check_tree(self, root: yaml.Node) -> None:
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
            if isinstance(node, NumberRow):
                total = len(node.numbers)
            elif isinstance(node, yaml.ScalarNode):
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

    def mapping(
        self,
        node: yaml.Node,
        key: str,
        allowed: tuple[str, ...],
        hints: dict[str, str],
        required: frozenset[str] = frozenset(),
    ) -> dict[str, yaml.Node]:
        """The values of a mapping by key; a key twice or outside `allowed` is refused,
        with a did-you-mean from `hints` (a misspelling and its fix) or the nearest name,
        among the `required` keys that are missing first, then the missing, then all."""
        if not isinstance(node, yaml.MappingNode):
            raise self.error(
                node, key, f"expected a mapping of keys ({', '.join(allowed)}), got {kind(node)}"
            )
        values: dict[str, yaml.Node] = {}
        first_seen: dict[str, int] = {}
        present = {str(k.value) for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
        # A misspelt key most likely stands for a missing one, a required one first.
        missing = tuple(name for name in allowed if name not in present)
        groups = [tuple(n for n in missing if n in required), missing, allowed]
        for key_node, value_node in node.value:
            name = self.text(key_node, key + " key")
            path = name if key == ROOT else f"{key}.{name}"
            if name in values:
                message = f"appears twice (first on line {first_seen[name]})"
                raise self.error(key_node, path, message)
            if name not in allowed:
                suggestions = (suggestion(name, group, hints) for group in groups if group)
                found = next((s for s in suggestions if "did you mean" in s), "")
                raise self.error(
                    key_node, path, "unknown key" + (found or suggestion(name, allowed, {}))
                )
            values[name] = value_node
            first_seen[name] = key_node.start_mark.line + 1
        return values

    def text(self, node: yaml.Node, key: str) -> str:
        """A name: a plain string."""
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
            raise self.error(node, key, f"expected a name, got {kind(node)}")
        return str(node.value)

    def scalar(self, node: yaml.Node, key: str) -> str:
        """Any single value, as written."""
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(node, key, f"expected a name, got {kind(node)}")
        return str(node.value)

    def flag(self, node: yaml.Node, key: str) -> bool:
        """true or false."""
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:bool":
            raise self.error(node, key, f"expected true or false, got {kind(node)}")
        return bool(yaml.SafeLoader.bool_values[str(node.value).lower()])

    def number(self, node: yaml.Node, key: str) -> float:
        """A finite decimal number; unquoted, and `1e-3` too."""
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(node, key, f"expected a number, got {kind(node)}")
        if node.style in ("'", '"'):
            raise self.error(node, key, f"expected a number, got the quoted text {node.value!r}")
        if node.tag in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"):
            raise self.error(node, key, f"expected a number, got {kind(node)}")
        text = str(node.value)
        value = decimal(text)
        if value is not None and math.isfinite(value):
            return value
        if value is None and not NON_FINITE.fullmatch(text):
            raise self.error(node, key, f"expected a decimal number, got {shown(text)}")
        raise self.error(
            node, key, f"{shown(text)} is not a finite number; every value must be one"
        )

    def count(self, node: yaml.Node, key: str) -> int:
        """A positive whole number."""
        value = self.number(node, key)
        if value != int(value) or value < 1:
            raise self.error(node, key, f"expected a positive whole number, got {node.value}")
        return int(value)

    def numbers(self, node: yaml.Node, key: str) -> FloatArray:
        """A list of numbers (a row of the fast tree is one already)."""
        if isinstance(node, NumberRow):
            return node.numbers.copy()
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, key, f"expected a list of numbers, got {kind(node)}")
        values = [self.number(item, f"{key}[{i}]") for i, item in enumerate(node.value)]
        return np.array(values, dtype=np.float64)

    def vector(self, node: yaml.Node, key: str, length: int, size_name: str) -> FloatArray:
        """`length` numbers; `size_name` names the size in the message (`H`)."""
        values = self.numbers(node, key)
        if len(values) != length:
            message = (
                f"has {counted(len(values), 'value')}, expected {length} ({size_name} = {length})"
            )
            raise self.error(node, key, message)
        return values

    def matrix(self, node: yaml.Node, key: str) -> FloatArray:
        """A list of rows of numbers, all of one length (any shape; the caller checks it)."""
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            raise self.error(node, key, f"expected a matrix (a list of rows), got {kind(node)}")
        if not isinstance(node.value[0], yaml.SequenceNode):
            raise self.error(
                node,
                key,
                "expected a matrix (a list of rows), got a flat list; write one row as [[...]]",
            )
        rows = [self.numbers(row, f"{key}[{i}]") for i, row in enumerate(node.value)]
        width = len(rows[0])  # each row an array of its own: one pass over the numbers
        if width == 0:
            raise self.error(node.value[0], f"{key}[0]", "is an empty row")
        for i, row in enumerate(rows):
            if len(row) != width:
                raise self.error(
                    node.value[i],
                    f"{key}[{i}]",
                    f"has {counted(len(row), 'value')}, row 0 has {width}",
                )
        return np.vstack(rows)


def suggestion(name: str, allowed: tuple[str, ...], hints: dict[str, str]) -> str:
    """`; did you mean W_xh?` where a likely fix is known, else the names allowed."""
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


def kind(node: yaml.Node) -> str:
    """What a node holds, for a message: `a list`, `the boolean true`, `'abc'`."""
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


def shape(array: FloatArray) -> str:
    """A matrix's shape as messages write it: `2x5`."""
    rows, columns = array.shape
    return f"{rows}x{columns}"
