"""Small pieces of English for messages."""

from __future__ import annotations

from rnncli.printable import printable


def counted(n: int, noun: str) -> str:
    """`1 value`, `2 values`: the number and the noun, plural where it should be."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def shown(text: str, limit: int = 40) -> str:
    """`text` quoted for a message, cut short if it is long: quoted and escaped as
    Python's repr() writes a string (`'a\\x1bb'`), its characters made printable."""
    if len(text) <= limit:
        return _quoted(text)
    return _quoted(text[:limit]) + f"… ({len(text)} characters)"


def _quoted(text: str) -> str:
    """In single quotes, or in double quotes where it holds a single quote and no double."""
    if "'" in text and '"' not in text:
        return f'"{printable(text)}"'
    return "'" + printable(text).replace("'", "\\'") + "'"
