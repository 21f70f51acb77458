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
from typing import Any

import yaml

import reference
from qa_checks.finding import Level

RULES_DIR = Path(reference.__file__).parent / "letters" / "rules"
RULE_TYPES = ("existence", "cooccurrence")
_RULE_KEYS = {"id", "type", "level", "patterns", "requires", "exceptions", "exceptions_from", "when",
              "message", "rationale", "source", "suggestion", "examples"}
_WHEN_KEYS = {"stages", "case_types", "decided_from", "decided_to"}
# Patterns are matched against lower-cased text (about twice as fast as re.IGNORECASE on a long letter), so
# their source is lower-cased too; check.py falls back to IGNORECASE when lower() would change the length.
_FLAGS = 0


class RuleError(ValueError):
    """A rule file is malformed: says which file, which rule and what is wrong."""


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


def _alternation(patterns: list[str], where: str) -> re.Pattern[str] | None:
    if not patterns:
        return None
    for p in patterns:
        try:
            re.compile(p)
        except re.error as exc:
            raise RuleError(f"{where}: bad regular expression {p!r}: {exc}") from exc
    source = "|".join(f"(?:{p})" for p in patterns)
    if re.search(r"\\[SWBDAZ]", source):
        raise RuleError(f"{where}: upper-case escapes (\\S, \\W, \\B, \\D, \\A, \\Z) are not allowed: patterns are "
                        "matched in lower case")
    return re.compile(source.lower(), _FLAGS)


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value else ""


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@lru_cache(maxsize=4)
def load_rules(rules_dir: Path = RULES_DIR) -> RuleSet:
    """Load and validate every rule file. Raises RuleError naming the file and rule on any problem."""
    shared_path = rules_dir / "_exceptions.yaml"
    shared = yaml.safe_load(shared_path.read_text(encoding="utf-8")) if shared_path.exists() else {}
    categories: dict[str, Category] = {}
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in sorted(rules_dir.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        cat_id = doc.get("category")
        if not cat_id:
            raise RuleError(f"{path.name}: no 'category'")
        try:
            level = Level(doc.get("level", "warning"))
        except ValueError as exc:
            raise RuleError(f"{path.name}: level must be info, warning or critical") from exc
        cat = Category(cat_id, _text(doc.get("title", cat_id)), level, _text(doc.get("message")),
                       _text(doc.get("rationale")), _text(doc.get("source")), _text(doc.get("suggestion")))
        categories[cat_id] = cat
        for raw in doc.get("rules") or []:
            rules.append(_build_rule(raw, cat, path.name, shared, seen))
    return RuleSet(categories, tuple(rules), _alternation(shared.get("disavowal", []), "_exceptions.yaml"),
                   _alternation(shared.get("disavowal", []) + shared.get("mitigation", []), "_exceptions.yaml"))


def _build_rule(raw: dict[str, Any], cat: Category, fname: str, shared: dict[str, Any], seen: dict[str, str]) -> Rule:
    rid = raw.get("id")
    where = f"{fname}: rule {rid or '(no id)'}"
    if not rid:
        raise RuleError(f"{where}: every rule needs an id")
    if rid in seen:
        raise RuleError(f"{where}: id repeats (also in {seen[rid]})")
    seen[rid] = fname
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise RuleError(f"{where}: unknown keys {sorted(unknown)}")
    rtype = raw.get("type", "existence")
    if rtype not in RULE_TYPES:
        raise RuleError(f"{where}: type must be one of {RULE_TYPES}, not {rtype!r}")
    pattern = _alternation(_as_list(raw.get("patterns")), where)
    if pattern is None:
        raise RuleError(f"{where}: no patterns")
    requires = _alternation(_as_list(raw.get("requires")), where)
    if rtype == "cooccurrence" and requires is None:
        raise RuleError(f"{where}: a cooccurrence rule needs 'requires'")
    exc_list = _as_list(raw.get("exceptions"))
    for name in _as_list(raw.get("exceptions_from")):
        if name not in shared:
            raise RuleError(f"{where}: exceptions_from names {name!r}, which _exceptions.yaml does not define")
        exc_list += shared[name]
    when = raw.get("when") or {}
    if set(when) - _WHEN_KEYS:
        raise RuleError(f"{where}: unknown 'when' keys {sorted(set(when) - _WHEN_KEYS)}")
    try:
        level = Level(raw.get("level", cat.level.value))
    except ValueError as exc:
        raise RuleError(f"{where}: level must be info, warning or critical") from exc
    return Rule(
        id=rid, type=rtype, category=cat.id, level=level,
        pattern=pattern, requires=requires, exceptions=_alternation(exc_list, where),
        message=_text(raw.get("message")) or cat.message,
        rationale=_text(raw.get("rationale")) or cat.rationale,
        source=_text(raw.get("source")) or cat.source,
        suggestion=_text(raw.get("suggestion")) or cat.suggestion,
        stages=tuple(_as_list(when.get("stages"))), case_types=tuple(_as_list(when.get("case_types"))),
        decided_from=when.get("decided_from"), decided_to=when.get("decided_to"),
        examples=raw.get("examples") or {}, file=fname,
    )
