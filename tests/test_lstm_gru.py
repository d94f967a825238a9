"""The LSTM and GRU cells: the fast run held to the readable step, and both to PyTorch.

Random networks of each cell, with every option the cells have (clip, peepholes,
input_forget, the LSTM projection, reset_after false, other activations), every
direction, stacked layers, ragged batches and every mode, run fast (forward_batch) and
one step at a time (reference_run); the two agree to 1e-12 in float64.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from rnncli.cells.activations import SIGMOID, Activation, FloatArray, sigmoid, sigmoid_into
from rnncli.cells.gru import GruCell
from rnncli.cells.kinds import GATES, CellOptions
from rnncli.cells.lstm import LstmCell
from rnncli.core.forward import forward, forward_batch, reference_feedback, reference_run
from rnncli.core.forward_result import gate_values
from rnncli.core.network import Network
from rnncli.option_values import Direction, Mode
from tests.conftest import Options, random_gated_network, reference_module

ATOL = 1e-12


LSTM_OPTIONS: list[Options] = [
    {},
    {"clip": 0.7},
    {"peepholes": True},
    {"peepholes": True, "clip": 0.5},
    {"input_forget": True},
    {"input_forget": True, "peepholes": True},
    {"projection": 2},
    {
        "activation": Activation.named("scaled_tanh", 1.5, 0.5),
        "recurrent_activation": Activation.named("hard_sigmoid", 0.3, 0.4),
        "state_activation": Activation.named("softsign"),
    },
    {"activation": Activation.named("relu"), "bias": "none"},
]
GRU_OPTIONS: list[Options] = [
    {},
    {"reset_after": False},
    {"clip": 0.6},
    {"clip": 0.6, "reset_after": False},
    {
        "activation": Activation.named("leaky_relu", 0.2),
        "recurrent_activation": Activation.named("hard_sigmoid"),
    },
]
CASES = [("lstm", o) for o in LSTM_OPTIONS] + [("gru", o) for o in GRU_OPTIONS]


def assert_matches_reference(net: Network, X: FloatArray, result: Any) -> None:
    """One fast result against the plain loop: Z, h_t, c_t, o_t, h_n, c_n."""
    ref = reference_run(net, X)
    np.testing.assert_allclose(result.H, ref.H, rtol=0, atol=ATOL)
    np.testing.assert_allclose(result.Z, ref.Z, rtol=0, atol=ATOL)
    np.testing.assert_allclose(result.O, ref.O, rtol=0, atol=ATOL)
    np.testing.assert_allclose(result.h_n, ref.h_n, rtol=0, atol=ATOL)
    if net.cell_kind == "lstm":
        assert result.C is not None and ref.C is not None
        np.testing.assert_allclose(result.C, ref.C, rtol=0, atol=ATOL)
        np.testing.assert_allclose(result.c_n, ref.c_n, rtol=0, atol=ATOL)
    else:
        assert result.C is None and result.c_n is None


@pytest.mark.parametrize(("kind", "options"), CASES)
@pytest.mark.parametrize("direction", list(Direction))
def test_the_fast_run_equals_the_readable_step(
    kind: str, options: Options, direction: Direction
) -> None:
    rng = np.random.default_rng(len(str(options)) + 7 * len(direction))
    for layers, output in itertools.product((1, 2), (False, True)):
        net = random_gated_network(rng, kind, options, layers, direction, output)
        # A ragged batch: lengths 1, 5 and 9 run together, padded.
        sequences = [rng.normal(0, 1, (T, 3)) for T in (5, 1, 9)]
        for X, result in zip(sequences, forward_batch(net, sequences), strict=True):
            assert_matches_reference(net, X, result)
        # One sequence alone takes the single-sequence path.
        assert_matches_reference(net, sequences[2], forward(net, sequences[2]))


@pytest.mark.parametrize(("kind", "options"), CASES)
def test_the_modes_follow_the_readable_step(kind: str, options: Options) -> None:
    rng = np.random.default_rng(3)
    net = random_gated_network(rng, kind, options, layers=2, output=True, O=3)
    X = rng.normal(0, 1, (4, 3))
    one = forward(net, X, mode=Mode.MANY_TO_ONE)
    np.testing.assert_allclose(one.O, reference_run(net, X).O[-1:], rtol=0, atol=ATOL)
    delayed = forward(net, X, mode=Mode.MANY_TO_MANY_DELAYED, steps=3)
    padded = np.vstack([X, np.zeros((3, 3))])
    np.testing.assert_allclose(delayed.O, reference_run(net, padded).O[4:], rtol=0, atol=ATOL)
    ones = forward(net, X[:1], mode=Mode.ONE_TO_MANY, steps=5)
    zeros_after = np.vstack([X[:1], np.zeros((4, 3))])
    assert_matches_reference(net, zeros_after, ones)
    fed = forward(net, X[:1], mode=Mode.ONE_TO_MANY, steps=5, feedback=True)
    inputs, hs, outputs = reference_feedback(net, X[0], 5)
    np.testing.assert_allclose(fed.X, inputs, rtol=0, atol=ATOL)
    np.testing.assert_allclose(fed.H, hs, rtol=0, atol=ATOL)
    np.testing.assert_allclose(fed.O, outputs, rtol=0, atol=ATOL)
    # The fed-back run over its own inputs gives the same states as a plain run.
    assert_matches_reference(net, fed.X, fed)


@pytest.mark.parametrize(("kind", "options"), CASES[:2] + CASES[-5:-3])
def test_float32_stays_near_float64(kind: str, options: Options) -> None:
    rng = np.random.default_rng(11)
    net = random_gated_network(rng, kind, options, layers=2, direction=Direction.BIDIRECTIONAL)
    sequences = [rng.normal(0, 1, (T, 3)) for T in (6, 3)]
    for X, result in zip(sequences, forward_batch(net, sequences, dtype="float32"), strict=True):
        assert result.H.dtype == np.float32
        np.testing.assert_allclose(result.H, reference_run(net, X).H, rtol=0, atol=2e-5)
        if result.C is not None:
            assert result.C.dtype == np.float32


def test_h0_and_c0_given_to_the_run_replace_the_networks() -> None:
    rng = np.random.default_rng(5)
    net = random_gated_network(rng, "lstm", {}, layers=2)
    X = rng.normal(0, 1, (5, 3))
    h0, c0 = rng.normal(0, 1, net.h0.shape), rng.normal(0, 1, net.h0.shape)
    result = forward(net, X, h0=h0, c0=c0)
    ref = reference_run(net, X, h0=h0, c0=c0)
    np.testing.assert_allclose(result.H, ref.H, rtol=0, atol=ATOL)
    np.testing.assert_allclose(result.c_n, ref.c_n, rtol=0, atol=ATOL)
    assert np.abs(result.H - forward(net, X, h0=h0).H).max() > 1e-3  # c0 mattered


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("I", "H", "cut"), [(3, 4, 4), (8, 16, 1), (8, 16, 3), (64, 32, 199)])
def test_two_halves_equal_one_pass_bit_for_bit(
    kind: str, dtype: str, I: int, H: int, cut: int
) -> None:
    """Cut anywhere, with inputs and units wide enough that a matrix product over all
    the steps at once would give other last bits for another number of steps."""
    rng = np.random.default_rng(9)
    net = random_gated_network(rng, kind, {}, layers=2, output=True, I=I, H=H)
    X = rng.normal(0, 1, (260, I))
    whole = forward(net, X, dtype=dtype)
    first = forward(net, X[:cut], dtype=dtype)
    second = forward(net, X[cut:], h0=first.h_n, c0=first.c_n, dtype=dtype)
    np.testing.assert_array_equal(np.vstack([first.H, second.H]), whole.H)
    np.testing.assert_array_equal(np.vstack([first.O, second.O]), whole.O)
    np.testing.assert_array_equal(second.h_n, whole.h_n)
    if kind == "lstm":
        assert first.C is not None and second.C is not None
        np.testing.assert_array_equal(np.vstack([first.C, second.C]), whole.C)
        np.testing.assert_array_equal(second.c_n, whole.c_n)


def test_the_gates_from_z_are_the_steps_gates() -> None:
    """i, f, g, o by hand for one step of a one-unit LSTM, against gate_values."""
    cell = LstmCell(
        W_xh=np.array([[0.5], [-1.0], [2.0], [0.25]]),
        W_hh=np.array([[1.0], [0.5], [-0.5], [2.0]]),
        b_xh=np.array([0.1, 0.2, 0.3, 0.4]),
        b_hh=np.zeros(4),
    )
    net = Network(layers=((cell,),), h0=np.array([[0.5]]), c0=np.array([[-1.0]]))
    result = forward(net, np.array([[2.0]]))
    s = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    i, f, g, o = s(1.0 + 0.1 + 0.5), s(-2.0 + 0.2 + 0.25), np.tanh(4.0 + 0.3 - 0.25), s(0.9 + 1)
    gates = gate_values(net, result)
    np.testing.assert_allclose([gates[k][0, 0] for k in "ifgo"], [i, f, g, o], atol=1e-15)
    c_1 = f * -1.0 + i * g
    np.testing.assert_allclose(result.C[0, 0], c_1, atol=1e-15)  # type: ignore[index]
    np.testing.assert_allclose(result.H[0, 0], o * np.tanh(c_1), atol=1e-15)


def test_a_gru_step_by_hand() -> None:
    cell = GruCell(
        W_xh=np.array([[1.0], [-0.5], [0.75]]),
        W_hh=np.array([[0.5], [1.5], [-1.0]]),
        b_xh=np.array([0.1, 0.0, 0.2]),
        b_hh=np.array([0.0, 0.3, 0.4]),
    )
    net = Network(layers=((cell,),), h0=np.array([[0.6]]))
    result = forward(net, np.array([[1.0]]))
    s = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    r, z = s(1.0 + 0.1 + 0.3), s(-0.5 + 0.9 + 0.3)
    n = np.tanh(0.75 + 0.2 + r * (-0.6 + 0.4))
    np.testing.assert_allclose(result.H[0, 0], (1 - z) * n + z * 0.6, atol=1e-15)
    gates = gate_values(net, result)
    np.testing.assert_allclose([gates[k][0, 0] for k in "rzn"], [r, z, n], atol=1e-15)


def test_network_sizes_and_kind() -> None:
    rng = np.random.default_rng(1)
    net = random_gated_network(rng, "lstm", {"projection": 2}, layers=2, H=5)
    sizes = (net.cell_kind, net.gates, net.hidden_size, net.cell_size)
    assert sizes == ("lstm", GATES["lstm"], 2, 5)
    assert net.h0.shape == (2, 2) and net.c0 is not None and net.c0.shape == (2, 5)
    gru = random_gated_network(rng, "gru", {}, H=3)
    assert (gru.cell_kind, gru.hidden_size, gru.cell_size, gru.c0) == ("gru", 3, 3, None)
    # The network reads its gated cells' activations, never overwrites them.
    hard = Activation.named("hard_sigmoid")
    lstm = LstmCell(np.zeros((4, 1)), np.zeros((4, 1)), np.zeros(4), np.zeros(4),
                    CellOptions(recurrent_activation=hard, clip=2.0))  # fmt: skip
    wrapped = Network(layers=((lstm,),), h0=np.zeros((1, 1)))
    assert wrapped.cell.recurrent_activation == hard  # type: ignore[attr-defined]
    assert wrapped.clip == 2.0 and hard != SIGMOID
    with pytest.raises(ValueError, match="W_hh"):
        LstmCell(np.zeros((8, 3)), np.zeros((8, 3)), np.zeros(8), np.zeros(8)).check()
    with pytest.raises(ValueError, match="c0"):
        Network(layers=((lstm,),), h0=np.zeros((1, 1)), c0=np.zeros((1, 2)))


def test_sigmoid_is_within_a_few_ulp_and_exact_at_the_ends() -> None:
    z = np.concatenate([np.linspace(-700, 700, 20001), np.geomspace(1e-300, 30, 2000)])
    z = np.concatenate([z, -z])
    ours = sigmoid(z)
    # The exact value, worked in 50 decimal digits and rounded once to float64.
    exact = np.array([_exact_sigmoid(v) for v in z.tolist()])
    ulps = np.abs(ours - exact) / np.spacing(np.abs(exact))
    assert ulps.max() <= 3, ulps.max()
    special = np.array([-np.inf, -1e308, -800.0, 0.0, 800.0, 1e308, np.inf, np.nan])
    with np.errstate(all="raise"):
        values = sigmoid(special)
    np.testing.assert_array_equal(values, [0.0, 0.0, 0.0, 0.5, 1.0, 1.0, 1.0, np.nan])
    assert sigmoid(np.array([-30.0], dtype=np.float32)).dtype == np.float32


def test_sigmoid_into_a_strided_column_reads_the_column() -> None:
    """A gate of one unit (H = 1) in a batch is a strided column of the gates' array, in
    and out; in float32 the result is each row's own sigmoid (numpy 2.4's np.negative
    with out= read such a column as contiguous values: rows 1, 2 got their neighbours')."""
    for dtype in (np.float32, np.float64):
        z = np.arange(-6, 6, dtype=dtype).reshape(3, 4) / 4
        gates = np.zeros((3, 4), dtype=dtype)
        sigmoid_into(np.dtype(dtype))(z[:, 2:3], gates[:, 2:3])
        expected = [1 / (1 + np.exp(-v)) for v in (-1.0, 0.0, 1.0)]  # z[:, 2] = -1, 0, 1
        np.testing.assert_allclose(gates[:, 2], expected, rtol=1e-6)
        assert not gates[:, [0, 1, 3]].any()


