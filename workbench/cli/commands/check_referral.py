"""`workbench check-referral [--format text|json] FILE...` — score referrals (JSON) for quality.

A file holds one referral object or a list of them (schema: docs/referral_schema.md). Each referral gets
a score from 0 to 100, findings naming the field and why, and a flag when it would be returned for errors.
Results are named by file; a referral inside a list file is named FILE#N, counting from 1.

Exit 0: no referral would be returned. 1: at least one would. 2: bad input (unreadable file, malformed
JSON, missing or malformed fields) — nothing is printed on stdout then, and every problem is named.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from workbench.core.errors import UserError

NAME = "check-referral"
HELP = "Check referrals (JSON files) for quality: score 0-100, findings, would it be returned for errors"


def configure(parser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="JSON file holding one referral object or a list of them")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text for people (default), json for tools")


def _read(path: Path, problems: list[str]) -> list[tuple[str, object]]:
    """The referrals in one file as (name, record); problems appended as sentences."""
    if not path.exists():
        problems.append(f"{path}: no such file")
        return []
    if path.is_dir():
        problems.append(f"{path}: is a folder; give the JSON files inside it")
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: cannot be read ({exc.__class__.__name__}: {exc})")
        return []
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
        return []
    if isinstance(data, list):
        if not data:
            problems.append(f"{path}: holds an empty list; there is no referral to check")
        return [(f"{path}#{n}", rec) for n, rec in enumerate(data, start=1)]
    return [(str(path), data)]


def run(args) -> int:
    from qa_checks.feedback.referrals import (
        ReferralRecordError,
        check_referral,
        validate_referral_record,
    )
    from qa_checks.reference_data import ReferenceDataError

    problems: list[str] = []
    records: list[tuple[str, object]] = []
    for f in args.files:
        for name, rec in _read(Path(f), problems):
            records.append((name, rec))
            try:
                validate_referral_record(rec, name)
            except ReferralRecordError as exc:
                problems.append(exc.one_line())
    if problems:
        raise UserError("; ".join(problems) + ". Nothing was checked; see docs/referral_schema.md for the fields.")

    try:
        results = [(name, check_referral(rec, path=name)) for name, rec in records]
    except ReferenceDataError as exc:
        raise UserError(f"the reference data is broken: {exc.one_line()}") from None

    if args.format == "json":
        out = {"results": [{
            "path": name,
            "score": r.score,
            "would_be_returned": r.would_be_returned,
            "findings": [{"criterion": f.rule_id, "level": f.level.value if hasattr(f.level, "value") else f.level,
                          "field": f.field, "message": f.message} for f in r.findings],
        } for name, r in results]}
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_text(results)
    return 1 if any(r.would_be_returned for _, r in results) else 0


def _print_text(results) -> None:
    w = sys.stdout.write
    for name, r in results:
        verdict = ("WOULD BE RETURNED for errors (" + ", ".join(r.return_reasons) + ")"
                   if r.would_be_returned else "would not be returned")
        w(f"{name}  (referral {r.referral_id})\n  score {r.score}/100 — {verdict}\n")
        if not r.findings:
            w("  no findings: the referral covers every criterion\n")
        for f in r.findings:
            level = f.level.value if hasattr(f.level, "value") else f.level
            w(f"  {level:<8} {f.field:<24} {f.message}\n")
            if level == "critical" and f.rationale:
                w(f"  {'':<8} {'':<24} why: {f.rationale}\n")
        w("\n")
    n = len(results)
    returned = sum(r.would_be_returned for _, r in results)
    mean = round(sum(r.score for _, r in results) / n) if n else 0
    w(f"{n} referral{'s' if n != 1 else ''} checked; {returned} would be returned for errors; mean score {mean}.\n")
