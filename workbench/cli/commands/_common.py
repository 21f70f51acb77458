"""Options and helpers shared by several commands."""
from __future__ import annotations

import getpass
import json
import sys


def add_db(parser) -> None:
    parser.add_argument("--db", metavar="PATH", help="SQLite file or SQLAlchemy URL "
                        "(default: $WORKBENCH_DB, else data/demo.db)")


def add_format(parser, default: str = "text") -> None:
    parser.add_argument("--format", choices=("text", "json"), default=default, help=f"output format (default {default})")


def cli_identity() -> str:
    """Who a command-line read is recorded as in the audit log."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers
        return "cli"


def print_json(obj) -> None:
    json.dump(obj, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")
