"""Whether a sequence fits the network: its width against the network's input size I."""

from __future__ import annotations

import numpy as np

from rnncli.core.network import Network
from rnncli.errors import RnnCliError
from rnncli.io.input_batch import Sequence
from rnncli.message_words import counted


def check_fits(sequence: Sequence, net: Network, config_source: str | None) -> None:
    """Refuse a sequence whose width is not the network's input size I, saying both.

    `config_source` names the config the network came from; None is the built-in one.
    """
    width, I = sequence.features, net.input_size
    if width == I:
        return
    H = net.hidden_size
    if config_source is None:
        network, hint = "the built-in textbook network", "; give your network with --config"
    else:
        network, hint = f"the network in {config_source}", ""
        if width == H:
            hint = (
                "; transposed? W_xh must be H x I (hidden x input), "
                "and a Keras kernel is stored as input x hidden"
            )
    if width == I + 1 and _looks_like_an_index(sequence):
        hint = (
            "; its first column, unnamed and counting 0, 1, 2, ..., looks like an index "
            "(pandas' to_csv writes one unless index=False): --drop 1 leaves it out"
        )
    raise RnnCliError(
        f"{sequence.source}: has {counted(width, 'feature')} per step "
        f"but {network} takes {I} (W_xh is {H}x{I}){hint}"
    )


def _looks_like_an_index(sequence: Sequence) -> bool:
    """A first column with no name (or no header at all) whose values count 0, 1, 2, ...:
    a row index, as pandas writes one, rather than a feature."""
    unnamed = sequence.columns is None or sequence.columns[0] in ("", "Unnamed: 0")
    first = sequence.X[:, 0]
    return unnamed and bool(np.array_equal(first, np.arange(len(first))))
