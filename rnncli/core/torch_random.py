"""The numbers PyTorch draws after torch.manual_seed(N), without torch.

torch's CPU generator is the 32-bit Mersenne Twister (mt19937) seeded the classic way
(init_genrand with the seed's low 32 bits). `tensor.uniform_(a, b)` on a CPU float32
tensor takes one raw 32-bit draw per value, in row-major order, and makes it

    u     = (raw & (2^24 - 1)) * 2^-24            24 random bits in [0, 1)
    value = float32(from + u * (to - from))       in float64, from = float32(a), to = float32(b)

A module's parameters are filled in parameters() order: nn.RNN(I, H) draws weight_ih
(H x I), weight_hh (H x H), bias_ih (H), bias_hh (H), each from U(-1/sqrt(H), 1/sqrt(H));
nn.LSTM and nn.GRU the same with 4H and 3H rows. nn.Linear(H, O) then draws its weight
(kaiming_uniform with a = sqrt(5)) and bias, both U(-1/sqrt(H), 1/sqrt(H)) as torch
computes the bounds.
"""

from __future__ import annotations

import math

import numpy as np

from rnncli.cells.activations import FloatArray

_N = 624  # the Mersenne Twister's state, in 32-bit words
_LOW_24_BITS = (1 << 24) - 1


class TorchGenerator:
    """torch.manual_seed(seed)'s CPU generator, drawing as torch's uniform_ does."""

    def __init__(self, seed: int) -> None:
        # init_genrand: the state words from the seed, as torch's mt19937 makes them.
        key = [seed & 0xFFFFFFFF]
        for j in range(1, _N):
            previous = key[-1]
            key.append((1812433253 * (previous ^ (previous >> 30)) + j) & 0xFFFFFFFF)
        self._bits = np.random.MT19937()
        self._bits.state = {
            "bit_generator": "MT19937",
            "state": {"key": np.array(key, dtype=np.uint32), "pos": _N},
        }

    def uniform(self, low: float, high: float, *shape: int) -> FloatArray:
        """A float32 array from U(low, high) as torch.empty(shape).uniform_(low, high)."""
        raw = self._bits.random_raw(math.prod(shape)).astype(np.uint64)
        u = (raw & _LOW_24_BITS).astype(np.float64) * 2.0**-24
        low32, high32 = float(np.float32(low)), float(np.float32(high))
        values = (low32 + u * (high32 - low32)).astype(np.float32)
        return values.astype(np.float64).reshape(shape)

    def recurrent(self, hidden_size: int, *shape: int) -> FloatArray:
        """One parameter of nn.RNN / nn.LSTM / nn.GRU: U(-1/sqrt(H), 1/sqrt(H))."""
        bound = 1.0 / math.sqrt(hidden_size)
        return self.uniform(-bound, bound, *shape)

    def linear_weight(self, out_features: int, in_features: int) -> FloatArray:
        """nn.Linear's weight: kaiming_uniform_(a=sqrt(5)), bounds computed as torch does."""
        gain = math.sqrt(2.0 / (1 + math.sqrt(5) ** 2))
        bound = math.sqrt(3.0) * (gain / math.sqrt(in_features))
        return self.uniform(-bound, bound, out_features, in_features)

    def linear_bias(self, out_features: int, in_features: int) -> FloatArray:
        """nn.Linear's bias: U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
        bound = 1.0 / math.sqrt(in_features)
        return self.uniform(-bound, bound, out_features)
