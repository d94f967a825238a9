"""The sequence readers: every input form, and the place of every bad value."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest

from rnncli.errors import RnnCliError
from rnncli.io.sequence import parse_sequence, read_sequence
from rnncli.models.config.read import default_network
from rnncli.option_values import InputFormat
from rnncli.pipelines.sequence_fit import check_fits
from tests.conftest import ROOT, textbook

TWO_BY_THREE = [[1.0, 2.5, -3.0], [4.0, 5e-3, 6.0]]


@pytest.mark.parametrize(
    "text",
    [
        "1,2.5,-3\n4,5e-3,6\n",
        "a,b,c\n1,2.5,-3\n4,5e-3,6\n",
        "\ufeffa,b,c\r\n1,2.5,-3\r\n4,5e-3,6\r\n",
        "# weights of day 1\n\na;b;c\n1;2,5;-3\n\n4;5e-3;6\n# end\n",
        "1\t2.5\t-3\n4\t5e-3\t6\n",
        "  1   2.5  -3\n  4  5e-3    6\n",
        '"a","b, c","d"\n1,2.5,-3\n4,5e-3,6\n',
        '"a";"b";"c"\n"1";"2,5";"-3"\n"4";"5e-3";"6"\n',
        "a,b,c,\n1,2.5,-3,\n4,5e-3,6,\n",
        "1,2.5,-3\r4,5e-3,6\r",
        '"1" "2.5" "-3"\n4 5e-3 6\n',
        "[[1, 2.5, -3], [4, 5e-3, 6]]",
        '{"sequence": [[1, 2.5, -3], [4, 0.005, 6]]}',
        "[1, 2.5, -3]\n[4, 0.005, 6]\n",
        '{"x": [1, 2.5, -3]}\n{"x": [4, 0.005, 6]}\n',
    ],
)
def test_every_form_gives_the_same_sequence(text: str) -> None:
    sequence = parse_sequence(text, "in")
    np.testing.assert_array_equal(sequence.X, TWO_BY_THREE)


def test_a_long_integer_in_json_is_a_number() -> None:
    np.testing.assert_array_equal(parse_sequence("[" + "9" * 300 + "]", "in").X, [[1e300]])


def test_a_flat_json_list_is_one_feature() -> None:
    np.testing.assert_array_equal(parse_sequence("[1, 2, 3]", "in").X, [[1.0], [2.0], [3.0]])


def test_header_names_are_kept() -> None:
    sequence = read_sequence(str(ROOT / "samples" / "weather.csv"))
    assert sequence.columns == ("temperature", "humidity")
    assert sequence.X.shape == (5, 2)
    np.testing.assert_array_equal(sequence.X[2], [23.0, 47.8])


@pytest.mark.parametrize("name", ["sample.csv", "sample.json"])
def test_samples_are_the_textbook_input(name: str) -> None:
    np.testing.assert_array_equal(read_sequence(str(ROOT / "samples" / name)).X, textbook.X)


def test_the_extension_or_the_option_decides_the_format(tmp_path: Path) -> None:
    path = tmp_path / "steps.data"
    path.write_text("1\t2\n3\t4\n")
    np.testing.assert_array_equal(read_sequence(str(path), InputFormat.TSV).X, [[1, 2], [3, 4]])
    jsonl = tmp_path / "steps.jsonl"
    jsonl.write_text("[1, 2]\n")
    np.testing.assert_array_equal(read_sequence(str(jsonl)).X, [[1, 2]])


def test_dash_reads_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"1\n2\n3\n")))
    sequence = read_sequence("-")
    assert sequence.source == "<stdin>"
    np.testing.assert_array_equal(sequence.X, [[1.0], [2.0], [3.0]])


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", ["s.csv", "no data rows"]),
        ("# only a comment\n\n", ["no data rows"]),
        ("a,b\n", ["only a header"]),
        ("1,2\n3,4,5\n", ["s.csv:2", "3 values", "first row has 2"]),
        ("a,b\n1,2\n3,x\n", ["s.csv:3:3", "column 2 (b)", "expected a number, got 'x'"]),
        ("1,2\n3,\n", ["s.csv:2:3", "an empty cell"]),
        ("1,2\n3,nan\n", ["s.csv:2:3", "nan", "finite"]),
        ("1,1,,1,1\n2,2,2,2,2\n", ["s.csv:1:5", "column 3", "an empty cell", "a header row"]),
        ("1,1,x,1,1\n", ["s.csv:1:5", "column 3", "'x'"]),
        ("a,b\n1_0,2\n", ["s.csv:2:1", "'1_0'"]),
        ("a,b\n\u0661,2\n", ["s.csv:2:1", "expected a number"]),
        ("a,b\n" + "9" * 500 + ",x\n", ["s.csv:2:1", "(500 characters)", "not a finite"]),
        ('a,b\n1,"' + "7" * 500 + 'x"\n', ["s.csv:2:3", "characters)"]),
        ('a,b\n"1",\n', ["s.csv:2:5", "column 2 (b)", "an empty cell"]),
        ('a,b\n1e5,"e"\n', ["s.csv:2:5", "'e'"]),
        ("[" * 100_000, ["nested too deeply"]),
        ("[" + "9" * 5000 + "]", ["is not a finite number"]),
        ("1,2\n-inf,3\n", ["s.csv:2:1", "-inf"]),
        ("[[1, 2],\n [3, 4]", ["s.csv:2", "not valid JSON"]),
        ("[]", ["s.csv:1:1", "empty"]),
        ("{}", ["s.csv:1:1", 'no key "sequence"']),
        ('{"seq": [1]}', ["unknown key 'seq'"]),
        ("[[1, 2],\n [3]]", ["s.csv:2:2", "step 2 has 1 value, step 1 has 2"]),
        ('[[1, 2],\n [3, "a"]]', ["s.csv:2:6", "step 2, feature 2", "the text 'a'"]),
        ("[[1, null]]", ["s.csv:1:6", "null"]),
        ("[[true, 1]]", ["s.csv:1:3", "the boolean true"]),
        ("[[[1, 2]]]", ["s.csv:1:3", "feature 1", "a list"]),
        ("[1, [2]]", ["s.csv:1:5", "step 2", "a list"]),
        ("[[1, NaN]]", ["s.csv:1:6", "NaN"]),
        ("[1, 1e999]", ["s.csv:1:5", "1e999' is not a finite number"]),
        ('{"sequence": "abc"}', ["s.csv:1:14", "expected a list of steps"]),
        ("[1, 2]\n[3]\n", ["s.csv:2", "step 2 has 1 value, step 1 has 2"]),
    ],
)
def test_bad_sequences_name_the_place(text: str, words: list[str]) -> None:
    with pytest.raises(RnnCliError) as caught:
        parse_sequence(text, "s.csv")
    message = str(caught.value)
    for word in words:
        assert word in message, message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("1,2\n".encode("utf-16"), ["UTF-16"]),
        ("1,2\n".encode("utf-16-le"), ["UTF-16"]),
        (b"1,2\n3,\xe94\n", ["b.csv:2:3", "not UTF-8", "0xe9"]),
        (b"\x89PNG\r\n\x1a\n\x00\x00", ["binary"]),
    ],
)
def test_files_that_are_not_utf8_text(tmp_path: Path, data: bytes, words: list[str]) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(data)
    with pytest.raises(RnnCliError) as caught:
        read_sequence(str(path))
    for word in words:
        assert word in str(caught.value), str(caught.value)


def test_a_missing_file_and_a_folder(tmp_path: Path) -> None:
    with pytest.raises(RnnCliError, match="no such file"):
        read_sequence(str(tmp_path / "missing.csv"))
    with pytest.raises(RnnCliError, match="is a folder"):
        read_sequence(str(tmp_path))


def test_the_width_must_match_the_network() -> None:
    net = default_network()
    check_fits(parse_sequence("1,2,3,4,5\n", "ok.csv"), net, "n.yaml")
    with pytest.raises(RnnCliError, match=r"w\.csv: has 4 features per step but the network"):
        check_fits(parse_sequence("1,2,3,4\n", "w.csv"), net, "n.yaml")
    with pytest.raises(RnnCliError, match="transposed"):
        check_fits(parse_sequence("1,2\n", "w.csv"), net, "n.yaml")
    with pytest.raises(RnnCliError, match="built-in textbook network takes 5"):
        check_fits(parse_sequence("1,2\n", "w.csv"), net, None)
