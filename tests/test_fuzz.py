"""Fuzzing: whatever the bytes, text or tree, the sequence reader, the config loader and
the command line either work or raise rnncli's own error: never anything else.

The regular run tries a few dozen examples per target; `HYPOTHESIS_PROFILE=fuzz pytest
tests/test_fuzz.py` tries 10,000 each.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from rnncli.cli import app
from rnncli.errors import RnnCliError
from rnncli.io.files import decode_text
from rnncli.io.input_batch import Batch, Sequence
from rnncli.io.json import careful_json_batch, quick_json_batch
from rnncli.io.jsonl import careful_jsonl, quick_jsonl
from rnncli.io.sequence import parse_sequence
from rnncli.models.config.keys import TOP_KEYS, WEIGHT_KEYS
from rnncli.models.config.read import parse_config
from rnncli.option_values import InputFormat
from tests.conftest import ROOT

TEXTBOOK_YAML = (ROOT / "configs" / "textbook.yaml").read_text("utf-8")
runner = CliRunner()

FORMATS = st.sampled_from([None, *InputFormat])

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
)


def json_trees() -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=6)
            | st.dictionaries(st.sampled_from(["sequence", "x", "y"]) | st.text(max_size=4), inner)
        ),
        max_leaves=40,
    )


def yaml_trees() -> st.SearchStrategy[Any]:
    keys = st.sampled_from([*TOP_KEYS, *WEIGHT_KEYS, "W_hx", "b"]) | st.text(max_size=5)
    numbers = st.lists(
        st.lists(st.floats(allow_nan=True, allow_infinity=True) | st.integers(), max_size=4),
        max_size=4,
    )
    return st.recursive(
        scalars | numbers,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=6),
        max_leaves=30,
    )


def check_sequence(text: str, input_format: InputFormat | None) -> None:
    try:
        sequence = parse_sequence(text, "fuzz", input_format)
    except RnnCliError as error:
        assert error.exit_code == 1
        assert "\n" not in error.message
        return
    X = sequence.X
    assert X.ndim == 2 and X.shape[0] >= 1 and X.shape[1] >= 1
    assert X.dtype == np.float64 and np.isfinite(X).all()


@given(st.binary(max_size=300), FORMATS)
def test_sequence_reader_takes_any_bytes(data: bytes, input_format: InputFormat | None) -> None:
    try:
        text = decode_text(data, "fuzz")
    except RnnCliError:
        return
    check_sequence(text, input_format)


@given(
    st.text(alphabet=st.sampled_from(list('0123456789.,;\t "-+eE#\n\rnaif[]{}:x')), max_size=200),
    FORMATS,
)
def test_sequence_reader_takes_any_delimited_text(
    text: str, input_format: InputFormat | None
) -> None:
    check_sequence(text, input_format)


@given(json_trees(), FORMATS)
def test_sequence_reader_takes_any_json_tree(tree: Any, input_format: InputFormat | None) -> None:
    check_sequence(json.dumps(tree), input_format)


def check_config(text: str) -> None:
    try:
        net = parse_config(text, "fuzz.yaml")
    except RnnCliError as error:
        assert error.exit_code == 1
        assert "\n" not in error.message
        return
    for array in (net.W_xh, net.W_hh, net.b_xh, net.b_hh, net.h0):
        assert np.isfinite(array).all()


@given(yaml_trees())
def test_config_loader_takes_any_yaml_tree(tree: Any) -> None:
    check_config(yaml.safe_dump(tree))


@given(st.text(max_size=300))
def test_config_loader_takes_any_text(text: str) -> None:
    check_config(text)


@given(st.data())
def test_config_loader_takes_any_edit_of_a_good_config(data: st.DataObject) -> None:
    text = TEXTBOOK_YAML
    for _ in range(data.draw(st.integers(1, 4))):
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, min(len(text), start + 10)))
        text = text[:start] + data.draw(st.text(max_size=6)) + text[end:]
    check_config(text)


@given(st.binary(max_size=200), st.sampled_from(["json", "csv", "jsonl"]))
def test_command_line_takes_any_sequence_on_stdin(data: bytes, output_format: str) -> None:
    result = runner.invoke(app, ["forward", "-", "-f", output_format], input=data)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1)
    if result.exit_code == 1:
        assert result.stdout == "" and result.stderr.startswith("rnncli: error: ")
    elif output_format == "json":
        assert all(math.isfinite(v) for v in json.loads(result.stdout)["h_n"])


@given(st.binary(max_size=300) | yaml_trees().map(lambda t: yaml.safe_dump(t).encode()))
def test_command_line_takes_any_config_on_stdin(data: bytes) -> None:
    sample = str(ROOT / "samples" / "sample.csv")
    result = runner.invoke(app, ["forward", sample, "-c", "-", "-f", "json"], input=data)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1)
    if result.exit_code == 1:
        assert result.stdout == "" and result.stderr.startswith("rnncli: error: ")


# -- the quick JSON reader against the careful one ------------------------------------

numbers = (
    st.floats(allow_nan=False, allow_infinity=False)
    | st.integers(-(10**30), 10**30)
    | st.sampled_from([0.0, -0.0, 1e308])
)
leaves = numbers | numbers | numbers | scalars  # mostly numbers, now and then not
steps = st.lists(st.lists(leaves, max_size=4), max_size=5) | st.lists(leaves, max_size=5)
documents = (
    steps
    | st.fixed_dictionaries({"sequence": steps})
    | st.fixed_dictionaries({"sequences": st.lists(steps, max_size=3)})
    | st.fixed_dictionaries({"sequences": st.dictionaries(st.text(max_size=3), steps, max_size=3)})
    | json_trees()
)
EDGE_TEXTS = [
    "[-0, 1]",
    "[[-0.0], [0]]",
    "[1e400]",
    "[[1, -1e999]]",
    "[NaN]",
    "[[1, 2], [3]]",
    '{"sequences": {"a": [1], "a": [2]}}',
    '{"sequences": [[1]], "x": 1}',
    '{"sequence": [[1]], "sequence": [[2]]}',
    "[true, 1]",
    "[[1, null]]",
    '["1"]',
    "[[]]",
    "[]",
    "[[[1]]]",
    "[1" + "0" * 5000 + "]",
    "[1" + "0" * 400 + "]",
    "[1e-400, 5e-324]",
]


def check_quick(
    read_quick: Callable[[str, str], Batch | Sequence | None],
    read_careful: Callable[[str, str], Batch | Sequence],
    text: str,
) -> None:
    """Where the careful reader accepts, the quick one gives the same bits or steps
    aside; where the careful one refuses, the quick one steps aside."""
    quick = read_quick(text, "fuzz")
    try:
        careful = read_careful(text, "fuzz")
    except RnnCliError:
        assert quick is None
        return
    if quick is not None:
        assert bits(quick) == bits(careful)  # -0.0 stays -0.0


def bits(read: Batch | Sequence) -> tuple[bool, list[tuple[Any, ...]]]:
    sequences = read.sequences if isinstance(read, Batch) else [read]
    batched = isinstance(read, Batch) and read.batched
    return batched, [(s.id, s.X.dtype, s.X.shape, s.X.tobytes()) for s in sequences]


@given(documents)
def test_the_quick_json_reader_agrees_with_the_careful_one(document: Any) -> None:
    check_quick(quick_json_batch, careful_json_batch, json.dumps(document))


@given(
    st.lists(
        st.tuples(
            leaves | st.lists(leaves, max_size=4) | st.fixed_dictionaries({"x": steps}),
            st.sampled_from(["\n", "\r\n", "\n\n", "\n  \n"]),
        ),
        max_size=6,
    )
)
def test_thequick_jsonl_reader_agrees_with_the_careful_one(lines: list[tuple[Any, str]]) -> None:
    text = "".join(json.dumps(step) + end for step, end in lines)
    check_quick(quick_jsonl, careful_jsonl, text)


def test_the_quick_json_reader_on_edge_cases() -> None:
    for text in EDGE_TEXTS:
        check_quick(quick_json_batch, careful_json_batch, text)
        check_quick(quick_jsonl, careful_jsonl, text)
        check_quick(quick_jsonl, careful_jsonl, text.replace(",", "\n"))
    assert quick_json_batch("[-0, 1]", "x") is not None  # the quick path is taken
