"""Keras models converted to ONNX by tf2onnx, for tests/test_model_tf2onnx.py.

Run as `python -m tests.tf2onnx_models FOLDER` with KERAS_BACKEND=tensorflow (tf2onnx
reads TensorFlow graphs; the tests themselves run Keras on torch). Checked with
tensorflow 2.21.0, keras 3.15.1 and tf2onnx 1.17.0. For each model in MODELS it writes
FOLDER/<stem>.onnx and FOLDER/<stem>.npy, Keras's own float32 output over X (the same X
the tests' sequence file holds).

tf2onnx.convert.from_keras fails on Keras 3 models (KeyError: 'keras_tensor_…': it looks
the outputs up by tf.keras 2 names), so the model is wrapped in a tf.function with an
input signature and converted with from_function.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

from tests.conftest import X

#: stem -> the layers after keras.Input((None, 3)), as (class, keyword arguments) pairs;
#: a Bidirectional wraps the layer given as its "layer". Every recurrent layer returns
#: sequences with 4 units.
MODELS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "lstm_L1fw": [("LSTM", {})],
    "lstm_L2fwhead": [("LSTM", {}), ("LSTM", {}), ("Dense", {"units": 2})],
    "lstm_L1bi": [("Bidirectional", {"layer": ("LSTM", {})})],
    "lstm_L2bihead": [
        ("Bidirectional", {"layer": ("LSTM", {})}),
        ("Bidirectional", {"layer": ("LSTM", {})}),
        ("Dense", {"units": 2, "activation": "tanh"}),
    ],
    "gru_reset_after": [("GRU", {})],
    "gru_reset_before": [("GRU", {"reset_after": False})],
    "simple_rnn": [("SimpleRNN", {})],
}


def layer(keras: Any, kind: str, options: dict[str, Any]) -> Any:
    if kind == "Bidirectional":
        return keras.layers.Bidirectional(layer(keras, *options["layer"]))
    if kind == "Dense":
        return keras.layers.Dense(**options)
    return getattr(keras.layers, kind)(4, return_sequences=True, **options)


def main(folder: Path) -> None:
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import keras
    import onnx
    import tensorflow as tf
    import tf2onnx

    assert keras.backend.backend() == "tensorflow", "run with KERAS_BACKEND=tensorflow"
    rng = np.random.default_rng(5)
    x = X[None].astype(np.float32)
    signature = [tf.TensorSpec((None, None, 3), tf.float32, name="x")]
    for stem, stack in MODELS.items():
        model = keras.Sequential([keras.Input((None, 3)), *(layer(keras, *s) for s in stack)])
        for weight in model.weights:  # biases too, so that every one of them counts
            weight.assign(rng.normal(size=weight.shape) * 0.5)
        function = tf.function(lambda x, model=model: model(x), input_signature=signature)
        proto, _ = tf2onnx.convert.from_function(function, input_signature=signature, opset=17)
        onnx.save(proto, folder / f"{stem}.onnx")
        np.save(folder / f"{stem}.npy", np.asarray(model(x))[0])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
