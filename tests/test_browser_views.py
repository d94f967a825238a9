"""Every HTML and SVG page rnncli writes, rendered in headless chromium, and what the
browser shows read back: forward, --explain, backward and inspect, for an rnn, an lstm
and a gru. A probe script in a copy of the page reports, after layout, the text the page
shows (`innerText`) or each SVG text's place and width; the numbers shown are held to
rnncli's csv and json of the same run, so a blank page, a broken table or an unescaped
name fails. The SVG itself is also screenshotted and checked for its ink."""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import LESSON, LESSON_LSTM, SAMPLE, chromium, require, rnncli

pytestmark = pytest.mark.slow

#: The probe, run at the end of the page: what is shown after layout, as JSON in a
#: <pre id="rnncli-probe"> (in an SVG, a <desc>).
PROBE = """
(() => {
  const box = (e) => e.getBoundingClientRect();
  const shown = [...document.querySelectorAll("text")]
    .filter((t) => box(t).width > 0)
    .map((t) => [t.getAttribute("x"), t.getAttribute("y"), t.getAttribute("textLength"),
                  t.textContent]);
  const spans = [...document.querySelectorAll("pre span")]
    .filter((s) => box(s).width > 0)
    .map((s) => [s.textContent, getComputedStyle(s).color]);
  const root = document.body || document.documentElement;
  const report = JSON.stringify({
    text: document.body ? document.body.innerText : "",
    svg: shown,
    spans: spans,
    size: [box(root).width, box(root).height],
  });
  const svg = !document.body;
  const out = svg
    ? document.createElementNS("http://www.w3.org/2000/svg", "desc")
    : document.createElement("pre");
  out.id = "rnncli-probe";
  out.textContent = report;
  root.appendChild(out);
})();
"""

KINDS = ["rnn", "lstm", "gru"]
DOCUMENTS = {
    "forward": ["forward"],
    "explain": ["forward", "--explain"],
    "backward": ["backward"],
    "inspect": ["inspect"],
}
CASES = [
    pytest.param(kind, document, form, id=f"{kind}-{document}-{form}")
    for kind in KINDS
    for document in DOCUMENTS
    for form in ("html", "svg")
    if not (document == "inspect" and form == "svg")  # inspect writes no SVG
]


@pytest.fixture(scope="module")
def networks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """kind -> the sequence and config arguments of its runs."""
    gru = tmp_path_factory.mktemp("networks") / "gru.yaml"
    gru.write_text(rnncli("init-weights", "-i", "1", "-H", "2", "--cell", "gru", "--seed", "1"))
    return {"rnn": [SAMPLE], "lstm": [LESSON, "-c", LESSON_LSTM], "gru": [LESSON, "-c", str(gru)]}


def shown(page: str, form: str, folder: Path) -> dict[str, Any]:
    """What chromium shows of the page: the probe's report, and `lines`, the text shown
    line by line (an SVG's texts grouped by their line on the screen, left to right)."""
    if form == "html":
        assert page.count("</body>") == 1
        probed = page.replace("</body>", f"<script>{PROBE}</script></body>")
        path = folder / "page.html"
    else:
        end = page.rindex("</svg>")
        script = f'<script type="text/javascript"><![CDATA[{PROBE}]]></script>'
        probed, path = page[:end] + script + page[end:], folder / "page.svg"
    path.write_text(probed, encoding="utf-8")
    dom = chromium(folder, "--dump-dom", path.as_uri()).decode("utf-8")
    found = re.search(r'<(pre|desc) id="rnncli-probe">(.*?)</\1>', dom, flags=re.DOTALL)
    assert found, f"the page did not load and run in the browser:\n{dom[:2000]}"
    report: dict[str, Any] = json.loads(html.unescape(found.group(2)))
    if form == "html":
        report["lines"] = report["text"].replace("\xa0", " ").splitlines()
    else:
        report["lines"] = svg_lines(report["svg"])
    assert report["size"][0] > 100 and report["size"][1] > 50, report["size"]
    return report


def svg_lines(texts: list[list[str]]) -> list[str]:
    """The SVG's shown texts as lines of a character grid: rich writes each run of text at
    its x with a textLength of its characters' width, and leaves the gaps out."""
    placed = [(float(x), float(y), float(length or 0), text) for x, y, length, text in texts]
    widths = [length / len(text) for _, _, length, text in placed if length and text.strip()]
    width = float(np.median(widths))
    rows: dict[float, dict[int, str]] = defaultdict(dict)
    for x, y, _, text in placed:
        for k, char in enumerate(text.replace("\xa0", " ").rstrip("\n")):
            rows[y][round(x / width) + k] = char
    return [
        "".join(row.get(k, " ") for k in range(max(row) + 1))
        for _, row in sorted(rows.items())
        if row
    ]


def steps_of(args: list[str]) -> list[tuple[int, list[str]]]:
    """Each step's t and h_t at the views' 4 decimals, from the csv of the same run."""
    header, *rows = rnncli(*args, "-f", "csv").splitlines()
    columns = header.split(",")
    return [
        (int(row[0]), [f"{float(v):.4f}" for c, v in zip(columns, row, strict=True) if c[0] == "h"])
        for row in (line.split(",") for line in rows)
    ]


