"""Letter rules as data: reference/letters/rules/*.yaml, one file per category.

A closed set of rule types, after Vale:

- ``existence``: any of ``patterns`` in a sentence raises a finding on the match;
- ``cooccurrence``: a ``patterns`` match raises a finding only if the same sentence also matches one
  of ``requires`` (e.g. "inconsistency" with "credibility").

For both, the finding is dropped when the sentence matches any of ``exceptions`` (or a named shared
set listed in ``exceptions_from``, defined in ``_exceptions.yaml``): good letters use the same words
to say the opposite ("the panel did not hold it against you that...").
``when`` limits a rule to a stage, case type or decision-date range.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field

import reference
from qa_checks.finding import Level
from qa_checks.reference_data import (
    Problem,
    Regex,
    Schema,
    Text,
    check,
    display_path,
    entries,
    listify,
    read,
)

RULES_DIR = Path(reference.__file__).parent / "letters" / "rules"
RULE_TYPES = ("existence", "cooccurrence")
# Patterns are matched against lower-cased text (about twice as fast as re.IGNORECASE on a long letter), so
# their source is lower-cased too; check.py falls back to IGNORECASE when lower() would change the length.
_FLAGS = 0


def _lower_case_safe(pattern: str) -> str:
    if re.search(r"\\[SWBDAZ]", pattern):
        raise ValueError(f"{pattern!r}: upper-case escapes (\\S, \\W, \\B, \\D, \\A, \\Z) are not allowed: "
                         "patterns are matched in lower case")
    return pattern


# A rule pattern: a regular expression that still means the same once lower-cased.
Pattern = Annotated[Regex, AfterValidator(_lower_case_safe)]
# One pattern or a list of them.
Patterns = Annotated[list[Pattern], BeforeValidator(listify)]
LevelName = Literal["info", "warning", "critical"]


class Example(Schema):
    """An example sentence with the case it is checked as (defaults: adult, cg, 1 June 2024)."""

    text: Annotated[str, Field(min_length=1)]
    case_type: Literal["adult", "child"] | None = None
    stage: Literal["rg", "cg"] | None = None
    decided_on: date | None = None


class Examples(Schema):
    """Sentences the rule must flag (``fail``) and must leave alone (``pass``): at least two of each."""

    fail: Annotated[list[Annotated[str, Field(min_length=1)] | Example], Field(min_length=2)]
    pass_: Annotated[list[Annotated[str, Field(min_length=1)] | Example], Field(min_length=2, alias="pass")]


class When(Schema):
    """Limits a rule to some stages, case types or a decision-date range (inclusive)."""

    stages: Annotated[list[Literal["rg", "cg"]], BeforeValidator(listify)] = []
    case_types: Annotated[list[Literal["adult", "child"]], BeforeValidator(listify)] = []
    decided_from: date | None = None
    decided_to: date | None = None


class RuleEntry(Schema):
    """One rule in a category file; texts left out are the category's."""

    id: Text
    type: Literal["existence", "cooccurrence"] = "existence"
    level: LevelName | None = None
    patterns: Annotated[Patterns, Field(min_length=1)]
    requires: Patterns = []
    exceptions: Patterns = []
    exceptions_from: Annotated[list[Text], BeforeValidator(listify)] = []
    when: When | None = None
    message: str = ""
    rationale: str = ""
    source: str = ""
    suggestion: str = ""
    examples: Examples


class CategoryFile(Schema):
    """reference/letters/rules/<category>.yaml: the category's texts and its rules."""

    category: Text
    title: str | None = None
    level: LevelName = "warning"
    message: str = ""
    rationale: str = ""
    source: str = ""
    suggestion: str = ""
    rules: list[RuleEntry] | None = None


class ExceptionSets(Schema):
    """reference/letters/rules/_exceptions.yaml: the named exception sets rules share (``exceptions_from``).
    ``disavowal`` (and with it ``mitigation``) also stands the model down (RuleSet.guard, next_guard)."""

    disavowal: list[Pattern] = []
    mitigation: list[Pattern] = []


@dataclass(frozen=True)
class Category:
    id: str
    title: str
    level: Level
    message: str
    rationale: str
    source: str
    suggestion: str


@dataclass(frozen=True)
class Rule:
    id: str
    type: str
    category: str
    level: Level
    pattern: re.Pattern[str]
    requires: re.Pattern[str] | None
    exceptions: re.Pattern[str] | None
    message: str
    rationale: str
    source: str
    suggestion: str
    stages: tuple[str, ...] = ()
    case_types: tuple[str, ...] = ()
    decided_from: date | None = None
    decided_to: date | None = None
    examples: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    file: str = ""

    def applies(self, *, stage: str, case_type: str, decided_on: date) -> bool:
        return ((not self.stages or stage in self.stages)
                and (not self.case_types or case_type in self.case_types)
                and (self.decided_from is None or decided_on >= self.decided_from)
                and (self.decided_to is None or decided_on <= self.decided_to))


