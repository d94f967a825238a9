"""models/keras."""
