"""`rnncli inspect`: a network's facts, as a table for people or JSON for programs, or
the table as a document (a Markdown pipe table, a booktabs tabular, an HTML page)."""

from __future__ import annotations

from rnncli.io.output_files import output_stream
from rnncli.models.config.read import default_network
from rnncli.models.read import load_config
from rnncli.option_values import OutputFormat
from rnncli.views.formats import FORMATS
from rnncli.views.network_facts import describe


def inspect_network(config: str | None, output_format: OutputFormat) -> None:
    """The facts of the network in `config` (the built-in one when None) written to
    stdout: json as one line, anything else as the table (for a terminal or not, as
    stdout is)."""
    with output_stream(None) as out:
        facts = describe(default_network() if config is None else load_config(config))
        FORMATS[output_format.resolved(out.isatty())].inspect(facts, out)
        out.flush()
