"""Numbers as people write them in files: decimals in ASCII digits."""

from __future__ import annotations

import re

#: A decimal number: 12, -0.5, .5, 3., 1e-3, +2.5E+4 (ASCII digits only).
DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
#: NaN and infinity as Python, spreadsheets and YAML (.nan, .inf) write them.
NON_FINITE = re.compile(r"[+-]?\.?(?:nan|inf|infinity)", re.IGNORECASE)


def decimal(text: str) -> float | None:
    """The value of a decimal number, or None when `text` is not one (may be inf)."""
    return float(text) if DECIMAL.fullmatch(text) else None
