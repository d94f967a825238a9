"""rnncli's benchmark: every performance target against its baseline, in one run.

    python bench/run.py            # the full sizes of docs/performance.md
    python bench/run.py --quick    # small sizes, for a smoke test (the test suite runs it)
    python bench/run.py --only 2,6 # some targets only, by number (1..10: 7 backward, 8 gated,
                                   # 9 model files, 10 a large YAML config)

Each target is timed against its baseline in the same run (best of a few repeats) and
reported as a ratio; peak memory is the child process's maximum resident set. torch
rows are skipped where torch is not installed. Results go to a table on stdout and to
a JSON file (--out, bench/results.json by default).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

# One BLAS thread, as the command line runs (rnncli.cli.BLAS_THREADS) and as torch is
# given one thread: the comparison is core for core.
for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(name, "1")

import numpy as np  # noqa: E402  (after the BLAS threads are set)

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@dataclass
class Row:
    """One line of the report: a measured ratio and what it must reach."""

    target: str
    case: str
    rnncli: float  # seconds, or bytes for memory
    baseline: float
    ratio: float  # baseline / rnncli for speed; rnncli(large) / rnncli(small) for memory
    goal: str
    met: bool | None  # None: not judged (quick mode's small sizes are not the target's)


def best_of(
    repeats: int, ours: Callable[[], Any], theirs: Callable[[], Any]
) -> tuple[float, float]:
    """The shortest wall times of `repeats` runs of ours() and of theirs(), taken in turn,
    so that both sides see the same moments of a shared machine."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for work, spent in ((ours, times[0]), (theirs, times[1])):
            started = time.perf_counter()
            work()
            spent.append(time.perf_counter() - started)
    return min(times[0]), min(times[1])


def run_process(arguments: list[str], stdin: Any = None, stdout: Any = None) -> None:
    subprocess.run(arguments, stdin=stdin, stdout=stdout or subprocess.DEVNULL, check=True)


def has_torch() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def random_network(I: int, H: int, O: int | None = None, seed: int = 0) -> Any:
    from rnncli.core.network import single_layer

    rng = np.random.default_rng(seed)
    return single_layer(
        W_xh=rng.normal(size=(H, I)) / np.sqrt(I),
        W_hh=rng.normal(size=(H, H)) / np.sqrt(H) * 0.9,
        b_xh=rng.normal(size=H) * 0.1,
        b_hh=rng.normal(size=H) * 0.1,
        W_ho=None if O is None else rng.normal(size=(O, H)) / np.sqrt(H),
        b_o=None if O is None else np.zeros(O),
    )


def torch_rnn(net: Any) -> Any:
    import torch

    torch.set_num_threads(1)
    rnn = torch.nn.RNN(net.input_size, net.hidden_size).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(net.W_xh))
        rnn.weight_hh_l0.copy_(torch.from_numpy(net.W_hh))
        rnn.bias_ih_l0.copy_(torch.from_numpy(net.b_xh))
        rnn.bias_hh_l0.copy_(torch.from_numpy(net.b_hh))
    return rnn


# -- 1. start-up --------------------------------------------------------------------


def startup(repeats: int) -> list[Row]:
    # pip compiles an installed package's modules; an editable checkout run where
    # PYTHONDONTWRITEBYTECODE is set would compile them from source on every start.
    import compileall

    compileall.compile_dir(ROOT / "rnncli", quiet=1)
    # The console script beside this Python (not a version manager's shim in front of it).
    script = Path(PYTHON).parent / "rnncli"
    command = [str(script)] if script.exists() else [PYTHON, "-m", "rnncli"]
    sample = str(ROOT / "samples" / "sample.csv")
    cases = [
        ("--help", [*command, "--help"], [PYTHON, "-c", "import typer"]),
        (
            "forward samples/sample.csv -f csv",
            [*command, "forward", sample, "-f", "csv"],
            [PYTHON, "-c", "import numpy, yaml, typer"],
        ),
    ]
    rows = []
    for name, ours, theirs in cases:
        mine, base = best_of(
            repeats,
            lambda ours=ours: run_process(ours),
            lambda theirs=theirs: run_process(theirs),
        )
        ratio = mine / base
        rows.append(
            Row("1 start-up", name, mine, base, ratio, "rnncli/import <= 1.3", ratio <= 1.3)
        )
    return rows


# -- 2. compute ---------------------------------------------------------------------


