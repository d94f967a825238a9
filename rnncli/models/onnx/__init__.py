"""models/onnx."""
