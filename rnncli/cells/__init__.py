"""The lecture's math, numpy only: the Elman cell (elman.py, where rnncli begins), the LSTM
and GRU cells, their one options value, activations and slopes.
"""