def compute(T: int, repeats: int, judged: bool) -> list[Row]:
    from rnncli.core.forward import forward

    if not has_torch():
        return []
    import torch

    rows = []
    for H in (2, 32, 128, 512):
        steps = T if H < 512 else max(T // 5, 1000)
        net = random_network(8, H)
        X = np.random.default_rng(1).normal(size=(steps, 8))
        rnn = torch_rnn(net)
        X_torch = torch.from_numpy(X)[:, None, :]

        def theirs(rnn: Any = rnn, X_torch: Any = X_torch) -> None:
            with torch.no_grad():
                rnn(X_torch)

        mine, base = best_of(repeats, lambda net=net, X=X: forward(net, X), theirs)
        ratio = base / mine
        goal, met = (
            ("torch/rnncli >= 2", ratio >= 2) if H < 512 else ("torch/rnncli >= 0.8", ratio >= 0.8)
        )
        rows.append(
            Row("2 compute", f"T={steps:,} H={H}", mine, base, ratio, goal, met if judged else None)
        )
    return rows


# -- 8. the gated cells: lstm and gru ----------------------------------------------


def gated_network(kind: str, I: int, H: int, seed: int = 0) -> Any:
    """A one-layer lstm or gru network with weights drawn as PyTorch draws them."""
    from rnncli.cells.gru import GruCell
    from rnncli.cells.lstm import LstmCell
    from rnncli.core.network import Network

    rng = np.random.default_rng(seed)
    G, bound = (4 if kind == "lstm" else 3), 1 / np.sqrt(H)

    def draw(*shape: int) -> Any:
        return rng.uniform(-bound, bound, shape)

    cls = LstmCell if kind == "lstm" else GruCell
    cell = cls(draw(G * H, I), draw(G * H, H), draw(G * H), draw(G * H))
    return Network(layers=((cell,),), h0=np.zeros((1, H)))


def torch_module(net: Any) -> Any:
    """torch.nn.RNN, LSTM or GRU with the network's weights, float64, one thread."""
    import torch

    torch.set_num_threads(1)
    kind = getattr(net, "cell_kind", "rnn")
    cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
    module = cls(net.input_size, net.hidden_size).double()
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.from_numpy(net.W_xh))
        module.weight_hh_l0.copy_(torch.from_numpy(net.W_hh))
        module.bias_ih_l0.copy_(torch.from_numpy(net.b_xh))
        module.bias_hh_l0.copy_(torch.from_numpy(net.b_hh))
    return module


