"""Referral quality checks: does a referral carry what the panel needs, and would it come back for errors?

Pure: a referral is a plain dict (the schema is in docs/referral_schema.md); no database, no Jupyter.
The criteria (reference/referral_criteria.yaml) and narrative word lists (reference/referral_cues.yaml)
are data; this module holds the closed set of check types they name.

    result = check_referral(record)
    result.score               # 0-100
    result.would_be_returned   # True when a failing criterion means the referral is returned for errors
    result.breakdown           # criterion id -> CriterionResult (weight, applicable, earned, passed)
    result.findings            # qa_checks.finding.Finding, each with field, message, why and source

Findings are advice to the lead and the trainer, never a verdict on the person referred.
"""
from __future__ import annotations

import difflib
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Mapping as _AbcMapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, TypedDict, get_args

from pydantic import BeforeValidator, Field, model_validator

from qa_checks.finding import Finding, Level
from qa_checks.reference_data import (
    REFERENCE_DIR,
    Cue,
    Problem,
    Regex,
    Schema,
    Text,
    Version,
    check,
    display_path,
    duplicates,
    entries,
    listify,
    read,
)
from qa_checks.walkthrough.indicators import (
    EXPLOITATION_TYPES,
    Indicator,
    all_indicators,
    cue_pattern,
    normalise_text,
)

CRITERIA_FILE = REFERENCE_DIR / "referral_criteria.yaml"
CUES_FILE = REFERENCE_DIR / "referral_cues.yaml"

ORGANISATION_TYPES = ("home_office", "police", "ngo", "local_authority", "nca", "gla", "health")
EXPLOITATION_LOCATIONS = ("uk", "overseas", "both", "unknown")
DETENTION = ("none", "immigration_detention", "prison")
CriterionLevel = Literal["info", "warning", "critical"]
ElementName = Literal["action", "means", "purpose", "who", "where", "when"]
AppliesTo = Literal["all", "adult", "child", "detention"]
LEVELS: tuple[str, ...] = get_args(CriterionLevel)
NARRATIVE_ELEMENTS: tuple[ElementName, ...] = get_args(ElementName)
APPLIES_TO: tuple[str, ...] = get_args(AppliesTo)


# ------------------------------------------------------------------------------------------ the schema

# field -> (kind, required). Kinds: str, id (str or int), date, bool, int, enum:<name>, list_str, list_enum.
SCHEMA: dict[str, tuple[str, bool]] = {
    "id": ("id", True),
    "received_on": ("date", True),
    "lead": ("object", True),
    "lead.id": ("id", True),
    "lead.organisation": ("str", False),
    "lead.organisation_type": ("enum:organisation_type", True),
    "lead.region": ("str", False),
    "lead.location": ("str", False),
    "identifier_role": ("str", False),
    "person": ("object", True),
    "person.pseudonym_id": ("id", True),
    "person.name": ("str", False),
    "person.date_of_birth": ("date", False),
    "person.age_band": ("str", False),
    "person.gender": ("str", False),
    "person.nationality": ("str", False),
    "person.is_child": ("bool", True),
    "person.age_disputed": ("bool", False),
    "consent_given": ("bool", False),
    "consent_signed": ("bool", False),
    "exploitation_primary": ("enum:exploitation", True),
    "exploitation_secondary": ("list_enum:exploitation", False),
    "indicators": ("list_str", True),
    "narrative": ("str", False),
    "narrative_redacted": ("bool", False),
    "encounter_location": ("str", False),
    "encounter_organisation": ("str", False),
    "encounter_circumstances": ("str", False),
    "found_in_situ": ("bool", False),
    "offence_location": ("str", False),
    "exploitation_location": ("enum:exploitation_location", False),
    "detention": ("enum:detention", True),
    "detention_endorsed_on": ("date", False),
    "potential_victims_identified": ("int", False),
}
ENUMS = {
    "organisation_type": ORGANISATION_TYPES,
    "exploitation": EXPLOITATION_TYPES,
    "exploitation_location": EXPLOITATION_LOCATIONS,
    "detention": DETENTION,
}
REQUIRED_FIELDS = tuple(k for k, (_, req) in SCHEMA.items() if req)


