"""Files in and out: sequences read within bounds (CSV/TSV, JSON, JSON Lines, Parquet,
targets, references), outputs written atomically, never onto an input.
"""
