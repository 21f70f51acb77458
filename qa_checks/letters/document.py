"""Whole-letter checks: the standard of proof stated for the stage, a route to ask for a review,
and (for a child) language a child can follow (review 10.5.5). Settings and word lists live in
reference/letters/document_checks.yaml and reference/letters/child_jargon.yaml."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

import reference
from qa_checks.finding import Finding, Level
from qa_checks.legal_tests import test_in_force
from qa_checks.letters.text import SpanIndex
from qa_checks.reference_data import Problem, Regex, Schema, Text, check, display_path, duplicates, read

_DIR = Path(reference.__file__).parent / "letters"


@dataclass(frozen=True)
class _Jargon:
    term: str
    pattern: re.Pattern[str]
    plain: str


@dataclass(frozen=True)
class DocumentSettings:
    review_route: re.Pattern[str]
    review_route_text: dict[str, Any]
    standard_text: dict[str, Any]
    readability_text: dict[str, Any]
    max_child_grade: float
    jargon_text: dict[str, Any]
    jargon: tuple[_Jargon, ...]


LevelName = Literal["info", "warning", "critical"]


class _Advice(Schema):
    level: LevelName = "warning"
    rationale: Text
    source: Text


class StandardOfProof(_Advice):
    """The letter states the standard of proof in force for its stage; a suggested sentence for each stage."""

    suggestions: dict[Literal["rg", "cg"], Text]


class ReviewRoute(_Advice):
    """The letter says how to ask for the decision to be looked at again: any of ``patterns`` shows it does."""

    message: Text
    suggestion: Text
    patterns: Annotated[list[Regex], Field(min_length=1)]


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"must be a number, not {value!r}")
    return value


class ChildReadability(_Advice):
    """A child's letter reads at or below ``max_grade`` (Flesch-Kincaid school grade)."""

    max_grade: Annotated[int | float, BeforeValidator(_number), Field(gt=0)]
    suggestion: Text


class DocumentChecksFile(Schema):
    """reference/letters/document_checks.yaml."""

    standard_of_proof: StandardOfProof
    review_route: ReviewRoute
    child_readability: ChildReadability


class JargonTerm(Schema):
    """An official word and a plainer one; ``pattern`` (a regex, word boundaries added) replaces the term."""

    term: Text
    pattern: Regex | None = None
    plain: Text


class ChildJargonFile(_Advice):
    """reference/letters/child_jargon.yaml."""

    terms: Annotated[list[JargonTerm], Field(min_length=1)]


def load_settings(folder: Path = _DIR) -> DocumentSettings:
    """Read and validate document_checks.yaml and child_jargon.yaml in ``folder``: every problem in both files
    is reported at once as one ReferenceDataError, each as (file, entry, "field: message")."""
    problems: list[Problem] = []
    doc_path, jar_path = folder / "document_checks.yaml", folder / "child_jargon.yaml"
    _, doc = read(doc_path, DocumentChecksFile, problems)
    jar_raw, jar = read(jar_path, ChildJargonFile, problems)
    if jar_raw is not None:
        duplicates(display_path(jar_path), "terms", jar_raw, problems, field="term")
    check(problems, "letter document checks")
    assert doc is not None and jar is not None
    terms = tuple(
        _Jargon(t.term, re.compile(r"\b" + (t.pattern if t.pattern is not None else re.escape(t.term)) + r"\b",
                                   re.IGNORECASE), t.plain)
        for t in jar.terms
    )
    route = doc.review_route
    return DocumentSettings(
        review_route=re.compile("|".join(f"(?:{p})" for p in route.patterns), re.IGNORECASE),
        review_route_text=route.model_dump(), standard_text=doc.standard_of_proof.model_dump(),
        readability_text=doc.child_readability.model_dump(), max_child_grade=float(doc.child_readability.max_grade),
        jargon_text=jar.model_dump(exclude_unset=True), jargon=terms,
    )


@lru_cache(maxsize=1)
def settings() -> DocumentSettings:
    """The shipped whole-letter check settings (load_settings, cached)."""
    return load_settings()


def _doc_finding(rule_id: str, category: str, spec: dict[str, Any], message: str, suggestion: str | None = None,
                 **kw: Any) -> Finding:
    return Finding(rule_id=rule_id, category=category, level=Level(spec.get("level", "warning")),
                   message=message, start=0, end=0, field="document", confidence=1.0,
                   rationale=" ".join(spec["rationale"].split()), source=spec["source"],
                   suggestion=" ".join((suggestion or spec["suggestion"]).split()), raised_by="rule", **kw)


def standard_of_proof(text: str, stage: str, decided_on: date) -> list[Finding]:
    test = test_in_force(stage, decided_on)
    if test.is_stated_in(text):
        return []
    spec = settings().standard_text
    msg = (f"Consider stating the standard this {stage.upper()} decision applies: {test.standard}. "
           f"The letter does not appear to say it.")
    return [_doc_finding("standard-of-proof-missing.document", "standard-of-proof-missing", spec, msg,
                         suggestion=spec["suggestions"][stage],
                         evidence={"legal_test": test.name, "standard": test.standard,
                                   "wording_plain": test.wording_plain, "effective_from":
                                   test.effective_from.isoformat(), "test_source": test.source})]


def review_route(text: str) -> list[Finding]:
    s = settings()
    if s.review_route.search(text):
        return []
    spec = s.review_route_text
    return [_doc_finding("no-review-route.document", "no-review-route", spec, " ".join(spec["message"].split()))]


def child_language(text: str, quotes: SpanIndex) -> list[Finding]:
    from qa_checks.letters.readability import flesch_kincaid_grade  # only child letters need textstat

    s = settings()
    out: list[Finding] = []
    plain = quotes.mask(text, 0)
    grade = flesch_kincaid_grade(plain)
    if grade > s.max_child_grade:
        spec = s.readability_text
        out.append(_doc_finding(
            "child-readability.grade", "child-readability", spec,
            f"Consider shorter sentences and everyday words: this letter reads at about school grade "
            f"{grade:.0f} (Flesch-Kincaid), above the {s.max_child_grade:.0f} suggested for a child.",
            evidence={"flesch_kincaid_grade": round(grade, 1), "max_grade": s.max_child_grade}))
    jt = s.jargon_text
    for j in s.jargon:
        for m in j.pattern.finditer(text):
            if quotes.overlaps(m.start(), m.end()):
                continue
            out.append(Finding(
                rule_id="child-readability.jargon", category="child-readability", level=Level(jt["level"]),
                message=f"Consider a plainer word than '{m.group(0)}' for a child: for example, {j.plain}.",
                start=m.start(), end=m.end(), confidence=1.0,
                rationale=" ".join(jt["rationale"].split()), source=jt["source"],
                suggestion=j.plain, raised_by="rule", evidence={"term": j.term}))
    return out
