"""rnncli plot: the figure's data, read back from matplotlib's objects, and the files."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from rnncli.io.sequence import read_batch
from rnncli.models.config.read import default_network
from rnncli.pipelines.plot import panels
from rnncli.views.plot import figure
from tests.conftest import LESSON, LESSON_LSTM, RNNCLI, SAMPLE, reference_module, textbook

reference_module("matplotlib")

H = [[-0.3520, 0.5253], [-0.6842, 0.7607], [-0.8649, 0.9047]]


def textbook_figure(what: list[str]):  # type: ignore[no-untyped-def]
    from rnncli.core.forward import forward_batch

    net = default_network()
    X = read_batch(SAMPLE, None).sequences[0].X
    result = forward_batch(net, [X])[0]
    return figure("textbook · 5 → 2 · many-to-many", [(None, panels(net, result, what))])


def test_the_textbook_run_is_two_lines_of_three_points() -> None:
    fig = textbook_figure(["h"])
    (ax,) = fig.axes
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["h1", "h2"]
    for u, line in enumerate(lines):
        assert line.get_xdata().tolist() == [1, 2, 3]
        np.testing.assert_allclose(line.get_ydata(), [row[u] for row in H], atol=5e-5)
    assert fig.get_suptitle() == "textbook · 5 → 2 · many-to-many"


def test_gradient_flow_on_a_log_scale_as_torch_autograd_finds_it() -> None:
    fig = textbook_figure(["h", "gradients"])
    flow = fig.axes[1]
    assert flow.get_yscale() == "log"
    (line,) = flow.get_lines()
    assert line.get_xdata().tolist() == [0, 1, 2]
    np.testing.assert_allclose(line.get_ydata(), textbook_flow(), rtol=1e-10)
    # and the README's 1.87e-3, 6.83e-3, 7.60e-2
    np.testing.assert_allclose(line.get_ydata(), [1.87e-3, 6.83e-3, 7.60e-2], rtol=5e-3)


def test_many_units_are_a_heatmap() -> None:
    from rnncli.views.plot import Panel

    values = np.linspace(-1, 1, 300 * 3).reshape(300, 3)
    fig = figure("long", [(None, [Panel("h_t", "h", np.arange(1.0, 301), values)])])
    assert len(fig.axes[0].get_images()) == 1 and not fig.axes[0].get_lines()


def test_png_of_the_expected_size(tmp_path: Path) -> None:
    image = tmp_path / "h.png"
    subprocess.run([*RNNCLI, "plot", SAMPLE, "-o", str(image)], check=True)
    png = image.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    # 5.5 x 3.2 inches at matplotlib's 100 dpi
    assert (int.from_bytes(png[16:20]), int.from_bytes(png[20:24])) == (550, 320)


def test_a_batch_draws_six_and_says_what_it_left_out(tmp_path: Path) -> None:
    batch = tmp_path / "batch.json"
    batch.write_text('{"sequences": [' + ",".join(["[[1, 1, 1, 1, 1]]"] * 8) + "]}")
    image = tmp_path / "b.svg"
    done = subprocess.run(
        [*RNNCLI, "plot", str(batch), "-o", str(image)], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert done.stderr == "rnncli: plot draws the first 6 sequences; left out: 7, 8\n"
    assert image.read_text().count("sequence ") >= 6


def test_a_bad_what_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [*RNNCLI, "plot", SAMPLE, "-o", str(tmp_path / "x.png"), "--what", "h,q"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr == "rnncli: error: --what: q is not one of h, o, c, gates, gradients\n"


def test_without_matplotlib_one_line_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from rnncli.errors import RnnCliError
    from rnncli.pipelines.plot import PlotRequest, run_plot

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib fails
    with pytest.raises(RnnCliError, match=r"pip install 'rnncli\[plot\]'"):
        run_plot(PlotRequest(SAMPLE, str(tmp_path / "h.png")), print)


def gated_figure(config: str, sequence: str):  # type: ignore[no-untyped-def]
    from rnncli.core.forward import forward_batch
    from rnncli.models.read import load_config

    net = load_config(config)
    X = read_batch(sequence, None).sequences[0].X
    result = forward_batch(net, [X])[0]
    return figure(net.name or "", [(None, panels(net, result, ["gates"]))])


def lesson_x() -> np.ndarray:
    return np.loadtxt(LESSON, delimiter=",", skiprows=1, ndmin=2)


def torch_lstm_gates(config: str, X: np.ndarray) -> dict[str, np.ndarray]:
    """i, f, g, o at every step, by torch: nn.LSTMCell with the config's weights (read
    from the YAML here) runs the steps, and each step's gates, worked from its h_{t-1}
    in torch, are held to the c_t and h_t the cell gave."""
    torch = reference_module("torch")
    spec = yaml.safe_load(Path(config).read_text(encoding="utf-8"))["weights"]
    H = len(spec["i"]["b_xh"])
    cell = torch.nn.LSTMCell(X.shape[1], H, dtype=torch.float64)
    with torch.no_grad():
        for name, key in (("weight_ih", "W_xh"), ("weight_hh", "W_hh"), ("bias_ih", "b_xh"),
                          ("bias_hh", "b_hh")):  # fmt: skip
            block = [torch.tensor(spec[gate][key], dtype=torch.float64) for gate in "ifgo"]
            getattr(cell, name).copy_(torch.cat(block))
        h, c = torch.zeros(1, H, dtype=torch.float64), torch.zeros(1, H, dtype=torch.float64)
        gates: dict[str, list[np.ndarray]] = {name: [] for name in "ifgo"}
        for x in torch.tensor(X)[:, None, :]:
            z = torch.nn.functional.linear(x, cell.weight_ih, cell.bias_ih)
            z = z + torch.nn.functional.linear(h, cell.weight_hh, cell.bias_hh)
            i, f, g, o = z.chunk(4, dim=1)
            i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
            c_prev, (h, c) = c, cell(x, (h, c))
            torch.testing.assert_close(c, f * c_prev + i * g, rtol=0, atol=1e-14)
            torch.testing.assert_close(h, o * torch.tanh(c), rtol=0, atol=1e-14)
            for name, value in zip("ifgo", (i, f, g, o), strict=True):
                gates[name].append(value[0].numpy())
    return {name: np.array(rows) for name, rows in gates.items()}


def torch_gru_gates(X: np.ndarray) -> dict[str, np.ndarray]:
    """r, z, n at every step, by torch: torch.manual_seed(1); nn.GRU(1, 2), the network
    `rnncli init-weights --cell gru --seed 1` writes, run step by step as nn.GRUCell;
    each step's gates, worked in torch, give the h_t the cell gave."""
    torch = reference_module("torch")
    torch.manual_seed(1)
    gru = torch.nn.GRU(1, 2).double()
    cell = torch.nn.GRUCell(1, 2, dtype=torch.float64)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(getattr(gru, f"{name}_l0"))
        h = torch.zeros(1, 2, dtype=torch.float64)
        gates: dict[str, list[np.ndarray]] = {name: [] for name in "rzn"}
        for x in torch.tensor(X)[:, None, :]:
            x_r, x_z, x_n = torch.nn.functional.linear(x, cell.weight_ih, cell.bias_ih).chunk(3, 1)
            h_r, h_z, h_n = torch.nn.functional.linear(h, cell.weight_hh, cell.bias_hh).chunk(3, 1)
            r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
            n = torch.tanh(x_n + r * h_n)
            h_prev, h = h, cell(x, h)
            torch.testing.assert_close(h, (1 - z) * n + z * h_prev, rtol=0, atol=1e-14)
            for name, value in zip("rzn", (r, z, n), strict=True):
                gates[name].append(value[0].numpy())
    return {name: np.array(rows) for name, rows in gates.items()}


