"""The YAML network config: read with the place of every mistake, and written back to the
same bits.
"""
