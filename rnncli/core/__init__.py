"""The network and what it computes, numpy only: forward (the lecture's loop beside the
fast one), batches on threads, the explain terms, BPTT and its gradients, fresh weights.
"""
