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
from tests.conftest import RNNCLI, SAMPLE

pytest.importorskip("matplotlib")

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
    assert done.stderr == "rnncli: error: --what: q is not one of h, o, c, gradients\n"


def test_without_matplotlib_one_line_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from rnncli.errors import RnnCliError
    from rnncli.plot_run import PlotRequest, run_plot

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib fails
    with pytest.raises(RnnCliError, match=r"pip install 'rnncli\[plot\]'"):
        run_plot(PlotRequest(SAMPLE, str(tmp_path / "h.png")), print)
