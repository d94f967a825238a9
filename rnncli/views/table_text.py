"""What the tables for people share: the title line, numbers at a precision, and which
steps a long run shows on a terminal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from rnncli.core.forward_result import Forward
from rnncli.core.network import Network
from rnncli.printable import printable

#: Where a unit of a saturating activation is saturated (its gradient nearly 0): the
#: rule as the table's note states it, and the test (of a value or of an array).
SATURATED: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "tanh": ("|h| > 0.99", lambda h: abs(h) > 0.99),
    "sigmoid": ("h < 0.01 or h > 0.99", lambda h: (h < 0.01) | (h > 0.99)),
}

#: Steps a long table shows on a terminal: the first and the last ROWS_EACH_END.
ROWS_EACH_END = 10


def title(net: Network, result: Forward, sequence_id: str | int | None = None) -> str:
    """`textbook · 5 → 2 · many-to-many`: the network's name, sizes and the mode; with
    stacked layers, two directions or a batch, those too. The name and the sequence's id
    come from files: shown printable (rnncli.printable), in every view that titles a run."""
    sizes = f"{net.input_size} → {net.hidden_size}"
    if net.num_layers > 1:
        sizes += f" × {net.num_layers} layers"
    if net.direction != "forward":
        sizes += f" {net.direction}"
    if net.has_output_layer:
        sizes += f" → {net.output_size}"
    parts = [printable(net.name or ""), sizes, str(result.mode)]
    if sequence_id is not None:
        parts.append(f"sequence {printable(str(sequence_id))}")
    return " · ".join(part for part in parts if part)


def shown_steps(T: int, elide: bool) -> list[int | None]:
    """Row indices the table shows: all, or the first and last ROWS_EACH_END with None
    standing for the hidden ones between them."""
    if not elide or T <= 2 * ROWS_EACH_END + 1:
        return list(range(T))
    return [*range(ROWS_EACH_END), None, *range(T - ROWS_EACH_END, T)]


def fixed(value: float, precision: int) -> str:
    """`value` at `precision` decimals; in e-notation where that would be too long to read."""
    if abs(value) >= 1e15:
        return f"{value:.{precision}e}"
    text = f"{value:.{precision}f}"
    # -0.0000 is 0.0000: a sign with no digits behind it only confuses.
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


#: Inputs beyond this are large for weights of the usual initialisations (about 1/sqrt(H)):
#: standardized features mostly lie within 3 standard deviations.
LARGE_INPUT = 3.0


def saturation_notes(activation: str, largest_x: float) -> list[str]:
    """The notes under a table whose states saturated: what it means, and a word on the
    inputs where they are large for the weights."""
    notes = [f"* saturated ({activation}): gradients through it vanish"]
    if largest_x > LARGE_INPUT:
        notes.append(
            f"inputs up to |x| = {largest_x:.4g} are large for the weights: "
            "try --standardize, or scale: in the config"
        )
    return notes


class ViewParts(NamedTuple):
    """What a view for people holds beyond its numbers (a slide may want less)."""

    title: bool = True
    sparklines: bool = True
    hand_step: int = 1  # the explain view's step written out by hand
