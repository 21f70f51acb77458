"""Indicator sets of trafficking and modern slavery, loaded from ``reference/indicators/*.yaml``.

Pure: no Jupyter, no database, no import of ``workbench``. Two kinds of file live there:

- ``kind: indicator_set`` — one versioned list of indicators (the ILO 2009 operational indicators per
  list, the UK indicator groups, the review's "know the signs" list). Each entry has a stable id, a short
  text in our words, a dimension (graded ILO lists) or group, a strength where the source grades it, who it
  applies to (ages, exploitation types), its source(s), its provenance status (V read in the
  source, S secondary, B unverified background) and cue words that suggest a narrative explains it.
- ``kind: combination_rule`` — the ILO rule that turns present indicators into positive dimensions and
  a classification, as data.

Every file is validated against its pydantic schema (``IndicatorSetFile``, ``CombinationRuleFile``), then
across entries and files (ids unique and under the set's id, defaults, grading, related ids, expected counts).
All problems in all files are collected and raised together as one
:class:`~qa_checks.reference_data.ReferenceDataError` naming file, entry and "field: problem".

The ILO assessment here is guidance for a person. UK decisions apply the legal tests, not an ILO score.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, Required, TypedDict

from pydantic import BeforeValidator, Field, StringConstraints, ValidationError, model_validator

from qa_checks.reference_data import (
    REFERENCE_DIR,
    Cue,
    Problem,
    ReferenceDataError,
    Schema,
    Text,
    Version,
    check,
    display_path,
    entries,
    listify,
    read_yaml,
    validate,
)

INDICATORS_DIR = REFERENCE_DIR / "indicators"

EXPLOITATION_TYPES = ("sexual", "labour", "domestic_servitude", "criminal", "organ_harvesting", "unknown")
AGES = ("adult", "child")
STRENGTHS = ("strong", "medium", "weak")
STATUSES = {
    "V": "read in a retrieved source",
    "S": "read in a secondary source; verify before production",
    "B": "background knowledge, not verified in any retrieved source",
    "not_found": "searched for and not retrievable; no entries recorded",
}
KINDS = ("indicator_set", "combination_rule")

_ID_RE = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$")
_COMBO_KEYS = ("strong", "medium", "weak", "medium_or_weak")  # the counts a combination may name

Age = Literal["adult", "child"]
Exploitation = Literal["sexual", "labour", "domestic_servitude", "criminal", "organ_harvesting", "unknown", "any"]
Strength = Literal["strong", "medium", "weak"]
EntryStatus = Literal["V", "S", "B"]
SetStatus = Literal["V", "S", "B", "not_found"]
Id = Annotated[str, StringConstraints(pattern=_ID_RE.pattern)]  # lower-case words joined by '.' or '-'
WholeNumber = Annotated[int, Field(strict=True)]
Dim = Annotated[int, Field(strict=True, ge=1, le=6)]               # an ILO dimension
Count = Annotated[int, Field(strict=True, ge=0)]
Ages = Annotated[list[Age], BeforeValidator(listify), Field(min_length=1)]
Exploitations = Annotated[list[Exploitation], BeforeValidator(listify), Field(min_length=1)]
SourceKeys = Annotated[list[str], BeforeValidator(listify), Field(min_length=1)]


# --------------------------------------------------------------------------------------------- schemas


class Dimension(Schema):
    name: Text
    phase: str | None = None


class Defaults(Schema):
    """What an entry that does not say takes from its file's header."""

    ages: Ages | None = None
    exploitation: Exploitations | None = None   # a list of types, or "any"
    source: SourceKeys | None = None
    status: EntryStatus | None = None
    group: str | None = None


class IndicatorEntry(Schema):
    """One indicator of an indicator_set file."""

    id: Id
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=240)]
    group: str | None = None
    dimension: WholeNumber | None = None
    strength: Strength | None = None
    ages: Ages | None = None
    exploitation: Exploitations | None = None
    source: SourceKeys | None = None
    status: EntryStatus | None = None
    cues: Annotated[list[Cue], Field(min_length=1)]
    related: Annotated[list[str], BeforeValidator(listify)] = []
    note: str = ""


