"""A config's node tree at the speed of PyYAML's C parser, in memory near the file's size.

yaml.compose with SafeLoader (pure Python) takes about a minute and over a gigabyte for a
47 MB config of a 1,450-unit network: two million numbers, each a ScalarNode with two
marks. Here libyaml's parser (yaml.CSafeLoader's) streams the events and a list of plain
decimal numbers becomes one NumberRow, its values in a numpy array, built in one pass per
row; every other value becomes the same yaml node SafeLoader makes (tags resolved by
PyYAML's resolver). Nothing is constructed from the file, so no object can be made by it.

The tree is for a file that reads without a mistake. Its marks are not kept, so a caller
that meets any mistake reads the file again with yaml_nodes.compose, whose tree places
every message at its line and column: `composed` gives None for anything it does not
read as SafeLoader would (a syntax error, a tab, a character the Python reader refuses, an
undefined or repeated anchor, a second document, deep nesting), and the caller then does
the same.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import cast

import numpy as np
import yaml
from yaml.reader import Reader
from yaml.resolver import Resolver

from rnncli.cells.activations import FloatArray
from rnncli.decimal_numbers import DECIMAL

#: The mark of every node of the fast tree: it is never shown (see above).
NO_MARK = yaml.Mark("<fast>", 0, 0, 0, None, 0)

#: A row of plain decimals, one per line, checked by one regular expression.
_ROW = re.compile(f"(?:{DECIMAL.pattern})(?:\n(?:{DECIMAL.pattern}))*", re.ASCII)

#: SafeLoader's resolver: the tag of an untagged value (`true` a bool, `3` an int, ...).
_resolve = cast(
    Callable[[type[yaml.Node], str | None, tuple[bool, bool] | bool], str], Resolver().resolve
)


class NumberRow(yaml.SequenceNode):
    """A sequence of plain decimal numbers, all finite, held as one float64 array."""

    def __init__(self, numbers: FloatArray, flow_style: bool | None) -> None:
        self.tag = "tag:yaml.org,2002:seq"
        self.numbers = numbers
        self.start_mark = self.end_mark = NO_MARK
        self.flow_style = flow_style

    @property
    def value(self) -> list[yaml.Node]:
        """The numbers as scalar nodes, for the rare reader that walks them one by one."""
        return [
            yaml.ScalarNode("tag:yaml.org,2002:float", repr(v), NO_MARK, NO_MARK)
            for v in self.numbers.tolist()
        ]


class _Refused(Exception):
    """The file is not read here; yaml_nodes.compose reads it and names the mistake."""


def composed(text: str) -> tuple[yaml.Node | None] | None:
    """(the root node or None for an empty stream,), or None where this reader stands
    aside (see the module's note)."""
    if "\t" in text or Reader.NON_PRINTABLE.search(text):
        return None  # libyaml takes tabs where PyYAML's scanner refuses some: it decides
    try:
        return (_Composer(yaml.parse(text, Loader=yaml.CSafeLoader)).document(),)
    except (_Refused, yaml.YAMLError, RecursionError):
        return None


class _Composer:
    def __init__(self, events: Iterator[yaml.Event]) -> None:
        self.events = events
        self.anchors: dict[str, yaml.Node] = {}

    def document(self) -> yaml.Node | None:
        next(self.events)  # StreamStartEvent
        event = next(self.events)
        if isinstance(event, yaml.StreamEndEvent):
            return None
        root = self.node(next(self.events))
        next(self.events)  # DocumentEndEvent
        if not isinstance(next(self.events), yaml.StreamEndEvent):
            raise _Refused  # a second document
        return root

    def node(self, event: yaml.Event) -> yaml.Node:
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                raise _Refused
            return self.anchors[event.anchor]
        anchor = event.anchor  # type: ignore[attr-defined]
        if anchor is not None and anchor in self.anchors:
            raise _Refused
        node: yaml.Node
        if isinstance(event, yaml.ScalarEvent):
            node = _scalar(event)
        elif isinstance(event, yaml.SequenceStartEvent):
            node = self.sequence(event)
        elif isinstance(event, yaml.MappingStartEvent):
            node = self.mapping(event)
        else:
            raise _Refused
        if anchor is not None:
            self.anchors[anchor] = node
        return node

    def sequence(self, start: yaml.SequenceStartEvent) -> yaml.Node:
        tag = start.tag
        if tag is None or tag == "!":
            tag = _resolve(yaml.SequenceNode, None, start.implicit)
        items: list[yaml.ScalarEvent | yaml.Node] = []
        plain = True  # every item a plain scalar, untagged and unanchored
        for event in self.events:
            kind = type(event)
            if kind is yaml.SequenceEndEvent:
                break
            if kind is yaml.ScalarEvent and cast(yaml.ScalarEvent, event).anchor is None:
                event = cast(yaml.ScalarEvent, event)
                plain = plain and not event.style and not event.tag  # libyaml: ""
                items.append(event)
            else:
                plain = False
                items.append(self.node(event))
        if plain and items and tag == "tag:yaml.org,2002:seq":
            numbers = _numbers([cast(yaml.ScalarEvent, item).value for item in items])
            if numbers is not None:
                return NumberRow(numbers, start.flow_style)
        nodes = [_scalar(item) if isinstance(item, yaml.ScalarEvent) else item for item in items]
        return yaml.SequenceNode(tag, nodes, NO_MARK, NO_MARK, flow_style=start.flow_style)

    def mapping(self, start: yaml.MappingStartEvent) -> yaml.Node:
        tag = start.tag
        if tag is None or tag == "!":
            tag = _resolve(yaml.MappingNode, None, start.implicit)
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        for event in self.events:
            if isinstance(event, yaml.MappingEndEvent):
                break
            key = self.node(event)
            pairs.append((key, self.node(next(self.events))))
        return yaml.MappingNode(tag, pairs, NO_MARK, NO_MARK, flow_style=start.flow_style)


def _scalar(event: yaml.ScalarEvent) -> yaml.ScalarNode:
    tag = event.tag
    if tag is None or tag == "!":
        tag = _resolve(yaml.ScalarNode, event.value, event.implicit)
    return yaml.ScalarNode(tag, event.value, NO_MARK, NO_MARK, style=event.style or None)


def _numbers(texts: list[str]) -> FloatArray | None:
    """The values of plain scalars that are all finite decimal numbers, else None."""
    if not _ROW.fullmatch("\n".join(texts)):
        return None
    numbers = np.fromiter(map(float, texts), dtype=np.float64, count=len(texts))
    if not math.isfinite(float(np.abs(numbers).max())):
        return None
    return numbers
