"""What the tests share: the project's files, the textbook's numbers, and two fixtures.

Numbers and paths are plain names here (`from tests.conftest import SAMPLE, textbook`),
since some are needed when a module is collected (in `parametrize`); helpers that do
something are fixtures: `on_a_terminal` runs rnncli on a pseudo-terminal and
`random_network` builds a seeded random network. No test module imports another.

hypothesis runs a quick profile unless HYPOTHESIS_PROFILE=fuzz asks for the long one (at
least 10,000 examples per fuzz target).
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from rnncli.activations import Activation
from rnncli.cell import Cell
from rnncli.network import Network
from rnncli.option_values import Direction

settings.register_profile("quick", max_examples=60, deadline=None)
settings.register_profile(
    "fuzz",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))

ROOT = Path(__file__).resolve().parent.parent
#: The textbook's sequence, x_t = [t, t, t, t, t] for t = 1..3.
SAMPLE = str(ROOT / "samples" / "sample.csv")
#: A many-to-one example with an output layer: a sequence and its network.
WEATHER = str(ROOT / "samples" / "weather.csv")
WEATHER_CONFIG = str(ROOT / "configs" / "weather.yaml")
#: rnncli run as a program, the way a user starts it.
RNNCLI = [sys.executable, "-m", "rnncli"]


@dataclass(frozen=True)
class Textbook:
    """The textbook's ch. 15 example, as printed.

    torch.manual_seed(1); nn.RNN(input_size=5, hidden_size=2): its float32 weights written
    out in full, its input X, and the rows it prints for each step.
    """

    W_xh: list[list[float]]
    W_hh: list[list[float]]
    b_xh: list[float]
    b_hh: list[float]
    X: list[list[float]]
    #: Its "Hidden" rows: W_xh x_t + b_xh.
    PRINTED_HIDDEN: list[list[float]]
    #: Its "Output" rows: h_t.
    PRINTED_OUTPUT: list[list[float]]
    #: h_3 computed in float64 from the same weights.
    H3_FLOAT64: list[float]


textbook = Textbook(
    W_xh=[
        [
            0.36434608697891235,
            -0.3121015429496765,
            -0.13708077371120453,
            0.3318939507007599,
            -0.665696382522583,
        ],
        [
            0.42406412959098816,
            -0.1454697549343109,
            0.35973623394966125,
            0.09829985350370407,
            -0.08658108860254288,
        ],
    ],
    W_hh=[[0.19612377882003784, 0.034882839769124985], [0.2582553029060364, -0.2755602300167084]],
    b_xh=[-0.051554277539253235, -0.0636589378118515],
    b_hh=[0.1024908497929573, -0.002824766095727682],
    X=[[1.0] * 5, [2.0] * 5, [3.0] * 5],
    PRINTED_HIDDEN=[[-0.4701929, 0.5863904], [-0.88883156, 1.2364397], [-1.3074702, 1.8864892]],
    PRINTED_OUTPUT=[
        [-0.3519801, 0.52525216],
        [-0.68424344, 0.76074266],
        [-0.8649416, 0.90466356],
    ],
    H3_FLOAT64=[-0.8649416224, 0.9046635979],
)


def _on_a_terminal(*args: str, env: dict[str, str] | None = None) -> str:
    """What rnncli prints when its stdout is a terminal (a pseudo-terminal here)."""
    main, child = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    full_env.update({"COLUMNS": "100", "TERM": "xterm-256color", **(env or {})})
    process = subprocess.Popen([*RNNCLI, *args], stdout=child, stderr=child, env=full_env)
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=30)
    os.close(main)
    assert process.returncode == 0
    return b"".join(chunks).decode("utf-8")


@pytest.fixture
def on_a_terminal() -> Callable[..., str]:
    """on_a_terminal(*args, env=None): rnncli's screen on a terminal, 100 columns wide."""
    return _on_a_terminal


def _random_network(
    rng: np.random.Generator,
    inputs: int,
    units: int,
    outputs: int | None = None,
    *,
    layers: int = 1,
    direction: Direction = Direction.FORWARD,
    activation: str | Activation = "tanh",
    output_activation: str | None = None,
    clip: float | None = None,
) -> Network:
    """L = layers layers of D cells of H = units, and h0, all drawn from rng.

    Weights are scaled by fan-in so that the states stay moderate over a few dozen steps;
    with outputs, an output layer W_ho (O x D*H) and b_o is drawn too.
    """
    H, D = units, 2 if direction is Direction.BIDIRECTIONAL else 1

    def cell(fan_in: int) -> Cell:
        return Cell(
            W_xh=rng.normal(scale=1 / np.sqrt(fan_in), size=(H, fan_in)),
            W_hh=rng.normal(scale=0.5 / np.sqrt(H), size=(H, H)),
            b_xh=rng.normal(scale=0.5, size=H),
            b_hh=rng.normal(scale=0.5, size=H),
        )

    # Layer 1 reads x_t (I = inputs); each later layer reads the one below, D*H wide.
    cells = tuple(tuple(cell(inputs if k == 0 else D * H) for _ in range(D)) for k in range(layers))
    h0 = rng.normal(scale=0.5, size=(layers * D, H))
    W_ho = b_o = None
    if outputs is not None:
        W_ho = rng.normal(scale=1 / np.sqrt(D * H), size=(outputs, D * H))
        b_o = rng.normal(scale=0.5, size=outputs)
    if isinstance(activation, str):
        activation = Activation.named(activation)
    output = None if output_activation is None else Activation.named(output_activation)
    return Network(
        layers=cells,
        h0=h0,
        W_ho=W_ho,
        b_o=b_o,
        activation=activation,
        output_activation=output,
        direction=direction,
        clip=clip,
    )


@pytest.fixture
def random_network() -> Callable[..., Network]:
    """random_network(rng, inputs, units, outputs=None, *, layers, direction, activation,
    output_activation, clip): a seeded random network (see _random_network)."""
    return _random_network
