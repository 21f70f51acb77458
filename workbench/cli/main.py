"""`workbench` command line. Each subcommand lives in workbench/commands/<name>.py and
exposes NAME, HELP, configure(parser) and run(args) -> exit code."""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from qa_checks.reference_data import ReferenceDataError
from workbench.core.errors import UserError

# Module names under workbench.cli.commands, in the order `--help` lists them.
COMMANDS = [
    "serve", "demo", "stats", "users", "audit",
    "check_letter", "check_referral", "leads", "feedback_report", "train_letter_model",
]


def _load_commands():
    mods = []
    for name in COMMANDS:
        try:
            mods.append(importlib.import_module(f"workbench.cli.commands.{name}"))
        except ModuleNotFoundError as exc:  # a command not built yet
            if exc.name != f"workbench.cli.commands.{name}":
                raise
    return mods


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description="NRM Workbench")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for mod in _load_commands():
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP)
        mod.configure(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except UserError as exc:
        print(f"workbench {args.command}: {exc}", file=sys.stderr)
        return 2
    except ReferenceDataError as exc:  # a data file in reference/ is bad: every problem, on one line
        print(f"workbench {args.command}: {exc.one_line()}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early: not an error worth a traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not fail again
        return 0
    except KeyboardInterrupt:
        print("workbench: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
