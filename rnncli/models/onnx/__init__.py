"""ONNX models: the recurrent operators read from an exporter's graph (constants folded
within bounds, external data checked), and written.
"""
