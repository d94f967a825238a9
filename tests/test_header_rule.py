"""The README's header rule: "A first row that holds no number at all is a header; a
first row that mixes numbers with a word or an empty cell is data with a mistake in it".
A number is a number however it is quoted and padded: the header rule and the number
reader ask the same question, so a first row of numbers never vanishes into a header."""

from __future__ import annotations

import numpy as np
import pytest

from rnncli.errors import RnnCliError
from rnncli.io.sequence import parse_sequence
from tests.conftest import ROOT

ROWS = [[0.5, -0.2], [1.0, 2.0]]


def test_the_rule_is_the_readme_s() -> None:
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "A first row that holds no number at all is a header" in readme


@pytest.mark.parametrize(
    "first",
    [
        '" 0.5 "," -0.2 "',
        '"0.5 ", "  -0.2"',
        ' " 0.5 " , " -0.2 " ',
        "0.5 , -0.2",
    ],
)
def test_a_first_row_of_quoted_padded_numbers_is_step_1(first: str) -> None:
    sequence = parse_sequence(f"{first}\n1,2\n", "s.csv")
    assert sequence.columns is None
    np.testing.assert_array_equal(sequence.X, ROWS)


def test_quoted_padded_numbers_in_every_row() -> None:
    text = '" 0.5 ";" -0,2 "\n" 1 ";"2 "\n'  # `;`: a decimal comma, padded too
    sequence = parse_sequence(text, "s.csv")
    assert sequence.columns is None
    np.testing.assert_array_equal(sequence.X, ROWS)


@pytest.mark.parametrize(
    ("first", "names"),
    [
        ('" temperature "," humidity "', (" temperature ", " humidity ")),
        ('"temperature","humidity"', ("temperature", "humidity")),
        ("temperature , humidity", ("temperature", "humidity")),
        ('" nan-free "," x1 "', (" nan-free ", " x1 ")),
    ],
)
def test_quoted_padded_text_is_still_a_header(first: str, names: tuple[str, ...]) -> None:
    sequence = parse_sequence(f'{first}\n0.5,-0.2\n" 1 "," 2 "\n', "s.csv")
    assert sequence.columns == names
    np.testing.assert_array_equal(sequence.X, ROWS)


@pytest.mark.parametrize(
    ("first", "words"),
    [
        ('" 0.5 "," temperature "', ["s.csv:1:9", "column 2", "' temperature '", "a header row"]),
        ('" 0.5 ","  "', ["s.csv:1:9", "column 2", "an empty cell"]),
    ],
)
def test_a_padded_number_beside_a_word_is_data_with_a_mistake(first: str, words: list[str]) -> None:
    """One number in the first row makes it data: the word is reported, at its place."""
    with pytest.raises(RnnCliError) as caught:
        parse_sequence(f"{first}\n1,2\n", "s.csv")
    message = str(caught.value)
    for word in words:
        assert word in message, message


def test_a_padded_nan_is_a_number_not_a_header() -> None:
    """NaN spelled as a number counts as one for the header rule (then it is refused as
    not finite, at its place), padded or not."""
    with pytest.raises(RnnCliError) as caught:
        parse_sequence('" nan "," 1 "\n1,2\n', "s.csv")
    message = str(caught.value)
    assert "s.csv:1:1" in message and "not a finite number" in message, message
