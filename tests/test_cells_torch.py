"""rnncli's RNN, LSTM and GRU cells against torch.nn.RNN / LSTM / GRU, through the command
line only: seeded random networks in float64, every number to 1e-12.

Each network (seed) has 1-3 layers, one or two directions, with or without an output
layer (a torch nn.Linear on the top layer's output), two biases, one b_h or none, h0 and
c0 from the config, from a `--h0` state file or zeros, and a ragged batch of sequences;
an LSTM may have a projection (proj_size). Every sequence of the batch is compared with
torch run on that sequence alone: each step's h (the top layer's output), c (the top
layer's cell state, from the top layer run one step at a time in torch), o, and h_n, c_n.
LSTM and GRU configs are written twice, with PyTorch's stacked matrices and split into
gates (i, f, g, o / r, z, n); the two must give the same bytes of output.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
import pytest

from tests.conftest import (
    GATES,
    forward_json,
    reference_module,
    sequence_documents,
    states,
    steps,
    write_json,
)

torch = reference_module("torch")

FloatArray = npt.NDArray[np.float64]
Block = dict[str, FloatArray]
ATOL = 1e-12
SEEDS = {"rnn": range(25), "lstm": range(50), "gru": range(50)}


@dataclass
class Net:
    """A network as PyTorch holds it: blocks[layer][direction] of torch-ordered weights."""

    cell: str
    I: int
    H: int
    P: int  # LSTM projection size; 0 without one
    L: int
    D: int
    bias: str  # "two", "one" (b_h) or "none"
    blocks: list[list[Block]]
    h0: FloatArray | None  # L*D x H_out, or None for zeros
    c0: FloatArray | None  # L*D x H (lstm)
    h0_from_file: bool
    output: tuple[FloatArray, FloatArray] | None  # W_ho (O x D*H_out), b_o

    @property
    def H_out(self) -> int:
        return self.P or self.H


def random_net(cell: str, seed: int) -> Net:
    """Layers, directions and the output layer cycle with the seed; the rest is drawn."""
    rng = np.random.default_rng([seed, len(cell)])
    L, D, with_output = 1 + seed % 3, 1 + (seed // 3) % 2, (seed // 6) % 2 == 1
    I, H = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    P = 0
    if cell == "lstm" and rng.random() < 0.4:
        H = max(H, 2)
        P = int(rng.integers(1, H))
    G, H_out = len(GATES[cell]), P or H
    bias = str(rng.choice(["two", "none"] if cell == "gru" else ["two", "one", "none"]))
    scale = 1.5 / np.sqrt(H)

    def block(fan_in: int) -> Block:
        weights = {
            "W_xh": rng.uniform(-scale, scale, (G * H, fan_in)),
            "W_hh": rng.uniform(-scale, scale, (G * H, H_out)),
            "b_xh": rng.uniform(-scale, scale, G * H) if bias != "none" else np.zeros(G * H),
            "b_hh": rng.uniform(-scale, scale, G * H) if bias == "two" else np.zeros(G * H),
        }
        if P:
            weights["W_hr"] = rng.uniform(-scale, scale, (P, H))
        return weights

    blocks = [[block(I if k == 0 else D * H_out) for _ in range(D)] for k in range(L)]
    has_state = rng.random() < 0.7
    h0 = rng.normal(scale=0.5, size=(L * D, H_out)) if has_state else None
    c0 = rng.normal(scale=0.5, size=(L * D, H)) if has_state and cell == "lstm" else None
    output = None
    if with_output:
        O = int(rng.integers(1, 4))
        output = (rng.normal(size=(O, D * H_out)), rng.normal(size=O))
    return Net(cell, I, H, P, L, D, bias, blocks, h0, c0, has_state and seed % 2 == 0, output)


# -- configs ----------------------------------------------------------------------------


def _biases(net: Net, weights: Block, rows: slice) -> Block:
    if net.bias == "two":
        return {"b_xh": weights["b_xh"][rows], "b_hh": weights["b_hh"][rows]}
    if net.bias == "one":
        return {"b_h": weights["b_xh"][rows]}
    return {}


def stacked_block(net: Net, weights: Block) -> dict[str, Any]:
    """PyTorch's matrices as they are: 4H (lstm) or 3H (gru) rows in torch's gate order."""
    every_row = slice(None)
    block: dict[str, Any] = {"W_xh": weights["W_xh"], "W_hh": weights["W_hh"]}
    block.update(_biases(net, weights, every_row))
    if "W_hr" in weights:
        block["W_hr"] = weights["W_hr"]
    return block


def per_gate_block(net: Net, weights: Block) -> dict[str, Any]:
    """The same weights split into one block of H rows per gate."""
    block: dict[str, Any] = {}
    for k, gate in enumerate(GATES[net.cell]):
        rows = slice(k * net.H, (k + 1) * net.H)
        block[gate] = {"W_xh": weights["W_xh"][rows], "W_hh": weights["W_hh"][rows]}
        block[gate].update(_biases(net, weights, rows))
    if "W_hr" in weights:
        block["W_hr"] = weights["W_hr"]
    return block


def config(net: Net, per_gate: bool, seed: int) -> dict[str, Any]:
    write = per_gate_block if per_gate else stacked_block
    document: dict[str, Any] = {}
    if net.cell != "rnn":
        document["cell"] = net.cell
    document["direction"] = "bidirectional" if net.D == 2 else "forward"
    if net.L == 1 and seed % 4 < 2:
        document["weights"] = write(net, net.blocks[0][0])
        if net.D == 2:
            document["weights_reverse"] = write(net, net.blocks[0][1])
    else:
        document["layers"] = []
        for cells in net.blocks:
            layer = write(net, cells[0])
            if net.D == 2:
                layer["reverse"] = write(net, cells[1])
            document["layers"].append(layer)
    if net.output is not None:
        document["output"] = {"W_ho": net.output[0], "b_o": net.output[1]}
    if net.h0 is not None:
        # With a state file, the config holds other states that the file must override.
        document["h0"] = net.h0 + 1.0 if net.h0_from_file else net.h0
        if net.c0 is not None:
            document["c0"] = net.c0 - 1.0 if net.h0_from_file else net.c0
    return document


# -- torch ------------------------------------------------------------------------------


def torch_module(net: Net, blocks: list[list[Block]], input_size: int) -> Any:
    """A torch nn.RNN / LSTM / GRU in float64 holding the blocks' weights."""
    torch.set_num_threads(1)
    kind = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[net.cell]
    extra = {"proj_size": net.P} if net.P else {}
    module = kind(
        input_size,
        net.H,
        num_layers=len(blocks),
        bias=net.bias != "none",
        bidirectional=len(blocks[0]) == 2,
        **extra,
    ).double()
    names = {"W_xh": "weight_ih", "W_hh": "weight_hh", "W_hr": "weight_hr"}
    if net.bias != "none":
        names.update(b_xh="bias_ih", b_hh="bias_hh")
    with torch.no_grad():
        for k, cells in enumerate(blocks):
            for d, weights in enumerate(cells):
                suffix = f"_l{k}" + ("_reverse" if d == 1 else "")
                for key, name in names.items():
                    if key in weights:
                        getattr(module, name + suffix).copy_(torch.from_numpy(weights[key]))
    return module


