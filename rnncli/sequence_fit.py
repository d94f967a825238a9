"""Whether a sequence fits the network: its width against the network's input size I."""

from __future__ import annotations

from rnncli.errors import RnnCliError
from rnncli.input_batch import Sequence
from rnncli.message_words import counted
from rnncli.network import Network


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
    raise RnnCliError(
        f"{sequence.source}: has {counted(width, 'feature')} per step "
        f"but {network} takes {I} (W_xh is {H}x{I}){hint}"
    )
