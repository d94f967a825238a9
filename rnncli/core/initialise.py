"""Fresh weights for a network, each scheme as the framework it is named after does it.

With I inputs, H hidden units, O outputs and G gates (rnn 1; lstm 4, i f g o; gru 3, r z
n), W_xh is G·H x I, W_hh G·H x H and the biases G·H, stacked in PyTorch's gate order:

    torch       every weight and both biases from U(-k, k), k = 1/sqrt(H), as nn.RNN,
                nn.LSTM and nn.GRU; the output layer as nn.Linear(H, O): U(-k, k).
    keras       W_xh glorot-uniform over the whole kernel, U(-l, l) with
                l = sqrt(6 / (I + G·H)); W_hh orthogonal over the whole G·H x H (Keras's
                H x G·H recurrent kernel has orthonormal rows, so W_hh^T W_hh = I); zero
                biases: one, as SimpleRNN and LSTM, with the forget gate's 1
                (unit_forget_bias) for lstm; two for gru, as Keras 3's GRU (reset_after);
                W_ho glorot-uniform, l = sqrt(6 / (H + O)), with a zero bias, as Dense.
    orthogonal  W_hh orthogonal (each gate's H x H block W_hh^g W_hh^g^T = I), the rest as
                torch.
    normal      every weight and bias from N(0, std^2).
    zeros       all zeros: a template to fill in by hand.

torch draws exactly what PyTorch draws after torch.manual_seed(seed) for nn.RNN(I, H)
and then nn.Linear(H, O) (rnncli.core.torch_random): float32 numbers, in parameters() order
(W_xh, W_hh, b_xh, b_hh, W_ho, b_o; the biases left out with --bias none, as bias=False
does). The other schemes' seeds are rnncli's own: numpy's PCG64 generator in the same
fixed order, and the orthogonal matrix is made with exactly rounded sums (math.fsum) rather
than LAPACK, so the same seed gives the same bits on every machine.
"""

from __future__ import annotations

import math

import numpy as np

from rnncli.cells.activations import Activation, FloatArray
from rnncli.cells.kinds import CellOptions, make_cell
from rnncli.core.network import Network, single_layer
from rnncli.core.torch_random import TorchGenerator
from rnncli.option_values import BiasForm, CellKind, Scheme

#: The bias form each scheme uses unless told otherwise (Keras's GRU has two biases).
DEFAULT_BIAS = {Scheme.KERAS: BiasForm.ONE}
DEFAULT_GRU_BIAS = {Scheme.KERAS: BiasForm.TWO}
#: The gates stacked in W_xh's and W_hh's rows.
GATE_COUNT = {CellKind.RNN: 1, CellKind.LSTM: 4, CellKind.GRU: 3}


