"""models/config."""
