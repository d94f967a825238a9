"""Keras 3 models (.keras, legacy .h5, .weights.h5): layers read from their JSON, weights
from HDF5 data in the file itself.
"""