def initial_network(
    input_size: int,
    hidden_size: int,
    output_size: int | None = None,
    *,
    cell: CellKind = CellKind.RNN,
    scheme: Scheme = Scheme.TORCH,
    bias: BiasForm | None = None,
    seed: int = 0,
    std: float = 0.1,
    activation: str = "tanh",
    output_activation: str | None = None,
    name: str | None = None,
) -> Network:
    """A network of the given sizes with weights drawn by `scheme` from `seed`."""
    I, H, O, G = input_size, hidden_size, output_size, GATE_COUNT[cell]
    if min(I, H, O or 1) < 1:
        raise ValueError("sizes must be positive")
    defaults = DEFAULT_GRU_BIAS if cell is CellKind.GRU else DEFAULT_BIAS
    bias = bias or defaults.get(scheme, BiasForm.TWO)
    rng = np.random.default_rng(seed)
    torch_rng = TorchGenerator(seed) if scheme is Scheme.TORCH else None
    k = 1.0 / math.sqrt(H)

    def uniform(limit: float, *shape: int) -> FloatArray:
        return rng.uniform(-limit, limit, size=shape)

    def draw(*shape: int) -> FloatArray:
        """One weight array as the scheme draws it (biases included)."""
        if scheme is Scheme.NORMAL:
            return rng.normal(0.0, std, size=shape)
        if scheme is Scheme.ZEROS:
            return np.zeros(shape)
        if torch_rng is not None:
            return torch_rng.recurrent(H, *shape)
        return uniform(k, *shape)

    # Recurrent layer: W_xh (G·H x I), W_hh (G·H x H), biases (G·H).
    if scheme is Scheme.KERAS:
        W_xh = uniform(math.sqrt(6.0 / (I + G * H)), G * H, I)
        W_hh = orthogonal(rng.standard_normal((G * H, H)))
    else:
        W_xh = draw(G * H, I)
        if scheme is Scheme.ORTHOGONAL:
            W_hh = np.vstack([orthogonal(rng.standard_normal((H, H))) for _ in range(G)])
        else:
            W_hh = draw(G * H, H)
    zeros: FloatArray = np.zeros(G * H)
    b_xh: FloatArray
    b_hh: FloatArray
    if scheme is Scheme.KERAS or bias is BiasForm.NONE:
        b_xh, b_hh = zeros, zeros.copy()
        if scheme is Scheme.KERAS and cell is CellKind.LSTM and bias is not BiasForm.NONE:
            b_xh[H : 2 * H] = 1.0  # unit_forget_bias: the forget gate starts open
    elif bias is BiasForm.ONE:
        b_xh, b_hh = draw(G * H), zeros
    else:
        b_xh, b_hh = draw(G * H), draw(G * H)

    # Output layer: W_ho (O x H), b_o (O).
    W_ho: FloatArray | None = None
    b_o: FloatArray | None = None
    if O is not None:
        if scheme is Scheme.KERAS:
            W_ho, b_o = uniform(math.sqrt(6.0 / (H + O)), O, H), np.zeros(O)
        elif torch_rng is not None:  # as nn.Linear(H, O)
            W_ho = torch_rng.linear_weight(O, H)
            b_o = np.zeros(O) if bias is BiasForm.NONE else torch_rng.linear_bias(O, H)
        else:
            W_ho = draw(O, H)
            b_o = np.zeros(O) if bias is BiasForm.NONE else draw(O)

    output_activation = (output_activation or "identity") if O is not None else None
    if cell is CellKind.RNN:
        return single_layer(
            W_xh=W_xh,
            W_hh=W_hh,
            b_xh=b_xh,
            b_hh=b_hh,
            W_ho=W_ho,
            b_o=b_o,
            activation=activation,
            output_activation=output_activation,
            name=name,
            bias=str(bias),
        )
    f = Activation.named(activation)
    gated = make_cell(str(cell), W_xh, W_hh, b_xh, b_hh, CellOptions(activation=f, bias=str(bias)))
    return Network(
        layers=((gated,),),
        h0=np.zeros((1, H)),
        c0=np.zeros((1, H)) if cell is CellKind.LSTM else None,
        W_ho=W_ho,
        b_o=b_o,
        activation=f,
        output_activation=None
        if output_activation is None
        else Activation.named(output_activation),
        name=name,
    )


def orthogonal(A: FloatArray) -> FloatArray:
    """The orthogonal Q of A = QR (n x m, n >= m: Q is n x m with orthonormal columns),
    with R's diagonal made positive.

    Modified Gram-Schmidt over the columns, run twice ("twice is enough") so Q^T Q = I
    to rounding, with every dot product an exactly rounded math.fsum: no BLAS, so the
    bits do not depend on the machine.
    """
    columns = [A[:, j].tolist() for j in range(A.shape[1])]
    q: list[list[float]] = []
    for v in columns:
        for _ in range(2):
            for u in q:
                r = math.fsum(a * b for a, b in zip(u, v, strict=True))
                v = [a - r * b for a, b in zip(v, u, strict=True)]
        norm = math.sqrt(math.fsum(a * a for a in v))
        q.append([a / norm for a in v])
    return np.array(q).T
