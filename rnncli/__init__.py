"""rnncli: a command-line calculator for recurrent neural networks: every step forward, every
gradient back."""

__version__ = "0.1.0"
