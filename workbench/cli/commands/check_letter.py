"""`workbench check-letter`: check draft decision letters (issue 4). Logic lives in qa_checks.letters."""
from __future__ import annotations

import sys
from datetime import date

NAME = "check-letter"
HELP = "Check draft NRM decision letters for flawed reasoning and trauma-insensitive wording (advice only)."


def configure(parser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="letters to check (.txt, .md or .docx); '-' reads text from standard input")
    parser.add_argument("--case-type", choices=("adult", "child"), default="adult")
    parser.add_argument("--stage", choices=("rg", "cg"), default="cg",
                        help="rg = reasonable grounds, cg = conclusive grounds (default)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--decided-on", metavar="YYYY-MM-DD", type=_iso_date, default=None,
                        help="decision date: picks the legal test in force (default: today)")
    parser.add_argument("--include-quotes", action="store_true",
                        help="also check quoted testimony (skipped by default)")
    tiers = parser.add_mutually_exclusive_group()
    tiers.add_argument("--fast", action="store_true",
                       help="rules and the fast word model only, no sentence embeddings (what the apps run as you type)")
    tiers.add_argument("--no-model", action="store_true", help="rules and whole-letter checks only")


def _iso_date(value: str) -> date:
    import argparse

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2024-03-31") from None


def run(args) -> int:
    from qa_checks.letters import check_letter
    from qa_checks.letters.model import ModelError
    from qa_checks.letters.reader import LetterInputError, read_letter
    from qa_checks.letters.report import as_json, as_text
    from workbench.core.errors import UserError

    if args.files.count("-") > 1:
        raise UserError("'-' (standard input) can be given only once")
    texts, problems = [], []
    for path in args.files:  # read everything first: report every bad input, check nothing half-way
        try:
            texts.append((path, read_letter(path)))
        except LetterInputError as exc:
            problems.append(str(exc))
    if problems:
        for p in problems:
            print(f"workbench {NAME}: {p}", file=sys.stderr)
        return 2
    results = []
    for path, text in texts:
        try:
            findings = check_letter(text, case_type=args.case_type, stage=args.stage, decided_on=args.decided_on,
                                    include_quotes=args.include_quotes, use_model=not args.no_model,
                                    tier="fast" if args.fast else "full")
        except (ModelError, LookupError, LetterInputError) as exc:
            raise UserError(f"{path}: {exc}") from None
        results.append((path, text, findings))
    out = as_json(results) if args.format == "json" else as_text(results)
    if out:
        print(out)
    return 1 if any(fs for _, _, fs in results) else 0
