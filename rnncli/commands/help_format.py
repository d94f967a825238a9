"""Plain help, in sections: options grouped under headings, examples one per line.

rich's help renderer alone costs more than all of typer at start-up, so the app keeps
click's plain one and adds the two things rich would have given: options grouped into
panels (`typer.Option(..., rich_help_panel=INPUT)`), each panel a section in the order
of PANELS, and a usage line that shows an argument as its metavar (SEQUENCE, not
typer's {SEQUENCE}). Only typer is imported here.
"""

from __future__ import annotations

from typing import Any

import typer._click._textwrap as click_textwrap
from typer.core import TyperCommand

# The panels of a command's options, in the order its help shows them. An option
# names one with rich_help_panel=; one without a panel goes under "Options".
INPUT = "Input"
NETWORK = "Network"
MODE = "Mode"
LOSS = "Loss"
OUTPUT = "Output"
EXPLAIN = "Explain"
CHECK = "Check"
OTHER = "Options"
PANELS = (INPUT, NETWORK, MODE, LOSS, OUTPUT, EXPLAIN, CHECK, OTHER)


def examples(intro: str, *commands: str) -> str:
    """An epilog of example commands, kept one per line (click's \\b: no rewrapping)."""
    lines = "\n".join(f"  $ {command}" for command in commands)
    return f"{intro}\n\n\b\n{lines}\n"


class _SpacesOnly(click_textwrap.TextWrapper):
    """click's wrapper, breaking lines at spaces only (never inside a hyphenated word)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "break_on_hyphens": False})


class PanelledCommand(TyperCommand):
    """A command whose plain help groups its options into the sections of PANELS."""

    def format_help(self, ctx, formatter):  # type: ignore[no-untyped-def]
        """The help, wrapped at spaces only: many-to-many-delayed and --save-state stay whole."""
        wrapper = click_textwrap.TextWrapper
        click_textwrap.TextWrapper = _SpacesOnly  # type: ignore[misc]
        try:
            super().format_help(ctx, formatter)
        finally:
            click_textwrap.TextWrapper = wrapper  # type: ignore[misc]

    def collect_usage_pieces(self, ctx):  # type: ignore[no-untyped-def]
        """Usage with each argument as its metavar: SEQUENCE, [CONFIG]."""
        pieces: list[str] = super().collect_usage_pieces(ctx)
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in pieces]

    def format_options(self, ctx, formatter):  # type: ignore[no-untyped-def]
        """Arguments first, then one section per panel that has options."""
        arguments: list[tuple[str, str]] = []
        panels: dict[str, list[tuple[str, str]]] = {}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append(record)
            else:
                panel = getattr(param, "rich_help_panel", None) or OTHER
                panels.setdefault(panel, []).append(record)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        ordered = [p for p in PANELS if p in panels] + [p for p in panels if p not in PANELS]
        for panel in ordered:
            with formatter.section(panel):
                formatter.write_dl(panels[panel])
