"""PyTorch files: a state_dict from a .pt (never unpickled freely) or a .safetensors file,
and the state_dict rnncli export writes.
"""
