"""`workbench` command line: `main` parses and dispatches to workbench.cli.commands.<name>."""
from workbench.cli.main import main

__all__ = ["main"]
