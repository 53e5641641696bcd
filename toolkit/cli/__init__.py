"""The command line: a thin typer layer over the library API (`app.py` the commands, the rest their helpers)."""

from toolkit.cli.app import main

__all__ = ["main"]
