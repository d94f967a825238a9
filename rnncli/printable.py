"""Text from outside (a file's names and cells, a library's message) made safe to show:
no character of it can act on a terminal, and none can be taken for another."""

from __future__ import annotations

#: The escapes Python's repr() writes for these three; every other character that is
#: escaped is written as \xNN, \uNNNN or \UNNNNNNNN, as repr() writes it.
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def printable(text: str, backslash: bool = True) -> str:
    """`text` with every character a terminal could act on, or that cannot be seen,
    written as Python writes it in a string literal: `\\x1b`, `\\x07`, `\\t`, `\\u202e`.

    Escaped is every character `str.isprintable()` refuses: the C0 controls (ESC, BEL,
    and tab, line feed and carriage return too, which have no place in a name), DEL, the
    C1 controls U+0080 to U+009F (a terminal takes U+009B for ESC [), the format
    characters (the bidirectional overrides and isolates U+202A to U+202E and U+2066 to
    U+2069, which reorder what is shown; zero-width spaces and joiners), the line and
    paragraph separators, spaces other than the ASCII space (a no-break space is shown
    `\\xa0`), surrogates (the undecodable bytes of a file read with surrogateescape),
    private-use and unassigned code points. Letters, digits, punctuation and symbols of
    every script are shown as they are.

    A backslash is doubled (`\\\\`), so what is shown is never ambiguous: an escape in
    the result always stands for one character escaped, and a name that held the four
    characters `\\x1b` is shown `\\\\x1b`, told apart from a name that held ESC. The
    result reads back as the original through a Python string literal, so two different
    texts are never shown alike. Text with no backslash and nothing to escape is returned
    unchanged, and the result is always printable (`printable(t).isprintable()`).

    `backslash=False` leaves backslashes as they are: for the last guard over a whole
    message whose names were already shown this way (or quoted with repr()), which must
    not double their backslashes again. So made, the function is idempotent, and text
    already printable passes unchanged: `printable(s, backslash=False) == s` for every
    `s = printable(t)` or `repr(t)`. (With backslashes doubled it is not idempotent, by
    design: `printable(printable(t))` doubles them again.)

    Markup is another matter, each format's own: a rich view passes this text to rich
    as `rich.text.Text` (never as markup), html escapes `<&>` after it, and so on.
    """
    if text.isprintable() and (not backslash or "\\" not in text):
        return text  # the common case, at C speed
    shown = []
    for character in text:
        if character == "\\":
            shown.append("\\\\" if backslash else "\\")
        elif character.isprintable():
            shown.append(character)
        else:
            shown.append(_NAMED.get(character) or _code(ord(character)))
    return "".join(shown)


def _code(point: int) -> str:
    if point < 0x100:
        return f"\\x{point:02x}"
    if point < 0x10000:
        return f"\\u{point:04x}"
    return f"\\U{point:08x}"