class ReferralRecordError(ValueError):
    """A referral record is malformed: ``problems`` lists every ``(where, field, problem)`` at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.one_line())

    def one_line(self) -> str:
        return "; ".join(f"{where}: field '{f}': {p}" if f else f"{where}: {p}" for where, f, p in self.problems)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WORD = re.compile(r"\w+")


def _is_mapping(value: Any) -> bool:
    # `type(...) is dict` first: isinstance against typing.Mapping costs more than the check it guards.
    return type(value) is dict or isinstance(value, _AbcMapping)


def _parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _get(record: Mapping[str, Any], dotted: str, default: Any = None) -> Any:
    cur: Any = record
    for part in dotted.split("."):
        if not _is_mapping(cur) or part not in cur:
            return default
        cur = cur[part]
    return cur


def _has(record: Mapping[str, Any], dotted: str) -> bool:
    cur: Any = record
    for part in dotted.split("."):
        if not _is_mapping(cur) or part not in cur:
            return False
        cur = cur[part]
    return True


def _type_problem(kind: str, value: Any) -> str | None:
    if kind == "object":
        return None if _is_mapping(value) else f"must be an object, not {_describe(value)}"
    if kind == "str":
        return None if isinstance(value, str) else f"must be text, not {_describe(value)}"
    if kind == "id":
        ok = (isinstance(value, str) and value.strip()) or (isinstance(value, int) and not isinstance(value, bool))
        return None if ok else f"must be a non-empty identifier, not {_describe(value)}"
    if kind == "bool":
        return None if isinstance(value, bool) else f"must be true or false, not {_describe(value)}"
    if kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return None if ok else f"must be a whole number from 0, not {_describe(value)}"
    if kind == "date":
        return None if _parse_date(value) else f"must be a date written YYYY-MM-DD, not {_describe(value)}"
    if kind.startswith("enum:"):
        allowed = ENUMS[kind[5:]]
        if value in allowed:
            return None
        close = difflib.get_close_matches(str(value), allowed, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"{_describe(value)} is not one of {', '.join(allowed)}{hint}"
    if kind == "list_str":
        if not isinstance(value, list):
            return f"must be a list of ids, not {_describe(value)}"
        bad = [v for v in value if not isinstance(v, str) or not v.strip()]
        return f"must hold only text ids; found {_describe(bad[0])}" if bad else None
    if kind.startswith("list_enum:"):
        allowed = ENUMS[kind[10:]]
        if not isinstance(value, list):
            return f"must be a list, not {_describe(value)}"
        bad = [v for v in value if v not in allowed]
        return f"{_describe(bad[0])} is not one of {', '.join(allowed)}" if bad else None
    raise AssertionError(kind)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, (list, dict)):
        return f"a {'list' if isinstance(value, list) else 'object'}"
    return repr(value)


def _quick_ok(kind: str) -> Callable[[Any], bool]:
    """A cheap test that a value of `kind` is certainly fine (exact built-in types only). When it says no,
    `_type_problem` decides, so a subclass or an odd value gets exactly the same verdict and message."""
    if kind == "object":
        return lambda v: type(v) is dict
    if kind == "str":
        return lambda v: type(v) is str
    if kind == "id":
        return lambda v: (type(v) is str and bool(v.strip())) or type(v) is int
    if kind == "bool":
        return lambda v: v is True or v is False
    if kind == "int":
        return lambda v: type(v) is int and v >= 0
    if kind == "date":
        return lambda v: type(v) is str and _parse_date(v) is not None
    if kind.startswith("enum:"):
        allowed = frozenset(ENUMS[kind[5:]])
        return lambda v: type(v) is str and v in allowed
    if kind == "list_str":
        return lambda v: type(v) is list and all(type(i) is str and i.strip() for i in v)
    if kind.startswith("list_enum:"):
        allowed = frozenset(ENUMS[kind[10:]])
        return lambda v: type(v) is list and all(type(i) is str and i in allowed for i in v)
    raise AssertionError(kind)


# (field, parent key or None, own key, kind, required, quick test), in SCHEMA order.
_SCHEMA_STEPS = tuple(
    (name, name.split(".")[0] if "." in name else None, name.rsplit(".", 1)[-1], kind, required, _quick_ok(kind))
    for name, (kind, required) in SCHEMA.items())
# Known keys at the top level and inside each object, for the misspelt-field check.
_KNOWN_KEYS = {prefix: frozenset(k[len(prefix):] for k in SCHEMA if k.startswith(prefix) and "." not in k[len(prefix):])
               for prefix in ("", "lead.", "person.")}


def validate_referral_record(record: Any, path: str = "<record>") -> None:
    """Check a referral's shape against the schema; raise ReferralRecordError listing every missing
    required field, wrong type, unknown value and likely-misspelt field at once (by field name)."""
    problems: list[Problem] = []
    if not _is_mapping(record):
        raise ReferralRecordError([(path, "", f"a referral must be a JSON object, not {_describe(record)}")])
    for name, parent, key, kind, required, quick_ok in _SCHEMA_STEPS:
        if parent is None:
            obj = record
        else:
            obj = record.get(parent)
            if not _is_mapping(obj):
                continue  # the parent's own problem is reported once
        if key not in obj:
            if required:
                problems.append((path, name, "missing required field"))
            continue
        value = obj[key]
        if value is None:
            if required:
                problems.append((path, name, "is required and may not be null"))
            continue
        if quick_ok(value):
            continue
        msg = _type_problem(kind, value)
        if msg:
            problems.append((path, name, msg))
    # Likely typos: an unknown key close to a known one would silently lose data ("narative").
    for prefix, obj in (("", record), ("lead.", record.get("lead")), ("person.", record.get("person"))):
        if not _is_mapping(obj):
            continue
        known_keys = _KNOWN_KEYS[prefix]
        if type(obj) is dict and obj.keys() <= known_keys:
            continue
        known = [k[len(prefix):] for k in SCHEMA if k.startswith(prefix) and "." not in k[len(prefix):]]
        for key in obj:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.8)
                if close:
                    problems.append((path, prefix + str(key), f"unknown field; did you mean '{prefix + close[0]}'?"))
    if problems:
        raise ReferralRecordError(problems)


# --------------------------------------------------------------------------------------- reference data


@dataclass(frozen=True)
class Criterion:
    id: str
    check: str
    field: str
    level: str
    weight: float
    returns: bool
    applies_to: str
    message: str
    why: str
    suggestion: str
    sources: tuple[str, ...]
    examples: Mapping[str, Mapping[str, Any]]
    element: str | None = None


@dataclass(frozen=True)
class NarrativeElement:
    name: str
    label: str
    adults_only: bool
    cues: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]

    def found(self, text: str, norm: str) -> bool:
        return any(cue_pattern(c).search(norm) for c in self.cues) or any(p.search(text) for p in self.patterns)


@dataclass(frozen=True)
class NarrativeCues:
    version: int
    min_words: int
    redaction_markers: tuple[re.Pattern[str], ...]
    elements: Mapping[str, NarrativeElement]


# ------------------------------------------------------------------------------------------- cue search
#
# A narrative is looked up against some 300 element cues and the cues of every ticked indicator. Searching
# each cue's pattern (qa_checks.walkthrough.indicators.cue_pattern) in turn was most of the cost of a check: a cue
# pattern starts with a look-behind, so the regex engine tries it at every position of the text. Instead the
# narrative's words (\w+ runs of the normalised text) are collected once, and:
#
# - a one-word cue ("debt") is found exactly when that word is one of them, and a one-word `word*` cue
#   ("forc*") exactly when one of them starts with it: no pattern search at all;
# - any other cue's pattern is searched only when every whole word the cue spells out is among the words and
#   every `word*` stem starts one of them. That is necessary for a match, and the pattern itself decides.
#
# So what is found is exactly what searching every cue pattern finds. Both rest on how cue_pattern builds a
# pattern: each token is preceded by the start look-behind (?<![\w]) or by \W+, a plain token is followed by
# \W+ or the end look-ahead (?![\w]), and `word*` continues with [\w'-]* (which cannot stop before a \w).


def _cue_parts(cue: str) -> tuple[list[str], list[str]]:
    """(whole words, word stems) that every match of the cue contains, tokenised as the narrative is."""
    whole: list[str] = []
    stems: list[str] = []
    for token in cue.strip().lower().split():
        if token == "*":
            continue
        literal, open_end = (token[:-1], True) if token.endswith("*") else (token, False)
        for m in _WORD.finditer(literal):
            (stems if open_end and m.end() == len(literal) else whole).append(m.group())
    return whole, stems


class _CueGroup:
    """The cues of one narrative element or one indicator, sorted by how they can be looked up."""

    __slots__ = ("words", "stems_by_head", "stem_heads", "short_stems", "searched")

    def __init__(self, cues: tuple[str, ...]):
        words: set[str] = set()
        stems: set[str] = set()
        searched: list[tuple[frozenset[str], tuple[str, ...], re.Pattern[str]]] = []
        for cue in dict.fromkeys(cues):
            tokens = cue.strip().lower().split()
            whole, cue_stems = _cue_parts(cue)
            if len(tokens) == 1 and tokens[0] != "*":
                literal = tokens[0][:-1] if tokens[0].endswith("*") else tokens[0]
                if _WORD.fullmatch(literal):
                    (stems if tokens[0].endswith("*") else words).add(literal)
                    continue
            searched.append((frozenset(whole), tuple(cue_stems), cue_pattern(cue)))
        self.words = frozenset(words)
        by_head: dict[str, list[str]] = {}
        for stem in sorted(stems):
            if len(stem) >= 3:
                by_head.setdefault(stem[:3], []).append(stem)
        self.stems_by_head = {k: tuple(v) for k, v in by_head.items()}
        self.stem_heads = frozenset(by_head)
        self.short_stems = tuple(sorted(st for st in stems if len(st) < 3))
        self.searched = tuple(searched)

    def found(self, text: _Narrative) -> bool:
        """True when any of the cues is in the narrative: any(cue_pattern(c).search(text.norm) for c in cues)."""
        if not self.words.isdisjoint(text.words):
            return True
        starts = text.starts
        for head in self.stem_heads & text.heads:
            for stem in self.stems_by_head[head]:
                if starts(stem):
                    return True
        for stem in self.short_stems:
            if starts(stem):
                return True
        words = text.words
        for whole, stems, pattern in self.searched:
            if whole <= words and all(starts(stem) for stem in stems) and text.hit(pattern):
                return True
        return False


@lru_cache(maxsize=4096)
def _cue_group(cues: tuple[str, ...]) -> _CueGroup:
    return _CueGroup(cues)


class _Narrative:
    """A narrative's normalised text and its words, worked out once; each cue pattern searched at most once."""

    __slots__ = ("norm", "words", "heads", "_sorted", "_hits")

    def __init__(self, norm: str, words: list[str] | None = None):
        self.norm = norm
        self.words = frozenset(_WORD.findall(norm) if words is None else words)
        self.heads = {w[:3] for w in self.words}   # a word starting with a stem starts with its head
        self._sorted: list[str] | None = None
        self._hits: dict[re.Pattern[str], bool] = {}

    def starts(self, stem: str) -> bool:
        """Whether one of the words starts with `stem`."""
        if self._sorted is None:
            self._sorted = sorted(self.words)
        k = bisect_left(self._sorted, stem)
        return k < len(self._sorted) and self._sorted[k].startswith(stem)

    def hit(self, pattern: re.Pattern[str]) -> bool:
        known = self._hits.get(pattern)
        if known is None:
            known = self._hits[pattern] = pattern.search(self.norm) is not None
        return known


