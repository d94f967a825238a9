"""The explain view's rows of an LSTM's or a GRU's step: each gate taken apart, then how
the gates make the state; and the first step's state written out by hand.

Per gate g (its terms' keys in rnncli.views.explained_terms, its value under "gate g"):

    g: W_xh x_t        W_xh^g x_t
       + b_xh          b_xh^g
       + W_hh h_{t-1}  W_hh^g h_{t-1}
       + b_hh          b_hh^g
       = z^g           the pre-activation
    g = σ(z^g)         the gate's value (act for the LSTM's g and the GRU's n)

a GRU's n adds its reset: r ⊙ (W_hh h_{t-1} + b_hh) (reset after), or W_hh (r ⊙ h_{t-1})
+ b_hh; an LSTM's peepholes add + p_i ⊙ c_{t-1}, + p_f ⊙ c_{t-1} and + p_o ⊙ c_t before
z^i, z^f and z^o. Then an LSTM's c_t = f ⊙ c_{t-1} + i ⊙ g and h_t = o ⊙ state_act(c_t)
(with a projection o ⊙ state_act(c_t), then h_t = W_hr (o ⊙ state_act(c_t)), P values),
a GRU's h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}. A σ gate within SATURATED of 0 or 1 is marked *.
"""

from __future__ import annotations

from rich.text import Text

from rnncli.cells.activations import FloatArray
from rnncli.core.forward_result import Forward
from rnncli.core.network import Network
from rnncli.views.table_text import fixed

#: A gate this close to 0 or 1 is saturated: it passes (almost) all or nothing.
SATURATED = 1e-2
SATURATION_NOTE = (
    "* a gate within 0.01 of 0 or 1: saturated, it lets (almost) all or nothing through, "
    "and the gradient through its activation (almost) vanishes"
)


def _sigma_gates(net: Network) -> tuple[str, ...]:
    """The gates of the recurrent activation σ: i, f, o or r, z."""
    return net.cell.sigma_gates


def saturation_marks(net: Network, terms: dict[str, FloatArray], k: int) -> list[bool]:
    """Step k's σ gate values, unit by unit: whether each is saturated (none for rnn)."""
    if not net.gates:
        return []
    return [
        bool(v < SATURATED or v > 1 - SATURATED)
        for gate in _sigma_gates(net)
        for v in terms[f"gate {gate}"][k].tolist()
    ]


def gated_rows(
    result: Forward, net: Network, terms: dict[str, FloatArray], k: int, precision: int
) -> list[tuple[Text, list[str]]]:
    """Step t = k + 1 of an LSTM or GRU as the explain table's rows (see the module)."""
    options = net.cell.options
    σ = options.recurrent_activation.name
    act = net.activation.name
    marked = any(saturation_marks(net, terms, k))
    sigma_gates = _sigma_gates(net)

    def texts(values: FloatArray, gate: str | None = None) -> list[str]:
        if not marked:
            return [fixed(v, precision) for v in values.tolist()]
        marks = [
            "*" if gate in sigma_gates and (v < SATURATED or v > 1 - SATURATED) else " "
            for v in values.tolist()
        ]
        return [fixed(v, precision) + m for v, m in zip(values.tolist(), marks, strict=True)]

    rows: list[tuple[Text, list[str]]] = []
    for gate in net.gates:
        labels = [
            (f"{gate}: W_xh x_t", "W_xh_x"),
            ("   + b_xh", "b_xh"),
            ("   + W_hh h_{t-1}", "W_hh_h_prev"),
            ("   + b_hh", "b_hh"),
        ]
        if gate == "n":  # a GRU's candidate
            if options.reset_after:
                labels[2:] = [("   W_hh h_{t-1}", "W_hh_h_prev"), ("   b_hh", "b_hh")]
                labels.append(("   + r ⊙ (W_hh h_{t-1} + b_hh)", "recurrent_n"))
            else:
                labels[2:] = [("   W_hh (r ⊙ h_{t-1})", "W_hh_h_prev"), ("   b_hh", "b_hh")]
                labels.append(("   + W_hh (r ⊙ h_{t-1}) + b_hh", "recurrent_n"))
        if f"peephole_{gate}" in terms:
            peeked = "c_t" if gate == "o" else "c_{t-1}"
            labels.append((f"   + p_{gate} ⊙ {peeked}", "peephole"))
        labels.append((f"   = z^{gate}", "z"))
        for label, key in labels:
            full = key if key == "recurrent_n" else f"{key}_{gate}"
            rows.append((Text(label), texts(terms[full][k])))
        f = σ if gate in sigma_gates else act
        value = f"{gate} = {f}(z^{gate})"
        if gate == "f" and options.input_forget:
            value = "f = 1 - i"
        rows.append((Text(value, style="bold"), texts(terms[f"gate {gate}"][k], gate)))
    if net.cell_kind == "lstm" and result.C is not None:
        state_act = _state_activation(net)
        rows += [
            (Text("f ⊙ c_{t-1}"), texts(terms["f_c_prev"][k])),
            (Text("+ i ⊙ g"), texts(terms["i_g"][k])),
            (Text("= c_t", style="bold"), texts(result.C[k])),
            (Text(f"{state_act}(c_t)"), texts(terms["act_c"][k])),
        ]
        if "o_act_c" in terms:  # a projection: h_t = W_hr (o ⊙ state_act(c_t))
            rows.append((Text(f"o ⊙ {state_act}(c_t)"), texts(terms["o_act_c"][k])))
            h_t = Text(f"h_t = W_hr (o ⊙ {state_act}(c_t))", style="bold")
            rows.append((h_t, texts(result.H[k])))
        else:
            h_t = Text(f"h_t = o ⊙ {state_act}(c_t)", style="bold")
            rows.append((h_t, texts(result.H[k])))
    else:
        rows += [
            (Text("(1 - z) ⊙ n"), texts(terms["one_minus_z_n"][k])),
            (Text("+ z ⊙ h_{t-1}"), texts(terms["z_h_prev"][k])),
            (Text("= h_t", style="bold"), texts(result.H[k])),
        ]
    # A projected h_t holds P values, the rest H: every row as wide, blanks after its own
    width = max(len(values) for _, values in rows)
    return [(label, values + [""] * (width - len(values))) for label, values in rows]


