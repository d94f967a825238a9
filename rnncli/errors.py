"""The one error type of rnncli: a message for people and the exit code it ends with."""

from __future__ import annotations

import re

#: Exit codes, as documented in the README.
EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class RnnCliError(Exception):
    """Bad input, a bad config or a bad option value, told in one line.

    The message already names the file and, where known, the line and column or the
    key; only the command line turns it into output on stderr and an exit code.
    """

    def __init__(self, message: str, exit_code: int = EXIT_BAD_INPUT) -> None:
        message = re.sub(r"\s*[\r\n]+\s*", " ", message)  # one line, whatever a parser said
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


def line_column(text: str, position: int) -> tuple[int, int]:
    """The 1-based line and column of the character at `position` in `text`."""
    position = max(position, 0)
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def located(source: str, message: str, line: int | None = None, column: int | None = None) -> str:
    """`source:line:column: message`, the way compilers and linters name a place.

    Lines and columns count from 1; either may be unknown.
    """
    place = source
    if line is not None:
        place += f":{line}"
        if column is not None:
            place += f":{column}"
    return f"{place}: {message}"