class CriterionExamples(Schema):
    """Changes to the thorough adult example under which the criterion passes, and fails."""

    pass_: dict[str, Any] = Field(alias="pass")
    fail: dict[str, Any]


class CriterionEntry(Schema):
    id: Text
    check: Text                       # one of CHECKS (checked after the schema)
    field: Text                       # a referral field, SCHEMA (checked after the schema)
    level: CriterionLevel
    weight: Annotated[float, Field(strict=True, ge=0)] = 0
    returns: Annotated[bool, Field(strict=True)] = False
    applies_to: AppliesTo = "all"
    message: Text
    why: Text
    suggestion: str = ""
    source: Annotated[list[str], BeforeValidator(listify), Field(min_length=1)]
    examples: CriterionExamples
    element: ElementName | None = None


class CriteriaFile(Schema):
    """reference/referral_criteria.yaml."""

    id: Text
    version: Version
    title: Text
    sources: dict[str, Text]
    criteria: Annotated[list[CriterionEntry], Field(min_length=1)]


class NarrativeElementEntry(Schema):
    label: str | None = None
    adults_only: Annotated[bool, Field(strict=True)] = False
    cues: list[Cue] = []
    patterns: list[Regex] = []

    @model_validator(mode="after")
    def _cues_or_patterns(self) -> NarrativeElementEntry:
        if not self.cues and not self.patterns:
            raise ValueError("needs cues or patterns")
        return self


