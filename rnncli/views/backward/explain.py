"""--explain for backward: the equations of the step back with their numbers, for the
last step T and the one before it (where "from the future" first carries something)."""

from __future__ import annotations

from rnncli.cells.activations import FloatArray
from rnncli.option_values import LossName
from rnncli.views.backward.report import BackwardReport
from rnncli.views.table_text import fixed


def vector_text(values: FloatArray, precision: int) -> str:
    """[v_1, v_2, ...] at the precision asked for."""
    return "[" + ", ".join(fixed(float(v), precision) for v in values) + "]"


def _factor(value: float, precision: int) -> str:
    """A factor of a product: in brackets where negative, as the forward explain writes it."""
    text = fixed(value, precision)
    return f"({text})" if text.startswith("-") else text


def steps_explained(T: int) -> list[int]:
    """The steps --explain writes out: T, and T - 1 where "from the future" first carries
    something."""
    return sorted({T, max(T - 1, 1)}, reverse=True)


def output_lines(
    report: BackwardReport, t: int, precision: int, future: str = "W_hh^T ∂L/∂z_{t+1}"
) -> list[str]:
    """Step t's loss and dL/dh_t: from the output, plus from the future (`future` names
    that part, {t+1} standing for the next step's number)."""
    r, net, k, p = report.result, report.net, t - 1, precision
    lines = [f"t = {t}{' (the last step)' if t == len(r.X) else ''}:"]
    if r.S[k]:
        if report.loss is LossName.MSE:
            lines.append(
                f"  ∂L/∂o_{t} = 2c (o_{t} − y_{t}) = 2·{r.scale:.6g}·({vector_text(r.O[k], p)} − "
                f"{vector_text(report.Y[k], p)}) = {vector_text(r.dO[k], p)}"
            )
        else:
            lines.append(
                f"  ∂L/∂a_{t} = c (softmax(a_{t}) − onehot(y_{t})) = {r.scale:.6g}·("
                f"{vector_text(r.P[k] if r.P is not None else r.A[k], p)} − "
                f"onehot({int(report.Y[k, 0])})) = {vector_text(r.dA[k], p)}"
            )
    else:
        lines.append(f"  no loss at t = {t}: ∂L/∂o_{t} = 0")
    output = "W_ho^T ∂L/∂a" if net.has_output_layer else "∂L/∂o"
    lines.append(
        f"  ∂L/∂h_{t} = {output}_{t} + {future.replace('{t+1}', str(t + 1))} = "
        f"{vector_text(r.from_output[k], p)}"
        f" + {vector_text(r.from_future[k], p)} = {vector_text(r.dH[k], p)}"
    )
    return lines


def explain_lines(report: BackwardReport, precision: int = 4) -> list[str]:
    """The backward equations of steps T and T - 1, numbers substituted."""
    r, net = report.result, report.net
    T = len(r.X)
    p = precision
    lines = []
    for t in steps_explained(T):
        k = t - 1
        lines.extend(output_lines(report, t, p))
        if t < T:
            W = net.W_hh
            dz = r.dZ[k + 1]
            for i in range(min(len(dz), 8)):
                terms = " + ".join(
                    f"{_factor(float(W[j, i]), p)}·{_factor(float(dz[j]), p)}"
                    for j in range(len(dz))
                )
                total = fixed(float(r.from_future[k, i]), p)
                lines.append(f"    from the future, unit {i + 1}: {terms} = {total}")
        lines.append(
            f"  ∂L/∂z_{t} = f'(z_{t}) ⊙ ∂L/∂h_{t} = {vector_text(r.F[k], p)} ⊙ "
            f"{vector_text(r.dH[k], p)} = {vector_text(r.dZ[k], p)}"
        )
        h_prev = net.h0[0] if k == 0 else r.H[k - 1]
        lines.append(
            f"  its share of ∂L/∂W_hh: ∂L/∂z_{t} h_{t - 1}^T = {vector_text(r.dZ[k], p)} "
            f"{vector_text(h_prev, p)}^T"
        )
    return lines
