"""The fast forward pass held to the lecture's plain loop (rnncli.core.forward's reference).

The reference steps one sequence one step at a time through ElmanCell.step; forward()
and forward_batch() project every input at once, run padded batches, reverse within
each length, split batches into parts on threads and feed outputs back. On random
networks of every shape and every mode, the two agree to 1e-12 (float64).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from rnncli.cells.activations import Activation, FloatArray
from rnncli.cells.elman import ElmanCell
from rnncli.cells.kinds import CellOptions
from rnncli.core.forward import (
    forward,
    forward_batch,
    reference_feedback,
    reference_forward,
    reference_output,
)
from rnncli.core.forward_result import Forward
from rnncli.core.network import Network
from rnncli.models.config.read import default_network
from rnncli.option_values import Direction, Mode
from tests.conftest import textbook

ATOL = 1e-12


def test_the_textbooks_first_step_through_the_readable_step() -> None:
    cell = default_network().cell
    assert isinstance(cell, ElmanCell)
    x_1 = np.array(textbook.X[0])
    h_0 = np.zeros(2)
    # W_xh x_1 + b_xh, the textbook's "Hidden" row at t = 1, worked out by hand:
    # unit 1: 0.3643 - 0.3121 - 0.1371 + 0.3319 - 0.6657 - 0.0516 = -0.4702
    np.testing.assert_allclose(
        np.dot(cell.W_xh, x_1) + cell.b_xh, [-0.4701929, 0.5863904], rtol=0, atol=5e-8
    )
    # h_1 = tanh(W_xh x_1 + b_xh + W_hh h_0 + b_hh), h_0 = 0: the printed "Output" row.
    (h_1,) = cell.step(x_1, (h_0,))
    np.testing.assert_allclose(h_1, [-0.3519801, 0.52525216], rtol=0, atol=5e-8)
    np.testing.assert_allclose(
        h_1, np.tanh([-0.4701929 + 0.1024908, 0.5863904 - 0.0028248]), atol=1e-7
    )


def test_the_reference_loop_gives_the_textbooks_rows() -> None:
    H, O, h_n = reference_forward(default_network(), np.array(textbook.X))
    np.testing.assert_allclose(H, textbook.PRINTED_OUTPUT, rtol=0, atol=5e-8)
    np.testing.assert_array_equal(O, H)  # no output layer: o_t = h_t
    np.testing.assert_allclose(h_n[0], textbook.H3_FLOAT64, rtol=0, atol=1e-10)


def random_network(
    rng: np.random.Generator,
    layers: int,
    direction: Direction,
    output_layer: bool,
    bias: str,
    I: int = 3,
    H: int = 5,
    O: int = 2,
    activation: str = "tanh",
    clip: float | None = None,
) -> Network:
    D = 2 if direction is Direction.BIDIRECTIONAL else 1

    def cell(inputs: int) -> ElmanCell:
        b_hh = rng.normal(size=H) if bias == "two" else np.zeros(H)
        return ElmanCell(
            rng.normal(size=(H, inputs)) * 0.6,
            rng.normal(size=(H, H)) * 0.4,
            rng.normal(size=H),
            b_hh,
            CellOptions(bias=bias),
        )

    return Network(
        layers=tuple(tuple(cell(I if k == 0 else D * H) for _ in range(D)) for k in range(layers)),
        h0=rng.normal(size=(layers * D, H)) * 0.5,
        W_ho=rng.normal(size=(O, D * H)) if output_layer else None,
        b_o=rng.normal(size=O) if output_layer else None,
        activation=Activation.named(activation),
        output_activation=Activation("softmax") if output_layer else None,
        direction=direction,
        clip=clip,
    )


SHAPES = list(
    itertools.product((1, 2, 3), Direction, (False, True), ("two", "one"))
)  # layers, direction, output layer, biases


def expected(
    net: Network, X: FloatArray, mode: Mode, steps: int | None, h0: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """X as run, H, the emitted O and h_n of one sequence in `mode`, by the reference."""
    if mode is Mode.ONE_TO_MANY:
        X = np.vstack([X, np.zeros(((steps or 1) - 1, X.shape[1]))])  # x_1, then zeros
    elif mode is Mode.MANY_TO_MANY_DELAYED:
        X = np.vstack([X, np.zeros((steps or 0, X.shape[1]))])
    H, O, h_n = reference_forward(net, X, h0)
    if mode is Mode.MANY_TO_ONE:
        if net.direction is Direction.FORWARD:
            O = O[-1:]
        else:  # read whole: [h_T forward; h_1 reverse] of the top layer, as Keras, h_n
            D = net.num_directions
            top = h_n[-D:].reshape(-1)
            O = reference_output(net, top)[np.newaxis, :]
    elif mode is Mode.MANY_TO_MANY_DELAYED:
        O = O[len(X) - (steps or 0) :]
    return X, H, O, h_n


def check(result: Forward, X: FloatArray, H: FloatArray, O: FloatArray, h_n: FloatArray) -> None:
    np.testing.assert_array_equal(result.X, X)
    np.testing.assert_allclose(result.H, H, rtol=0, atol=ATOL)
    np.testing.assert_allclose(result.O, O, rtol=0, atol=ATOL)
    np.testing.assert_allclose(result.h_n, h_n, rtol=0, atol=ATOL)


@pytest.mark.parametrize(("layers", "direction", "output_layer", "bias"), SHAPES)
def test_every_shape_and_mode_matches_the_plain_loop(
    layers: int, direction: Direction, output_layer: bool, bias: str
) -> None:
    rng = np.random.default_rng([layers, list(Direction).index(direction), output_layer, len(bias)])
    net = random_network(rng, layers, direction, output_layer, bias)
    h0 = net.h0 if rng.random() < 0.5 else rng.normal(size=net.h0.shape)
    modes = [Mode.MANY_TO_MANY, Mode.MANY_TO_ONE]
    if direction is Direction.FORWARD:
        modes += [Mode.ONE_TO_MANY, Mode.MANY_TO_MANY_DELAYED]
    for mode in modes:
        steps = 4 if mode in (Mode.ONE_TO_MANY, Mode.MANY_TO_MANY_DELAYED) else None
        lengths = [1] * 5 if mode is Mode.ONE_TO_MANY else [7, 1, 4, 7, 2]  # ragged
        sequences = [rng.normal(size=(T, net.input_size)) for T in lengths]
        batch = forward_batch(net, sequences, h0, mode, steps)
        for X, together in zip(sequences, batch, strict=True):
            want = expected(net, X, mode, steps, h0)
            check(together, *want)  # in a ragged batch
            check(forward(net, X, h0, mode, steps), *want)  # alone


@pytest.mark.parametrize("layers", [1, 2, 3])
@pytest.mark.parametrize("batch", [1, 3])
def test_feedback_matches_the_plain_loop(layers: int, batch: int) -> None:
    rng = np.random.default_rng([layers, batch])
    for output_layer in (True, False):
        O = 3 if output_layer else 5  # O = I, or D*H = I without an output layer
        net = random_network(rng, layers, Direction.FORWARD, output_layer, "two", I=O, H=5, O=O)
        sequences = [rng.normal(size=(1, O)) for _ in range(batch)]
        results = forward_batch(net, sequences, mode=Mode.ONE_TO_MANY, steps=6, feedback=True)
        for x, result in zip(sequences, results, strict=True):
            X, H, O_ref = reference_feedback(net, x[0], 6)
            np.testing.assert_allclose(result.X, X, rtol=0, atol=ATOL)
            np.testing.assert_allclose(result.H, H, rtol=0, atol=ATOL)
            np.testing.assert_allclose(result.O, O_ref, rtol=0, atol=ATOL)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "leaky_relu", "elu", "softsign"])
def test_activations_and_clip_match_the_plain_loop(activation: str) -> None:
    rng = np.random.default_rng(len(activation))
    for clip in (None, 0.5):
        net = random_network(
            rng, 2, Direction.BIDIRECTIONAL, True, "two", activation=activation, clip=clip
        )
        X = rng.normal(size=(9, 3))
        check(forward(net, X), X, *reference_forward(net, X))


def test_a_batch_of_many_parts_matches_the_plain_loop() -> None:
    rng = np.random.default_rng(7)
    net = random_network(rng, 2, Direction.REVERSE, True, "one")
    sequences = [rng.normal(size=(int(T), 3)) for T in rng.integers(1, 6, size=600)]  # 3 parts
    for X, result in zip(sequences, forward_batch(net, sequences), strict=True):
        check(result, X, *reference_forward(net, X))


@pytest.mark.parametrize("T", [1, 511, 512, 513, 1300])
def test_turning_gate_blocks_back_in_place_equals_the_copy(T: int) -> None:
    """turn_back works a few hundred steps at a time; across and at those bounds it gives
    what a copy in the new order, its first rows negated, gives."""
    from rnncli.cells.layout import turn_back

    Z = np.random.default_rng(T).normal(size=(T, 64))
    expected = np.concatenate([-Z[:, :48], Z[:, 48:]], axis=1)[:, np.r_[0:32, 48:64, 32:48]]
    turn_back(Z, slice(0, 48), (slice(32, 48), slice(48, 64)))
    np.testing.assert_array_equal(Z, expected)


@pytest.mark.parametrize(("I", "G"), [(1, 4), (3, 16), (8, 512), (64, 96), (70, 384)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_steps_input_part_does_not_depend_on_the_steps_around_it(
    I: int, G: int, dtype: type
) -> None:
    """W x_t + b of one sequence gives each step the same bits however many steps are run
    and wherever the run starts: what lets two halves give one pass's bits."""
    from rnncli.cells.layout import input_part

    rng = np.random.default_rng(I * G)
    X = rng.normal(size=(300, 1, I)).astype(dtype)
    W, b = rng.normal(size=(G, I)).astype(dtype), rng.normal(size=G).astype(dtype)
    whole = input_part(X, W, b)
    for start, count in [(0, 1), (1, 1), (5, 3), (7, 199), (250, 50), (1, 299)]:
        part = input_part(X[start : start + count], W, b)
        np.testing.assert_array_equal(part, whole[start : start + count])