def _initial(net: Net, rows: slice) -> tuple[Any, Any]:
    """h0 (and c0) for rows of the L*D states, as torch's (states x 1 x n) tensors."""
    h0 = net.h0 if net.h0 is not None else np.zeros((net.L * net.D, net.H_out))
    c0 = net.c0 if net.c0 is not None else np.zeros((net.L * net.D, net.H))
    return torch.from_numpy(h0[rows, None, :].copy()), torch.from_numpy(c0[rows, None, :].copy())


def _run(net: Net, module: Any, X: Any, rows: slice) -> tuple[Any, Any, Any]:
    """module on X (T x 1 x n): output, h_n, c_n (None for rnn and gru)."""
    h0, c0 = _initial(net, rows)
    with torch.no_grad():
        if net.cell == "lstm":
            out, (h_n, c_n) = module(X, (h0, c0))
            return out, h_n, c_n
        out, h_n = module(X, h0)
        return out, h_n, None


def top_layer_cell_states(net: Net, X: FloatArray) -> FloatArray:
    """c_t of the top layer, [forward; reverse] per step: the layers below run as one torch
    module, then each direction of the top layer one step at a time from its c0."""
    below: Any = torch.from_numpy(X[:, None, :])
    if net.L > 1:
        below, _, _ = _run(net, torch_module(net, net.blocks[:-1], net.I), below, slice(0, -net.D))
    T = len(X)
    c_steps = np.zeros((T, net.D * net.H))
    for d, weights in enumerate(net.blocks[-1]):
        cell = torch_module(net, [[weights]], below.shape[-1])
        row = (net.L - 1) * net.D + d
        h, c = _initial(net, slice(row, row + 1))
        for t in range(T) if d == 0 else reversed(range(T)):
            with torch.no_grad():
                _, (h, c) = cell(below[t : t + 1], (h, c))
            c_steps[t, d * net.H : (d + 1) * net.H] = c[0, 0].numpy()
    return c_steps


