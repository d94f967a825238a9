"""LSTM and GRU configs: the per-gate and the stacked form, every option, the YAML writer's
round trip, init-weights --cell and inspect's facts."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from rnncli.core.initialise import initial_network
from rnncli.core.network import Network
from rnncli.errors import RnnCliError
from rnncli.models.config.read import parse_config
from rnncli.models.config.write import network_yaml
from rnncli.option_values import BiasForm, CellKind, Scheme
from rnncli.views.network_facts import describe, parameter_count
from tests.conftest import reference_module

FloatArray = npt.NDArray[np.float64]
GATES = {"lstm": "ifgo", "gru": "rzn"}


def random_config(cell: str, seed: int, per_gate: bool) -> dict[str, Any]:
    """A config of `cell` with the options drawn from `seed` (numbers as Python floats)."""
    rng = np.random.default_rng([seed, len(cell)])
    G, I, H = len(GATES[cell]), int(rng.integers(1, 4)), int(rng.integers(2, 5))
    L, D = int(rng.integers(1, 4)), int(rng.integers(1, 3))
    P = int(rng.integers(1, H)) if cell == "lstm" and rng.random() < 0.5 else 0
    bias = str(rng.choice(["two", "one", "none"]))
    peepholes = cell == "lstm" and rng.random() < 0.5

    def block(inputs: int) -> dict[str, Any]:
        W_xh, W_hh = rng.normal(size=(G * H, inputs)), rng.normal(size=(G * H, P or H))
        b_xh, b_hh = rng.normal(size=G * H), rng.normal(size=G * H)
        biases = {"two": {"b_xh": b_xh, "b_hh": b_hh}, "one": {"b_h": b_xh}, "none": {}}[bias]
        if per_gate:
            out: dict[str, Any] = {}
            for j, gate in enumerate(GATES[cell]):
                rows = slice(j * H, (j + 1) * H)
                out[gate] = {"W_xh": W_xh[rows], "W_hh": W_hh[rows]}
                out[gate].update({key: value[rows] for key, value in biases.items()})
        else:
            out = {"W_xh": W_xh, "W_hh": W_hh, **biases}
        if P:
            out["W_hr"] = rng.normal(size=(P, H))
        if peepholes:
            out["peepholes"] = {gate: rng.normal(size=H) for gate in "iof"}
        return out

    config: dict[str, Any] = {"cell": cell, "direction": "bidirectional" if D == 2 else "forward"}
    layers = []
    for k in range(L):
        layer = block(I if k == 0 else D * (P or H))
        if D == 2:
            layer["reverse"] = block(I if k == 0 else D * (P or H))
        layers.append(layer)
    if L == 1:
        config["weights"] = {key: v for key, v in layers[0].items() if key != "reverse"}
        if D == 2:
            config["weights_reverse"] = layers[0]["reverse"]
    else:
        config["layers"] = layers
    if rng.random() < 0.5:
        O = int(rng.integers(1, 3))
        config["output"] = {"W_ho": rng.normal(size=(O, D * (P or H))), "b_o": rng.normal(size=O)}
    config["h0"] = rng.normal(size=(L * D, P or H))
    if cell == "lstm":
        config["c0"] = rng.normal(size=(L * D, H))
        config["input_forget"] = bool(rng.random() < 0.3)
        if rng.random() < 0.5:
            config["state_activation"] = {"name": "scaled_tanh", "alpha": 1.5, "beta": 0.5}
    else:
        config["reset_after"] = bool(rng.random() < 0.5)
    if rng.random() < 0.5:
        config["recurrent_activation"] = {"name": "hard_sigmoid", "alpha": 0.25, "beta": 0.5}
    if rng.random() < 0.3:
        config["clip"] = 3.0
    return config


def as_text(config: dict[str, Any]) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, np.ndarray):
            return value.tolist()
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list):
            return [plain(item) for item in value]
        return value

    return json.dumps(plain(config))


def arrays(net: Network) -> list[FloatArray]:
    """Every number of the network, in one order."""
    out: list[FloatArray] = [net.h0]
    for cell in net.cells:
        out += [cell.W_xh, cell.W_hh, cell.b_xh, cell.b_hh]
        out += [
            getattr(cell, key)
            for key in ("W_hr", "peepholes")
            if getattr(cell, key, None) is not None
        ]
    out += [a for a in (net.c0, net.W_ho, net.b_o) if a is not None]
    return out


def options(net: Network) -> tuple[Any, ...]:
    cell = net.cell
    names = ("recurrent_activation", "state_activation", "input_forget", "reset_after")
    return (
        cell.kind,
        net.activation,
        net.clip,
        net.direction,
        net.bias,
        net.output_activation,
        *(getattr(cell, name, None) for name in names),
    )


def same_bits(a: Network, b: Network) -> None:
    assert options(a) == options(b)
    left, right = arrays(a), arrays(b)
    assert len(left) == len(right)
    for x, y in zip(left, right, strict=True):
        assert x.shape == y.shape
        assert x.tobytes() == y.tobytes()


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("seed", range(40))
def test_the_written_yaml_reads_back_to_the_same_bits(cell: str, seed: int) -> None:
    net = parse_config(as_text(random_config(cell, seed, per_gate=seed % 2 == 0)), "net.json")
    text = network_yaml(net, ["a round trip"])
    same_bits(parse_config(text, "written.yaml"), net)
    for gate, meaning in {
        "lstm": {"i": "input gate", "g": "candidate (the book's C~)"},
        "gru": {"r": "reset gate", "n": "candidate"},
    }[cell].items():
        assert f"# {gate}: {meaning}\n" in text


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("seed", range(10))
def test_the_per_gate_and_the_stacked_form_give_the_same_cell(cell: str, seed: int) -> None:
    stacked = parse_config(as_text(random_config(cell, seed, per_gate=False)), "s.json")
    per_gate = parse_config(as_text(random_config(cell, seed, per_gate=True)), "g.json")
    same_bits(stacked, per_gate)


def test_each_gate_becomes_its_rows_of_the_stacked_arrays_in_pytorch_order() -> None:
    gate = {
        g: {"W_xh": [[float(k)]], "W_hh": [[10.0 + k]], "b_xh": [20.0 + k], "b_hh": [30.0 + k]}
        for k, g in enumerate("ifgo")
    }
    text = json.dumps({"cell": "lstm", "weights": {g: gate[g] for g in "ogfi"}})
    cell = parse_config(text, "x.json").cell
    assert cell.W_xh.ravel().tolist() == [0.0, 1.0, 2.0, 3.0]
    assert cell.W_hh.ravel().tolist() == [10.0, 11.0, 12.0, 13.0]
    assert cell.b_xh.tolist() == [20.0, 21.0, 22.0, 23.0]
    assert cell.b_hh.tolist() == [30.0, 31.0, 32.0, 33.0]


GATE = "{W_xh: [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], W_hh: [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}"
FOUR_ROWS = GATE.replace("[0, 0, 1]]", "[0, 0, 1], [1, 1, 1]]")  # W_hh of 4 rows


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            f"cell: lstm\nweights:\n  i: {GATE}\n  f: {FOUR_ROWS}\n  g: {GATE}\n  o: {GATE}\n",
            "c.yaml:4:57: weights.f.W_hh: is 4x3, expected 3x3 (H x H, with H = 3 from W_xh's "
            "rows)",
        ),
        (
            f"cell: gru\nweights:\n  r: {GATE}\n  z: {GATE}\n  n: {GATE}\n  W_xh: [[1, 2]]\n",
            "c.yaml:6:9: weights.W_xh: give the gates r, z, n or the stacked W_xh and W_hh "
            "(3H rows), not both",
        ),
        (
            f"cell: gru\nweights:\n  r: {GATE}\n  z: {GATE}\n  n: {GATE}\n  W_hr: [[1, 0, 0]]\n",
            "c.yaml:6:9: weights.W_hr: for cell: lstm only, not gru",
        ),
        (
            f"cell: lstm\nstate_activation: relu\nweights:\n  i: {GATE}\n  f: {GATE}\n  g: {GATE}\n"
            f"  o: {GATE}\nhidden_size: 4\n",
            "c.yaml:8:14: hidden_size: is 4 but each gate's W_xh has 3 rows",
        ),
        (
            "cell: gru\nstate_activation: relu\nweights: {W_xh: [[1]], W_hh: [[1]]}\n",
            "c.yaml:2:19: state_activation: is for cell: lstm only, and this is cell: gru",
        ),
    ],
)
def test_a_bad_cell_config_is_one_line_naming_the_key_and_place(text: str, message: str) -> None:
    with pytest.raises(RnnCliError) as error:
        parse_config(text, "c.yaml")
    assert str(error.value) == message


# -- init-weights --cell ----------------------------------------------------------------


@pytest.mark.parametrize(("cell", "G"), [(CellKind.LSTM, 4), (CellKind.GRU, 3)])
def test_torch_draws_every_weight_and_bias_from_u_of_one_over_root_h(
    cell: CellKind, G: int
) -> None:
    I, H, O = 3, 16, 2
    net = initial_network(I, H, O, cell=cell, scheme=Scheme.TORCH, seed=5)
    k = 1 / math.sqrt(H)
    c = net.cell
    assert c.kind == cell and c.bias == "two"
    assert (c.W_xh.shape, c.W_hh.shape, c.b_xh.shape) == ((G * H, I), (G * H, H), (G * H,))
    for array in (c.W_xh, c.W_hh, c.b_xh, c.b_hh, net.W_ho, net.b_o):
        assert array is not None
        assert np.all(np.abs(array) <= k)
    # Uniform over the whole interval, not a narrower one: mean 0, std k/sqrt(3), and
    # the extremes near k.
    every = np.concatenate([c.W_xh.ravel(), c.W_hh.ravel(), c.b_xh, c.b_hh])
    assert np.abs(every).max() > 0.99 * k
    assert abs(every.mean()) < 0.02 and abs(every.std() - k / math.sqrt(3)) < 0.01


@pytest.mark.parametrize(("cell", "G"), [(CellKind.LSTM, 4), (CellKind.GRU, 3)])
def test_keras_draws_as_keras_over_the_whole_kernel(cell: CellKind, G: int) -> None:
    I, H = 5, 8
    net = initial_network(I, H, cell=cell, scheme=Scheme.KERAS, seed=3)
    c = net.cell
    limit = math.sqrt(6 / (I + G * H))  # glorot over the whole I x G·H kernel
    assert np.all(np.abs(c.W_xh) <= limit) and np.abs(c.W_xh).max() > 0.9 * limit
    # Keras's H x G·H recurrent kernel has orthonormal rows: W_hh^T W_hh = I (H x H).
    np.testing.assert_allclose(c.W_hh.T @ c.W_hh, np.eye(H), atol=1e-14)
    expected_bias = np.zeros(G * H)
    if cell is CellKind.LSTM:
        expected_bias[H : 2 * H] = 1.0  # unit_forget_bias
        assert c.bias == "one"
    else:
        assert c.bias == "two"  # Keras 3's GRU keeps an input and a recurrent bias
    assert (c.b_xh + c.b_hh).tolist() == expected_bias.tolist()


def test_orthogonal_makes_each_gates_w_hh_orthogonal() -> None:
    H = 6
    c = initial_network(2, H, cell=CellKind.LSTM, scheme=Scheme.ORTHOGONAL, seed=1).cell
    for j in range(4):
        W = c.W_hh[j * H : (j + 1) * H]
        np.testing.assert_allclose(W @ W.T, np.eye(H), atol=1e-14)
    assert np.all(np.abs(c.W_xh) <= 1 / math.sqrt(H))


def test_normal_and_zeros() -> None:
    c = initial_network(40, 50, cell=CellKind.GRU, scheme=Scheme.NORMAL, std=0.5, seed=2).cell
    assert c.W_xh.shape == (150, 40) and abs(c.W_xh.std() - 0.5) < 0.02
    z = initial_network(2, 3, 1, cell=CellKind.LSTM, scheme=Scheme.ZEROS, bias=BiasForm.NONE)
    assert not any(np.any(a) for a in arrays(z))
    assert z.cell.bias == "none"


@pytest.mark.parametrize("cell", list(CellKind))
@pytest.mark.parametrize("scheme", list(Scheme))
def test_init_weights_writes_a_config_that_reads_back(cell: CellKind, scheme: Scheme) -> None:
    net = initial_network(3, 4, 2, cell=cell, scheme=scheme, seed=9)
    same_bits(parse_config(network_yaml(net, ["x"]), "x.yaml"), net)


# -- inspect ----------------------------------------------------------------------------


def stacked_config(cell: str, I: int, H: int, L: int, D: int, P: int, O: int) -> str:
    """A stacked config of these sizes with two biases (the weights' values do not matter)."""
    G = len(GATES[cell])

    def block(inputs: int) -> dict[str, Any]:
        weights: dict[str, Any] = {
            "W_xh": np.ones((G * H, inputs)),
            "W_hh": np.ones((G * H, P or H)),
            "b_xh": np.ones(G * H),
            "b_hh": np.ones(G * H),
        }
        if P:
            weights["W_hr"] = np.ones((P, H))
        return weights

    layers = []
    for k in range(L):
        layer = block(I if k == 0 else D * (P or H))
        if D == 2:
            layer["reverse"] = block(I if k == 0 else D * (P or H))
        layers.append(layer)
    config = {"cell": cell, "direction": "bidirectional" if D == 2 else "forward"}
    config["layers"] = layers
    if O:
        config["output"] = {"W_ho": np.ones((O, D * (P or H))), "b_o": np.ones(O)}
    return as_text(config)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_the_parameter_count_is_pytorchs(cell: str) -> None:
    torch = reference_module("torch")
    I, H, O = 3, 5, 2
    for L in (1, 2, 3):
        for D in (1, 2):
            for P in (0, 2) if cell == "lstm" else (0,):
                net = parse_config(stacked_config(cell, I, H, L, D, P, O), "x.json")
                module = torch.nn.LSTM if cell == "lstm" else torch.nn.GRU
                kwargs: dict[str, Any] = {"num_layers": L, "bidirectional": D == 2}
                if P:
                    kwargs["proj_size"] = P
                reference = [module(I, H, **kwargs), torch.nn.Linear(D * (P or H), O)]
                expected = sum(p.numel() for m in reference for p in m.parameters())
                assert parameter_count(net) == expected, (L, D, P)
    # And the formula: 4(HI + HH + 2H) per layer and direction (gru 3(...)).
    G = len(GATES[cell])
    net = initial_network(5, 7, cell=CellKind(cell))
    assert parameter_count(net) == G * (7 * 5 + 7 * 7 + 2 * 7)


def test_inspect_names_the_gates_and_each_gates_spectral_radius() -> None:
    H = 2
    gates = {
        g: {"W_xh": [[1.0], [0.0]], "W_hh": [[2.0 * k, 0.0], [0.0, 0.5]]}
        for k, g in enumerate("ifgo")
    }
    facts = describe(parse_config(json.dumps({"cell": "lstm", "weights": gates}), "x.json"))
    assert facts["cell"] == "lstm"
    assert {g: v["spectral_radius"] for g, v in facts["gates"].items()} == {
        "i": 0.5,
        "f": 2.0,
        "g": 4.0,
        "o": 6.0,
    }
    assert facts["gates"]["f"]["name"] == "forget gate"
    assert facts["spectral_radius"] == 6.0
    assert "above 1 for f, g, o" in facts["spectral_radius_note"]
    assert facts["parameters"] == 4 * (H * 1 + H * H)
    assert facts["c0"] == [0.0, 0.0]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_init_weights_cell_through_the_command_line(cell: str, tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from rnncli.cli import app

    runner = CliRunner()
    path = tmp_path / "net.yaml"
    made = runner.invoke(
        app, ["init-weights", "-i", "2", "-H", "3", "--cell", cell, "--seed", "4", "-o", str(path)]
    )
    assert made.exit_code == 0, made.stderr
    text = path.read_text("utf-8")
    assert f"--cell {cell}" in text.splitlines()[1] and f"cell: {cell}\n" in text
    same_bits(parse_config(text, "net.yaml"), initial_network(2, 3, cell=CellKind(cell), seed=4))
    shown = runner.invoke(app, ["inspect", str(path), "-f", "json"])
    assert shown.exit_code == 0, shown.stderr
    facts = json.loads(shown.stdout)
    assert facts["cell"] == cell and list(facts["gates"]) == list(GATES[cell])
    assert facts["parameters"] == len(GATES[cell]) * (3 * 2 + 3 * 3 + 2 * 3)
    table = runner.invoke(app, ["inspect", str(path), "-f", "table"])
    assert table.exit_code == 0 and "spectral radius" in table.stdout
    run = runner.invoke(app, ["forward", "-", "-c", str(path), "-f", "json"], input="1,2\n3,4\n")
    assert run.exit_code == 0, run.stderr
