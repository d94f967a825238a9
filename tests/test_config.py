"""rnncli.models.config.read: the YAML schema, its three bias forms, a message for each mistake."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from rnncli.errors import RnnCliError
from rnncli.models.config.read import default_network, parse_config
from rnncli.models.read import load_config
from tests.conftest import ROOT, textbook

MINIMAL = """\
weights:
  W_xh: [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
  W_hh: [[0.1, 0.0, 0.0], [0.0, 0.1, 0.0], [0.0, 0.0, 0.1]]
"""


def error_of(text: str) -> str:
    with pytest.raises(RnnCliError) as caught:
        parse_config(text, "net.yaml")
    assert caught.value.exit_code == 1
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_builtin_network_has_the_textbook_weights() -> None:
    net = default_network()
    np.testing.assert_array_equal(net.W_xh, textbook.W_xh)
    np.testing.assert_array_equal(net.W_hh, textbook.W_hh)
    np.testing.assert_array_equal(net.b_xh, textbook.b_xh)
    np.testing.assert_array_equal(net.b_hh, textbook.b_hh)
    np.testing.assert_array_equal(net.h0, [[0.0, 0.0]])
    assert (net.name, str(net.activation), net.W_ho, net.bias) == ("textbook", "tanh", None, "two")


def test_configs_textbook_is_the_builtin_network_file() -> None:
    shipped = (ROOT / "configs" / "textbook.yaml").read_bytes()
    assert shipped == (ROOT / "rnncli" / "textbook.yaml").read_bytes()


def test_weather_config_has_an_output_layer() -> None:
    net = load_config(str(ROOT / "configs" / "weather.yaml"))
    assert (net.input_size, net.hidden_size, net.output_size) == (2, 3, 1)
    assert (str(net.activation), str(net.output_activation), net.bias) == ("tanh", "sigmoid", "one")
    np.testing.assert_array_equal(net.b_xh, [-2.3, -2.25, -0.25])
    np.testing.assert_array_equal(net.b_hh, [0.0, 0.0, 0.0])


def test_sizes_come_from_the_shapes_and_biases_default_to_zero() -> None:
    net = parse_config(MINIMAL, "net.yaml")
    assert (net.input_size, net.hidden_size, net.output_size) == (2, 3, 3)
    assert net.bias == "none"
    np.testing.assert_array_equal(net.b_xh + net.b_hh, np.zeros(3))
    assert str(net.activation) == "tanh"


def test_one_bias_is_b_xh_with_a_zero_b_hh() -> None:
    net = parse_config(MINIMAL + "  b_h: [1, 2, 3]\n", "net.yaml")
    np.testing.assert_array_equal(net.b_xh, [1, 2, 3])
    np.testing.assert_array_equal(net.b_hh, [0, 0, 0])
    assert net.bias == "one"


def test_yaml_11_exponent_strings_are_numbers() -> None:
    # YAML 1.1 reads 1e-3 (no dot) as a string; in a config it is a number.
    net = parse_config(MINIMAL + "  b_xh: [1e-3, 2E2, -5e+0]\n", "net.yaml")
    np.testing.assert_array_equal(net.b_xh, [0.001, 200.0, -5.0])


def test_a_name_may_be_any_single_value() -> None:
    assert parse_config("name: 2024-01-01\n" + MINIMAL, "n.yaml").name == "2024-01-01"
    assert parse_config("name: 42\n" + MINIMAL, "n.yaml").name == "42"


def test_leading_zeros_are_decimal() -> None:
    # YAML 1.1 would read 017 as octal 15; a weight written 017 means seventeen.
    assert parse_config(MINIMAL + "  b_h: [017, 0, 0]\n", "n.yaml").b_xh[0] == 17.0


def test_linear_is_identity_and_h0_and_name_are_read() -> None:
    net = parse_config("name: tiny\nactivation: linear\nh0: [1, 2, 3]\n" + MINIMAL, "n.yaml")
    assert (net.name, str(net.activation)) == ("tiny", "identity")
    np.testing.assert_array_equal(net.h0, [[1, 2, 3]])


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", ["net.yaml", "empty"]),
        ("- 1\n- 2\n", ["net.yaml:1:1", "expected a mapping"]),
        ("name: x\n", ["weights", "missing"]),
        ("weights:\n  W_xh: [[1, 2]]\n", ["weights.W_hh", "missing"]),
        ("weights: [1, 2\n", ["net.yaml:2:1", "not valid YAML"]),
        (MINIMAL.replace("W_hh: [[0.1, 0.0, 0.0], ", "W_hh: ["), ["weights.W_hh", "2x3", "3x3"]),
        (MINIMAL + "  b_xh: [1, 2]\n", ["net.yaml:4:9", "weights.b_xh", "2 values", "expected 3"]),
        (MINIMAL + "  W_ho: [[1, 2]]\n", ["weights.W_ho", "1x2", "expected 1x3"]),
        (MINIMAL + "  W_hx: [[1]]\n", ["net.yaml:4:3", "unknown key", "did you mean W_ho"]),
        ("weights:\n  W_xh: [[1]]\n  W_hx: [[1]]\n", ["unknown key", "did you mean W_hh"]),
        ("weights:\n  W_hx: [[1]]\n  W_hh: [[1]]\n", ["unknown key", "did you mean W_xh"]),
        (MINIMAL + "  weight_ih_l0: [[1]]\n", ["did you mean W_xh"]),
        ("W_xh: [[1]]\n" + MINIMAL, ["W_xh", "weights go under"]),
        ("activaton: tanh\n" + MINIMAL, ["did you mean activation"]),
        ("activation: tahn\n" + MINIMAL, ["unknown activation 'tahn'", "did you mean tanh"]),
        ("output_activation: softmax\n" + MINIMAL, ["needs an output layer"]),
        ("activation: softmax\n" + MINIMAL, ["softmax is for output_activation only"]),
        ("activation: Tahn\n" + MINIMAL, ["did you mean tanh"]),
        ("name: x\n<<: {activation: tanh}\n" + MINIMAL, ["merge keys are not supported"]),
        (MINIMAL + "  b_h: [1, 0x10, 3]\n", ["weights.b_h[1]", "expected a decimal number"]),
        (MINIMAL + "  b_h: [1, " + "9" * 400 + ", 3]\n", ["(400 characters)", "not a finite"]),
        (
            MINIMAL + "  W_xh: [[1, 2]]\n",
            ["net.yaml:4:3", "weights.W_xh", "appears twice", "line 2"],
        ),
        (MINIMAL + "  b_h: [1, .nan, 3]\n", ["weights.b_h[1]", ".nan", "finite"]),
        (MINIMAL + "  b_h: [1, .inf, 3]\n", ["weights.b_h[1]", ".inf"]),
        (MINIMAL + "  b_h: [1, 1e999, 3]\n", ["1e999", "finite"]),
        (MINIMAL + "  b_h: [1, abc, 3]\n", ["net.yaml:4:12", "weights.b_h[1]", "'abc'"]),
        (MINIMAL + "  b_h: [1, '2', 3]\n", ["quoted", "'2'"]),
        (MINIMAL + "  b_h: [1, true, 3]\n", ["boolean"]),
        (MINIMAL + "  b_h: [1, null, 3]\n", ["null"]),
        (MINIMAL + "  b_h: [1, 2, 3]\n  b_xh: [1, 2, 3]\n", ["not both"]),
        (MINIMAL + "  b_o: [1]\n", ["needs the output layer W_ho"]),
        ("hidden_size: 4\n" + MINIMAL, ["hidden_size", "is 4 but W_xh has 3 rows"]),
        ("input_size: 2.5\n" + MINIMAL, ["input_size", "positive whole number"]),
        ("h0: [1]\n" + MINIMAL, ["h0", "1 value,", "expected 3"]),
        ("weights:\n  W_xh: [1, 2]\n  W_hh: [[1]]\n", ["weights.W_xh", "flat list"]),
        ("weights:\n  W_xh: [[1, 2], [3]]\n  W_hh: [[1]]\n", ["weights.W_xh[1]", "1 value,"]),
        (
            "!!python/object/apply:os.system ['echo hi']\n",
            ["!!python/object/apply:os.system", "not allowed"],
        ),
        ("name: !!python/name:os.system\n" + MINIMAL, ["not allowed"]),
        ("name: !custom x\n" + MINIMAL, ["!custom", "not allowed"]),
        ("--- \nname: a\n---\nname: b\n", ["not valid YAML", "single document"]),
        ("name: &a [*a]\n" + MINIMAL, ["refers to itself"]),
    ],
)
def test_mistakes_are_named_with_their_place(text: str, words: list[str]) -> None:
    message = error_of(text)
    for word in words:
        assert word in message, message


def test_an_alias_bomb_fails_fast() -> None:
    levels = ["a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for k in range(1, 10):
        levels.append(
            f"{chr(97 + k)}: &{chr(97 + k)} [" + ", ".join([f"*{chr(96 + k)}"] * 10) + "]"
        )
    text = "\n".join(levels) + "\n" + MINIMAL  # 10^10 values once expanded
    # Expanding them would take hours and terabytes: the memory peak shows it never does,
    # and pytest-timeout bounds the run (no wall-clock limit, which a busy machine breaks).
    tracemalloc.start()
    try:
        message = error_of(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20  # bytes: it never expands the aliases
    assert "YAML aliases" in message


def test_load_config_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RnnCliError, match=r"nope\.yaml: no such file"):
        load_config(str(tmp_path / "nope.yaml"))
    with pytest.raises(RnnCliError, match="is a folder"):
        load_config(str(tmp_path))


STACKED = """\
direction: bidirectional
activation: {name: LeakyRelu, alpha: 0.2}
clip: 2.5
layers:
  - W_xh: [[1, 0], [0, 1]]
    W_hh: [[0.5, 0], [0, 0.5]]
    reverse: {W_xh: [[0, 1], [1, 0]], W_hh: [[0.1, 0], [0, 0.1]], b_h: [1, 2]}
  - W_xh: [[1, 0, 0, 0], [0, 1, 0, 0]]
    W_hh: [[0.5, 0], [0, 0.5]]
    reverse: {W_xh: [[0, 0, 1, 0], [0, 0, 0, 1]], W_hh: [[0.1, 0], [0, 0.1]]}
output: {W_ho: [[1, 1, 1, 1]], b_o: [0.5]}
h0: [[1, 2], [3, 4], [5, 6], [7, 8]]
"""


def test_stacked_bidirectional_layers_with_an_activation_and_a_clip() -> None:
    net = parse_config(STACKED, "s.yaml")
    assert (net.num_layers, net.num_directions, net.state_size, net.output_size) == (2, 2, 4, 1)
    assert str(net.activation) == "leaky_relu(alpha=0.2)"
    assert net.clip == 2.5
    np.testing.assert_array_equal(net.layers[0][1].b_xh, [1, 2])
    np.testing.assert_array_equal(net.layers[1][1].W_xh, [[0, 0, 1, 0], [0, 0, 0, 1]])
    np.testing.assert_array_equal(net.h0, [[1, 2], [3, 4], [5, 6], [7, 8]])


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (STACKED.replace("reverse: {W_xh: [[0, 1]", "other: {W_xh: [[0, 1]"), ["layers[0].other"]),
        (
            STACKED.replace("direction: bidirectional\n", ""),
            ["layers[0].reverse", "needs direction"],
        ),
        (
            STACKED.replace("[[1, 0, 0, 0], [0, 1, 0, 0]]", "[[1, 0], [0, 1]]"),
            ["layers[1].W_xh", "2x4"],
        ),
        (  # a W_xh with another H is named, not the W_hh that fits the network's H
            STACKED.replace(
                "reverse: {W_xh: [[0, 1], [1, 0]]", "reverse: {W_xh: [[0, 1], [1, 0], [1, 1]]"
            ),
            ["layers[0].reverse.W_xh", "is 3x2, expected 2x2", "every layer and direction"],
        ),
        (
            STACKED.replace(
                "[[1, 0, 0, 0], [0, 1, 0, 0]]", "[[1, 0, 0, 0], [0, 1, 0, 0], [1, 1, 1, 1]]"
            ),
            ["layers[1].W_xh", "is 3x4, expected 2x4", "every layer and direction"],
        ),
        (
            STACKED.replace("h0: [[1, 2], [3, 4], [5, 6], [7, 8]]", "h0: [1, 2]"),
            ["h0", "expected 4x2"],
        ),
        (STACKED.replace("alpha: 0.2", "gamma: 0.2"), ["activation.gamma", "unknown key"]),
        (STACKED.replace("LeakyRelu, alpha: 0.2", "tanh, alpha: 0.2"), ["tanh takes no alpha"]),
        (STACKED.replace("clip: 2.5", "clip: -1"), ["clip", "positive"]),
        (
            STACKED.replace("direction: bidirectional", "direction: sideways"),
            ["direction", "'sideways'"],
        ),
        (
            STACKED.replace("W_ho: [[1, 1, 1, 1]]", "W_ho: [[1, 1]]"),
            ["output.W_ho", "expected 1x4"],
        ),
        ("direction: bidirectional\n" + MINIMAL, ["weights_reverse", "bidirectional needs it"]),
        ("layers: []\n", ["layers", "a list of weight blocks"]),
        ("layers: [{W_xh: [[1]], W_hh: [[1]]}]\n" + MINIMAL, ["layers", "not both"]),
    ],
)
def test_mistakes_in_stacked_networks(text: str, words: list[str]) -> None:
    message = error_of(text)
    for word in words:
        assert word in message, message