def test_lstm_gates_one_panel_each_as_torch_computes_them() -> None:
    fig = gated_figure(LESSON_LSTM, LESSON)
    assert [ax.get_title() for ax in fig.axes] == [
        "i_t, input gate",
        "f_t, forget gate",
        "g_t, candidate (the book's C~)",
        "o_t, output gate",
    ]
    X = lesson_x()
    gates = torch_lstm_gates(LESSON_LSTM, X)
    for ax, name in zip(fig.axes, "ifgo", strict=True):
        lines = ax.get_lines()
        assert [line.get_label() for line in lines] == [f"{name}1", f"{name}2"]
        for u, line in enumerate(lines):
            assert line.get_xdata().tolist() == list(range(1, len(X) + 1))
            np.testing.assert_allclose(line.get_ydata(), gates[name][:, u], rtol=0, atol=1e-12)
    # by hand: x_1 = 0, h_0 = c_0 = 0, so z = b: i = o = σ(0) = 0.5, f = σ(3), g = tanh(0);
    # c_1 = i g = 0 makes h_1 = 0, so at t = 2 (x_2 = 0.479) z = W_xh x_2 + b
    sigma = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    first = {name: ax.get_lines()[0].get_ydata() for ax, name in zip(fig.axes, "ifgo", strict=True)}
    np.testing.assert_allclose(
        [first[n][0] for n in "ifgo"], [0.5, sigma(3.0), 0.0, 0.5], atol=1e-12
    )
    z = 0.5 * 0.479
    np.testing.assert_allclose(
        [first[n][1] for n in "ifgo"], [sigma(z), sigma(3 + z), np.tanh(z), sigma(z)], atol=1e-12
    )