class NarrativeCuesFile(Schema):
    """reference/referral_cues.yaml."""

    id: Text
    version: Version = 1
    status: Literal["V", "S", "B"]
    source: Text
    min_words: Annotated[int, Field(strict=True, ge=1)]
    redaction_markers: list[Regex] = []
    elements: dict[ElementName, NarrativeElementEntry]


def _criteria_problems(shown: str, raw: Any, problems: list[Problem]) -> None:
    """Ids are unique; checks, fields, elements and source keys name things that exist."""
    duplicates(shown, "criteria", raw, problems)
    raw_sources = raw.get("sources") if isinstance(raw, dict) else None
    sources: dict[str, Any] = raw_sources if isinstance(raw_sources, dict) else {}
    for where, c in entries(raw, "criteria"):
        if isinstance(c.get("check"), str) and c["check"] not in CHECKS:
            problems.append((shown, where, f"check: unknown check {c['check']!r} "
                             f"(expected one of {', '.join(sorted(CHECKS))})"))
        if isinstance(c.get("field"), str) and c["field"] not in SCHEMA:
            problems.append((shown, where, f"field: {c['field']!r} is not a referral field"))
        if c.get("check") == "narrative_element" and c.get("element") is None:
            problems.append((shown, where, f"element: narrative_element needs an element "
                             f"({', '.join(NARRATIVE_ELEMENTS)})"))
        for key in listify(c.get("source")) or []:
            if isinstance(key, str) and key not in sources:
                problems.append((shown, where, f"source: {key!r} is not one of the file's sources "
                                 f"({', '.join(sources) or 'none'})"))


