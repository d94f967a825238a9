"""rnncli plot: the figure's data, read back from matplotlib's objects, and the files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from rnncli.config import default_network
from rnncli.plot_figure import figure
from rnncli.plot_run import panels
from rnncli.sequence import read_batch
from tests.conftest import LESSON, LESSON_LSTM, RNNCLI, SAMPLE, reference_module

reference_module("matplotlib")

H = [[-0.3520, 0.5253], [-0.6842, 0.7607], [-0.8649, 0.9047]]


def textbook_figure(what: list[str]):  # type: ignore[no-untyped-def]
    from rnncli.batching import forward_batch

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


def test_gradient_flow_on_a_log_scale() -> None:
    fig = textbook_figure(["h", "gradients"])
    flow = fig.axes[1]
    assert flow.get_yscale() == "log"
    (line,) = flow.get_lines()
    # ‖∂h_T/∂h_k‖₂ for k = 0, 1, 2: 1.87e-3, 6.83e-3, 7.60e-2 (README)
    np.testing.assert_allclose(line.get_ydata(), [1.87e-3, 6.83e-3, 7.60e-2], rtol=5e-3)


def test_many_units_are_a_heatmap() -> None:
    from rnncli.plot_figure import Panel

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
    from rnncli.plot_run import PlotRequest, run_plot

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib fails
    with pytest.raises(RnnCliError, match=r"pip install 'rnncli\[plot\]'"):
        run_plot(PlotRequest(SAMPLE, str(tmp_path / "h.png")), print)


def gated_figure(config: str, sequence: str):  # type: ignore[no-untyped-def]
    from rnncli.batching import forward_batch
    from rnncli.config import load_config
    from rnncli.forward_result import gate_values

    net = load_config(config)
    X = read_batch(sequence, None).sequences[0].X
    result = forward_batch(net, [X])[0]
    fig = figure(net.name or "", [(None, panels(net, result, ["gates"]))])
    return fig, gate_values(net, result)


def test_lstm_gates_one_panel_each_with_the_gate_values() -> None:
    fig, gates = gated_figure(LESSON_LSTM, LESSON)
    assert [ax.get_title() for ax in fig.axes] == [
        "i_t, input gate",
        "f_t, forget gate",
        "g_t, candidate (the book's C~)",
        "o_t, output gate",
    ]
    for ax, name in zip(fig.axes, "ifgo", strict=True):
        lines = ax.get_lines()
        assert [line.get_label() for line in lines] == [f"{name}1", f"{name}2"]
        for u, line in enumerate(lines):
            assert line.get_xdata().tolist() == list(range(1, len(gates[name]) + 1))
            np.testing.assert_array_equal(line.get_ydata(), gates[name][:, u])
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


def test_gru_gates_are_r_z_n(tmp_path: Path) -> None:
    config = tmp_path / "gru.yaml"
    subprocess.run(
        [*RNNCLI, "init-weights", "-i", "5", "-H", "3", "--cell", "gru", "--seed", "1"],
        check=True,
        stdout=config.open("w"),
    )
    fig, gates = gated_figure(str(config), SAMPLE)
    assert [ax.get_title() for ax in fig.axes] == [
        "r_t, reset gate",
        "z_t, update gate",
        "n_t, candidate",
    ]
    for ax, name in zip(fig.axes, "rzn", strict=True):
        for u, line in enumerate(ax.get_lines()):
            np.testing.assert_array_equal(line.get_ydata(), gates[name][:, u])
    # the σ gates lie in (0, 1)
    assert all(0 < v < 1 for name in "rz" for v in gates[name].ravel())


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