def test_gru_gates_are_r_z_n_as_torch_computes_them(tmp_path: Path) -> None:
    config = tmp_path / "gru.yaml"
    with config.open("w") as handle:
        subprocess.run(
            [*RNNCLI, "init-weights", "-i", "1", "-H", "2", "--cell", "gru", "--seed", "1"],
            check=True,
            stdout=handle,
        )
    fig = gated_figure(str(config), LESSON)
    assert [ax.get_title() for ax in fig.axes] == [
        "r_t, reset gate",
        "z_t, update gate",
        "n_t, candidate",
    ]
    gates = torch_gru_gates(lesson_x())
    for ax, name in zip(fig.axes, "rzn", strict=True):
        assert len(ax.get_lines()) == 2
        for u, line in enumerate(ax.get_lines()):
            np.testing.assert_allclose(line.get_ydata(), gates[name][:, u], rtol=0, atol=1e-12)


def textbook_flow() -> np.ndarray:
    """‖∂h_3/∂h_k‖₂ for k = 0, 1, 2 by torch.autograd: the textbook's nn.RNN(5, 2) after
    torch.manual_seed(1), unrolled from h_k, its Jacobian's largest singular value."""
    torch = reference_module("torch")
    torch.manual_seed(1)
    rnn = torch.nn.RNN(5, 2).double()
    X = torch.tensor(textbook.X, dtype=torch.float64)
    cell = torch.nn.RNNCell(5, 2, dtype=torch.float64)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(getattr(rnn, f"{name}_l0"))
    states = [torch.zeros(2, dtype=torch.float64)]
    for x in X:
        states.append(cell(x, states[-1]).detach())

    def unrolled(k: int) -> Any:
        def h_T(h: Any) -> Any:
            for x in X[k:]:
                h = cell(x, h)
            return h

        return h_T

    norms = []
    for k in range(len(X)):
        J = torch.autograd.functional.jacobian(unrolled(k), states[k])
        norms.append(float(torch.linalg.matrix_norm(J, ord=2)))
    return np.array(norms)


def test_every_figure_has_its_axes_labels_and_legend(tmp_path: Path) -> None:
    """Read from the drawn figure's artists: a title, an x label and ticks on each axes,
    and a legend naming each of its lines, inside the figure."""
    config = tmp_path / "gru.yaml"
    config.write_text(rnncli_text("init-weights", "-i", "1", "-H", "2", "--cell", "gru"))
    figures = [
        textbook_figure(["h", "gradients"]),
        gated_figure(LESSON_LSTM, LESSON),
        gated_figure(str(config), LESSON),
    ]
    for fig in figures:
        fig.canvas.draw()
        inside = fig.bbox
        assert fig.axes
        for ax in fig.axes:
            assert ax.get_title() and ax.get_xlabel() in ("t", "k"), ax.get_title()
            assert ax.xaxis.get_visible() and ax.yaxis.get_visible()
            assert [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
            legend = ax.get_legend()
            assert legend is not None and legend.get_visible(), ax.get_title()
            assert [t.get_text() for t in legend.get_texts()] == [
                line.get_label() for line in ax.get_lines()
            ]
            box = legend.get_window_extent()
            assert inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0
            assert box.y1 <= inside.y1


def rnncli_text(*args: str) -> str:
    return subprocess.run([*RNNCLI, *args], check=True, capture_output=True, text=True).stdout


def test_gates_of_an_rnn_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [*RNNCLI, "plot", SAMPLE, "-o", str(tmp_path / "x.png"), "--what", "gates"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert (
        done.stderr
        == "rnncli: error: --what gates: an rnn cell has no gates (an lstm's or gru's)\n"
    )


def test_gates_to_svg(tmp_path: Path) -> None:
    image = tmp_path / "gates.svg"
    subprocess.run(
        [
            *RNNCLI,
            "plot",
            LESSON,
            "-c",
            LESSON_LSTM,
            "-o",
            str(image),
            "--what",
            "h,gates",
        ],
        check=True,
    )
    text = image.read_text()
    assert all(f"{name}_t" in text for name in ("h", "i", "f", "g", "o"))
