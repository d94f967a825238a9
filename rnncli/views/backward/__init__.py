"""rnncli backward's views: its record, the gradients table, the step back explained, and
its documents.
"""
