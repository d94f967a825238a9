"""views/backward."""