def _state_activation(net: Network) -> str:
    state_activation = net.cell.options.state_activation
    return (state_activation or net.activation).name


def state_by_hand(
    result: Forward,
    net: Network,
    terms: dict[str, FloatArray] | None,
    precision: int,
    t: int = 1,
) -> list[str]:
    """Step t's c_t and h_t (an LSTM's) or h_t (a GRU's), unit by unit, from the gates'
    values."""
    if terms is None:
        return []
    lines, k = [], t - 1  # row k holds step t

    def v(key: str, unit: int) -> str:
        return _factor(float(terms[key][k][unit]), precision)

    projected = "o_act_c" in terms
    label = f"o⊙{_state_activation(net)}(c_{t})" if projected else f"h_{t}"
    for unit in range(net.cell_size):
        if net.cell_kind == "lstm" and result.C is not None:
            c_prev, c_t = v("c_prev", unit), fixed(float(result.C[k][unit]), precision)
            lines.append(
                f"  c_{t}, unit {unit + 1}: f·c_{t - 1} + i·g = {v('gate f', unit)}·{c_prev}"
                f" + {v('gate i', unit)}·{v('gate g', unit)} = {c_t}"
            )
            shown = terms["o_act_c"][k] if projected else result.H[k]
            lines.append(
                f"  {label}, unit {unit + 1}: o·{_state_activation(net)}(c_{t}) = "
                f"{v('gate o', unit)}·{_state_activation(net)}({c_t}) = "
                f"{fixed(float(shown[unit]), precision)}"
            )
        else:
            h_t = fixed(float(result.H[k][unit]), precision)
            z = float(terms["gate z"][k][unit])
            lines.append(
                f"  h_{t}, unit {unit + 1}: (1 - z)·n + z·h_{t - 1} = {_factor(1 - z, precision)}·"
                f"{v('gate n', unit)} + {v('gate z', unit)}·{v('h_prev', unit)} = {h_t}"
            )
    if projected:
        h_t = ", ".join(fixed(float(value), precision) for value in result.H[k].tolist())
        lines.append(f"  h_{t} = W_hr (o ⊙ {_state_activation(net)}(c_{t})) = [{h_t}]")
    return lines


def _factor(value: float, precision: int) -> str:
    """A factor in a written-out sum: negatives in parentheses, as on paper."""
    text = fixed(value, precision)
    return f"({text})" if text.startswith("-") else text