@lru_cache(maxsize=8)
def load_criteria(path: str | Path | None = None) -> tuple[Criterion, ...]:
    """The referral criteria, validated lazily (every problem raised at once as ReferenceDataError)."""
    path = Path(path or CRITERIA_FILE)
    problems: list[Problem] = []
    raw, data = read(path, CriteriaFile, problems)
    if raw is not None:
        _criteria_problems(display_path(path), raw, problems)
    check(problems, "referral criteria")
    assert data is not None
    return tuple(Criterion(
        id=c.id, check=c.check, field=c.field, level=c.level, weight=float(c.weight), returns=c.returns,
        applies_to=c.applies_to, message=c.message, why=c.why, suggestion=c.suggestion,
        sources=tuple(data.sources[k] for k in c.source), examples=rc["examples"], element=c.element)
        for c, rc in zip(data.criteria, raw["criteria"]))


@lru_cache(maxsize=8)
def load_narrative_cues(path: str | Path | None = None) -> NarrativeCues:
    path = Path(path or CUES_FILE)
    problems: list[Problem] = []
    raw, data = read(path, NarrativeCuesFile, problems)
    if data is not None:
        for name in NARRATIVE_ELEMENTS:
            if name not in data.elements:
                problems.append((display_path(path), f"elements.{name}", "(whole entry): missing"))
    check(problems, "narrative cues")
    assert data is not None
    elements: dict[str, NarrativeElement] = {
        name: NarrativeElement(name, e.label or name, e.adults_only, tuple(e.cues), tuple(re.compile(p) for p in e.patterns))
        for name in NARRATIVE_ELEMENTS for e in [data.elements[name]]}
    return NarrativeCues(data.version, data.min_words, tuple(re.compile(p) for p in data.redaction_markers),
                         elements)


# ----------------------------------------------------------------------------------------------- result


@dataclass(frozen=True)
class CriterionResult:
    criterion: str
    weight: float
    applicable: bool
    fraction: float          # share of the criterion met, 0..1 (1 when not applicable)
    passed: bool
    returns: bool

    @property
    def earned(self) -> float:
        return self.weight * self.fraction if self.applicable else 0.0


@dataclass(frozen=True)
class ReferralResult:
    referral_id: str
    score: int
    would_be_returned: bool
    return_reasons: tuple[str, ...]
    breakdown: Mapping[str, CriterionResult]
    findings: tuple[Finding, ...]
    criteria_version: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "referral_id": self.referral_id,
            "score": self.score,
            "would_be_returned": self.would_be_returned,
            "return_reasons": list(self.return_reasons),
            "breakdown": {k: dict(asdict(v), earned=round(v.earned, 2)) for k, v in self.breakdown.items()},
            "findings": [f.to_dict() for f in self.findings],
        }


# --------------------------------------------------------------------------------------------- checking


@dataclass
class _Ctx:
    record: Mapping[str, Any]
    is_child: bool                # treated as a child: is_child, or age disputed (presumed a child)
    narrative: str
    norm: str
    words: int
    cues: NarrativeCues
    indicators: Mapping[str, Indicator]
    # The narrative's words, for the cue searches: None exactly when the narrative is blank (not narrative.strip()).
    text: _Narrative | None = None
    narrative_ok: bool = True
    known_ticked: list[Indicator] | None = None   # the ticked indicators that exist, worked out once (_known_ticked)


