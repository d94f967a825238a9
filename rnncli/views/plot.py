"""`rnncli plot`'s figure: h_t (o_t, c_t, ‖∂h_T/∂h_k‖) against t, one line per unit, or
a heatmap where there are many units or steps; one column of panels per sequence.

matplotlib is an optional extra (`pip install 'rnncli[plot]'`); it draws with Agg, so
no display is needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from rnncli.cells.activations import FloatArray
from rnncli.printable import printable

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Beyond these, a panel is a heatmap (units × t) rather than one line per unit.
MOST_LINES, MOST_STEPS = 8, 200


class Panel(NamedTuple):
    """One quantity of one sequence: rows are steps t (or k for the gradient flow)."""

    name: str  # h_t, o_t, c_t, ‖∂h_T/∂h_k‖₂
    unit: str  # the legend's prefix: h, o, c
    steps: FloatArray  # the x axis: t = 1..T (k = 0..T-1)
    values: FloatArray  # len(steps) x units
    log: bool = False  # a log-scaled y axis (the gradient flow)


def figure(title: str, columns: list[tuple[str | int | None, list[Panel]]]) -> Figure:
    """One column of panels per sequence (its id over it), one row per quantity."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    rows = max(len(panels) for _, panels in columns)
    fig = Figure(figsize=(5.5 * len(columns), 3.2 * rows), layout="constrained")
    axes = fig.subplots(rows, len(columns), squeeze=False)
    fig.suptitle(_literal(title))
    for c, (sequence_id, panels) in enumerate(columns):
        for r, panel in enumerate(panels):
            ax = axes[r][c]
            if sequence_id is None:
                ax.set_title(panel.name)
            else:
                ax.set_title(f"{panel.name}, sequence {_literal(printable(str(sequence_id)))}")
            _draw(fig, ax, panel)
        for r in range(len(panels), rows):
            axes[r][c].set_visible(False)
    return fig


def _literal(text: str) -> str:
    """Text from a file (a sequence's id, a network's name), already printable, drawn as
    it reads: a `$` escaped, so that matplotlib takes no part of it for mathtext."""
    return text.replace("$", r"\$")


def _draw(fig: Figure, ax: object, panel: Panel) -> None:
    from matplotlib.axes import Axes
    from matplotlib.ticker import MaxNLocator

    assert isinstance(ax, Axes)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # steps are whole numbers
    steps, values = panel.steps, panel.values
    axis = "k" if panel.log else "t"
    ax.set_xlabel(axis)
    if values.shape[1] > MOST_LINES or len(steps) > MOST_STEPS:  # too many lines to tell apart
        shown = np.log10(np.abs(values)) if panel.log else values
        image = ax.imshow(
            shown.T,
            aspect="auto",
            origin="lower",
            interpolation="nearest",
            extent=(steps[0] - 0.5, steps[-1] + 0.5, 0.5, values.shape[1] + 0.5),
            cmap="viridis" if panel.log else "RdBu_r",
        )
        ax.set_ylabel("unit")
        fig.colorbar(image, ax=ax, label=f"log10 {panel.name}" if panel.log else panel.name)
        return
    for u in range(values.shape[1]):
        label = panel.name if panel.log else f"{panel.unit}{u + 1}"
        ax.plot(steps, values[:, u], marker="o" if len(steps) <= 50 else None, label=label)
    if panel.log:
        ax.set_yscale("log")
    ax.legend(fontsize="small")
    ax.grid(True, alpha=0.3)
