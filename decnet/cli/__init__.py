"""The `decnet` command line (Typer)."""
