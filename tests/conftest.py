"""What the tests share: the project's files, the textbook's numbers, and two fixtures.

Numbers and paths are plain names here (`from tests.conftest import SAMPLE, textbook`),
since some are needed when a module is collected (in `parametrize`); helpers that do
something are fixtures: `on_a_terminal` runs rnncli on a pseudo-terminal (`on_a_pty`
gives its exit code and raw bytes, each read bounded) and `random_network` builds a
seeded random network. The plain functions at the end are
shared by several modules: random gated networks, documents checked, and `rnncli
forward` run as a separate process for the cell tests (`forward_json`). No test module
imports another.

Reference tools and packages (pdflatex, chromium, jq, torch, ...) are asked for through
`require`, `requires` and `reference_module` alone: in CI (CI=true) a missing one is a
failure, elsewhere a skip naming what to install. The README's shell lines run with
`command_environment` (this session's rnncli and python first on PATH); waits poll with
`wait_for`, pseudo-terminals are read with `read_all`, and `released` unblocks a thread
left opening a FIFO: each with a generous bound, never a time a test must keep.

hypothesis runs a quick profile unless HYPOTHESIS_PROFILE=fuzz asks for the long one (at
least 10,000 examples per fuzz target).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from rnncli.cells.activations import Activation, FloatArray
from rnncli.cells.elman import ElmanCell
from rnncli.cells.gru import GruCell
from rnncli.cells.kinds import CellOptions
from rnncli.cells.lstm import LstmCell
from rnncli.cli import app
from rnncli.core.network import Network
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
#: The lesson's LSTM (its config) and the sequence it reads.
LESSON = str(ROOT / "samples" / "lesson.csv")
LESSON_LSTM = str(ROOT / "configs" / "lesson-lstm.yaml")
#: rnncli run as a program, the way a user starts it.
RNNCLI = [sys.executable, "-m", "rnncli"]
#: The `rnncli` script pip installed beside this session's interpreter (the README's
#: `rnncli`); never the one on PATH, which may belong to another Python.
RNNCLI_SCRIPT = Path(sys.executable).with_name("rnncli")
#: rnncli's gate names in PyTorch's order of the row blocks of a stacked matrix.
GATES = {"rnn": ("h",), "lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}


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


# -- reference tools: in CI a missing one fails, elsewhere it skips ---------------

#: The programs the tests check views and recipes with, and how to install each.
TOOLS = {
    "pdflatex": "apt-get install texlive-latex-base texlive-latex-recommended",
    "pdftotext": "apt-get install poppler-utils",
    "chromium": "apt-get install chromium",
    "jq": "apt-get install jq",
    "mlr": "apt-get install miller",
    "awk": "apt-get install gawk",
    "csvcut": "pip install -e '.[test]'",
    "csvlook": "pip install -e '.[test]'",
    "csvstat": "pip install -e '.[test]'",
}


def _missing(names: Sequence[str]) -> list[str]:
    """Which of the tools (TOOLS) and Python modules named are not installed."""
    found = [
        shutil.which(name) if name in TOOLS else importlib.util.find_spec(name.split(".")[0])
        for name in names
    ]
    return [name for name, there in zip(names, found, strict=True) if there is None]


def reference_missing(names: Sequence[str]) -> NoReturn:
    """A test without its reference: in CI (CI=true) a failure, since CI installs every
    reference; on a developer's machine a skip that says what to install."""
    install = sorted({TOOLS.get(name, "pip install -e '.[test]'") for name in names})
    message = f"not installed: {', '.join(names)} ({'; '.join(install)})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI checks against it", pytrace=False)
    pytest.skip(message, allow_module_level=True)


def require(*names: str) -> None:
    """Go on only with every tool and module named (see reference_missing)."""
    if missing := _missing(names):
        reference_missing(missing)


def requires(*names: str) -> pytest.MarkDecorator:
    """The test needs these tools or modules (see reference_missing); checked at set-up."""
    return pytest.mark.requires(missing=tuple(_missing(names)))


def reference_module(name: str) -> ModuleType:
    """The module, imported (pytest.importorskip, but a failure in CI)."""
    require(name)
    return importlib.import_module(name)


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("requires"):
        if mark.kwargs["missing"]:
            reference_missing(mark.kwargs["missing"])


