"""rnncli: a command-line calculator for the forward pass of a recurrent neural network."""

__version__ = "0.1.0"
