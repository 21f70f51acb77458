"""The letter checker's reference files (reference/letters/): the rules, the whole-letter checks and the child
jargon list load through their schemas; a broken copy is reported with file, entry and field, every problem at
once, as one ReferenceDataError; and no source cites the project's research notes."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from qa_checks.letters import document
from qa_checks.letters.rules import load_rules
from qa_checks.reference_data import REFERENCE_DIR, ReferenceDataError

LETTERS = REFERENCE_DIR / "letters"


def test_the_shipped_letter_files_load():
    assert load_rules.__wrapped__(LETTERS / "rules").rules
    s = document.load_settings(LETTERS)
    assert s.jargon and s.review_route.pattern and s.max_child_grade == 8


def _copy(tmp_path: Path, name: str, edit) -> None:
    data = yaml.safe_load((LETTERS / name).read_text(encoding="utf-8"))
    edit(data)
    (tmp_path / name).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _has(problems, file: str, entry: str, start: str) -> bool:
    return any(Path(f).name == file and e == entry and p.startswith(start) for f, e, p in problems)


def test_broken_document_check_files_report_every_problem_in_both_files(tmp_path):
    def break_checks(d):
        d["standard_of_proof"]["suggestions"]["appeal"] = "Say so."   # unknown stage
        d["review_route"]["patterns"].append("(unclosed")             # regex does not compile
        d["child_readability"]["max_grade"] = "eight"                  # bad type
        del d["review_route"]["source"]                                # missing field

    def break_jargon(d):
        d["terms"][0]["plian"] = "x"                                   # unknown field
        d["terms"][2]["term"] = d["terms"][3]["term"]                  # duplicate term
        d["level"] = "severe"                                          # unknown level

    _copy(tmp_path, "document_checks.yaml", break_checks)
    _copy(tmp_path, "child_jargon.yaml", break_jargon)
    with pytest.raises(ReferenceDataError) as err:
        document.load_settings(tmp_path)
    got = err.value.problems
    assert _has(got, "document_checks.yaml", "standard_of_proof.suggestions", "appeal.[key]: unknown value 'appeal'")
    assert _has(got, "document_checks.yaml", "review_route.patterns #10", "(whole entry): '(unclosed' is not a valid")
    assert _has(got, "document_checks.yaml", "header", "child_readability.max_grade: must be a number, not 'eight'")
    assert _has(got, "document_checks.yaml", "header", "review_route.source: missing required field")
    assert _has(got, "child_jargon.yaml", "terms #1", "plian: unknown field")
    assert _has(got, "child_jargon.yaml", "terms #4", "term: duplicate id 'reasonable grounds'")
    assert _has(got, "child_jargon.yaml", "header", "level: unknown value 'severe'")
    assert len(got) == 7, got


def test_a_broken_copy_of_the_shipped_rules_reports_every_problem_at_once(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(LETTERS / "rules", folder)

    def edit(name, fn):
        p = folder / name
        d = yaml.safe_load(p.read_text(encoding="utf-8"))
        fn(d)
        p.write_text(yaml.safe_dump(d, sort_keys=False, allow_unicode=True), encoding="utf-8")

    def break_late(d):
        d["rules"][0]["patterns"][0] = r"\Bcould have told"              # upper-case escape
        d["rules"][1]["id"] = "claimed-language.claimed-to-be"               # repeats another file's rule
        d["rules"][2]["exceptions_from"] = ["excuses"]                  # no such shared set
        d["rules"][2]["examples"]["pass"] = d["rules"][2]["examples"]["pass"][:1]

    edit("late-disclosure.yaml", break_late)
    edit("_exceptions.yaml", lambda d: d["mitigation"].append("(unclosed"))
    with pytest.raises(ReferenceDataError) as err:
        load_rules.__wrapped__(folder)
    got = err.value.problems
    assert _has(got, "late-disclosure.yaml", "rules #1 (late-disclosure.failed-to-mention)",
                "patterns[0]: '\\\\Bcould have told': upper-case escapes")
    assert _has(got, "late-disclosure.yaml", "rules #2 (claimed-language.claimed-to-be)",
                "id: duplicate id 'claimed-language.claimed-to-be' (also claimed-language.yaml, rules #1")
    assert _has(got, "late-disclosure.yaml", "rules #3 (late-disclosure.explanation-rejected)",
                "exceptions_from: 'excuses' is not a set")
    assert _has(got, "late-disclosure.yaml", "rules #3 (late-disclosure.explanation-rejected)",
                "examples.pass: List should have at least 2 items")
    assert any(Path(f).name == "_exceptions.yaml" and e.startswith("mitigation #") for f, e, _ in got)
    assert len(got) == 5, got


NOTES = ("domain.md", "DESIGN.md", "research/")
# Held-out letters are not read by tests of the reference files.
HELD_OUT = ("blind", "dev")


def test_no_letter_reference_file_cites_notes_outside_the_repository():
    """Sources cite the review's paragraph, the statutory guidance and its version, the judgment or the statute,
    never the project's research notes or design document (not in the repository)."""
    offenders = []
    for top in sorted(LETTERS.iterdir()):
        if top.name in HELD_OUT or top.name == "model":
            continue
        for path in sorted([top] if top.is_file() else top.rglob("*")):
            if not path.is_file() or path.suffix not in (".yaml", ".yml", ".md", ".txt", ".csv"):
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if any(note in line for note in NOTES):
                    offenders.append(f"{path.relative_to(REFERENCE_DIR.parent)}:{n}: {line.strip()[:100]}")
    assert not offenders, "\n".join(offenders)