class CheckOutput(TypedDict, total=False):
    """One finding a check asks for: values for the criterion's message, and how to present it."""

    # Values for the criterion's message placeholders.
    value: str
    detail: str
    indicator_id: str
    indicator_text: str
    hint: str
    ages: str
    person_age: str
    count: int
    indicator_ids: str
    types: str
    recorded: str
    detention: str
    # Not message values (_MESSAGE_ONLY).
    evidence: dict[str, Any]   # the finding's evidence
    level: str                 # instead of the criterion's level
    override: str              # the whole message, instead of the criterion's
    suffix: str                # appended to the message


# A check returns (fraction met 0..1, one CheckOutput per finding).
CheckOut = tuple[float, list[CheckOutput]]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_consent_given(c: Criterion, x: _Ctx) -> CheckOut:
    v = x.record.get("consent_given")
    return (1.0, []) if v is True else (0.0, [{"value": _describe(v)}])


def _check_consent_signed(c: Criterion, x: _Ctx) -> CheckOut:
    v = x.record.get("consent_signed")
    return (1.0, []) if v is True else (0.0, [{"value": _describe(v)}])


def _check_field_present(c: Criterion, x: _Ctx) -> CheckOut:
    return (0.0, [{}]) if _blank(_get(x.record, c.field)) else (1.0, [])


def _check_exploitation_known(c: Criterion, x: _Ctx) -> CheckOut:
    return (0.0, [{}]) if x.record.get("exploitation_primary") == "unknown" else (1.0, [])


def _check_narrative_present(c: Criterion, x: _Ctx) -> CheckOut:
    if not x.narrative.strip():
        x.narrative_ok = False
        return 0.0, [{"detail": "there is none", "level": "critical"}]
    if x.words < x.cues.min_words:
        # A thin narrative earns part of the weight, in proportion to its length.
        return x.words / x.cues.min_words, [{
            "detail": f"it has {x.words} words, too few to say what happened, who, where, when and how "
                      f"(aim for at least {x.cues.min_words})", "level": "warning"}]
    return 1.0, []


def _element(c: Criterion, x: _Ctx) -> NarrativeElement:
    """The narrative element a narrative_element criterion checks (load_criteria makes sure it names one)."""
    if c.element is None:
        raise KeyError(f"criterion {c.id!r} names no narrative element")
    return x.cues.elements[c.element]


def _check_narrative_element(c: Criterion, x: _Ctx) -> CheckOut:
    el = _element(c, x)
    if x.text is None:
        return 0.0, []  # the narrative is blank: narrative.present already says there is none
    if _cue_group(el.cues).found(x.text) or any(p.search(x.narrative) for p in el.patterns):
        return 1.0, []  # as el.found(x.narrative, x.norm), with the cue searches indexed
    out: CheckOutput = {}
    if x.record.get("narrative_redacted") and c.element in ("who", "where", "when") and any(
            m.search(x.narrative) for m in x.cues.redaction_markers):
        out = {"level": "info", "suffix": " The narrative is redacted, which may have removed it."}
    return 0.0, [out]


def _known_ticked(x: _Ctx) -> list[Indicator]:
    ticked = x.known_ticked
    if ticked is None:
        ticked = x.known_ticked = [x.indicators[i] for i in dict.fromkeys(x.record.get("indicators") or [])
                                   if i in x.indicators]
    return list(ticked)


def _check_indicators_ticked(c: Criterion, x: _Ctx) -> CheckOut:
    return (1.0, []) if x.record.get("indicators") else (0.0, [{}])


def _check_indicators_known(c: Criterion, x: _Ctx) -> CheckOut:
    out: list[CheckOutput] = []
    ids = list(dict.fromkeys(x.record.get("indicators") or []))
    for i in ids:
        if i not in x.indicators:
            close = difflib.get_close_matches(i, x.indicators, n=1)
            out.append({"indicator_id": i, "hint": f"; did you mean '{close[0]}'?" if close else ""})
    return (1.0 - len(out) / len(ids) if ids else 1.0), out


def _check_indicators_explained(c: Criterion, x: _Ctx) -> CheckOut:
    ticked = _known_ticked(x)
    if not ticked:
        return 1.0, []
    if x.text is None:  # the narrative is blank
        ids = ", ".join(i.id for i in ticked)
        return 0.0, [{"override": f"None of the {len(ticked)} ticked indicators is explained: there is no "
                                  f"narrative ({ids}).", "evidence": {"unexplained": [i.id for i in ticked]}}]
    # As `not i.explained_by(x.narrative)`, with the cue searches indexed and shared.
    missing = [i for i in ticked if not _cue_group(i.cues).found(x.text)]
    out: list[CheckOutput] = [
        {"indicator_id": i.id, "indicator_text": i.text, "evidence": {"indicator": i.id, "cues": list(i.cues)}}
        for i in missing]
    return 1.0 - len(missing) / len(ticked), out


