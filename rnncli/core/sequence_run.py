"""One sequence's forward pass as the outputs show it: its id, its terms, its first t."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from rnncli.column_choice import Kept
from rnncli.core.forward_result import Forward

if TYPE_CHECKING:
    from rnncli.core.explain import Terms


class Run(NamedTuple):
    """One sequence's forward pass: its id in a batch, and its terms under --explain."""

    result: Forward
    id: str | int | None = None
    explained: Terms | None = None
    first_t: int = 1  # the step number of the result's first row (a piece of a stream)
    input_names: tuple[str, ...] | None = None  # the features' names, from a header
    kept: Kept | None = None  # the --keep columns, row by row from the first step
