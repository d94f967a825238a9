"""Fresh weights for a network, each scheme as the framework it is named after does it.

With I inputs, H hidden units and O outputs:

    torch       every weight and both biases from U(-k, k), k = 1/sqrt(H), as nn.RNN;
                the output layer as nn.Linear(H, O): U(-1/sqrt(H), 1/sqrt(H)).
    keras       W_xh glorot-uniform, U(-l, l) with l = sqrt(6 / (I + H)); W_hh orthogonal;
                one zero bias, as SimpleRNN; W_ho glorot-uniform, l = sqrt(6 / (H + O)),
                with a zero bias, as Dense.
    orthogonal  W_hh orthogonal (W_hh W_hh^T = I), the rest as torch.
    normal      every weight and bias from N(0, std^2).
    zeros       all zeros: a template to fill in by hand.

torch draws exactly what PyTorch draws after torch.manual_seed(seed) for nn.RNN(I, H)
and then nn.Linear(H, O) (rnncli.torch_random): float32 numbers, in parameters() order
(W_xh, W_hh, b_xh, b_hh, W_ho, b_o; the biases left out with --bias none, as bias=False
does). The other schemes' seeds are rnncli's own: numpy's PCG64 generator in the same
fixed order, and the orthogonal matrix is made with exactly rounded sums (math.fsum) rather
than LAPACK, so the same seed gives the same bits on every machine.
"""

from __future__ import annotations

import math

import numpy as np

from rnncli.activations import FloatArray
from rnncli.network import Network, single_layer
from rnncli.option_values import BiasForm, Scheme
from rnncli.torch_random import TorchGenerator

#: The bias form each scheme uses unless told otherwise.
DEFAULT_BIAS = {Scheme.KERAS: BiasForm.ONE}


def initial_network(
    input_size: int,
    hidden_size: int,
    output_size: int | None = None,
    *,
    scheme: Scheme = Scheme.TORCH,
    bias: BiasForm | None = None,
    seed: int = 0,
    std: float = 0.1,
    activation: str = "tanh",
    output_activation: str | None = None,
    name: str | None = None,
) -> Network:
    """A network of the given sizes with weights drawn by `scheme` from `seed`."""
    I, H, O = input_size, hidden_size, output_size
    if min(I, H, O or 1) < 1:
        raise ValueError("sizes must be positive")
    bias = bias or DEFAULT_BIAS.get(scheme, BiasForm.TWO)
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

    # Recurrent layer: W_xh (H x I), W_hh (H x H), biases (H).
    W_xh = uniform(math.sqrt(6.0 / (I + H)), H, I) if scheme is Scheme.KERAS else draw(H, I)
    if scheme in (Scheme.KERAS, Scheme.ORTHOGONAL):
        W_hh = orthogonal(rng.standard_normal((H, H)))
    else:
        W_hh = draw(H, H)
    zeros: FloatArray = np.zeros(H)
    b_xh: FloatArray
    b_hh: FloatArray
    if scheme is Scheme.KERAS or bias is BiasForm.NONE:
        b_xh, b_hh = zeros, zeros.copy()
    elif bias is BiasForm.ONE:
        b_xh, b_hh = draw(H), zeros
    else:
        b_xh, b_hh = draw(H), draw(H)

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

    return single_layer(
        W_xh=W_xh,
        W_hh=W_hh,
        b_xh=b_xh,
        b_hh=b_hh,
        W_ho=W_ho,
        b_o=b_o,
        activation=activation,
        output_activation=(output_activation or "identity") if O is not None else None,
        name=name,
        bias=str(bias),
    )


def orthogonal(A: FloatArray) -> FloatArray:
    """The orthogonal Q of A = QR (n x n), with R's diagonal made positive.

    Modified Gram-Schmidt over the columns, run twice ("twice is enough") so Q^T Q = I
    to rounding, with every dot product an exactly rounded math.fsum: no BLAS, so the
    bits do not depend on the machine.
    """
    n = A.shape[0]
    columns = [A[:, j].tolist() for j in range(n)]
    q: list[list[float]] = []
    for v in columns:
        for _ in range(2):
            for u in q:
                r = math.fsum(a * b for a, b in zip(u, v, strict=True))
                v = [a - r * b for a, b in zip(v, u, strict=True)]
        norm = math.sqrt(math.fsum(a * a for a in v))
        q.append([a / norm for a in v])
    return np.array(q).T
