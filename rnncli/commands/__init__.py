"""The Typer commands, a few lines each over their pipeline, and the options they share."""