def check_forward(lines: list[str], args: list[str]) -> None:
    """The table's row of each step shown holds that step's h_t (long runs are elided in
    the middle: the first and the last steps are there)."""
    steps = steps_of(args)
    rows = {}
    for line in lines:
        cells = [cell.strip() for cell in re.split(r"[│┃]", line)]
        if len(cells) > 2 and cells[1].isdigit():
            rows[int(cells[1])] = " ".join(cells[2:]).split()
    assert {steps[0][0], steps[-1][0]} <= set(rows), lines
    for t, h in steps:
        if t in rows:
            assert all(value in rows[t] for value in h), (t, h, rows[t])


def check_explain(lines: list[str], args: list[str]) -> None:
    """Each step's block ("t = 1", ...) shows that step's h_t."""
    blocks: dict[int, str] = {}
    current = None
    for line in lines:
        if found := re.match(r"\s*t = (\d+)\s*$", line):
            current = int(found.group(1))
        elif current is not None:
            blocks[current] = blocks.get(current, "") + line + "\n"
    steps = steps_of([a for a in args if a != "--explain"])
    assert steps[0][0] in blocks and steps[-1][0] in blocks, lines
    for t, h in steps:
        if t in blocks:
            assert all(value in blocks[t].split() for value in h), (t, h, blocks[t])


def check_backward(lines: list[str], args: list[str]) -> None:
    """The gradient flow's rows: k and ‖∂h_T/∂h_k‖₂ as the json has them."""
    flow = json.loads(rnncli(*args, "-f", "json"))["gradient_flow"]
    text = "\n".join(lines)
    for row in flow:
        assert re.search(rf"[│┃]\s*{row['k']}\s*[│┃]\s*{row['norm']:.4e}", text), (row, text)


def check_inspect(lines: list[str], args: list[str]) -> None:
    facts = json.loads(rnncli(*args, "-f", "json"))
    rows = [[c.strip() for c in re.split(r"[│┃]", line.strip("│┃ "))] for line in lines]
    shown_facts = {row[0]: row[1] for row in rows if len(row) == 2}
    assert shown_facts["parameters"] == str(facts["parameters"]), shown_facts


CHECKS = {
    "forward": check_forward,
    "explain": check_explain,
    "backward": check_backward,
    "inspect": check_inspect,
}


@pytest.mark.parametrize(("kind", "document", "form"), CASES)
def test_the_browser_shows_the_runs_numbers(
    kind: str, document: str, form: str, networks: dict[str, list[str]], tmp_path: Path
) -> None:
    command, *options = DOCUMENTS[document]
    sequence = networks[kind] if command != "inspect" else networks[kind][2:]
    args = [command, *sequence, *options]
    report = shown(rnncli(*args, "-f", form), form, tmp_path)
    CHECKS[document](report["lines"], args)
    if form == "html" and document == "forward":  # the heat colours are applied
        colours = {colour for text, colour in report["spans"] if re.fullmatch(r"-?\d+\.\d+", text)}
        assert len(colours) >= 2, report["spans"]


NAME = """<b>net</b> & "one" 'two' <!-- x -->"""


@pytest.mark.parametrize("form", ["html", "svg"])
def test_a_name_with_markup_is_shown_as_written(form: str, tmp_path: Path) -> None:
    config = tmp_path / "net.yaml"
    weights = rnncli("init-weights", "-i", "5", "-H", "2", "--seed", "1")
    config.write_text(f"name: {json.dumps(NAME)}\n{weights}", encoding="utf-8")
    report = shown(rnncli("forward", SAMPLE, "-c", str(config), "-f", form), form, tmp_path)
    assert any(NAME in line for line in report["lines"]), report["lines"]
    check_forward(report["lines"], ["forward", SAMPLE, "-c", str(config)])


def ink(png: Path) -> tuple[np.ndarray, float]:
    """The screenshot's most common colour (its background) and the share of pixels far
    from it (what is drawn on it)."""
    require("matplotlib")
    from matplotlib.image import imread

    pixels = np.round(imread(png)[..., :3] * 255).astype(int).reshape(-1, 3)
    colours, counts = np.unique(pixels, axis=0, return_counts=True)
    background = colours[counts.argmax()]
    far = np.abs(pixels - background).sum(axis=1) > 150
    return background, float(far.mean())


@pytest.mark.parametrize("command", ["forward", "backward"])
def test_the_svg_file_is_drawn(command: str, tmp_path: Path) -> None:
    """The file as written (no probe): a dark terminal window with light text on it."""
    svg = tmp_path / "view.svg"
    svg.write_text(rnncli(command, SAMPLE, "-f", "svg"), encoding="utf-8")
    found = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg.read_text(encoding="utf-8"))
    assert found
    width, height = 800, int(800 * float(found.group(2)) / float(found.group(1)))  # fits
    shot = tmp_path / "shot.png"
    chromium(tmp_path, f"--screenshot={shot}", f"--window-size={width},{height}", svg.as_uri())
    background, drawn = ink(shot)
    assert background.sum() < 3 * 80, background  # rich's window, not a white error page
    assert 0.01 < drawn < 0.5, drawn