class IndicatorSetHeader(Schema):
    """An indicator_set file's own fields; its entries are checked one by one (IndicatorSetFile)."""

    id: Id
    kind: Literal["indicator_set"] = "indicator_set"
    version: Version
    title: Text
    status: SetStatus
    sources: Annotated[dict[str, Text], Field(min_length=1)]
    graded: Annotated[bool, Field(strict=True)] = False
    order: WholeNumber = 100
    groups: list[str] = []
    dimensions: dict[int, Dimension] = {}
    expected_counts: dict[int, Count] | None = None
    defaults: Defaults = Defaults()
    notes: str = ""
    entries: list[Any]


class IndicatorSetFile(IndicatorSetHeader):
    """reference/indicators/*.yaml with kind: indicator_set (the default)."""

    entries: list[IndicatorEntry]


class Combination(Schema):
    """Counts of present indicators, by grade, that make a dimension positive."""

    id: Text
    describe: str | None = None
    strong: Count | None = None
    medium: Count | None = None
    weak: Count | None = None
    medium_or_weak: Count | None = None

    @model_validator(mode="after")
    def _has_counts(self) -> Combination:
        if all(getattr(self, k) is None for k in _COMBO_KEYS):
            raise ValueError("needs at least one count (strong, medium, weak, medium_or_weak)")
        return self


class DimensionRule(Schema):
    status: EntryStatus
    source: SourceKeys
    combinations: Annotated[list[Combination], Field(min_length=1)]


class Requirement(Schema):
    label: Text
    any_of_dimensions: Annotated[list[Dim], Field(min_length=1)] | None = None
    fact: str | None = None
    evidenced_by_any_indicator_in_dimensions: list[Dim] | None = None

    @model_validator(mode="after")
    def _met_somehow(self) -> Requirement:
        if not self.any_of_dimensions and not self.fact:
            raise ValueError(f"requirement {self.label!r} needs any_of_dimensions or a fact")
        return self


class Classification(Schema):
    status: EntryStatus
    source: SourceKeys
    describe: str | None = None
    requires: Annotated[list[Requirement], Field(min_length=1)]


class CombinationRuleFile(Schema):
    """reference/indicators/*.yaml with kind: combination_rule."""

    id: Id
    kind: Literal["combination_rule"]
    version: Version
    title: Text
    status: SetStatus
    sources: Annotated[dict[str, Text], Field(min_length=1)]
    applies_to_lists: Annotated[list[str], BeforeValidator(listify), Field(min_length=1)]
    dimension_rule: DimensionRule
    classifications: dict[str, Classification]


# --------------------------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Indicator:
    id: str
    set_id: str
    text: str
    ages: tuple[str, ...]
    # Exploitation types the indicator points to; "any" in the file expands to every type.
    exploitation: tuple[str, ...]
    any_exploitation: bool
    sources: tuple[str, ...]
    status: str
    group: str | None = None
    dimension: int | None = None
    strength: str | None = None
    cues: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    note: str = ""
    file: str = ""

    def applies_to(self, exploitation_types: Iterable[str], is_child: bool) -> bool:
        if ("child" if is_child else "adult") not in self.ages:
            return False
        wanted = set(exploitation_types) or {"unknown"}
        return "unknown" in wanted or self.any_exploitation or bool(wanted & set(self.exploitation))

    def cue_patterns(self) -> tuple[re.Pattern[str], ...]:
        return tuple(cue_pattern(c) for c in self.cues)

    def explained_by(self, text: str | None) -> list[str]:
        """The cues of this indicator found in ``text`` (empty when none is)."""
        if not text:
            return []
        norm = normalise_text(text)
        return [c for c in self.cues if cue_pattern(c).search(norm)]


@dataclass(frozen=True)
class IndicatorSet:
    id: str
    version: int
    title: str
    status: str
    sources: Mapping[str, str]
    graded: bool
    order: int
    indicators: tuple[Indicator, ...]
    groups: tuple[str, ...] = ()
    dimensions: Mapping[int, Mapping[str, str]] = field(default_factory=dict)
    notes: str = ""
    file: str = ""

    @property
    def available(self) -> bool:
        return self.status != "not_found"

    def dimension_name(self, dimension: int) -> str:
        return str(self.dimensions.get(dimension, {}).get("name", f"dimension {dimension}"))

    def in_dimension(self, dimension: int) -> list[Indicator]:
        return [i for i in self.indicators if i.dimension == dimension]