@pytest.mark.parametrize("options", [{"peepholes": True}, {"clip": 0.5, "peepholes": True}])
def test_float32_batch_of_one_unit_lstm_follows_float64(options: Options) -> None:
    rng = np.random.default_rng(5)
    net = random_gated_network(rng, "lstm", options, layers=1, H=1)
    sequences = [rng.normal(0, 1, (T, 3)) for T in (5, 2, 4)]
    for X, result in zip(sequences, forward_batch(net, sequences, dtype="float32"), strict=True):
        np.testing.assert_allclose(result.H, reference_run(net, X).H, rtol=0, atol=2e-6)


def _exact_sigmoid(z: float) -> float:
    from decimal import Decimal, getcontext

    getcontext().prec = 50
    return float(1 / (1 + (-Decimal(z)).exp()))


# -- against PyTorch (float64) --------------------------------------------------------


def _torch_module(net: Network, torch: Any) -> Any:
    kind, D = net.cell_kind, net.num_directions
    cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
    extra = {}
    if kind == "lstm" and net.hidden_size != net.cell_size:
        extra["proj_size"] = net.hidden_size
    module = cls(
        net.input_size,
        net.cell_size,
        num_layers=net.num_layers,
        bidirectional=D == 2,
        dtype=torch.float64,
        **extra,
    )
    with torch.no_grad():
        for k, cells in enumerate(net.layers):
            for d, cell in enumerate(cells):
                suffix = f"_l{k}" + ("_reverse" if d else "")
                getattr(module, "weight_ih" + suffix).copy_(torch.from_numpy(cell.W_xh))
                getattr(module, "weight_hh" + suffix).copy_(torch.from_numpy(cell.W_hh))
                getattr(module, "bias_ih" + suffix).copy_(torch.from_numpy(cell.b_xh))
                getattr(module, "bias_hh" + suffix).copy_(torch.from_numpy(cell.b_hh))
                if isinstance(cell, LstmCell) and cell.W_hr is not None:
                    getattr(module, "weight_hr" + suffix).copy_(torch.from_numpy(cell.W_hr))
    return module