def check_sequence(net: Net, X: FloatArray, document: dict[str, Any]) -> None:
    """One sequence's document against torch run on that sequence alone."""
    out, h_n, c_n = _run(
        net, torch_module(net, net.blocks, net.I), torch.from_numpy(X[:, None]), slice(None)
    )
    out = out[:, 0].numpy()
    np.testing.assert_allclose(steps(document, "h"), out, rtol=0, atol=ATOL)
    np.testing.assert_allclose(
        states(document["h_n"], net.L * net.D), h_n[:, 0].numpy(), rtol=0, atol=ATOL
    )
    if net.output is not None:
        linear = torch.nn.Linear(net.D * net.H_out, len(net.output[1])).double()
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(net.output[0]))
            linear.bias.copy_(torch.from_numpy(net.output[1]))
            o = linear(torch.from_numpy(out)).numpy()
        np.testing.assert_allclose(steps(document, "o"), o, rtol=0, atol=ATOL)
    else:
        np.testing.assert_array_equal(steps(document, "o"), steps(document, "h"))
    if net.cell == "lstm":
        assert c_n is not None
        np.testing.assert_allclose(
            states(document["c_n"], net.L * net.D), c_n[:, 0].numpy(), rtol=0, atol=ATOL
        )
        np.testing.assert_allclose(
            steps(document, "c"), top_layer_cell_states(net, X), rtol=0, atol=ATOL
        )
    else:
        assert "c_n" not in document
        assert all("c" not in step for step in document["steps"])


# -- the tests --------------------------------------------------------------------------

CASES = [(cell, seed) for cell, seeds in SEEDS.items() for seed in seeds]


@pytest.mark.parametrize(("cell", "seed"), CASES, ids=[f"{c}-{s}" for c, s in CASES])
def test_matches_torch(cell: str, seed: int, tmp_path: Path) -> None:
    net = random_net(cell, seed)
    rng = np.random.default_rng([seed, 99])
    sequences = [
        rng.normal(size=(int(rng.integers(1, 7)), net.I)) for _ in range(int(rng.integers(1, 5)))
    ]
    one_plain = len(sequences) == 1 and seed % 2 == 1
    data = {"sequence": sequences[0]} if one_plain else {"sequences": sequences}
    sequence_file = write_json(tmp_path / "sequences.json", data)
    options: list[str | Path] = []
    if net.h0_from_file:
        state = {"h0": net.h0} if net.c0 is None else {"h0": net.h0, "c0": net.c0}
        options = ["--h0", write_json(tmp_path / "state.json", state)]
    runs = [
        [
            sequence_file,
            "-c",
            write_json(tmp_path / "stacked.yaml", config(net, False, seed)),
            *options,
        ]
    ]
    if cell != "rnn":
        per_gate = write_json(tmp_path / "per_gate.yaml", config(net, True, seed))
        runs.append([sequence_file, "-c", per_gate, *options])
    outputs = forward_json(*runs)

    documents = sequence_documents(orjson.loads(outputs[0]))
    assert ("sequences" in orjson.loads(outputs[0])) is not one_plain
    assert len(documents) == len(sequences)
    for X, document in zip(sequences, documents, strict=True):
        assert len(document["steps"]) == len(X)
        check_sequence(net, X, document)
    if cell != "rnn":
        assert outputs[1] == outputs[0]


@pytest.mark.parametrize("cell", list(SEEDS))
@pytest.mark.parametrize("seed", range(3))
def test_saved_state_continues_the_run(cell: str, seed: int, tmp_path: Path) -> None:
    """Two halves with `--save-state` / `--h0 FILE` between them give the whole run's steps,
    and an LSTM's state file carries c0 beside h0."""
    net = random_net(cell, 6 * seed)  # 6 * seed: one layer, forward only
    net.h0_from_file = False
    rng = np.random.default_rng([seed, 7])
    X = rng.normal(size=(6, net.I))
    stacked = write_json(tmp_path / "net.yaml", config(net, False, 6 * seed))
    state = tmp_path / "state.json"
    whole, first = forward_json(
        [write_json(tmp_path / "whole.json", X), "-c", stacked],
        [write_json(tmp_path / "first.json", X[:4]), "-c", stacked, "--save-state", state],
    )
    saved = orjson.loads(state.read_bytes())
    assert set(saved) == ({"h0", "c0"} if cell == "lstm" else {"h0"})
    (second,) = forward_json(
        [write_json(tmp_path / "second.json", X[4:]), "-c", stacked, "--h0", state]
    )
    keys = ["h", "c", "o"] if cell == "lstm" else ["h", "o"]
    halves = orjson.loads(first)["steps"] + orjson.loads(second)["steps"]
    for key in keys:
        np.testing.assert_array_equal(
            [step[key] for step in halves], [step[key] for step in orjson.loads(whole)["steps"]]
        )