def _check_indicators_fit_age(c: Criterion, x: _Ctx) -> CheckOut:
    ticked = _known_ticked(x)
    if not ticked:
        return 1.0, []
    age = "child" if x.is_child else "adult"
    wrong = [i for i in ticked if age not in i.ages]
    out: list[CheckOutput] = [
        {"indicator_id": i.id, "indicator_text": i.text,
         "ages": " and ".join(f"{a}ren" if a == "child" else f"{a}s" for a in i.ages),
         "person_age": "a child" if x.is_child else "an adult"} for i in wrong]
    return 1.0 - len(wrong) / len(ticked), out


_TYPE_WORDS = {"sexual": "sexual exploitation", "labour": "labour exploitation",
               "domestic_servitude": "domestic servitude", "criminal": "criminal exploitation",
               "organ_harvesting": "organ harvesting", "unknown": "unknown exploitation"}


def _check_exploitation_consistent(c: Criterion, x: _Ctx) -> CheckOut:
    recorded = {x.record.get("exploitation_primary")} | set(x.record.get("exploitation_secondary") or [])
    if "unknown" in recorded:
        return 1.0, []
    ticked = [i for i in _known_ticked(x) if not i.any_exploitation]
    if not ticked:
        return 1.0, []
    off = [i for i in ticked if not set(i.exploitation) & recorded]
    if not off:
        return 1.0, []
    # Group by the types the off-type indicators point to, so the advice names a type to add.
    groups: dict[tuple[str, ...], list[str]] = {}
    for i in off:
        groups.setdefault(tuple(t for t in EXPLOITATION_TYPES if t in i.exploitation), []).append(i.id)
    out: list[CheckOutput] = []
    for types, ids in groups.items():
        out.append({"count": len(ids), "indicator_ids": ", ".join(ids),
                    "types": " or ".join(_TYPE_WORDS[t] for t in types),
                    "recorded": ", ".join(_TYPE_WORDS[t] for t in EXPLOITATION_TYPES if t in recorded),
                    "evidence": {"indicators": ids, "points_to": list(types)}})
    return 1.0 - len(off) / len(ticked), out


def _check_detention_endorsed(c: Criterion, x: _Ctx) -> CheckOut:
    if not _blank(x.record.get("detention_endorsed_on")):
        return 1.0, []
    where = {"prison": "prison", "immigration_detention": "immigration detention"}[x.record["detention"]]
    return 0.0, [{"detention": where}]


