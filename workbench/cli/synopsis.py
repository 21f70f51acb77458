"""The command line's synopsis, generated from the parsers themselves, for the README's "Command line"
block (`python -m workbench.cli.synopsis`); a test compares the two so the README cannot drift."""
from __future__ import annotations

import argparse

from workbench.cli.main import build_parser


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def synopsis() -> str:
    """One usage line per command (and per sub-subcommand), without the usage: prefix and -h."""
    lines = []
    for sub in _subparsers(build_parser()).values():
        nested = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        parsers = list(_subparsers(sub).values()) if nested else [sub]
        for p in parsers:
            usage = " ".join(p.format_usage().split())
            lines.append(usage.removeprefix("usage: ").replace(" [-h]", ""))
    return "\n".join(lines)


if __name__ == "__main__":
    print(synopsis())
