"""Small pieces of English for messages."""

from __future__ import annotations


def counted(n: int, noun: str) -> str:
    """`1 value`, `2 values`: the number and the noun, plural where it should be."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
