"""The values an option or a config key can take, shared by the core and the command line.

Kept free of numpy so that the command line can build its options without loading it.
"""

from __future__ import annotations

from enum import StrEnum


class Mode(StrEnum):
    """The lecture's kinds of sequence modelling."""

    MANY_TO_MANY = "many-to-many"  # an output o_t at every step t = 1..T
    MANY_TO_ONE = "many-to-one"  # the whole sequence is read, one output at t = T
    ONE_TO_MANY = "one-to-many"  # one input x_1, outputs o_1..o_N
    MANY_TO_MANY_DELAYED = "many-to-many-delayed"  # read x_1..x_T, then emit N outputs


class CellKind(StrEnum):
    """The recurrent cell of every layer."""

    RNN = "rnn"  # the lecture's Elman cell
    LSTM = "lstm"  # gates i, f, g, o and a cell state c
    GRU = "gru"  # gates r, z, n


class Direction(StrEnum):
    """Which way the recurrence runs through time."""

    FORWARD = "forward"  # t = 1..T
    REVERSE = "reverse"  # t = T..1
    BIDIRECTIONAL = "bidirectional"  # both, h_t = [h_t forward; h_t reverse]


class Dtype(StrEnum):
    """The float type every number is computed in."""

    FLOAT64 = "float64"
    FLOAT32 = "float32"


class OutputFormat(StrEnum):
    """How `forward` and `backward` write (rnncli.views.formats has each one's writer);
    auto is the table on a terminal, csv elsewhere."""

    AUTO = "auto"
    TABLE = "table"
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"
    JSONL = "jsonl"
    MARKDOWN = "markdown"  # views for notes and slides: forward's tables as documents
    LATEX = "latex"
    HTML = "html"
    SVG = "svg"

    def resolved(self, to_terminal: bool) -> OutputFormat:
        """The format to write: auto becomes table on a terminal and csv in a pipe or file."""
        if self is not OutputFormat.AUTO:
            return self
        return OutputFormat.TABLE if to_terminal else OutputFormat.CSV


class InspectFormat(StrEnum):
    """How `inspect` writes its facts: a table for people, JSON for programs, or the
    table as a document for notes and slides."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
    LATEX = "latex"
    HTML = "html"


#: Every activation, by its own name: the one list the command line, the config reader
#: and the core's formulas (rnncli.cells.activations) all read. The value is what it takes:
#: its parameters alpha and beta with ONNX's defaults (the operators' own, which the RNN
#: operator's specification names), or none. All but softmax may be a hidden
#: activation f; every one may be an output activation g.
ACTIVATIONS: dict[str, dict[str, float]] = {
    "tanh": {},
    "relu": {},
    "sigmoid": {},
    "identity": {},
    "affine": {"alpha": 1.0, "beta": 0.0},  # alpha z + beta
    "leaky_relu": {"alpha": 0.01},
    "thresholded_relu": {"alpha": 1.0},
    "scaled_tanh": {"alpha": 1.0, "beta": 1.0},
    "hard_sigmoid": {"alpha": 0.2, "beta": 0.5},
    "elu": {"alpha": 1.0},
    "softsign": {},
    "softplus": {},
    "softmax": {},  # over the units of o_t: outputs only
}
OUTPUT_ACTIVATION_NAMES = tuple(ACTIVATIONS)  # g
ACTIVATION_NAMES = tuple(name for name in ACTIVATIONS if name != "softmax")  # f
ACTIVATION_ALIASES = {"linear": "identity"}
_SQUEEZED = {name.replace("_", ""): name for name in ACTIVATIONS}


def canonical_activation(name: str) -> str:
    """An activation's own name: `Linear` is `identity`, ONNX's `LeakyRelu` is `leaky_relu`.

    The one place a spelling becomes a name; a name not in ACTIVATIONS comes back lowered.
    """
    lowered = name.lower()
    lowered = ACTIVATION_ALIASES.get(lowered, lowered)
    return _SQUEEZED.get(lowered.replace("_", ""), lowered)


class InputFormat(StrEnum):
    """How a sequence is written, where its file name cannot tell."""

    CSV = "csv"
    TSV = "tsv"
    JSON = "json"
    JSONL = "jsonl"
    PARQUET = "parquet"


class Scheme(StrEnum):
    """How init-weights draws a network's weights."""

    TORCH = "torch"
    KERAS = "keras"
    ORTHOGONAL = "orthogonal"
    NORMAL = "normal"
    ZEROS = "zeros"


class BiasForm(StrEnum):
    """How a config gives the hidden layer's bias."""

    TWO = "two"  # b_xh and b_hh, as PyTorch
    ONE = "one"  # one b_h, as the lecture and Keras
    NONE = "none"  # no bias


class LossName(StrEnum):
    """The loss `backward` differentiates."""

    MSE = "mse"  # sum_k (o_t,k - y_t,k)^2 per step
    CROSS_ENTROPY = "cross-entropy"  # -log softmax(a_t)[y_t], the logits a_t = W_ho h_t + b_o


class Reduction(StrEnum):
    """How `backward` adds up the steps' losses: L = c * sum over the steps."""

    SUM = "sum"  # c = 1, as the textbook's L = sum_t L(t)
    MEAN = "mean"  # c = 1/(|S| K) for mse, 1/|S| for cross-entropy, as torch's default


class ExportFormat(StrEnum):
    """The model files `export` writes."""

    ONNX = "onnx"
    SAFETENSORS = "safetensors"