@pytest.mark.parametrize(
    ("kind", "options", "layers", "direction"),
    [
        ("lstm", {}, 1, Direction.FORWARD),
        ("lstm", {}, 2, Direction.BIDIRECTIONAL),
        ("lstm", {"projection": 2}, 2, Direction.FORWARD),
        ("gru", {}, 1, Direction.FORWARD),
        ("gru", {}, 3, Direction.BIDIRECTIONAL),
    ],
)
def test_matches_torch(kind: str, options: Options, layers: int, direction: Direction) -> None:
    torch = reference_module("torch")
    rng = np.random.default_rng(21)
    net = random_gated_network(rng, kind, options, layers, direction, H=5)
    module = _torch_module(net, torch)
    sequences = [rng.normal(0, 1, (T, 3)) for T in (7, 4, 7)]
    results = forward_batch(net, sequences)
    h0 = torch.from_numpy(net.h0)[:, None, :]
    for X, result in zip(sequences, results, strict=True):
        state = h0 if kind == "gru" else (h0, torch.from_numpy(net.c0)[:, None, :])
        with torch.no_grad():
            out, last = module(torch.from_numpy(X)[:, None, :], state)
        np.testing.assert_allclose(result.H, out[:, 0].numpy(), rtol=0, atol=ATOL)
        h_n = last if kind == "gru" else last[0]
        np.testing.assert_allclose(result.h_n, h_n[:, 0].numpy(), rtol=0, atol=ATOL)
        if kind == "lstm":
            np.testing.assert_allclose(result.c_n, last[1][:, 0].numpy(), rtol=0, atol=ATOL)


