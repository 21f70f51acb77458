"""List functions longer than a limit (default 60 lines), longest first: `python scripts/long_functions.py [N] [PATH...]`."""
from __future__ import annotations

import ast
import sys
from pathlib import Path


def long_functions(paths: list[str], limit: int = 60) -> list[tuple[int, str]]:
    out = []
    for root in paths:
        for f in sorted(Path(root).rglob("*.py")):
            for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    n = node.end_lineno - node.lineno + 1
                    if n > limit:
                        out.append((n, f"{f}:{node.lineno} {node.name}"))
    return sorted(out, reverse=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    limit = int(args.pop(0)) if args and args[0].isdigit() else 60
    for n, where in long_functions(args or ["workbench", "widgets", "qa_checks"], limit):
        print(f"{n:4d}  {where}")
