"""`forward --explain` for people: every term of every step, and the first step by hand."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from rnncli.cells.activations import FloatArray
from rnncli.core.explain import Terms
from rnncli.core.forward_result import Forward
from rnncli.core.network import Network
from rnncli.views.explained_terms import HIDDEN_ROWS, OUTPUT_ROWS, view_terms
from rnncli.views.gated_rows import SATURATION_NOTE, gated_rows, saturation_marks, state_by_hand
from rnncli.views.table_blocks import UnitColumns
from rnncli.views.table_text import ROWS_EACH_END, fixed, shown_steps, title

#: The largest sizes whose first step is written out product by product.
WRITTEN_OUT_MAX_INPUTS = 8
WRITTEN_OUT_MAX_UNITS = 8


def explain_view(
    result: Forward,
    net: Network,
    explained: Terms,
    precision: int = 4,
    elide: bool = False,
    sequence_id: str | int | None = None,
    hand_step: int = 1,
    titled: bool = True,
) -> Group:
    """A table of terms per step, step `hand_step`'s products, and the Formulation 2 check."""
    parts: list[RenderableType] = []
    if titled:
        parts.append(Text(title(net, result, sequence_id), style="bold"))
    terms = view_terms(explained)
    marked = False
    for k in shown_steps(len(result.X), elide):
        if k is None:
            hidden = len(result.X) - 2 * ROWS_EACH_END
            parts.append(Text(f"⋮  {hidden:,} steps hidden; --all shows every step", style="dim"))
            continue
        parts.append(step_table(result, net, terms, k, precision))
        marked = marked or any(saturation_marks(net, terms, k))
    if marked:
        parts.append(Text(SATURATION_NOTE, style="dim"))
    parts.append(first_step_by_hand(result, net, precision, terms, hand_step))
    difference = explained.formulation_2_difference
    checked = {
        "rnn": "z_t",
        "lstm": "pre-activations of i, f, g and o",
        "gru": "pre-activations of r and z",
    }
    parts.append(
        Text(
            "Formulation 2: [W_xh W_hh]·[x_t; h_{t-1}] + b_xh + b_hh gives the same "
            f"{checked[net.cell_kind]} (largest difference {difference:.3g})."
        )
    )
    return Group(*parts)


def step_table(
    result: Forward, net: Network, terms: dict[str, FloatArray], k: int, precision: int
) -> RenderableType:
    """Step t = k + 1: one row per term (`terms` as term_arrays gives them), one column
    per unit (in blocks of units where they do not fit the width); with an output layer,
    where the step makes an output, a second table."""
    if net.gates:
        hidden = UnitColumns(
            f"t = {k + 1}", "term", "unit", gated_rows(result, net, terms, k, precision)
        )
    else:
        f = net.activation.name
        rows = [(name, terms[key][k]) for name, key in HIDDEN_ROWS]
        rows.append((f"h_t = {f}(z_t)", result.H[k]))
        hidden = UnitColumns(
            f"t = {k + 1}",
            "term",
            "unit",
            [
                (
                    Text(name, style="bold" if name.startswith(("= z_t", "h_t")) else ""),
                    [fixed(v, precision) for v in values.tolist()],
                )
                for name, values in rows
            ],
        )
    output_row = result.output_row(k)
    if "o_pre" not in terms or output_row is None:
        return hidden
    g = net.output_activation or "identity"
    output_rows = [(Text(name), terms[key][k]) for name, key in OUTPUT_ROWS]
    output_rows.append((Text(f"o_t = {g}(...)", style="bold"), result.O[output_row]))
    outputs = UnitColumns(
        None,
        "term",
        "output",
        [(name, [fixed(v, precision) for v in values.tolist()]) for name, values in output_rows],
    )
    return Group(hidden, outputs)


def first_step_by_hand(
    result: Forward,
    net: Network,
    precision: int,
    terms: dict[str, FloatArray] | None = None,
    t: int = 1,
) -> Text:
    """W_xh x_t and W_hh h_{t-1} written out (step 1 unless `t`), one row of the matrix
    per line; an LSTM's or GRU's per gate, then its state from the gates."""
    if net.input_size > WRITTEN_OUT_MAX_INPUTS or net.hidden_size > WRITTEN_OUT_MAX_UNITS:
        return Text(
            "The first step is written out by hand for up to "
            f"{WRITTEN_OUT_MAX_INPUTS} inputs and {WRITTEN_OUT_MAX_UNITS} hidden units; "
            "`-f json --explain` gives every term of every step.",
            style="dim",
        )
    lines = [f"t = {t} by hand, one row of each matrix at a time:"]
    x_t = result.X[t - 1]
    h_prev = result.h0[0] if t == 1 else result.H[t - 2]  # h_{t-1}
    H = net.cell_size
    for name, matrix, vector in (("W_xh", net.W_xh, x_t), ("W_hh", net.W_hh, h_prev)):
        for k, row in enumerate(matrix):
            gate = f"^{net.gates[k // H]}" if net.gates else ""
            products = " + ".join(
                f"{_signed(w, precision)}·{_trimmed(fixed(v, precision))}"
                for w, v in zip(row.tolist(), vector.tolist(), strict=True)
            )
            total = _written_total(net, terms, name, t, k)
            if total is None:
                total = float(row @ vector)
            term = f"{name}{gate} {f'x_{t}' if name == 'W_xh' else f'h_{t - 1}'}"
            lines.append(f"  {term}, unit {k % H + 1}: {products} = {fixed(total, precision)}")
    if net.gates:
        lines += state_by_hand(result, net, terms, precision, t)
    return Text("\n".join(lines))


def _written_total(
    net: Network, terms: dict[str, FloatArray] | None, name: str, t: int, k: int
) -> float | None:
    """Row k of W_xh x_t or W_hh h_{t-1} as the terms hold it (the table's row, in the
    run's dtype), or None where they hold something else: a GRU's W_hh^n (r ⊙ h_{t-1})."""
    if terms is None:
        return None
    H = net.cell_size
    key = "W_xh_x" if name == "W_xh" else "W_hh_h_prev"
    if net.gates:
        gate = net.gates[k // H]
        reset_first = not net.cell.options.reset_after  # a GRU's n: W_hh^n (r ⊙ h_{t-1})
        if key == "W_hh_h_prev" and gate == "n" and reset_first:
            return None
        key = f"{key}_{gate}"
    return float(terms[key][t - 1][k % H])


def _signed(value: float, precision: int) -> str:
    """A factor in a written-out sum: negatives in parentheses, as on paper."""
    text = fixed(value, precision)
    return f"({text})" if text.startswith("-") else text


def _trimmed(text: str) -> str:
    """1.0000 as 1 and 0.5000 as 0.5: an input as a person would write it."""
    return text.rstrip("0").rstrip(".") if "." in text and "e" not in text else text
