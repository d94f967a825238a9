"""The names of the output's columns that come from the input: the features' (x) and the
kept columns', after the header. A name is used as it is unless it is empty or another
column of the output already has it (t, seq, h1.., o1.., the terms, an earlier column):
then it is the kind and position instead (x2, keep1), with _2, _3, ... should even that
be taken. So every column of a header line has a name of its own.
"""

from __future__ import annotations

from collections.abc import Iterable


def input_column_names(
    input_names: tuple[str, ...] | None, size: int, kept_names: Iterable[str], taken: set[str]
) -> tuple[list[str], list[str]]:
    """The kept columns' names and the features' (x1..xI without a header); `taken`: the
    output's other columns, which keep theirs."""
    taken = set(taken)
    kept = [_unique(name, f"keep{i}", taken) for i, name in enumerate(kept_names, start=1)]
    names = input_names if input_names is not None else ("",) * size
    x = [_unique(name, f"x{i}", taken) for i, name in enumerate(names, start=1)]
    return kept, x


def _unique(name: str, fallback: str, taken: set[str]) -> str:
    chosen = name if name and name not in taken else fallback
    suffix = 2
    while chosen in taken:
        chosen = f"{fallback}_{suffix}"
        suffix += 1
    taken.add(chosen)
    return chosen
