"""One step of the explain view written out by hand, as numbers for any notation
(Markdown math, LaTeX): for step t and each hidden unit i,

    (W_xh x_t)_i     = sum_j W_xh[i, j] x_t,j          one row of W_xh times x_t
    (W_hh h_{t-1})_i = sum_j W_hh[i, j] h_{t-1},j      one row of W_hh times h_{t-1}
    z_t,i = (W_xh x_t)_i + b_xh,i + (W_hh h_{t-1})_i + b_hh,i,    h_t,i = f(z_t,i)

Step 1 reads h_0 (zeros unless given); step 2 is the first where W_hh h_{t-1} is not 0.
"""

from __future__ import annotations

from typing import NamedTuple

from rnncli.core.explain import Terms
from rnncli.core.forward_result import Forward
from rnncli.core.network import Network
from rnncli.views.table_text import fixed


class HandUnit(NamedTuple):
    """Unit i of the step: each product of its rows, and what they add up to."""

    x_products: list[tuple[float, float]]  # (W_xh[i, j], x_t,j) for j = 1..I
    W_xh_x: float  # (W_xh x_t)_i
    b_xh: float
    W_xh_x_b_xh: float  # (W_xh x_t + b_xh)_i, as the run's dtype adds them
    h_products: list[tuple[float, float]]  # (W_hh[i, j], h_{t-1},j) for j = 1..H
    W_hh_h_prev: float  # (W_hh h_{t-1})_i
    b_hh: float
    z: float  # z_t,i
    h: float  # h_t,i = f(z_t,i)


class HandStep(NamedTuple):
    """Step t of a one-layer rnn, every unit written out; f names the activation."""

    t: int
    f: str
    units: list[HandUnit]


def hand_step(net: Network, result: Forward, explained: Terms, t: int) -> HandStep:
    """Step t (1..T) of `result`, read off its terms (row t - 1)."""
    k = t - 1
    x_t, h_prev = result.X[k].tolist(), explained.H_prev[k].tolist()
    units = [
        HandUnit(
            x_products=list(zip(net.W_xh[i].tolist(), x_t, strict=True)),
            W_xh_x=float(explained.W_xh_x[k, i]),
            b_xh=float(explained.b_xh[i]),
            W_xh_x_b_xh=float(explained.W_xh_x_b_xh[k, i]),
            h_products=list(zip(net.W_hh[i].tolist(), h_prev, strict=True)),
            W_hh_h_prev=float(explained.W_hh_h_prev[k, i]),
            b_hh=float(explained.b_hh[i]),
            z=float(explained.Z[k, i]),
            h=float(result.H[k, i]),
        )
        for i in range(net.hidden_size)
    ]
    return HandStep(t, net.activation.name, units)


def factor(value: float, precision: int, trim: bool = False) -> str:
    """A term of a written-out sum: negatives in parentheses, as on paper; `trim` writes
    an input as a person would (1.0000 as 1, 0.5000 as 0.5)."""
    text = fixed(value, precision)
    if trim and "." in text and "e" not in text:
        text = text.rstrip("0").rstrip(".")
    return f"({text})" if text.startswith("-") else text


def products(pairs: list[tuple[float, float]], precision: int, times: str) -> str:
    """w_1 x_1 + w_2 x_2 + ...: each weight and value, `times` between them."""
    return " + ".join(
        f"{factor(w, precision)} {times} {factor(v, precision, trim=True)}" for w, v in pairs
    )
