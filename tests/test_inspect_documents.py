"""`inspect -f markdown|latex|html` and `backward -f html|svg`: the numbers in each, the
documents parsed back (pipe tables, balanced LaTeX environments, well-formed HTML, SVG)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import (
    LESSON_LSTM,
    SAMPLE,
    CheckedHtml,
    compiled_latex,
    latex_checked,
    pdf_text,
    pipe_rows,
    rnncli,
)

LSTM = LESSON_LSTM

#: The textbook network's ‖∂h_3/∂h_k‖₂ for k = 0, 1, 2 (README), and its ρ(W_hh).
NORMS = [1.87e-3, 6.83e-3, 7.60e-2]
RADIUS = 0.293943


def facts_of(config: str | None = None) -> dict[str, object]:
    return dict(json.loads(rnncli("inspect", *([config] if config else []), "-f", "json")))


def page(html: str) -> CheckedHtml:
    """The page parsed: every element closed in order, nothing left open."""
    parser = CheckedHtml()
    parser.feed(html)
    parser.close()
    assert not parser.stack
    return parser


def test_inspect_markdown_is_a_pipe_table_of_the_facts() -> None:
    text = rnncli("inspect", "-f", "markdown")
    rows = pipe_rows(text)
    assert rows[0] == ["fact", "value"]
    facts = dict((row[0], row[1]) for row in rows[1:])
    assert facts["parameters"] == "18" == str(facts_of()["parameters"])
    assert facts["biases"] == "two: b_xh and b_hh"
    radius = float(facts["spectral radius"].split()[0])
    assert radius == pytest.approx(RADIUS, abs=5e-7)
    assert text.startswith("**textbook**\n")
    assert "| --------------- | ------------------ |" in text  # text columns, left-aligned
    assert "gradients vanish" in text.split("\n\n")[-1]  # the radius's note, under the table


def test_inspect_markdown_of_an_lstm_names_each_gates_radius() -> None:
    rows = pipe_rows(rnncli("inspect", LSTM, "-f", "markdown"))
    gates = json.loads(rnncli("inspect", LSTM, "-f", "json"))["gates"]
    shown = [row[1] for row in rows if "of W_hh^" in row[1]]
    assert shown == [f"{gate['spectral_radius']:.6g}  of W_hh^{g}" for g, gate in gates.items()]


def test_inspect_latex_is_a_booktabs_tabular_in_plain_ascii() -> None:
    text = rnncli("inspect", LSTM, "-f", "latex")
    latex_checked(text)
    assert text.count(r"\begin{tabular}{ll}") == 1 and r"\bottomrule" in text
    assert "parameters & 40 \\\\\n" in text
    assert r"sigmoid  ($\sigma$ of the gates)" in text
    assert r"tanh  (h\_t = o $\odot$ act(c\_t))" in text
    assert r"0.469042  of W\_hh\textasciicircum{}f \\" in text
    # braces balance once the escaped ones are left out
    bare = text.replace(r"\{", "").replace(r"\}", "")
    assert bare.count("{") == bare.count("}") and bare.count("$") % 2 == 0


@pytest.mark.slow
def test_inspect_latex_compiles(tmp_path: Path) -> None:
    body = rnncli("inspect", "-f", "latex") + rnncli("inspect", LSTM, "-f", "latex")
    text = pdf_text(compiled_latex(body, tmp_path))
    assert "0.469042" in text  # the LSTM's forget gate's spectral radius


def test_inspect_html_is_a_well_formed_page_of_the_facts() -> None:
    html = rnncli("inspect", "-f", "html")
    parser = page(html)
    assert "<title>textbook</title>" in html and "prefers-color-scheme: dark" in html
    lines = [re.split(r"\s*│\s*", line.strip("│ ")) for line in parser.text.splitlines()]
    facts = {line[0]: line[1] for line in lines if len(line) == 2}
    assert facts["parameters"] == "18"
    assert float(facts["spectral radius"].split()[0]) == pytest.approx(RADIUS, abs=5e-7)


def test_backward_html_is_a_well_formed_page_of_the_gradient_flow() -> None:
    parser = page(rnncli("backward", SAMPLE, "-f", "html"))
    rows = [line.strip("│ ").split("│") for line in parser.text.splitlines()]
    norms = {
        int(row[0]): float(row[1]) for row in rows if len(row) == 5 and row[0].strip().isdigit()
    }
    assert sorted(norms) == [0, 1, 2]
    assert [norms[k] for k in range(3)] == pytest.approx(NORMS, rel=5e-3)
    flow = json.loads(rnncli("backward", SAMPLE, "-f", "json"))["gradient_flow"]
    assert [f"{norms[k]:.4e}" for k in range(3)] == [f"{row['norm']:.4e}" for row in flow]
    assert "ρ(W_hh) = 0.2939" in parser.text


def test_backward_svg_is_xml_in_the_svg_namespace_with_the_norms() -> None:
    root = ET.fromstring(rnncli("backward", SAMPLE, "-f", "svg"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = "".join(root.itertext()).replace("\xa0", " ")
    for norm in ("1.8703e-03", "6.8320e-03", "7.6039e-02"):
        assert norm in text
    assert "ρ(W_hh) = 0.2939" in text
