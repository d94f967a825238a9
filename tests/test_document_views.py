"""-f markdown, latex, html and svg: the textbook's numbers in each, parsed back."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import (
    RNNCLI,
    SAMPLE,
    WEATHER,
    WEATHER_CONFIG,
    CheckedHtml,
    compiled_latex,
    latex_checked,
    pdf_text,
    pipe_rows,
    rnncli,
)

#: The textbook's printed h_t (rows t = 1..3) and its "Hidden" W_xh x_1 + b_xh.
H = [[-0.3520, 0.5253], [-0.6842, 0.7607], [-0.8649, 0.9047]]
HIDDEN_1 = "-0.4702, 0.5864"


def test_markdown_forward_gives_the_numbers_back_at_the_precision() -> None:
    rows = pipe_rows(rnncli("forward", SAMPLE, "-f", "markdown"))
    assert rows[0] == ["t", "x1", "x2", "x3", "x4", "x5", "h1", "h2"]
    for t, row in enumerate(rows[1:], start=1):
        assert [float(v) for v in row[1:6]] == [t] * 5
        assert [float(v) for v in row[6:]] == H[t - 1]
        assert all(len(v.split(".")[1]) == 4 for v in row[1:])  # -p 4 by default
    six = pipe_rows(rnncli("forward", SAMPLE, "-f", "markdown", "-p", "6"))
    exact = [line.split(",") for line in rnncli("forward", SAMPLE, "-f", "csv").splitlines()]
    for row, csv_row in zip(six[1:], exact[1:], strict=True):
        assert row[6:] == [f"{float(v):.6f}" for v in csv_row[6:]]


def test_markdown_is_aligned() -> None:
    lines = [
        line for line in rnncli("forward", SAMPLE, "-f", "markdown").splitlines() if "|" in line
    ]
    assert len({len(line) for line in lines}) == 1
    assert lines[1].startswith("| --- | -----: |")


def test_markdown_explain_has_the_textbook_hidden_and_the_hand_step() -> None:
    text = rnncli("forward", SAMPLE, "-f", "markdown", "--explain")
    hidden = [row for row in pipe_rows(text) if row[0] == "= W_xh x_t + b_xh"]
    assert hidden[0][1:] == ["-0.4702", "0.5864"]
    assert f"$W_{{xh}} x_{{1}} + b_{{xh}} = ({HIDDEN_1})$" in text
    assert "$h_{1,1} = \\tanh(-0.3677) = -0.3520$" in text


def test_hand_step_two_shows_the_recurrence() -> None:
    text = rnncli("forward", SAMPLE, "-f", "markdown", "--explain", "--hand-step", "2")
    # W_hh h_1, unit 1: 0.1961·h_1,1 + 0.0349·h_1,2 by the textbook's h_1
    assert "$(W_{hh} h_{1})_{1} = 0.1961 \\cdot (-0.352) + 0.0349 \\cdot 0.5253 = -0.0507$" in text
    assert "$h_{2} = (-0.6842, 0.7607)$" in text
    done = subprocess.run(
        [*RNNCLI, "forward", SAMPLE, "-f", "markdown", "--explain", "--hand-step", "4"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "--hand-step: is 4, but the run has 3 steps" in done.stderr


def test_no_title_and_no_sparklines() -> None:
    full = rnncli("forward", SAMPLE, "-f", "markdown")
    bare = rnncli("forward", SAMPLE, "-f", "markdown", "--no-title", "--no-sparklines")
    assert "**textbook" in full and "- h1 `█▃▁`" in full
    assert "textbook" not in bare and "█" not in bare
    assert pipe_rows(bare) == pipe_rows(full)


def test_markdown_elides_long_runs_unless_all(tmp_path: Path) -> None:
    long = tmp_path / "long.csv"
    long.write_text("x1,x2,x3,x4,x5\n" + "0.1,0.1,0.1,0.1,0.1\n" * 50)
    elided = pipe_rows(rnncli("forward", str(long), "-f", "markdown"))
    assert len(elided) == 1 + 21 and elided[11][0] == "⋮"
    assert len(pipe_rows(rnncli("forward", str(long), "-f", "markdown", "--all"))) == 51


def test_backward_markdown_gradient_flow() -> None:
    rows = pipe_rows(rnncli("backward", SAMPLE, "-f", "markdown"))
    assert rows[0][:2] == ["k", "norm"]
    # the textbook network's norms, 1.87e-3, 6.83e-3, 7.60e-2, at 4 decimals
    assert [row[1] for row in rows[1:]] == ["0.0019", "0.0068", "0.0760"]


def test_latex_tables_and_the_hand_step() -> None:
    text = rnncli("forward", SAMPLE, "-f", "latex", "--explain")
    latex_checked(text)
    assert r"= W\_xh x\_t + b\_xh & -0.4702 & 0.5864 \\" in text
    assert r"W_{xh} x_{1} + b_{xh} &= (-0.4702, 0.5864)" in text
    assert "\\begin{tabular}{lrr}\n\\toprule" in text
    forward = rnncli("forward", SAMPLE, "-f", "latex")
    latex_checked(forward)
    assert r"1 & 1.0000 & 1.0000 & 1.0000 & 1.0000 & 1.0000 & -0.3520 & 0.5253 \\" in forward


@pytest.mark.slow
def test_latex_compiles(tmp_path: Path) -> None:
    body = rnncli("forward", SAMPLE, "-f", "latex", "--explain", "--hand-step", "2")
    body += rnncli("forward", WEATHER, "-c", WEATHER_CONFIG, "-f", "latex")
    body += rnncli("backward", SAMPLE, "-f", "latex")
    text = pdf_text(compiled_latex(body, tmp_path))
    assert "-0.6842" in text and "0.7607" in text  # h_2, the hand step's


def test_html_is_one_well_formed_page_with_the_colours() -> None:
    html = rnncli("forward", WEATHER, "-c", WEATHER_CONFIG, "-f", "html")
    parser = CheckedHtml()
    parser.feed(html)
    parser.close()
    assert not parser.stack
    assert "0.4383" in parser.text and "-0.0500" in parser.text
    assert "prefers-color-scheme: dark" in html
    # the heat colours: red3 (#af0000) and steel_blue-ish blues, as classes with colours
    styles = dict(re.findall(r"\.(r\d+) \{([^}]*)\}", html))
    assert any("color: #" in style for style in styles.values())
    assert parser.classes & set(styles)


def test_html_marks_saturation_and_its_note(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_text("x1,x2,x3,x4,x5\n5,5,5,5,5\n")
    html = rnncli("forward", str(big), "-f", "html")
    assert "*" in html and "saturated (|h| &gt; 0.99)" in html


def test_svg_is_xml_in_the_svg_namespace() -> None:
    svg = rnncli("forward", SAMPLE, "-f", "svg", "--no-title")
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = "".join(root.itertext()).replace("\xa0", " ")
    assert "-0.3520" in text and "0.9047" in text