@dataclass(frozen=True)
class CombinationRule:
    id: str
    version: int
    title: str
    status: str
    sources: Mapping[str, str]
    applies_to_lists: tuple[str, ...]
    dimension_rule: Mapping[str, Any]
    classifications: Mapping[str, Mapping[str, Any]]
    file: str = ""


@dataclass(frozen=True)
class Catalogue:
    sets: Mapping[str, IndicatorSet]
    rules: Mapping[str, CombinationRule]
    by_id: Mapping[str, Indicator]


# ------------------------------------------------------------------------------------- cue matching


def normalise_text(text: str) -> str:
    """Lower-case, straight apostrophes, single spaces: what cue patterns are matched against."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", text)


@lru_cache(maxsize=8192)
def cue_pattern(cue: str) -> re.Pattern[str]:
    """Compile a cue: words match whole words; ``word*`` matches any ending; a lone ``*`` stands for one
    to three words ("told * would work" matches "told her she would work")."""
    parts = []
    for token in cue.strip().lower().split():
        if token == "*":
            parts.append(r"\S+(?:\s+\S+){0,2}?")
        elif token.endswith("*"):
            parts.append(re.escape(token[:-1]) + r"[\w'-]*")
        else:
            parts.append(re.escape(token))
    body = r"\W+".join(parts)  # words may be separated by spaces or punctuation ("'found' the child")
    return re.compile(r"(?<![\w])" + body + r"(?![\w])")


# ------------------------------------------------------------------------------------------ loading


def _quiet(schema: type[Schema], data: Any) -> Any:
    """``data`` validated against ``schema``, or None (its problems are reported by the whole file's schema)."""
    try:
        return schema.model_validate(data)
    except ValidationError:
        return None


# A file as read: (its path as shown, its YAML, its model or None when it failed its schema).
_RawSet = tuple[str, dict[str, Any], IndicatorSetFile | None]
_RawRule = tuple[str, dict[str, Any], CombinationRuleFile | None]


@lru_cache(maxsize=16)
def _load(directory: str) -> Catalogue:
    root = Path(directory)
    if not root.is_dir():
        raise ReferenceDataError([(display_path(root), "folder", "does not exist or is not a folder")],
                                 "indicator sets")
    files = sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml"))
    if not files:
        raise ReferenceDataError([(display_path(root), "folder", "holds no .yaml indicator files")],
                                 "indicator sets")
    problems: list[Problem] = []
    raw_sets: list[_RawSet] = []
    raw_rules: list[_RawRule] = []
    seen_set_ids: dict[str, str] = {}
    unreadable = False  # a file that could not be read hides its ids from the cross-file checks
    for path in files:
        shown = display_path(path)
        before = len(problems)
        data = read_yaml(path, problems)
        if len(problems) > before or data is None:
            unreadable = True
            if data is None and len(problems) == before:
                problems.append((shown, "file", "is empty; expected a header (id, kind, version, title, "
                                 "sources, status) and entries"))
            continue
        kind = data.get("kind", "indicator_set") if isinstance(data, dict) else "indicator_set"
        if kind not in KINDS:
            problems.append((shown, "header", f"kind: unknown value {kind!r} (expected {' or '.join(KINDS)})"))
            continue
        is_set = kind == "indicator_set"
        set_model = validate(data, IndicatorSetFile, path, problems) if is_set else None
        rule_model = None if is_set else validate(data, CombinationRuleFile, path, problems)
        if not isinstance(data, dict):
            continue
        sid = data.get("id")
        if isinstance(sid, str):
            if sid in seen_set_ids:
                problems.append((shown, "header", f"id: set id {sid!r} is also used by {seen_set_ids[sid]}"))
            seen_set_ids.setdefault(sid, shown)
        if is_set:
            raw_sets.append((shown, data, set_model))
        else:
            raw_rules.append((shown, data, rule_model))
    _cross_file_problems(raw_sets, raw_rules, problems, unreadable)
    check(problems, "indicator sets")

    sets = {m.id: _indicator_set(m, shown) for shown, _, m in raw_sets if m is not None}
    rules = {m.id: _combination_rule(m, d, shown) for shown, d, m in raw_rules if m is not None}
    by_id = {i.id: i for s in sets.values() for i in s.indicators}
    ordered = dict(sorted(sets.items(), key=lambda kv: (kv[1].order, kv[0])))
    return Catalogue(sets=ordered, rules=rules, by_id=by_id)


def _cross_file_problems(raw_sets: list[_RawSet], raw_rules: list[_RawRule], problems: list[Problem],
                         unreadable: bool) -> None:
    """Each set's own checks, then related ids and rules' lists across files (unless a file was unreadable)."""
    owner: dict[str, str] = {}  # indicator id -> "file, entry"
    related: list[tuple[str, str, str]] = []  # (file, entry, related id)
    for shown, data, _ in raw_sets:
        _set_problems(shown, data, problems, owner, related)
    if not unreadable:
        for shown, label, rel in related:
            if rel not in owner:
                problems.append((shown, label, f"related: related id {rel!r} is not an indicator in any file"))
    set_ids = {d.get("id") for _, d, _ in raw_sets}
    for shown, data, _ in raw_rules:
        _rule_problems(shown, data, problems, set_ids if not unreadable else None)


def _set_problems(shown: str, data: Mapping[str, Any], problems: list[Problem], owner: dict[str, str],
                  related: list[tuple[str, str, str]]) -> None:
    """What the schema cannot say about an indicator set: ids unique across files and under the set's id,
    defaults filling what an entry leaves out, grading, groups, source keys, and the expected counts."""
    raw_sid = data.get("id")
    sid = raw_sid if isinstance(raw_sid, str) else "?"
    head = _quiet(IndicatorSetHeader, data)
    entries_raw = data.get("entries") if isinstance(data.get("entries"), list) else []
    if head is not None:
        if head.status == "not_found" and entries_raw:
            problems.append((shown, "header", "entries: status not_found means the list could not be read, so it "
                             "must have no entries; record the real status instead"))
        if head.status != "not_found" and not entries_raw:
            problems.append((shown, "header", "entries: has no entries; if the list could not be found say "
                             "status: not_found"))
        if head.graded and not head.dimensions:
            problems.append((shown, "header", "dimensions: a graded set must list its dimensions"))
    dimension_counts: dict[int, int] = {}
    for label, raw in entries(data, "entries"):
        eid = raw.get("id")
        if isinstance(eid, str) and _ID_RE.match(eid):
            if not eid.startswith(sid + "."):
                problems.append((shown, label, f"id: {eid!r} must start with the set id {sid + '.'!r}"))
            elif eid in owner:
                problems.append((shown, label, f"id: duplicate id: also used by {owner[eid]}"))
            else:
                owner[eid] = f"{shown}, {label}"
        entry = _quiet(IndicatorEntry, raw)
        if entry is None:
            continue
        related += [(shown, label, r) for r in entry.related]
        if entry.dimension is not None:
            dimension_counts[entry.dimension] = dimension_counts.get(entry.dimension, 0) + 1
        if head is not None:
            problems += [(shown, label, p) for p in _entry_problems(head, entry)]
    if head is not None and head.expected_counts is not None:
        for dim, count in head.expected_counts.items():
            found = dimension_counts.get(dim, 0)
            if found != count:
                problems.append((shown, "header", f"expected_counts: dimension {dim} has {found} entries but "
                                 f"expected_counts says {count}"))


def _entry_problems(head: IndicatorSetHeader, e: IndicatorEntry) -> list[str]:
    d, out = head.defaults, []
    for key in ("ages", "exploitation", "source"):
        if getattr(e, key) is None and getattr(d, key) is None:
            out.append(f"{key}: missing, and the header has no default for it")
    for k in e.source or d.source or []:
        if k not in head.sources:
            out.append(f"source: {k!r} is not one of the file's sources ({', '.join(head.sources)})")
    group = e.group if e.group is not None else d.group
    if head.graded:
        if e.dimension is None:
            out.append("dimension: missing (this set is graded by ILO dimension)")
        elif e.dimension not in head.dimensions:
            out.append(f"dimension: unknown dimension {e.dimension} (expected one of "
                       f"{', '.join(map(str, head.dimensions))})")
        if e.strength is None:
            out.append("strength: missing (strong, medium or weak) in a graded set")
    else:
        if e.strength is not None:
            out.append("strength: this set's source does not grade indicators (graded: false)")
        if e.dimension is not None:
            out.append("dimension: this set is not graded by dimension")
        if group is None:
            out.append("group: missing, and the header has no default for it")
        elif head.groups and group not in head.groups:
            out.append(f"group: unknown group {group!r} (expected one of {', '.join(head.groups)})")
    return out


def _rule_problems(shown: str, data: Mapping[str, Any], problems: list[Problem], set_ids: set[object] | None) -> None:
    """A combination rule's source keys name its sources, it names real lists and classifies adults and children."""
    raw_sources = data.get("sources")
    sources: dict[str, Any] = raw_sources if isinstance(raw_sources, dict) else {}
    for lid in listify(data.get("applies_to_lists")) or []:
        if set_ids is not None and lid not in set_ids:
            problems.append((shown, "header", f"applies_to_lists: {lid!r} is not an indicator set"))
    parts = [("header", "dimension_rule.source", data.get("dimension_rule"))]
    raw_cls = data.get("classifications")
    cls: dict[str, Any] = raw_cls if isinstance(raw_cls, dict) else {}
    parts += [(f"classifications.{name}", "source", c) for name, c in cls.items()]
    for where, fld, part in parts:
        for k in listify(part.get("source")) if isinstance(part, dict) else []:
            if isinstance(k, str) and k not in sources:
                problems.append((shown, where, f"{fld}: {k!r} is not one of the file's sources"))
    if isinstance(data.get("classifications"), dict) and not {"adult", "child"} <= set(cls):
        problems.append((shown, "header", "classifications: must define at least 'adult' and 'child'"))


def _indicator_set(m: IndicatorSetFile, shown: str) -> IndicatorSet:
    d = m.defaults
    indicators = []
    for e in m.entries:
        expl = e.exploitation or d.exploitation or []
        any_expl = "any" in expl
        indicators.append(Indicator(
            id=e.id, set_id=m.id, text=e.text, ages=tuple(e.ages or d.ages or ()),
            exploitation=EXPLOITATION_TYPES if any_expl else tuple(expl), any_exploitation=any_expl,
            sources=tuple(m.sources[k] for k in e.source or d.source or ()),
            status=e.status or d.status or (m.status if m.status != "not_found" else ""),
            group=None if m.graded else (e.group if e.group is not None else d.group),
            dimension=e.dimension if m.graded else None, strength=e.strength if m.graded else None,
            cues=tuple(e.cues), related=tuple(e.related), note=e.note, file=shown))
    return IndicatorSet(id=m.id, version=m.version, title=m.title, status=m.status, sources=dict(m.sources),
                        graded=m.graded, order=m.order, indicators=tuple(indicators), groups=tuple(m.groups),
                        dimensions={k: v.model_dump(exclude_unset=True) for k, v in m.dimensions.items()},
                        notes=m.notes, file=shown)


def _combination_rule(m: CombinationRuleFile, data: Mapping[str, Any], shown: str) -> CombinationRule:
    return CombinationRule(id=m.id, version=m.version, title=m.title, status=m.status, sources=dict(m.sources),
                           applies_to_lists=tuple(m.applies_to_lists), dimension_rule=dict(data["dimension_rule"]),
                           classifications=dict(data["classifications"]), file=shown)


# --------------------------------------------------------------------------------------- public API


@lru_cache(maxsize=64)
def _resolved(directory: str) -> str:
    return str(Path(directory).resolve())


def _catalogue(directory: str | Path | None) -> Catalogue:
    # Resolving the folder costs more than a referral's cue look-ups, so an absolute folder name is resolved
    # once (a relative one depends on the working folder, so it is resolved every time).
    name = str(directory or INDICATORS_DIR)
    return _load(_resolved(name) if os.path.isabs(name) else str(Path(name).resolve()))


def load_indicator_sets(directory: str | Path | None = None) -> dict[str, IndicatorSet]:
    """Every indicator set, keyed by set id, in checklist order. Raises ReferenceDataError listing every
    problem in every file when any entry is bad. Cached per directory."""
    return dict(_catalogue(directory).sets)


def load_combination_rules(directory: str | Path | None = None) -> dict[str, CombinationRule]:
    return dict(_catalogue(directory).rules)


def all_indicators(directory: str | Path | None = None) -> dict[str, Indicator]:
    return dict(_catalogue(directory).by_id)


def indicator(indicator_id: str, directory: str | Path | None = None) -> Indicator:
    """One indicator by id; KeyError naming close matches when the id is unknown."""
    by_id = _catalogue(directory).by_id
    try:
        return by_id[indicator_id]
    except KeyError:
        import difflib
        close = difflib.get_close_matches(str(indicator_id), by_id, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"no indicator with id {indicator_id!r}{hint}") from None


def indicators_for(exploitation_types: list[str], is_child: bool, *, sets: Iterable[str] | None = None,
                   directory: str | Path | None = None) -> list[Indicator]:
    """The checklist a panel chair walks for a case: every indicator that applies to a person of this age
    and to any of these exploitation types, in checklist order (set order, then file order).

    ``unknown`` (or an empty list) means the type is not yet known, so every type's indicators apply.
    ``sets`` limits the result to those set ids (e.g. ``["uk.general", "ilo.al"]``).
    """
    types = list(exploitation_types or [])
    bad = [t for t in types if t not in EXPLOITATION_TYPES]
    if bad:
        raise ValueError(f"unknown exploitation type(s) {bad}; expected some of {', '.join(EXPLOITATION_TYPES)}")
    cat = _catalogue(directory)
    wanted_sets = None if sets is None else set(sets)
    if wanted_sets is not None:
        missing = wanted_sets - set(cat.sets)
        if missing:
            raise ValueError(f"unknown indicator set(s) {sorted(missing)}; known: {', '.join(cat.sets)}")
    out: list[Indicator] = []
    for s in cat.sets.values():
        if wanted_sets is not None and s.id not in wanted_sets:
            continue
        out.extend(i for i in s.indicators if i.applies_to(types, is_child))
    return out


# ------------------------------------------------------------------------------ ILO combination rule


def _rule_for(list_id: str, cat: Catalogue) -> tuple[IndicatorSet, CombinationRule]:
    if list_id not in cat.sets:
        ilo = [k for k, s in cat.sets.items() if s.graded]
        raise ValueError(f"{list_id!r} is not an indicator list; ILO lists are {', '.join(ilo)}")
    s = cat.sets[list_id]
    if not s.graded:
        raise ValueError(f"{list_id!r} ({s.title}) is not graded, so the ILO combination rule does not apply")
    if not s.available:
        raise ValueError(f"{list_id!r} ({s.title}) could not be found and has no entries (status not_found); "
                         "the ILO rule cannot be applied to it. Use the UK indicator groups instead.")
    for r in cat.rules.values():
        if list_id in r.applies_to_lists:
            return s, r
    raise ValueError(f"no combination rule applies to {list_id!r}")


def _present_in(present_ids: Iterable[str], s: IndicatorSet, cat: Catalogue) -> set[str]:
    present = set(present_ids)
    unknown = sorted(p for p in present if p not in cat.by_id)
    if unknown:
        raise ValueError(f"unknown indicator id(s): {', '.join(unknown)}")
    return {i.id for i in s.indicators if i.id in present}


class DimensionResult(TypedDict):
    """One ILO dimension under the combination rule (IloAssessment["dimensions"])."""

    dimension: int
    name: str
    positive: bool
    combination: str | None              # the id of the first combination met, None when none is
    combination_described: str | None
    present: dict[str, list[str]]        # strength -> ids of the present indicators of this dimension
    counts: dict[str, int]               # strength -> how many are present


class RequirementResult(TypedDict, total=False):
    """One requirement of a classification: a fact (``fact``, ``why``) or positive dimensions."""

    label: Required[str]
    met: Required[bool]
    fact: str
    why: str
    dimensions: list[int]
    positive_dimensions: list[int]


class AssessmentStatus(TypedDict):
    grades: str
    dimension_rule: str | None
    classification: str | None


class IloAssessment(TypedDict):
    """What ilo_assessment returns."""

    rule_set: str
    rule_version: int
    list: str          # the indicator list's id
    list_version: int
    classification: str
    status: AssessmentStatus
    dimensions: dict[int, DimensionResult]
    requirements: list[RequirementResult]
    meets_ilo_combination: bool
    guidance_only: bool
    explanation: str


def _dimension(present: set[str], s: IndicatorSet, rule: CombinationRule, dimension: int) -> DimensionResult:
    if dimension not in s.dimensions:
        raise ValueError(f"{s.id} has no dimension {dimension!r}; dimensions are {', '.join(map(str, s.dimensions))}")
    found: dict[str, list[str]] = {"strong": [], "medium": [], "weak": []}
    for ind in s.in_dimension(dimension):
        if ind.id in present:
            assert ind.strength is not None, "every indicator of a graded set has a strength (checked on load)"
            found[ind.strength].append(ind.id)
    n = {k: len(v) for k, v in found.items()}
    matched = None
    for combo in rule.dimension_rule["combinations"]:
        need = {k: combo.get(k, 0) for k in _COMBO_KEYS}
        if n["strong"] < need["strong"] or n["medium"] < need["medium"] or n["weak"] < need["weak"]:
            continue
        spare = (n["medium"] - need["medium"]) + (n["weak"] - need["weak"])
        if spare >= need["medium_or_weak"]:
            matched = combo
            break
    return {
        "dimension": dimension,
        "name": s.dimension_name(dimension),
        "positive": matched is not None,
        "combination": matched["id"] if matched else None,
        "combination_described": matched.get("describe", matched["id"]) if matched else None,
        "present": found,
        "counts": n,
    }


def ilo_dimension_positive(present_ids: Iterable[str], list_id: str, dimension: int, *,
                           directory: str | Path | None = None) -> bool:
    """Whether one ILO dimension is positive given the present indicator ids (ids of other lists are
    ignored; unknown ids raise ValueError)."""
    cat = _catalogue(directory)
    s, rule = _rule_for(list_id, cat)
    return _dimension(_present_in(present_ids, s, cat), s, rule, dimension)["positive"]


def _counts_text(d: DimensionResult) -> str:
    parts = [f"{len(v)} {k}" for k, v in d["present"].items() if v]
    return ", ".join(parts) if parts else "no indicators present"


def _check_list_age(list_id: str, s: IndicatorSet, cat: Catalogue, is_child: bool) -> str:
    """The person's age ("adult" or "child"); ValueError naming the right lists when ``s`` is not for that age."""
    list_ages = {a for i in s.indicators for a in i.ages}
    age = "child" if is_child else "adult"
    if age not in list_ages:
        other = [k for k, o in cat.sets.items() if o.graded and o.available and age in
                 {a for i in o.indicators for a in i.ages}]
        raise ValueError(f"{list_id!r} is the list for {'/'.join(sorted(list_ages))}s; for "
                         f"{'a child' if is_child else 'an adult'} use {', '.join(other) or 'another list'}")
    return age


def _fact_requirement(req: Mapping[str, Any], dims: Mapping[int, DimensionResult],
                      act_established: bool | None) -> RequirementResult:
    """A requirement that is a fact (the act): established by the panel, or shown by present indicators."""
    ev_dims = req.get("evidenced_by_any_indicator_in_dimensions") or []
    evidence = sorted(i for d in ev_dims for lst in dims[d]["present"].values() for i in lst)
    if act_established is False:
        met, why = False, "the panel recorded that it is not established"
    elif act_established:
        met, why = True, "established by the panel"
    elif evidence:
        met, why = True, f"shown by present recruitment indicators ({', '.join(evidence)})"
    else:
        met, why = False, ("not shown: no recruitment indicator is present and the panel has not "
                           "recorded it (act_established)")
    return {"label": req["label"], "fact": req["fact"], "met": met, "why": why}


def _requirements(cls: Mapping[str, Any], dims: Mapping[int, DimensionResult],
                  act_established: bool | None) -> list[RequirementResult]:
    requirements: list[RequirementResult] = []
    for req in cls["requires"]:
        if "fact" in req:
            requirements.append(_fact_requirement(req, dims, act_established))
        else:
            positives = [d for d in req["any_of_dimensions"] if dims[d]["positive"]]
            requirements.append({"label": req["label"], "dimensions": list(req["any_of_dimensions"]),
                                 "met": bool(positives), "positive_dimensions": positives})
    return requirements


def _explanation(rule: CombinationRule, s: IndicatorSet, cname: str, cls: Mapping[str, Any],
                 dims: Mapping[int, DimensionResult], requirements: list[RequirementResult], meets: bool) -> str:
    """The assessment in words: what it is based on, each dimension, the overall result and the facts."""
    lines = [
        f"Guidance only, not a decision: UK decisions apply the legal tests, not an ILO score. "
        f"{rule.title} v{rule.version} on {s.title} (v{s.version}). Status: indicator grades {s.status}, "
        f"dimension rule {rule.dimension_rule.get('status')}, {cname} classification {cls.get('status')} "
        f"(V read in a source, S secondary source, B unverified background).",
    ]
    for d, r in dims.items():
        if r["positive"]:
            lines.append(f"Dimension {d} ({r['name']}): positive — {_counts_text(r)} meets "
                         f"'{r['combination_described']}'.")
        elif any(r["present"].values()):
            lines.append(f"Dimension {d} ({r['name']}): not positive — {_counts_text(r)}; a dimension needs "
                         "2 strong, 1 strong + 1 medium or weak, 3 medium, or 2 medium + 1 weak.")
        else:
            lines.append(f"Dimension {d} ({r['name']}): no indicators present.")
    missing = [r["label"] for r in requirements if not r["met"]]
    if meets:
        lines.append(f"Overall: the present indicators meet the ILO combination for {cname}: {cls.get('describe')}.")
    else:
        lines.append(f"Overall: the present indicators do not meet the ILO combination for {cname} "
                     f"({cls.get('describe')}); not met: {', '.join(missing)}. This says nothing about whether the "
                     "person is a victim — only that these ticked indicators alone do not reach the ILO threshold.")
    for req in requirements:
        if "fact" in req:
            lines.append(f"The {req['label']}: {req['why']}.")
    return "\n".join(lines)


def ilo_assessment(present_ids: Iterable[str], list_id: str, is_child: bool, *,
                   act_established: bool | None = None, classification: str | None = None,
                   directory: str | Path | None = None) -> IloAssessment:
    """Apply the ILO 2009 combination rule (as data) to the present indicators of one ILO list.

    Returns per-dimension results, each requirement of the classification and whether it is met,
    ``meets_ilo_combination`` and an ``explanation``. Guidance for a person, never a decision.

    For a child the means are not required: the classification asks for the act and a positive
    exploitation dimension. The act is not an ILO indicator; pass ``act_established=True`` when the
    panel has established it (any present indicator of dimensions 1-3 is also taken to show it).
    """
    cat = _catalogue(directory)
    s, rule = _rule_for(list_id, cat)
    age = _check_list_age(list_id, s, cat, is_child)
    present = _present_in(present_ids, s, cat)
    cname = classification or age
    if cname not in rule.classifications:
        raise ValueError(f"unknown classification {cname!r}; the rule defines {', '.join(rule.classifications)}")
    cls = rule.classifications[cname]
    dims = {d: _dimension(present, s, rule, d) for d in sorted(s.dimensions)}
    requirements = _requirements(cls, dims, act_established)
    meets = all(r["met"] for r in requirements)
    return {
        "rule_set": rule.id,
        "rule_version": rule.version,
        "list": s.id,
        "list_version": s.version,
        "classification": cname,
        "status": {"grades": s.status, "dimension_rule": rule.dimension_rule.get("status"),
                   "classification": cls.get("status")},
        "dimensions": dims,
        "requirements": requirements,
        "meets_ilo_combination": meets,
        "guidance_only": True,
        "explanation": _explanation(rule, s, cname, cls, dims, requirements, meets),
    }


def clear_cache() -> None:
    """Forget loaded files (after editing reference data in a running session)."""
    _load.cache_clear()
    _resolved.cache_clear()