def _age_on(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _check_age_consistent(c: Criterion, x: _Ctx) -> CheckOut:
    person = x.record.get("person") or {}
    dob = _parse_date(person.get("date_of_birth"))
    received = _parse_date(x.record.get("received_on"))
    out: list[CheckOutput] = []
    if dob and received:
        age = _age_on(dob, received)
        if age < 18 and not person.get("is_child"):
            out.append({"detail": f"The date of birth makes the person {age} when referred, but they are recorded "
                                  "as an adult. A child needs no consent and follows the child route; check both."})
        elif age >= 18 and person.get("is_child") and not person.get("age_disputed"):
            out.append({"detail": f"The date of birth makes the person {age} when referred, but they are recorded "
                                  "as a child. If their age is disputed, record age_disputed; otherwise check both."})
        elif age < 0:
            out.append({"detail": "The date of birth is after the date the referral was received."})
    if person.get("age_disputed") and not person.get("is_child"):
        out.append({"detail": "The person's age is disputed but they are recorded as an adult. Treat them as a "
                              "child until their age is assessed: no consent is needed and the child route applies.",
                    "level": "warning"})
    return (0.0 if out else 1.0), out


CHECKS: dict[str, Callable[[Criterion, _Ctx], CheckOut]] = {
    "consent_given": _check_consent_given,
    "consent_signed": _check_consent_signed,
    "field_present": _check_field_present,
    "exploitation_known": _check_exploitation_known,
    "narrative_present": _check_narrative_present,
    "narrative_element": _check_narrative_element,
    "indicators_ticked": _check_indicators_ticked,
    "indicators_known": _check_indicators_known,
    "indicators_explained": _check_indicators_explained,
    "indicators_fit_age": _check_indicators_fit_age,
    "exploitation_consistent": _check_exploitation_consistent,
    "detention_endorsed": _check_detention_endorsed,
    "age_consistent": _check_age_consistent,
}


def _applies(c: Criterion, x: _Ctx) -> bool:
    if c.applies_to == "adult":
        return not x.is_child
    if c.applies_to == "child":
        return x.is_child
    if c.applies_to == "detention":
        return x.record.get("detention") in ("immigration_detention", "prison")
    if c.check == "narrative_element" and _element(c, x).adults_only:
        return not x.is_child
    return True


class _SafeDict(dict[str, object]):
    def __missing__(self, key: str) -> str:  # a message placeholder the check did not fill stays visible
        return "{" + key + "}"


_LEVEL_OF = {level.value: level for level in Level}
_MESSAGE_ONLY = ("evidence", "level", "override", "suffix")
# The results of criteria that do not apply or are fully met, one per criterion: they are immutable, and most
# of a referral's criteria end up as one of these.
_SETTLED: dict[tuple[str, float, bool, bool], CriterionResult] = {}


def _settled(c: Criterion, applicable: bool) -> CriterionResult:
    key = (c.id, c.weight, c.returns, applicable)
    result = _SETTLED.get(key)
    if result is None:
        result = _SETTLED[key] = CriterionResult(c.id, c.weight, applicable, 1.0, True, c.returns)
    return result


def check_referral(record: Mapping[str, Any], *, path: str = "<record>",
                   criteria: Iterable[Criterion] | None = None, trusted: bool = False) -> ReferralResult:
    """Score one referral against the criteria. Raises ReferralRecordError if the record is malformed
    (see validate_referral_record) and ReferenceDataError if the reference data is broken.

    `trusted=True` skips validate_referral_record: only for records built by code that guarantees the
    schema (workbench.feedback.referral_records.check_record from the store). A malformed record then gets no
    ReferralRecordError, and may get a wrong result or another exception instead."""
    if not trusted:
        validate_referral_record(record, path)
    crits = tuple(criteria) if criteria is not None else load_criteria()
    cues = load_narrative_cues()
    person = record.get("person") or {}
    narrative = record.get("narrative") or ""
    norm = normalise_text(narrative)
    if narrative.isascii():
        # Lower-casing ASCII and folding whitespace change no \w+ run, so the words of the normalised text
        # are the narrative's words lower-cased: one word search serves the count and the cue look-ups.
        norm_words = _WORD.findall(norm)
        count = len(norm_words)
    else:
        norm_words = None
        count = len(_WORD.findall(narrative))
    ctx = _Ctx(record=record, is_child=bool(person.get("is_child") or person.get("age_disputed")),
               narrative=narrative, norm=norm, words=count, cues=cues, indicators=all_indicators(),
               text=_Narrative(norm, norm_words) if narrative.strip() else None)
    breakdown: dict[str, CriterionResult] = {}
    findings: list[Finding] = []
    reasons: list[str] = []
    for c in crits:
        if not _applies(c, ctx):
            breakdown[c.id] = _settled(c, False)
            continue
        fraction, outs = CHECKS[c.check](c, ctx)
        fraction = max(0.0, min(1.0, fraction))
        passed = not outs and fraction >= 1.0
        if passed and fraction == 1.0 and type(fraction) is float:
            breakdown[c.id] = _settled(c, True)
            continue
        breakdown[c.id] = CriterionResult(c.id, c.weight, True, fraction, passed, c.returns)
        if not passed and c.returns:
            reasons.append(c.id)
        for o in outs:
            values = _SafeDict({k: v for k, v in o.items() if k not in _MESSAGE_ONLY})
            message = o.get("override") or c.message.format_map(values)
            message += o.get("suffix", "")
            level = o.get("level", c.level)
            findings.append(Finding(
                rule_id=c.id, category="referral", level=_LEVEL_OF.get(level) or Level(level), message=message,
                field=c.field, rationale=c.why, source="; ".join(c.sources), suggestion=c.suggestion,
                raised_by="check_referral", evidence=dict(o.get("evidence") or {}),
                confidence=0.7 if c.check in ("narrative_element", "indicators_explained") else 1.0))
    total = sum(r.weight for r in breakdown.values() if r.applicable)
    earned = sum(r.earned for r in breakdown.values())
    score = round(100 * earned / total) if total else 100
    findings.sort(key=lambda f: Level(f.level).rank)
    return ReferralResult(referral_id=str(record.get("id")), score=int(score), would_be_returned=bool(reasons),
                          return_reasons=tuple(reasons), breakdown=breakdown, findings=tuple(findings))


def clear_cache() -> None:
    load_criteria.cache_clear()
    load_narrative_cues.cache_clear()