@pytest.mark.parametrize("cut", [1, 3, 199])
def test_an_elman_run_in_two_halves_equals_one_pass_bit_for_bit(
    cut: int, random_network: Callable[..., Network]
) -> None:
    rng = np.random.default_rng(10)
    net = random_network(rng, 64, 32, 5, layers=2)
    X = rng.normal(0, 1, (260, 64))
    whole = forward(net, X)
    first = forward(net, X[:cut])
    second = forward(net, X[cut:], h0=first.h_n)
    np.testing.assert_array_equal(np.vstack([first.H, second.H]), whole.H)
    np.testing.assert_array_equal(np.vstack([first.O, second.O]), whole.O)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_a_pre_activation_that_cancels_to_zero_is_plus_zero_as_in_the_step(kind: str) -> None:
    """x = 1 with W_xh = 1 and b_xh = -1: every z_t is 1 - 1 = +0 in the lecture's step;
    the fast run, which negates the sigmoid gates' weights inside, gives +0 too (a
    -0.0 would print as such in --explain and backward)."""
    G = 4 if kind == "lstm" else 3
    cls = LstmCell if kind == "lstm" else GruCell
    cell = cls(np.ones((G, 1)), np.zeros((G, 1)), -np.ones(G), np.zeros(G))
    state = cell.initial_state(np.zeros((1, 1)), np.zeros((1, 1)))
    Z, _, _ = cell.run(np.ones((3, 1, 1)), np.array([3]), state)
    z_1, _ = cell.step_with_z(np.ones(1), tuple(s[0] for s in state))
    assert not z_1.any() and not np.signbit(z_1).any()
    assert not Z.any() and not np.signbit(Z).any()
