"""--explain for backward: the equations of the step back with their numbers, for the
last step T and the one before it (where "from the future" first carries something)."""

from __future__ import annotations

from rnncli.activations import FloatArray
from rnncli.backward_report import BackwardReport
from rnncli.option_values import LossName
from rnncli.table_text import fixed


def _v(values: FloatArray, precision: int) -> str:
    return "[" + ", ".join(fixed(float(v), precision) for v in values) + "]"


def _factor(value: float, precision: int) -> str:
    """A factor of a product: in brackets where negative, as the forward explain writes it."""
    text = fixed(value, precision)
    return f"({text})" if text.startswith("-") else text


def explain_lines(report: BackwardReport, precision: int = 4) -> list[str]:
    """The backward equations of steps T and T - 1, numbers substituted."""
    r, net = report.result, report.net
    T = len(r.X)
    p = precision
    lines = []
    for t in sorted({T, max(T - 1, 1)}, reverse=True):
        k = t - 1
        lines.append(f"t = {t}{' (the last step)' if t == T else ''}:")
        if r.S[k]:
            if report.loss is LossName.MSE:
                lines.append(
                    f"  ∂L/∂o_{t} = 2c (o_{t} − y_{t}) = 2·{r.scale:.6g}·({_v(r.O[k], p)} − "
                    f"{_v(report.Y[k], p)}) = {_v(r.dO[k], p)}"
                )
            else:
                lines.append(
                    f"  ∂L/∂a_{t} = c (softmax(a_{t}) − onehot(y_{t})) = {r.scale:.6g}·("
                    f"{_v(r.P[k] if r.P is not None else r.A[k], p)} − "
                    f"onehot({int(report.Y[k, 0])})) = {_v(r.dA[k], p)}"
                )
        else:
            lines.append(f"  no loss at t = {t}: ∂L/∂o_{t} = 0")
        output = "W_ho^T ∂L/∂a" if net.has_output_layer else "∂L/∂o"
        lines.append(
            f"  ∂L/∂h_{t} = {output}_{t} + W_hh^T ∂L/∂z_{t + 1} = {_v(r.from_output[k], p)} + "
            f"{_v(r.from_future[k], p)} = {_v(r.dH[k], p)}"
        )
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
            f"  ∂L/∂z_{t} = f'(z_{t}) ⊙ ∂L/∂h_{t} = {_v(r.F[k], p)} ⊙ {_v(r.dH[k], p)} = "
            f"{_v(r.dZ[k], p)}"
        )
        h_prev = net.h0[0] if k == 0 else r.H[k - 1]
        lines.append(
            f"  its share of ∂L/∂W_hh: ∂L/∂z_{t} h_{t - 1}^T = {_v(r.dZ[k], p)} {_v(h_prev, p)}^T"
        )
    return lines
