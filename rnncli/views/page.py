"""`-f html` and `-f svg`: the table for people (its colours, saturation marks, notes
and sparklines) as one standalone web page, readable in light and dark mode, or as an
SVG image for slides. rich records what it draws and exports it."""

from __future__ import annotations

import io
from html import escape

from rich.console import Console, RenderableType

#: The page around rich's recorded table: the text's colour follows the reader's light
#: or dark preference; the heat colours are mid-tones readable on both.
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>@TITLE@</title>
<style>
body {{
    color: #1f2328;
    background-color: #ffffff;
    margin: 1.5em;
}}
@media (prefers-color-scheme: dark) {{
    body {{
        color: #e6edf3;
        background-color: #0d1117;
    }}
}}
pre {{
    font-family: Menlo, 'DejaVu Sans Mono', Consolas, 'Courier New', monospace;
    line-height: 1.3;
}}
{stylesheet}
</style>
</head>
<body>
<pre><code>{code}</code></pre>
</body>
</html>
"""


def _recorded(view: RenderableType) -> Console:
    """A console that has drawn `view` as wide as its widest line (nothing wraps, and
    the SVG is no wider than the table)."""
    probe = Console(record=True, file=io.StringIO(), width=100_000)
    probe.print(view)
    width = max((len(line.rstrip()) for line in probe.export_text().splitlines()), default=1)
    console = Console(
        record=True, file=io.StringIO(), width=max(width, 20), color_system="truecolor"
    )
    console.print(view)
    return console


def page_html(view: RenderableType, title: str) -> str:
    """`view` as a standalone HTML page titled `title`."""
    # The title goes into the page before rich fills it, so that no text of the view
    # (a name holding "@TITLE@") can be taken for the title's place.
    page = PAGE.replace("@TITLE@", escape(title).replace("{", "{{").replace("}", "}}"))
    return _recorded(view).export_html(code_format=page, inline_styles=False)


def image_svg(view: RenderableType, title: str) -> str:
    """`view` as an SVG image (rich's terminal window, titled `title`)."""
    return _recorded(view).export_svg(title=title)
