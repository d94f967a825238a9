"""The recurrence against the textbook's numbers and steps worked by hand."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from rnncli.cells.activations import relu, sigmoid, softmax
from rnncli.core.forward import forward
from rnncli.core.network import Network, single_layer
from rnncli.option_values import Mode
from tests.conftest import textbook


def textbook_network() -> Network:
    return single_layer(
        W_xh=np.array(textbook.W_xh),
        W_hh=np.array(textbook.W_hh),
        b_xh=np.array(textbook.b_xh),
        b_hh=np.array(textbook.b_hh),
        h0=np.zeros(2),
        name="textbook",
    )


def test_textbook_hidden_states_match_the_printed_output_rows() -> None:
    result = forward(textbook_network(), np.array(textbook.X))
    np.testing.assert_allclose(result.H, textbook.PRINTED_OUTPUT, rtol=0, atol=1e-7)
    np.testing.assert_allclose(result.H[2], textbook.H3_FLOAT64, rtol=0, atol=1e-10)


def test_textbook_input_part_matches_the_printed_hidden_rows() -> None:
    net = textbook_network()
    X = np.array(textbook.X)
    np.testing.assert_allclose(X @ net.W_xh.T + net.b_xh, textbook.PRINTED_HIDDEN, atol=1e-7)


def test_pre_activation_is_the_sum_of_its_four_terms() -> None:
    net = textbook_network()
    result = forward(net, np.array(textbook.X))
    h_prev = np.vstack([result.h0, result.H[:-1]])
    for t in range(3):
        z = net.W_xh @ result.X[t] + net.b_xh + net.W_hh @ h_prev[t] + net.b_hh
        np.testing.assert_allclose(result.Z[t], z, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(result.H, np.tanh(result.Z))


def test_first_step_by_hand() -> None:
    # h_1 = tanh(W_xh x_1 + b_xh + b_hh) with h_0 = 0 and x_1 = [1, 1, 1, 1, 1]:
    # unit 1: 0.36434609 - 0.31210154 - 0.13708077 + 0.33189395 - 0.66569638 = -0.41863865
    #         + b_xh (-0.05155428) = -0.47019293 (the textbook's "Hidden")
    #         + b_hh (0.10249085) = -0.36770208;  tanh(-0.36770208) = -0.35198012
    result = forward(textbook_network(), np.array(textbook.X))
    assert result.Z[0, 0] == pytest.approx(-0.36770208, abs=1e-8)
    assert result.H[0, 0] == pytest.approx(-0.35198012, abs=1e-8)


def two_unit_network_with_softmax_output() -> Network:
    return single_layer(
        W_xh=np.array([[1.0], [-1.0]]),
        W_hh=np.array([[0.5, 0.0], [0.0, 0.5]]),
        b_xh=np.array([0.0, 0.0]),
        b_hh=np.array([0.0, 0.0]),
        h0=np.zeros(2),
        W_ho=np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
        b_o=np.array([0.0, 0.0, 1.0]),
        activation="identity",
        output_activation="softmax",
    )


def test_a_step_with_an_output_layer_and_softmax_by_hand() -> None:
    # x = [2, 4]; identity f, so h_1 = [2, -2] and h_2 = [4 + 1, -4 - 1] = [5, -5].
    # W_ho h_2 + b_o = [5, -5, 1]; softmax = e^[5, -5, 1] / (e^5 + e^-5 + e).
    result = forward(two_unit_network_with_softmax_output(), np.array([[2.0], [4.0]]))
    np.testing.assert_array_equal(result.H, [[2.0, -2.0], [5.0, -5.0]])
    total = math.exp(5) + math.exp(-5) + math.exp(1)
    expected = [math.exp(5) / total, math.exp(-5) / total, math.exp(1) / total]
    np.testing.assert_allclose(result.O[1], expected, rtol=1e-15)
    assert result.O.shape == (2, 3)


def test_many_to_one_output_is_the_last_many_to_many_output() -> None:
    net = two_unit_network_with_softmax_output()
    X = np.array([[0.3], [-1.2], [0.7], [2.0]])
    every = forward(net, X, mode=Mode.MANY_TO_MANY)
    last = forward(net, X, mode=Mode.MANY_TO_ONE)
    assert last.O.shape == (1, 3)
    np.testing.assert_array_equal(last.O[0], every.O[-1])
    np.testing.assert_array_equal(last.H, every.H)
    assert list(last.output_steps) == [4]
    # step index k (t = k + 1) -> row of O: only t = 4 made one, row 0
    assert [last.output_row(k) for k in range(4)] == [None, None, None, 0]
    assert [every.output_row(k) for k in range(4)] == [0, 1, 2, 3]


def test_without_an_output_layer_the_output_is_the_hidden_state() -> None:
    result = forward(textbook_network(), np.array(textbook.X))
    np.testing.assert_array_equal(result.O, result.H)


def test_h0_overrides_the_network_initial_state() -> None:
    net = textbook_network()
    h0 = np.array([0.5, -0.25])
    result = forward(net, np.array(textbook.X[:1]), h0=h0)
    z = net.W_xh @ np.ones(5) + net.b_xh + net.W_hh @ h0 + net.b_hh
    np.testing.assert_allclose(result.H[0], np.tanh(z), atol=1e-15)


def test_activations_by_hand() -> None:
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(relu(z), [0.0, 0.0, 3.0])
    np.testing.assert_allclose(sigmoid(z), [1 / (1 + math.exp(2)), 0.5, 1 / (1 + math.exp(-3))])
    np.testing.assert_allclose(softmax(np.array([0.0, math.log(3)])), [0.25, 0.75])


def test_sigmoid_and_softmax_are_stable_for_large_inputs() -> None:
    z = np.array([-1e308, -800.0, 800.0, 1e308])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid(z)
        p = softmax(np.array([1000.0, 0.0, -1000.0]))
    np.testing.assert_array_equal(s, [0.0, 0.0, 1.0, 1.0])
    np.testing.assert_allclose(p, [1.0, 0.0, 0.0])


def test_network_rejects_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match="W_hh"):
        single_layer(
            W_xh=np.zeros((2, 3)),
            W_hh=np.zeros((3, 3)),
            b_xh=np.zeros(2),
            b_hh=np.zeros(2),
            h0=np.zeros(2),
        )


def test_forward_rejects_the_wrong_number_of_features() -> None:
    with pytest.raises(ValueError, match=r"T x 5 .* not \(3, 4\)"):
        forward(textbook_network(), np.zeros((3, 4)))


@pytest.mark.parametrize("seed", range(20))
def test_many_to_one_is_bit_identical_on_larger_networks(seed: int) -> None:
    rng = np.random.default_rng(seed)
    I, H, O, T = 7, 33, 5, 40
    net = single_layer(
        W_xh=rng.normal(size=(H, I)),
        W_hh=rng.normal(size=(H, H)) / H,
        b_xh=rng.normal(size=H),
        b_hh=rng.normal(size=H),
        h0=rng.normal(size=H),
        W_ho=rng.normal(size=(O, H)),
        b_o=rng.normal(size=O),
        activation="relu",
        output_activation="softmax",
    )
    X = rng.normal(size=(T, I))
    last = forward(net, X, mode=Mode.MANY_TO_ONE).O[0]
    assert last.tobytes() == forward(net, X).O[-1].tobytes()


def test_softmax_of_extreme_rows_warns_nothing() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(softmax(np.array([[1e308, -1e308]])), [[1.0, 0.0]])