@dataclass(frozen=True)
class RuleSet:
    categories: dict[str, Category]
    rules: tuple[Rule, ...]
    # The shared `disavowal` exceptions: the model skips sentences saying the panel did NOT reason this way.
    guard: re.Pattern[str] | None = None
    # `disavowal` and `mitigation`: an explanation in the *next* sentence also stands the model down.
    next_guard: re.Pattern[str] | None = None


def _alternation(patterns: list[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns).lower(), _FLAGS)


def _text(value: str | None) -> str:
    return " ".join(value.split()) if value else ""


def _cross_checks(shown: str, raw: Any, shared: set[str], seen: dict[str, str], problems: list[Problem]) -> None:
    """What one entry's schema cannot see: ids unique over every file, shared exception sets that exist, and a
    cooccurrence rule's ``requires``. Runs on the raw YAML, so it is reported together with the schema's problems."""
    for label, item in entries(raw, "rules"):
        rid = item.get("id")
        if isinstance(rid, str) and rid:
            if rid in seen:
                problems.append((shown, label, f"id: duplicate id {rid!r} (also {seen[rid]})"))
            seen.setdefault(rid, f"{shown.rsplit('/', 1)[-1]}, {label}")
        names = listify(item.get("exceptions_from")) or []
        for name in names if isinstance(names, list) else []:
            if isinstance(name, str) and name not in shared:
                problems.append((shown, label, f"exceptions_from: {name!r} is not a set in _exceptions.yaml "
                                 f"(expected one of {', '.join(sorted(shared))})"))
        if item.get("type") == "cooccurrence" and not listify(item.get("requires")):
            problems.append((shown, label, "requires: a cooccurrence rule needs at least one 'requires' pattern"))


@lru_cache(maxsize=4)
def load_rules(rules_dir: Path = RULES_DIR) -> RuleSet:
    """Load and validate every rule file: every problem in every file is reported at once as one
    ReferenceDataError, each as (file, rule, "field: message")."""
    problems: list[Problem] = []
    shared_path = rules_dir / "_exceptions.yaml"
    shared: ExceptionSets | None = ExceptionSets()
    if shared_path.exists():
        _, shared = read(shared_path, ExceptionSets, problems)
    files: list[tuple[str, CategoryFile | None]] = []
    seen_ids: dict[str, str] = {}
    seen_categories: dict[str, str] = {}
    for path in sorted(rules_dir.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        shown = display_path(path)
        raw, doc = read(path, CategoryFile, problems)
        _cross_checks(shown, raw, set(ExceptionSets.model_fields), seen_ids, problems)
        if doc is not None:
            if doc.category in seen_categories:
                problems.append((shown, "header", f"category: {doc.category!r} is also the category of "
                                 f"{seen_categories[doc.category]}"))
            seen_categories.setdefault(doc.category, shown)
        files.append((path.name, doc))
    check(problems, "letter rules")
    assert shared is not None
    categories: dict[str, Category] = {}
    rules: list[Rule] = []
    for fname, doc in files:
        assert doc is not None
        cat = Category(doc.category, _text(doc.title if doc.title is not None else doc.category), Level(doc.level),
                       _text(doc.message), _text(doc.rationale), _text(doc.source), _text(doc.suggestion))
        categories[cat.id] = cat
        rules += [_build_rule(entry, cat, fname, shared) for entry in doc.rules or []]
    return RuleSet(categories, tuple(rules), _alternation(shared.disavowal),
                   _alternation(shared.disavowal + shared.mitigation))


def _build_rule(entry: RuleEntry, cat: Category, fname: str, shared: ExceptionSets) -> Rule:
    pattern = _alternation(entry.patterns)
    assert pattern is not None
    exceptions = list(entry.exceptions)
    for name in entry.exceptions_from:
        exceptions += getattr(shared, name)
    when = entry.when or When()
    return Rule(
        id=entry.id, type=entry.type, category=cat.id, level=Level(entry.level or cat.level.value),
        pattern=pattern, requires=_alternation(entry.requires), exceptions=_alternation(exceptions),
        message=_text(entry.message) or cat.message,
        rationale=_text(entry.rationale) or cat.rationale,
        source=_text(entry.source) or cat.source,
        suggestion=_text(entry.suggestion) or cat.suggestion,
        stages=tuple(when.stages), case_types=tuple(when.case_types),
        decided_from=when.decided_from, decided_to=when.decided_to,
        examples=entry.examples.model_dump(by_alias=True, exclude_unset=True), file=fname,
    )