@pytest.fixture(scope="session")
def keras() -> ModuleType:
    """Keras on its torch backend. Keras reads KERAS_BACKEND once, when first imported:
    the variable is set for that import alone, so no later test or process inherits it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KERAS_BACKEND", "torch")
        module = reference_module("keras")
    assert module.backend.backend() == "torch", "keras was imported before, on another backend"
    return module


def command_environment(folder: Path) -> dict[str, str]:
    """The environment for a shell running the README's lines: folder/bin first on PATH
    with `rnncli` and `python`, scripts that run this session's interpreter (not links to
    it: a venv's python started through a link outside the venv is the base Python), and
    this checkout first on PYTHONPATH."""
    bin_folder = folder / "bin"
    bin_folder.mkdir(exist_ok=True)
    rnncli = f"'{RNNCLI_SCRIPT}'" if RNNCLI_SCRIPT.exists() else f"'{sys.executable}' -m rnncli"
    for name, command in (("rnncli", rnncli), ("python", f"'{sys.executable}'")):
        (bin_folder / name).write_text(f'#!/bin/sh\nexec {command} "$@"\n')
        (bin_folder / name).chmod(0o755)
    environment = _environment()
    environment["PATH"] = f"{bin_folder}{os.pathsep}{environment.get('PATH', '')}"
    return environment


def read_all(fd: int, process: subprocess.Popen[bytes], seconds: float = 120) -> bytes:
    """Everything a process writes to a pseudo-terminal until it closes it, or fails once
    `seconds` have gone by without the end (a bound on a hang, not a time assertion)."""
    chunks, deadline = [], time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            process.kill()
            raise AssertionError(f"no end of output within {seconds} s: {process.args}")
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 120) -> None:
    """Poll until the condition holds; fail naming `what` after a generous bound."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.02)


def released(fifo: Path) -> None:
    """Unblock a thread still waiting to open the FIFO because its other end never came:
    a reader is let through by a writer that writes nothing, a writer by a reader gone at
    once (its writes then raise BrokenPipeError)."""
    with contextlib.suppress(OSError):  # ENXIO: no reader waits
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))


