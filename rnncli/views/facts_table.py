"""`rnncli inspect`'s facts as a table: rich's for people, plain cells for the documents
(a Markdown pipe table, a booktabs tabular), one fact per row."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from rnncli.printable import printable
from rnncli.views.document_tables import PlainTable

if TYPE_CHECKING:
    from rich.table import Table


def network_table(facts: dict[str, Any]) -> Table:
    """The facts `describe` gives, one per row."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(facts_name(facts)), title_justify="left", show_header=False)
    table.add_column("fact", style="bold cyan")
    table.add_column("value")
    for fact, value in [*fact_rows(facts), ("", facts["spectral_radius_note"])]:
        table.add_row(fact, Text(value))
    return table


def facts_table(facts: dict[str, Any]) -> PlainTable:
    """The same rows as text cells, for the documents (the values text, left-aligned),
    the spectral radius's note under the table rather than in a row."""
    rows = [[fact, value] for fact, value in fact_rows(facts)]
    notes = [facts["spectral_radius_note"]]
    return PlainTable(facts_name(facts), ["fact", "value"], rows, notes, numbers=False)


def facts_name(facts: dict[str, Any]) -> str:
    """The network's name from its file, printable (rnncli.printable), for the views;
    the json keeps it as given."""
    return printable(facts["name"]) if facts["name"] else "network"


def fact_rows(facts: dict[str, Any]) -> list[tuple[str, str]]:
    """(fact, value) for each fact `describe` gives, as the table shows them (all but
    the spectral radius's note)."""
    sizes = f"{facts['input_size']} → {facts['hidden_size']}"
    if facts["output_activation"] is not None:
        sizes += f" → {facts['output_size']}"
    rows = [("sizes", f"{sizes}  (I → H{' → O' if facts['output_activation'] else ''})")]
    if "cell" in facts:
        rows += _cell_rows(facts)
    if "num_layers" in facts:
        rows.append(("layers", f"{facts['num_layers']}, {facts['direction']}"))
    if "clip" in facts:
        rows.append(("clip", f"z_t clipped to ±{facts['clip']:g} before f"))
    rows += [
        ("activation", facts["activation"]),
        ("output", facts["output_activation"] or "none: o_t = h_t"),
        ("biases", _BIAS_WORDS[facts["bias"]]),
        ("parameters", f"{facts['parameters']:,}"),
        ("h0", "zeros" if not np.any(facts["h0"]) else str(facts["h0"])),
    ]
    if "c0" in facts:
        rows.append(("c0", "zeros" if not np.any(facts["c0"]) else str(facts["c0"])))
    if "gates" in facts:
        rows += [
            ("spectral radius" if k == 0 else "", f"{gate['spectral_radius']:.6g}  of W_hh^{g}")
            for k, (g, gate) in enumerate(facts["gates"].items())
        ]
    else:
        rows.append(("spectral radius", f"{facts['spectral_radius']:.6g}  of W_hh"))
    return rows


def _cell_rows(facts: dict[str, Any]) -> list[tuple[str, str]]:
    """An LSTM's or a GRU's cell, its gates and its options."""
    gates = ", ".join(f"{gate} {value['name']}" for gate, value in facts["gates"].items())
    rows = [
        ("cell", facts["cell"]),
        ("gates", gates),
        ("recurrent activation", f"{facts['recurrent_activation']}  (σ of the gates)"),
    ]
    if "state_activation" in facts:
        rows.append(("state activation", f"{facts['state_activation']}  (h_t = o ⊙ act(c_t))"))
    if facts.get("input_forget"):
        rows.append(("input_forget", "f = 1 - i"))
    if facts.get("projection_size"):
        rows.append(("projection", f"W_hr: h_t has P = {facts['projection_size']} values"))
    if facts.get("peepholes"):
        rows.append(("peepholes", "p_i, p_f on c_(t-1); p_o on c_t"))
    if "reset_after" in facts:
        rows.append(
            (
                "reset_after",
                "true: n = act(... + r ⊙ (W_hh^n h + b_hh^n)), as PyTorch"
                if facts["reset_after"]
                else "false: n = act(... + W_hh^n (r ⊙ h) + b_hh^n), ONNX's default",
            )
        )
    return rows


_BIAS_WORDS = {
    "two": "two: b_xh and b_hh",
    "one": "one: b_h",
    "none": "none",
    "mixed": "mixed: the layers give them differently",
}