def gated(T: int, count: int, batch_T: int, repeats: int, judged: bool) -> list[Row]:
    """Per step for one sequence (lstm, gru) at H = 2..512, and a batch of `count`
    sequences of `batch_T` steps at H = 32 (rnn, lstm, gru), each against torch."""
    from rnncli.core.forward import forward, forward_batch

    if not has_torch():
        return []
    import torch

    def timed(net: Any, ours: Callable[[], Any], inputs: Any) -> tuple[float, float]:
        module = torch_module(net)

        def theirs() -> None:
            with torch.no_grad():
                module(inputs)

        return best_of(repeats, ours, theirs)

    rows = []
    for kind in ("lstm", "gru"):
        for H in (2, 32, 128, 512):
            steps = T if H < 512 else max(T // 5, 1000)
            net = gated_network(kind, 8, H)
            X = np.random.default_rng(1).normal(size=(steps, 8))
            mine, base = timed(
                net, lambda net=net, X=X: forward(net, X), torch.from_numpy(X)[:, None]
            )
            ratio = base / mine
            goal, met = (
                ("torch/rnncli >= 2", ratio >= 2) if H <= 128 else ("torch/rnncli >= 1", ratio >= 1)
            )
            case = f"{kind} T={steps:,} H={H}"
            rows.append(Row("8 gated", case, mine, base, ratio, goal, met if judged else None))
    rng = np.random.default_rng(3)
    sequences = [rng.normal(size=(batch_T, 8)) for _ in range(count)]
    # The goal depends on numpy's tanh and exp: vectorised with AVX-512, about 4x slower
    # a value without it. 1.5x torch there, as fast as torch elsewhere.
    at_least = 1.5 if simd() == "AVX-512" else 1.0
    stacked = torch.from_numpy(np.stack(sequences, axis=1))  # T x B x I
    for kind in ("rnn", "lstm", "gru"):
        net = random_network(8, 32) if kind == "rnn" else gated_network(kind, 8, 32)
        mine, base = timed(net, lambda net=net: forward_batch(net, sequences), stacked)
        ratio = base / mine
        case = f"{kind} batch {count:,} x {batch_T} H=32"
        rows.append(
            Row(
                "8 gated",
                case,
                mine,
                base,
                ratio,
                f"torch/rnncli >= {at_least:g} ({simd()})",
                ratio >= at_least if judged else None,
            )
        )
    return rows


def simd() -> str:
    """The widest vector extension numpy's own loops (tanh, exp) dispatch to here."""
    try:  # numpy's own record of what the CPU offers (not a public name)
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:
        return "unknown"
    if features.get("AVX512_SKX"):
        return "AVX-512"
    return "AVX2" if features.get("AVX2") else "no AVX2"


def cpu_model() -> str:
    """The processor's name, as /proc/cpuinfo gives it (Linux), else platform's."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# -- 3. end to end ------------------------------------------------------------------


BASELINE_SCRIPT = """\
import sys, numpy, torch
torch.set_num_threads(1)
X = numpy.loadtxt(sys.argv[1], delimiter=",")
rnn = torch.nn.RNN(X.shape[1], 32).double()
with torch.no_grad():
    H = rnn(torch.from_numpy(X)[:, None, :])[0][:, 0].numpy()
t = numpy.arange(1, len(X) + 1)[:, None]
numpy.savetxt(sys.argv[2], numpy.hstack([t, X, H]), delimiter=",")
"""


def write_csv(path: Path, T: int, I: int = 8) -> None:
    rng = np.random.default_rng(2)
    with path.open("w") as out:
        for start in range(0, T, 100_000):
            block = rng.normal(size=(min(100_000, T - start), I))
            np.savetxt(out, block, delimiter=",", fmt="%.6f")


def end_to_end(T: int, folder: Path, judged: bool) -> list[Row]:
    if not has_torch():
        return []
    from rnncli.models.config.write import network_yaml

    data = folder / "long.csv"
    write_csv(data, T)
    config = folder / "net32.yaml"
    config.write_text(network_yaml(random_network(8, 32), ["benchmark network"]))
    script = folder / "baseline.py"
    script.write_text(BASELINE_SCRIPT)
    ours = [PYTHON, "-m", "rnncli", "forward", str(data), "-c", str(config), "-f", "csv",
            "-o", str(folder / "ours.csv")]  # fmt: skip
    theirs = [PYTHON, str(script), str(data), str(folder / "theirs.csv")]
    mine, base = best_of(1, lambda: run_process(ours), lambda: run_process(theirs))
    ratio = base / mine
    case = f"T={T:,} I=8 H=32 csv -> csv"
    return [
        Row(
            "3 end to end",
            case,
            mine,
            base,
            ratio,
            "script/rnncli >= 3",
            ratio >= 3 if judged else None,
        )
    ]


# -- 4. memory ----------------------------------------------------------------------


def peak_memory(arguments: list[str]) -> float:
    """The peak resident memory (bytes) of a child process running `arguments`."""
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    completed = subprocess.run(
        [PYTHON, "-c", probe, *arguments], capture_output=True, text=True, check=True
    )
    return float(completed.stdout.strip()) * 1024  # ru_maxrss is in KiB on Linux


def memory(small: int, large: int, folder: Path, judged: bool) -> list[Row]:
    rows = []
    for output_format in ("csv", "tsv", "jsonl"):
        peaks = []
        for T in (small, large):
            data = folder / f"mem_{T}.csv"
            if not data.exists():
                write_csv(data, T)
            config = str(folder / "net32.yaml")
            command = ["-m", "rnncli", "forward", str(data), "-f", output_format, "-c", config]
            peaks.append(peak_memory([PYTHON, *command]))
        ratio = peaks[1] / peaks[0]
        case = f"{output_format}: T={large:,} vs T={small:,}"
        met = ratio <= 1.2 if judged else None
        rows.append(Row("4 memory", case, peaks[1], peaks[0], ratio, "peak ratio <= 1.2", met))
    from rnncli.models.config.write import network_yaml

    for kind in ("lstm", "gru"):  # the gated cells stream too: csv in, csv out
        config = folder / f"{kind}32.yaml"
        config.write_text(network_yaml(gated_network(kind, 8, 32), ["benchmark"]))
        peaks = []
        for T in (small, large):
            data = folder / f"mem_{T}.csv"
            command = ["-m", "rnncli", "forward", str(data), "-f", "csv", "-c", str(config)]
            peaks.append(peak_memory([PYTHON, *command]))
        ratio = peaks[1] / peaks[0]
        case = f"{kind} csv: T={large:,} vs T={small:,}"
        met = ratio <= 1.2 if judged else None
        rows.append(Row("4 memory", case, peaks[1], peaks[0], ratio, "peak ratio <= 1.2", met))
    return rows


# -- 5. writing numbers -------------------------------------------------------------


def writing(T: int, repeats: int, judged: bool) -> list[Row]:
    import io

    from rnncli.core.forward import forward
    from rnncli.core.sequence_run import Run
    from rnncli.option_values import OutputFormat
    from rnncli.views.formats import FORMATS, Shown

    net = random_network(8, 32)
    result = forward(net, np.random.default_rng(3).normal(size=(T, 8)))
    table = np.hstack([np.arange(1, T + 1)[:, None], result.X, result.H])

    def ours() -> None:
        FORMATS[OutputFormat.CSV].forward([Run(result)], net, io.StringIO(), Shown())

    def theirs() -> None:
        np.savetxt(io.StringIO(), table, delimiter=",")

    text = io.StringIO()
    FORMATS[OutputFormat.CSV].forward([Run(result)], net, text, Shown())
    back = np.loadtxt(io.StringIO(text.getvalue()), delimiter=",", skiprows=1)
    if not np.array_equal(back[:, 1:], table[:, 1:]):
        raise AssertionError("the csv writer did not give back the values exactly")
    mine, base = best_of(repeats, ours, theirs)
    ratio = base / mine
    case = f"T={T:,}, {table.shape[1]} columns, exact"
    return [
        Row(
            "5 writing",
            case,
            mine,
            base,
            ratio,
            "savetxt/rnncli >= 3",
            ratio >= 3 if judged else None,
        )
    ]


# -- 6. batches ---------------------------------------------------------------------


def batches(count: int, T: int, repeats: int, judged: bool) -> list[Row]:
    from rnncli.core.batching import cores
    from rnncli.core.forward import forward, forward_batch

    net = random_network(8, 32)
    rng = np.random.default_rng(4)
    sequences = [rng.normal(size=(T, 8)) for _ in range(count)]
    mine, base = best_of(
        repeats,
        lambda: forward_batch(net, sequences),
        lambda: [forward(net, X) for X in sequences],
    )
    ratio = base / mine
    case = f"{count:,} sequences x {T} steps, H=32, {cores()} cores"
    return [
        Row(
            "6 batches",
            case,
            mine,
            base,
            ratio,
            "separate/batch >= 20",
            ratio >= 20 if judged else None,
        )
    ]


# -- the report ---------------------------------------------------------------------


# -- 7. backward ----------------------------------------------------------------------


def backward(T: int, gated_T: int, repeats: int, judged: bool) -> list[Row]:
    """BPTT of a many-to-many mse loss (sum): rnncli's bptt vs nn.RNN / nn.LSTM / nn.GRU
    + nn.Linear with loss.backward(), float64, one thread; rnn over T steps, lstm and gru
    over gated_T."""
    from dataclasses import replace

    from rnncli.core.bptt import bptt
    from rnncli.core.loss import Targets
    from rnncli.option_values import LossName

    if not has_torch():
        return []
    import torch

    rows = []
    for kind in ("rnn", "lstm", "gru"):
        steps = T if kind == "rnn" else gated_T
        for H in (2, 32, 128):
            if kind == "rnn":
                net = random_network(8, H, 4)
                rnn = torch_rnn(net)
            else:
                out = np.random.default_rng(5)
                bound = 1 / np.sqrt(H)
                net = replace(
                    gated_network(kind, 8, H),
                    W_ho=out.uniform(-bound, bound, (4, H)),
                    b_o=out.uniform(-bound, bound, 4),
                )
                rnn = torch_module(net)
            rng = np.random.default_rng(3)
            X, Y = rng.normal(size=(steps, 8)), rng.normal(size=(steps, 4))
            targets = Targets(Y, np.ones(steps, dtype=bool))
            fc = torch.nn.Linear(H, 4).double()
            with torch.no_grad():
                fc.weight.copy_(torch.from_numpy(net.W_ho))
                fc.bias.copy_(torch.from_numpy(net.b_o))
            X_torch, Y_torch = torch.from_numpy(X)[:, None, :], torch.from_numpy(Y)

            def theirs(
                rnn: Any = rnn, fc: Any = fc, X_torch: Any = X_torch, Y: Any = Y_torch
            ) -> None:
                rnn.zero_grad()
                fc.zero_grad()
                out = fc(rnn(X_torch)[0][:, 0])
                torch.nn.functional.mse_loss(out, Y, reduction="sum").backward()

            mine, base = best_of(
                repeats, lambda net=net, X=X, t=targets: bptt(net, X, t, LossName.MSE), theirs
            )
            ratio = base / mine
            rows.append(
                Row(
                    "7 backward",
                    f"{kind} T={steps:,} H={H}",
                    mine,
                    base,
                    ratio,
                    "torch/rnncli >= 1",
                    ratio >= 1 if judged else None,
                )
            )
    return rows


def model_file_loaders(kind: str, H: int, folder: Path) -> dict[str, Callable[[], Any]]:
    """A 2-layer bidirectional nn.LSTM or nn.GRU (I = 8, H) saved as .pt, .safetensors
    and .onnx, and for each the framework's own loading of it into a runnable form."""
    import warnings

    import torch
    from safetensors.torch import load_file, save_file

    class Model(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            module = getattr(torch.nn, kind.upper())
            self.rnn = module(8, H, num_layers=2, bidirectional=True, batch_first=True)

        def forward(self, x: Any) -> Any:
            return self.rnn(x)[0]

    stem = folder / f"{kind}{H}"
    torch.save(Model().state_dict(), f"{stem}.pt")
    save_file(Model().state_dict(), f"{stem}.safetensors")
    loaders: dict[str, Callable[[], Any]] = {
        ".pt": lambda: Model().load_state_dict(torch.load(f"{stem}.pt")),
        ".safetensors": lambda: Model().load_state_dict(load_file(f"{stem}.safetensors")),
    }
    try:
        import onnxruntime
    except ImportError:
        return loaders
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Model(), (torch.zeros(1, 5, 8),), f"{stem}.onnx", dynamo=False)
    loaders[".onnx"] = lambda: onnxruntime.InferenceSession(f"{stem}.onnx")
    return loaders


def model_files(H: int, folder: Path, repeats: int, judged: bool) -> list[Row]:
    """Loading a model file into a runnable network (rnncli.models.read: the file read,
    checked and made a Network), against the framework loading the same file into its
    runnable form: torch.load or safetensors' load_file, then load_state_dict into a new
    module; an ONNX Runtime session."""
    if not has_torch():
        return []
    import torch

    from rnncli.models.read import load_model_network

    torch.set_num_threads(1)
    rows = []
    for kind in ("lstm", "gru"):
        for extension, theirs in model_file_loaders(kind, H, folder).items():
            path = str(folder / f"{kind}{H}{extension}")
            ours, baseline = best_of(repeats, lambda path=path: load_model_network(path), theirs)
            ratio = baseline / ours
            rows.append(
                Row(
                    "9 model file",
                    f"{kind} H={H} 2 layers bidirectional {extension}",
                    ours,
                    baseline,
                    ratio,
                    ">= 0.5",
                    ratio >= 0.5 if judged else None,
                )
            )
    return rows


# -- 10. a large YAML config ---------------------------------------------------------


def config_reading(H: int, folder: Path, repeats: int, judged: bool) -> list[Row]:
    """Reading a large YAML config into a Network (models.config.read.read_config_file: parsed,
    every key and shape checked, the arrays made) against PyYAML's C loader alone
    (yaml.CSafeLoader) making Python lists of the same file; and rnncli's peak memory
    over what the same child takes without reading it, as a multiple of the file's size."""
    import yaml

    from rnncli.models.read import load_config

    path = folder / f"rnn{H}.yaml"
    sizes = ["-i", "8", "-H", str(H), "-O", "2", "--seed", "1"]
    run_process([PYTHON, "-m", "rnncli", "init-weights", *sizes, "-o", str(path)])
    size = path.stat().st_size

    def theirs() -> None:
        with open(path, "rb") as file:
            yaml.load(file, Loader=yaml.CSafeLoader)

    ours, baseline = best_of(repeats, lambda: load_config(str(path)), theirs)
    case = f"rnn H={H}, {size / 2**20:,.1f} MiB"
    ratio = baseline / ours
    rows = [
        Row("10 config", case, ours, baseline, ratio, ">= 0.5", ratio >= 0.5 if judged else None)
    ]
    reading = (
        "import sys; from rnncli.models.config.read import read_config_file; "
        "read_config_file(sys.argv[1])"
    )
    idle = "import sys; from rnncli.models.config.read import read_config_file"
    peak = peak_memory([PYTHON, "-c", reading, str(path)])
    without = peak_memory([PYTHON, "-c", idle, str(path)])
    multiple = (peak - without) / size
    met = multiple <= 4 if judged else None
    rows.append(
        Row("10 config mem", case, peak, without, multiple, "(peak - idle) / file <= 4", met)
    )
    return rows


def report(rows: list[Row]) -> str:
    lines = [f"{'target':<13} {'case':<44} {'rnncli':>11} {'baseline':>11} {'ratio':>7}  goal"]
    for row in rows:
        unit = (
            (lambda v: f"{v / 2**20:,.0f} MiB")
            if row.target in ("4 memory", "10 config mem")
            else (lambda v: f"{v:.4f} s")
        )
        verdict = {True: "met", False: "MISSED", None: "(not judged)"}[row.met]
        lines.append(
            f"{row.target:<13} {row.case:<44} {unit(row.rnncli):>11} {unit(row.baseline):>11} "
            f"{row.ratio:>7.2f}  {row.goal} {verdict}"
        )
    return "\n".join(lines)


def targets(text: str) -> set[int]:
    """--only's value: target numbers from 1 to 10, separated by commas."""
    try:
        numbers = {int(n) for n in text.split(",")}
    except ValueError:
        numbers = set()
    if not numbers or not numbers <= set(range(1, 11)):
        raise argparse.ArgumentTypeError(f"expected numbers from 1 to 10, like 2,6; not {text!r}")
    return numbers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument(
        "--only",
        type=targets,
        default=set(range(1, 11)),
        metavar="N,N",
        help="run only these targets, by number (1 start-up ... 6 batches, 7 backward, "
        "8 lstm and gru, 9 model files, 10 a large YAML config)",
    )
    arguments = parser.parse_args(argv)
    quick, only = arguments.quick, arguments.only
    judged = not quick
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        if 1 in only:
            rows += startup(repeats=2 if quick else 7)
        if 2 in only:
            rows += compute(T=2_000 if quick else 100_000, repeats=1 if quick else 3, judged=judged)
        from rnncli.models.config.write import network_yaml

        (folder / "net32.yaml").write_text(network_yaml(random_network(8, 32), ["benchmark"]))
        if 3 in only:
            rows += end_to_end(T=5_000 if quick else 1_000_000, folder=folder, judged=judged)
        if 4 in only:
            sizes = (20_000, 60_000) if quick else (100_000, 10_000_000)  # both over a chunk
            rows += memory(*sizes, folder=folder, judged=judged)
        if 5 in only:
            rows += writing(T=5_000 if quick else 200_000, repeats=1 if quick else 3, judged=judged)
        if 6 in only:
            rows += batches(
                count=50 if quick else 1_000,
                T=20 if quick else 100,
                repeats=1 if quick else 3,
                judged=judged,
            )
        if 7 in only:
            rows += backward(
                T=2_000 if quick else 100_000,
                gated_T=2_000 if quick else 20_000,
                repeats=1 if quick else 3,
                judged=judged,
            )
        if 8 in only:
            rows += gated(
                T=2_000 if quick else 20_000,
                count=50 if quick else 1_000,
                batch_T=20 if quick else 100,
                repeats=1 if quick else 5,  # a shared machine: the best of more runs
                judged=judged,
            )
        if 9 in only:
            rows += model_files(
                H=16 if quick else 256, folder=folder, repeats=1 if quick else 5, judged=judged
            )
        if 10 in only:  # 1,450 units: the 47 MB config of issue 22
            rows += config_reading(
                H=60 if quick else 1_450, folder=folder, repeats=1 if quick else 3, judged=judged
            )
    print(report(rows))
    print(f"\non {cpu_model()}, {os.cpu_count()} cores, numpy loops {simd()}")
    machine = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "processor": cpu_model(),
        "simd": simd(),
        "cpus": os.cpu_count(),
        "numpy": np.__version__,
        "quick": quick,
        "max_rss_self_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(
        json.dumps({"machine": machine, "rows": [asdict(r) for r in rows]}, indent=2) + "\n"
    )
    print(f"\nwritten to {arguments.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