def on_a_pty(
    *args: str, env: dict[str, str] | None = None, columns: int = 100, bound: float = 120.0
) -> tuple[int, bytes]:
    """rnncli run with stdout and stderr on one pseudo-terminal: its exit code and every
    byte that reached the terminal (read_all), the whole run given `bound` seconds."""
    main, child = pty.openpty()
    full_env = {k: v for k, v in _environment().items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    full_env.update({"COLUMNS": str(columns), "TERM": "xterm-256color", **(env or {})})
    process = subprocess.Popen(
        [*RNNCLI, *args], stdin=subprocess.DEVNULL, stdout=child, stderr=child, env=full_env
    )
    os.close(child)
    try:
        screen = read_all(main, process, bound)
        process.wait(timeout=bound)
    finally:
        os.close(main)
    return process.returncode, screen


def _on_a_terminal(*args: str, env: dict[str, str] | None = None) -> str:
    """What rnncli prints when its stdout is a terminal (a pseudo-terminal here)."""
    code, screen = on_a_pty(*args, env=env)
    assert code == 0
    return screen.decode("utf-8")
    return screen.decode("utf-8")


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

    def cell(fan_in: int) -> ElmanCell:
        return ElmanCell(
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


# -- shared by several test modules --------------------------------------------


def gated_network(
    rng: np.random.Generator,
    kind: str,
    inputs: int,
    units: int,
    outputs: int | None = None,
    **options: Any,
) -> Network:
    """A random one-layer lstm or gru (weights ~ N(0, 0.7²)), random h0 (and c0)."""
    G = 4 if kind == "lstm" else 3
    W_xh, W_hh = rng.normal(0, 0.7, (G * units, inputs)), rng.normal(0, 0.7, (G * units, units))
    b_xh, b_hh = rng.normal(0, 0.5, G * units), rng.normal(0, 0.5, G * units)
    make = LstmCell if kind == "lstm" else GruCell
    cell: Any = make(W_xh, W_hh, b_xh, b_hh, CellOptions(**options))
    W_ho = None if outputs is None else rng.normal(0, 0.7, (outputs, units))
    b_o = None if outputs is None else rng.normal(0, 0.5, outputs)
    c0 = rng.normal(0, 0.5, (1, units)) if kind == "lstm" else None
    return Network(((cell,),), rng.normal(0, 0.5, (1, units)), W_ho, b_o, c0=c0)


# The textbook's h_t rows (-0.3519801, 0.52525216, ...) at 4 decimals.
TEXTBOOK_TABLE = """\
textbook · 5 → 2 · many-to-many
┏━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ t ┃                                    x_t ┃             h_t ┃
┡━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ 1 │ 1.0000  1.0000  1.0000  1.0000  1.0000 │ -0.3520  0.5253 │
│ 2 │ 2.0000  2.0000  2.0000  2.0000  2.0000 │ -0.6842  0.7607 │
│ 3 │ 3.0000  3.0000  3.0000  3.0000  3.0000 │ -0.8649  0.9047 │
└───┴────────────────────────────────────────┴─────────────────┘
no output layer: o_t = h_t"""


ZERO = [[0.0, 0.0], [0.0, 0.0]]


# i: W_xh^i = [[0.5, 0], [0, 0.5]], no bias      f: only b_h^f = [1, -1]
# g: W_xh^g = [[1, 0], [-1, 0]]                  o: only b_h^o = [0, 2]
# W_hh of every gate is 0.5·I; it plays no part at t = 1, where h_0 = 0.
HALF = [[0.5, 0.0], [0.0, 0.5]]


LSTM = {
    "cell": "lstm",
    "weights": {
        "i": {"W_xh": HALF, "W_hh": HALF},
        "f": {"W_xh": ZERO, "W_hh": HALF, "b_h": [1.0, -1.0]},
        "g": {"W_xh": [[1.0, 0.0], [-1.0, 0.0]], "W_hh": HALF},
        "o": {"W_xh": ZERO, "W_hh": HALF, "b_h": [0.0, 2.0]},
    },
    "c0": [0.5, -0.5],
}


# x_1 = [1, 0], h_0 = [0, 0], c_0 = [0.5, -0.5]:
#   i = σ(W_xh^i x_1)   = σ([0.5, 0])  = [0.6224593312018546, 0.5]
#   f = σ(b_h^f)        = σ([1, -1])   = [0.7310585786300049, 0.2689414213699951]
#   g = tanh(W_xh^g x_1) = tanh([1, -1]) = [0.7615941559557649, -0.7615941559557649]
#   o = σ(b_h^o)        = σ([0, 2])    = [0.5, 0.8807970779778823]
#   f ⊙ c_0 = [0.7310585786·0.5, 0.2689414214·(-0.5)] = [0.3655292893150024, -0.1344707106849976]
#   i ⊙ g   = [0.6224593312·0.7615941560, 0.5·(-0.7615941560)]
#           = [0.4740613889634663, -0.3807970779778824]
#   c_1 = f ⊙ c_0 + i ⊙ g = [0.8395906782784688, -0.5152677886628800]
#   tanh(c_1) = [0.6855921975933432, -0.4740394309868559]
#   h_1 = o ⊙ tanh(c_1) = [0.5·0.6855921976, 0.8807970780·(-0.4740394310)]
#       = [0.3427960987966716, -0.4175325456595207]
LSTM_GATES_1 = {
    "i": [0.6224593312018546, 0.5],
    "f": [0.7310585786300049, 0.2689414213699951],
    "g": [0.7615941559557649, -0.7615941559557649],
    "o": [0.5, 0.8807970779778823],
}


LSTM_C_1 = [0.8395906782784688, -0.5152677886628800]


LSTM_H_1 = [0.3427960987966716, -0.4175325456595207]


# r: only b_h^r = [0, 1]                       z: W_xh^z = [[1, 0], [0, -1]], no bias
# n: W_xh^n = [[1, 1], [1, -1]], W_hh^n = I, b_hh^n = [0.5, 0]
GRU = {
    "cell": "gru",
    "weights": {
        "r": {"W_xh": ZERO, "W_hh": ZERO, "b_h": [0.0, 1.0]},
        "z": {"W_xh": [[1.0, 0.0], [0.0, -1.0]], "W_hh": ZERO},
        "n": {
            "W_xh": [[1.0, 1.0], [1.0, -1.0]],
            "W_hh": [[1.0, 0.0], [0.0, 1.0]],
            "b_xh": [0.0, 0.0],
            "b_hh": [0.5, 0.0],
        },
    },
}


GRU_H_1 = [0.2281386078550867, 0.3807970779778824]


Options = dict[str, Any]


def random_cell(
    rng: np.random.Generator, kind: str, I: int, H: int, options: Options
) -> LstmCell | GruCell:
    """A cell of `kind` with weights of N(0, 0.6), reading I values."""
    options = dict(options)
    G = len(GATES[kind])
    P = options.pop("projection", None)
    H_r = H if P is None else P
    no_bias = options.pop("bias", None) == "none"

    def weights(*shape: int) -> FloatArray:
        return rng.normal(0, 0.6, shape)

    b_xh, b_hh = (np.zeros(G * H), np.zeros(G * H)) if no_bias else (weights(G * H), weights(G * H))
    peepholes = weights(3, H) if options.pop("peepholes", False) else None
    if kind == "gru":
        return GruCell(weights(G * H, I), weights(G * H, H), b_xh, b_hh, CellOptions(**options))
    W_hr = None if P is None else weights(P, H)
    cell_options = CellOptions(**options)
    return LstmCell(
        weights(G * H, I), weights(G * H, H_r), b_xh, b_hh, cell_options, W_hr, peepholes
    )


def random_gated_network(
    rng: np.random.Generator,
    kind: str,
    options: Options,
    layers: int = 1,
    direction: Direction = Direction.FORWARD,
    output: bool = False,
    I: int = 3,
    H: int = 4,
    O: int | None = None,
) -> Network:
    D = 2 if direction is Direction.BIDIRECTIONAL else 1
    cells = []
    for _ in range(layers):
        cells.append(tuple(random_cell(rng, kind, I, H, options) for _ in range(D)))
        I = D * cells[-1][0].hidden_size
    H_r = cells[0][0].hidden_size
    W_ho = b_o = None
    if output:
        W_ho, b_o = rng.normal(0, 0.6, (O or 2, D * H_r)), rng.normal(0, 0.6, O or 2)
    c0 = rng.normal(0, 0.5, (layers * D, H)) if kind == "lstm" else None
    return Network(
        layers=tuple(cells),
        h0=rng.normal(0, 0.5, (layers * D, H_r)),
        W_ho=W_ho,
        b_o=b_o,
        output_activation=Activation.named("tanh") if output else None,
        direction=direction,
        c0=c0,
    )


runner = CliRunner()


X = np.random.default_rng(3).normal(size=(6, 3))


CASES = [(L, bi, head) for L in (1, 2) for bi in (False, True) for head in (False, True)]


def forward(model: Path, folder: Path, *options: str) -> dict[str, Any]:
    sequence = folder / "x.csv"
    if not sequence.exists():
        np.savetxt(sequence, X, delimiter=",", header="x1,x2,x3", comments="")
    result = runner.invoke(
        app, ["forward", str(sequence), "-c", str(model), "-f", "json", *options]
    )
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def outputs(document: dict[str, Any]) -> np.ndarray:
    return np.array([step["o"] for step in document["steps"]])


def name(case: tuple[int, bool, bool]) -> str:
    L, bi, head = case
    return f"L{L}{'bi' if bi else 'fw'}{'head' if head else ''}"


def rnncli(*args: str) -> str:
    done = subprocess.run([*RNNCLI, *args], capture_output=True, text=True, check=True)
    assert done.stderr == ""  # no messages mixed into the data
    return done.stdout


def pipe_rows(markdown: str) -> list[list[str]]:
    """The cells of every pipe-table row but the rule under the header."""
    rows = [line.strip().strip("|").split("|") for line in markdown.splitlines()]
    return [[c.strip() for c in row] for row in rows if len(row) > 1 and "---" not in row[0]]


def latex_checked(text: str) -> None:
    """Every environment closed in order, plain ASCII, and no unescaped special character
    in text: outside math (`$...$`, align*) never % # _ ^ ~ or a lone $, and & only
    between the cells of a tabular."""
    stack: list[str] = []
    for line in text.splitlines():
        assert line.isascii(), line
        for kind, name in re.findall(r"\\(begin|end)\{([^}]*)\}", line):
            if kind == "begin":
                stack.append(name)
            else:
                assert stack.pop() == name, line
        if any(name.startswith("align") for name in stack):
            continue  # math: _ ^ & are its own
        bare = re.sub(r"\\[\\$&%#_{}]", "", line)  # the escaped ones, and a row's end \\
        bare = re.sub(r"\$[^$]*\$", "", bare)  # inline math
        assert not re.search(r"[$%#_^~]", bare), line
        assert "&" not in bare or (stack and stack[-1] == "tabular"), line
    assert not stack


#: The preamble the LaTeX view's documents compile in (rnncli/views/latex.py).
LATEX_PREAMBLE = "\\usepackage{booktabs,amsmath}\n"


def compiled_latex(body: str, folder: Path, preamble: str = LATEX_PREAMBLE) -> Path:
    """The PDF pdflatex makes of body in an article with the preamble, in folder (a
    failure shows the end of pdflatex's log)."""
    require("pdflatex")
    tex = folder / "document.tex"
    tex.write_text(
        f"\\documentclass{{article}}\n{preamble}\\begin{{document}}\n{body}\\end{{document}}\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        ["pdflatex", "-halt-on-error", "-interaction=nonstopmode", tex.name],
        cwd=folder,
        capture_output=True,
        text=True,
        errors="replace",
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    return folder / "document.pdf"


def pdf_text(pdf: Path) -> str:
    """The text of a PDF as pdftotext reads it, its lines laid out as on the page."""
    require("pdftotext")
    done = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def chromium(folder: Path, *args: str) -> bytes:
    """Headless chromium's stdout for args and a local file: no sandbox (as root it has
    none), its profile in folder, no network (every host name fails)."""
    require("chromium")
    done = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={folder / 'chromium-profile'}", "--disable-extensions",
         "--disable-background-networking", "--disable-sync",
         "--host-resolver-rules=MAP * ~NOTFOUND", *args],
        capture_output=True, stdin=subprocess.DEVNULL, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")[-3000:]
    return done.stdout


class CheckedHtml(HTMLParser):
    """Every element closed in order (void elements apart); the text and classes seen."""

    VOID = frozenset({"meta", "br", "img", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text = ""
        self.classes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.classes |= {value or "" for name, value in attrs if name == "class"}
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack.pop() == tag

    def handle_data(self, data: str) -> None:
        self.text += data


# -- `rnncli forward` as a separate process, for the cell tests -----------------
# They hold rnncli to its command line and config contract only (never to its Python
# API). Configs are written as JSON, which is YAML too: every number is Python's repr of
# the float, so rnncli reads back exactly the weights the reference runs.


def plain(value: Any) -> Any:
    """numpy arrays as nested lists of Python floats (exact under json.dumps)."""
    if isinstance(value, np.ndarray):
        return value.astype(np.float64).tolist()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(plain(value)), encoding="utf-8")
    return path


def _environment() -> dict[str, str]:
    """This checkout first on the path, so the process runs the code under test."""
    environment = dict(os.environ)
    paths = [str(ROOT), *filter(None, environment.get("PYTHONPATH", "").split(os.pathsep))]
    environment["PYTHONPATH"] = os.pathsep.join(paths)
    return environment


def start_forward(*args: str | Path) -> subprocess.Popen[bytes]:
    """`python -m rnncli forward ARGS -f json`, started (not waited for)."""
    command = [sys.executable, "-m", "rnncli", "forward", *map(str, args), "-f", "json"]
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=_environment(),
        cwd=ROOT,
    )


def finish(process: subprocess.Popen[bytes]) -> bytes:
    """The process's stdout, once it has ended with exit code 0 and nothing on stderr."""
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr.decode("utf-8", "replace")
    assert stderr == b"", stderr.decode("utf-8", "replace")
    return stdout


def forward_json(*runs: Sequence[str | Path]) -> list[bytes]:
    """Several `rnncli forward ... -f json` runs side by side; their stdout, in order."""
    processes = [start_forward(*args) for args in runs]
    return [finish(process) for process in processes]


def check_model_refused(model: Path, message: str, folder: Path) -> None:
    """`rnncli import MODEL -o folder/out.yaml` refuses `model`: exit code 1, one line on
    stderr holding `message` (and the file's name), no traceback, nothing on stdout and
    nothing new in `folder`."""
    before = sorted(p.name for p in folder.iterdir())
    result = runner.invoke(app, ["import", str(model), "-o", str(folder / "out.yaml")])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == 1, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith(f"rnncli: error: {model}: "), result.stderr
    assert message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing written


def sequence_documents(document: dict[str, Any]) -> list[dict[str, Any]]:
    """A batch document's sequences, or the plain document of one sequence as a list of one."""
    return list(document["sequences"]) if "sequences" in document else [document]


def steps(document: dict[str, Any], key: str) -> npt.NDArray[np.float64]:
    """One key of every step (h, c, o, ...) as a T x n array."""
    return np.array([step[key] for step in document["steps"]], dtype=np.float64)


def states(value: Any, count: int) -> npt.NDArray[np.float64]:
    """h_n or c_n (a vector for one state, else a list of them) as count x n."""
    return np.asarray(value, dtype=np.float64).reshape(count, -1)
