"""Small pieces of English for messages."""

from __future__ import annotations


def counted(n: int, noun: str) -> str:
    """`1 value`, `2 values`: the number and the noun, plural where it should be."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def shown(text: str, limit: int = 40) -> str:
    """`text` quoted for a message, cut short if it is long."""
    if len(text) <= limit:
        return repr(text)
    return repr(text[:limit]) + f"… ({len(text)} characters)"
