"""Indicator sets of trafficking and modern slavery, loaded from ``reference/indicators/*.yaml``.

Pure: no Jupyter, no database, no import of ``workbench``. Two kinds of file live there:

- ``kind: indicator_set`` — one versioned list of indicators (the ILO 2009 operational indicators per
  list, the UK indicator groups, the review's "know the signs" list). Each entry has a stable id, a short
  text in our words, a dimension (graded ILO lists) or group, a strength where the source grades it, who it
  applies to (ages, exploitation types), its source(s), its provenance status (V/S/B, from
  ``research/domain.md``) and cue words that suggest a narrative explains it.
- ``kind: combination_rule`` — the ILO rule that turns present indicators into positive dimensions and
  a classification, as data.

Every file is validated lazily: all problems in all files are collected and raised together as one
:class:`~qa_checks.reference_data.ReferenceDataError` naming file, entry and problem.

The ILO assessment here is guidance for a person. UK decisions apply the legal tests, not an ILO score.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from qa_checks.reference_data import (
    REFERENCE_DIR,
    Problem,
    ReferenceDataError,
    display_path,
    read_yaml,
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

_SET_HEADER_KEYS = {"id", "kind", "version", "title", "status", "sources", "graded", "order", "groups",
                    "dimensions", "expected_counts", "defaults", "notes", "entries"}
_ENTRY_KEYS = {"id", "text", "group", "dimension", "strength", "ages", "exploitation", "source", "status",
               "cues", "related", "note"}
_DEFAULTABLE = {"ages", "exploitation", "source", "status", "group"}
_ID_RE = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$")
_COMBO_KEYS = {"strong", "medium", "weak", "medium_or_weak"}


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


@lru_cache(maxsize=16)
def _load(directory: str) -> Catalogue:
    root = Path(directory)
    problems: list[Problem] = []
    if not root.is_dir():
        raise ReferenceDataError([(display_path(root), "folder", "does not exist or is not a folder")],
                                 "indicator sets")
    files = sorted(p for p in root.iterdir() if p.suffix in (".yaml", ".yml"))
    if not files:
        raise ReferenceDataError([(display_path(root), "folder", "holds no .yaml indicator files")],
                                 "indicator sets")
    raw_sets: list[tuple[Path, dict]] = []
    raw_rules: list[tuple[Path, dict]] = []
    seen_set_ids: dict[str, str] = {}
    for path in files:
        before = len(problems)
        data = read_yaml(path, problems)
        shown = display_path(path)
        if data is None:
            if len(problems) == before:
                problems.append((shown, "file", "is empty; expected a header (id, kind, version, title, "
                                 "sources, status) and entries"))
            continue
        if not isinstance(data, dict):
            problems.append((shown, "file", f"must be a mapping with a header and entries, not a "
                             f"{type(data).__name__}"))
            continue
        kind = data.get("kind", "indicator_set")
        if kind not in KINDS:
            problems.append((shown, "header", f"unknown kind {kind!r} (expected one of {', '.join(KINDS)})"))
            continue
        sid = data.get("id")
        if isinstance(sid, str):
            if sid in seen_set_ids:
                problems.append((shown, "header", f"set id {sid!r} is also used by {seen_set_ids[sid]}"))
            seen_set_ids.setdefault(sid, shown)
        (raw_sets if kind == "indicator_set" else raw_rules).append((path, data))

    unreadable = bool(problems)  # a file that could not be read hides its ids from cross-file checks
    sets: dict[str, IndicatorSet] = {}
    owner: dict[str, tuple[str, str]] = {}  # indicator id -> (file, entry label)
    parsed: list[Indicator] = []
    for path, data in raw_sets:
        s = _validate_set(path, data, problems, owner, parsed)
        if s is not None and s.id not in sets:
            sets[s.id] = s
    by_id = {i.id: i for s in sets.values() for i in s.indicators}

    # Cross-file check: every 'related' id must exist (skipped while a file is unreadable, since its
    # ids are unknown and every reference to them would be reported as noise).
    if not unreadable:
        for ind in parsed:
            for rel in ind.related:
                if rel not in owner:
                    problems.append((ind.file, f"{ind.id}", f"related id {rel!r} is not an indicator in any file"))

    rules: dict[str, CombinationRule] = {}
    for path, data in raw_rules:
        r = _validate_rule(path, data, problems, sets)
        if r is not None:
            rules[r.id] = r

    if problems:
        raise ReferenceDataError(problems, "indicator sets")
    ordered = dict(sorted(sets.items(), key=lambda kv: (kv[1].order, kv[0])))
    return Catalogue(sets=ordered, rules=rules, by_id=by_id)


def _header_problems(shown: str, data: dict, problems: list[Problem]) -> bool:
    ok = True
    for key in ("id", "version", "title", "status", "sources"):
        if key not in data or data[key] in (None, "", {}):
            problems.append((shown, "header", f"missing required field {key!r}"))
            ok = False
    if "id" in data and data["id"] is not None and (not isinstance(data["id"], str) or not _ID_RE.match(data["id"])):
        problems.append((shown, "header", f"id {data['id']!r} must be lower-case words joined by '.' or '-'"))
        ok = False
    if "version" in data and not (isinstance(data["version"], int) and not isinstance(data["version"], bool)
                                  and data["version"] >= 1):
        problems.append((shown, "header", f"version {data['version']!r} must be a whole number from 1"))
        ok = False
    if data.get("status") is not None and data.get("status") not in STATUSES:
        problems.append((shown, "header", f"unknown status {data.get('status')!r} (expected one of "
                         f"{', '.join(STATUSES)})"))
        ok = False
    srcs = data.get("sources")
    if srcs is not None and srcs != {} and (not isinstance(srcs, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in srcs.items())):
        problems.append((shown, "header", "sources must map a short key to a citation, e.g. "
                         "{review: 'Home Office (2014) ... §4.2.6'}"))
        ok = False
    return ok


def _as_list(value: Any) -> list | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _validate_set(path: Path, data: dict, problems: list[Problem],
                  owner: dict[str, tuple[str, str]], parsed: list[Indicator]) -> IndicatorSet | None:
    shown = display_path(path)
    start = len(problems)
    _header_problems(shown, data, problems)
    for key in sorted(set(data) - _SET_HEADER_KEYS):
        problems.append((shown, "header", f"unknown field {key!r}"))
    sid = data.get("id") if isinstance(data.get("id"), str) else "?"
    status = data.get("status")
    sources = data.get("sources") if isinstance(data.get("sources"), dict) else {}
    graded = data.get("graded", False)
    if not isinstance(graded, bool):
        problems.append((shown, "header", f"graded must be true or false, not {graded!r}"))
        graded = False
    groups = data.get("groups") or []
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        problems.append((shown, "header", "groups must be a list of names"))
        groups = []
    dims_raw = data.get("dimensions") or {}
    dims: dict[int, dict] = {}
    if not isinstance(dims_raw, dict):
        problems.append((shown, "header", "dimensions must map a number to {name, phase}"))
    else:
        for k, v in dims_raw.items():
            if not isinstance(k, int) or not isinstance(v, dict) or not v.get("name"):
                problems.append((shown, "header", f"dimension {k!r} must be a number mapped to {{name, phase}}"))
            else:
                dims[k] = dict(v)
    if graded and not dims:
        problems.append((shown, "header", "a graded set must list its dimensions"))
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        problems.append((shown, "header", "defaults must be a mapping"))
        defaults = {}
    for key in sorted(set(defaults) - _DEFAULTABLE):
        problems.append((shown, "header", f"defaults: {key!r} cannot have a default (allowed: "
                         f"{', '.join(sorted(_DEFAULTABLE))})"))
    order = data.get("order", 100)
    if not isinstance(order, int):
        problems.append((shown, "header", f"order must be a whole number, not {order!r}"))
        order = 100

    entries = data.get("entries")
    if entries is None:
        problems.append((shown, "header", "missing required field 'entries' (use [] only with status not_found)"))
        entries = []
    if not isinstance(entries, list):
        problems.append((shown, "header", f"entries must be a list, not a {type(entries).__name__}"))
        entries = []
    if status == "not_found" and entries:
        problems.append((shown, "header", "status not_found means the list could not be read, so it must have "
                         "no entries; record the real status instead"))
    if status != "not_found" and status in STATUSES and not entries:
        problems.append((shown, "header", "has no entries; if the list could not be found say status: not_found"))

    indicators: list[Indicator] = []
    for n, entry in enumerate(entries, start=1):
        ind = _validate_entry(shown, sid, n, entry, defaults, sources, graded, groups, dims, problems, owner,
                              status if status in ("V", "S", "B") else "")
        if ind is not None:
            indicators.append(ind)
            parsed.append(ind)

    expected = data.get("expected_counts")
    if expected is not None:
        if not isinstance(expected, dict):
            problems.append((shown, "header", "expected_counts must map a dimension to a count"))
        else:
            for dim, count in expected.items():
                found = sum(1 for i in indicators if i.dimension == dim)
                if found != count:
                    problems.append((shown, "header", f"dimension {dim} has {found} entries but expected_counts "
                                     f"says {count}"))
    if len(problems) > start:
        return None
    return IndicatorSet(id=sid, version=data["version"], title=data["title"], status=status,
                        sources=dict(sources), graded=graded, order=order, indicators=tuple(indicators),
                        groups=tuple(groups), dimensions=dims, notes=str(data.get("notes") or ""), file=shown)


def _validate_entry(shown, sid, n, entry, defaults, sources, graded, groups, dims, problems, owner, set_status):
    label = f"entry #{n}"
    if not isinstance(entry, dict):
        problems.append((shown, label, f"must be a mapping with id, text, ..., not a {type(entry).__name__}"))
        return None
    eid = entry.get("id")
    if isinstance(eid, str) and eid:
        label = f"{eid} (entry #{n})"
    bad = len(problems)

    def problem(msg: str) -> None:
        problems.append((shown, label, msg))

    for key in sorted(set(entry) - _ENTRY_KEYS):
        problem(f"unknown field {key!r} (allowed: {', '.join(sorted(_ENTRY_KEYS))})")
    if not isinstance(eid, str) or not eid:
        problem("missing required field 'id'")
    elif not _ID_RE.match(eid):
        problem(f"id {eid!r} must be lower-case words joined by '.' or '-'")
    elif not eid.startswith(sid + "."):
        problem(f"id {eid!r} must start with the set id {sid + '.'!r}")
    elif eid in owner:
        problem(f"duplicate id: also used by {owner[eid][0]} ({owner[eid][1]})")
    else:
        owner[eid] = (shown, label)

    text = entry.get("text")
    if not isinstance(text, str) or not text.strip():
        problem("missing required field 'text'")
    elif len(text) > 240:
        problem(f"text is {len(text)} characters; keep it short (240 at most) and put detail in 'note'")

    def merged(key):
        return entry[key] if key in entry else defaults.get(key)

    ages = _as_list(merged("ages"))
    if not ages:
        problem("missing 'ages' (adult, child) and no default in the header")
        ages = []
    for a in ages:
        if a not in AGES:
            problem(f"unknown age {a!r} (expected adult or child)")

    expl = merged("exploitation")
    any_expl = expl == "any"
    expl_list = list(EXPLOITATION_TYPES) if any_expl else _as_list(expl)
    if not expl_list:
        problem("missing 'exploitation' (a list of types, or any) and no default in the header")
        expl_list = []
    for t in expl_list:
        if t not in EXPLOITATION_TYPES:
            problem(f"unknown exploitation type {t!r} (expected any, or some of {', '.join(EXPLOITATION_TYPES)})")

    src_keys = _as_list(merged("source"))
    if not src_keys:
        problem("missing 'source' and no default in the header: every entry names its source")
        src_keys = []
    for k in src_keys:
        if k not in sources:
            problem(f"source {k!r} is not one of the file's sources ({', '.join(sources) or 'none'})")

    est = merged("status")
    if est is None:
        est = set_status
    elif est not in ("V", "S", "B"):
        problem(f"unknown status {est!r} (an entry's status is V, S or B)")

    group = merged("group")
    dim = entry.get("dimension")
    strength = entry.get("strength")
    if graded:
        if dim is None:
            problem("missing 'dimension' (this set is graded by ILO dimension)")
        elif dim not in dims:
            problem(f"unknown dimension {dim!r} (expected one of {', '.join(map(str, dims))})")
        if strength is None:
            problem("missing 'strength' (strong, medium or weak) in a graded set")
        elif strength not in STRENGTHS:
            problem(f"unknown strength {strength!r} (expected strong, medium or weak)")
    else:
        if strength is not None:
            problem("has a strength, but this set's source does not grade indicators (graded: false)")
        if dim is not None:
            problem("has a dimension, but this set is not graded by dimension")
        if group is None:
            problem("missing 'group'")
        elif groups and group not in groups:
            problem(f"unknown group {group!r} (expected one of {', '.join(groups)})")

    cues = entry.get("cues")
    if cues is None:
        problem("missing 'cues': list the words that show a narrative explains this indicator")
        cues = []
    elif not isinstance(cues, list) or not cues:
        problem("cues must be a non-empty list of words or phrases")
        cues = []
    else:
        for c in cues:
            if not isinstance(c, str) or not c.strip() or c.strip() == "*":
                problem(f"cue {c!r} must be a word or phrase")
            elif c != c.lower():
                problem(f"cue {c!r} must be lower case (narratives are matched in lower case)")
            elif c.strip().startswith("* ") or c.strip().endswith(" *"):
                problem(f"cue {c!r} must not start or end with a lone '*'")
    related = _as_list(entry.get("related")) or []
    if not all(isinstance(r, str) for r in related):
        problem("related must be a list of indicator ids")
        related = []

    if len(problems) > bad:
        return None
    return Indicator(
        id=eid, set_id=sid, text=text.strip(), ages=tuple(ages), exploitation=tuple(expl_list),
        any_exploitation=any_expl, sources=tuple(sources[k] for k in src_keys),
        status=est, group=group if not graded else None, dimension=dim if graded else None,
        strength=strength if graded else None, cues=tuple(c.strip() for c in cues), related=tuple(related),
        note=str(entry.get("note") or ""), file=shown,
    )


def _validate_rule(path: Path, data: dict, problems: list[Problem],
                   sets: Mapping[str, IndicatorSet]) -> CombinationRule | None:
    shown = display_path(path)
    start = len(problems)
    _header_problems(shown, data, problems)
    sources = data.get("sources") if isinstance(data.get("sources"), dict) else {}
    lists = _as_list(data.get("applies_to_lists")) or []
    if not lists:
        problems.append((shown, "header", "missing 'applies_to_lists' (the ILO list ids this rule applies to)"))
    for lid in lists:
        if lid not in sets:
            problems.append((shown, "header", f"applies_to_lists names {lid!r}, which is not an indicator set"))
    dr = data.get("dimension_rule")
    if not isinstance(dr, dict) or not isinstance(dr.get("combinations"), list) or not dr["combinations"]:
        problems.append((shown, "dimension_rule", "must have a non-empty list of combinations"))
    else:
        if dr.get("status") not in ("V", "S", "B"):
            problems.append((shown, "dimension_rule", f"unknown status {dr.get('status')!r} (V, S or B)"))
        for k in _as_list(dr.get("source")) or ["<none>"]:
            if k not in sources:
                problems.append((shown, "dimension_rule", f"source {k!r} is not one of the file's sources"))
        for n, combo in enumerate(dr["combinations"], start=1):
            lab = f"dimension_rule combination #{n}"
            if not isinstance(combo, dict) or not combo.get("id"):
                problems.append((shown, lab, "must be a mapping with an id"))
                continue
            counts = {k: v for k, v in combo.items() if k not in ("id", "describe")}
            unknown = set(counts) - _COMBO_KEYS
            if unknown:
                problems.append((shown, f"combination {combo['id']}", f"unknown count(s) {sorted(unknown)} "
                                 f"(expected {', '.join(sorted(_COMBO_KEYS))})"))
            if not counts or not all(isinstance(v, int) and v >= 0 for v in counts.values()):
                problems.append((shown, f"combination {combo['id']}", "counts must be whole numbers"))
    cls = data.get("classifications")
    if not isinstance(cls, dict) or not {"adult", "child"} <= set(cls):
        problems.append((shown, "classifications", "must define at least 'adult' and 'child'"))
        cls = cls if isinstance(cls, dict) else {}
    for name, c in cls.items():
        lab = f"classification {name}"
        if not isinstance(c, dict) or not isinstance(c.get("requires"), list) or not c["requires"]:
            problems.append((shown, lab, "must have a non-empty 'requires' list"))
            continue
        if c.get("status") not in ("V", "S", "B"):
            problems.append((shown, lab, f"unknown status {c.get('status')!r} (V, S or B)"))
        for k in _as_list(c.get("source")) or ["<none>"]:
            if k not in sources:
                problems.append((shown, lab, f"source {k!r} is not one of the file's sources"))
        for req in c["requires"]:
            if not isinstance(req, dict) or not req.get("label"):
                problems.append((shown, lab, "each requirement needs a label"))
                continue
            dims = req.get("any_of_dimensions") or req.get("evidenced_by_any_indicator_in_dimensions") or []
            if not req.get("any_of_dimensions") and not req.get("fact"):
                problems.append((shown, lab, f"requirement {req['label']!r} needs any_of_dimensions or a fact"))
            if not all(isinstance(d, int) and 1 <= d <= 6 for d in dims):
                problems.append((shown, lab, f"requirement {req['label']!r}: dimensions must be 1 to 6"))
    if len(problems) > start:
        return None
    return CombinationRule(id=data["id"], version=data["version"], title=data["title"], status=data["status"],
                           sources=dict(sources), applies_to_lists=tuple(lists), dimension_rule=dict(dr),
                           classifications=dict(cls), file=shown)


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
    out = []
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


def _dimension(present: set[str], s: IndicatorSet, rule: CombinationRule, dimension: int) -> dict:
    if dimension not in s.dimensions:
        raise ValueError(f"{s.id} has no dimension {dimension!r}; dimensions are {', '.join(map(str, s.dimensions))}")
    found = {"strong": [], "medium": [], "weak": []}
    for ind in s.in_dimension(dimension):
        if ind.id in present:
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


def _counts_text(d: dict) -> str:
    parts = [f"{len(v)} {k}" for k, v in d["present"].items() if v]
    return ", ".join(parts) if parts else "no indicators present"


def ilo_assessment(present_ids: Iterable[str], list_id: str, is_child: bool, *,
                   act_established: bool | None = None, classification: str | None = None,
                   directory: str | Path | None = None) -> dict:
    """Apply the ILO 2009 combination rule (as data) to the present indicators of one ILO list.

    Returns per-dimension results, each requirement of the classification and whether it is met,
    ``meets_ilo_combination`` and an ``explanation``. Guidance for a person, never a decision.

    For a child the means are not required: the classification asks for the act and a positive
    exploitation dimension. The act is not an ILO indicator; pass ``act_established=True`` when the
    panel has established it (any present indicator of dimensions 1-3 is also taken to show it).
    """
    cat = _catalogue(directory)
    s, rule = _rule_for(list_id, cat)
    list_ages = {a for i in s.indicators for a in i.ages}
    age = "child" if is_child else "adult"
    if age not in list_ages:
        other = [k for k, o in cat.sets.items() if o.graded and o.available and age in
                 {a for i in o.indicators for a in i.ages}]
        raise ValueError(f"{list_id!r} is the list for {'/'.join(sorted(list_ages))}s; for "
                         f"{'a child' if is_child else 'an adult'} use {', '.join(other) or 'another list'}")
    present = _present_in(present_ids, s, cat)
    cname = classification or age
    if cname not in rule.classifications:
        raise ValueError(f"unknown classification {cname!r}; the rule defines {', '.join(rule.classifications)}")
    cls = rule.classifications[cname]
    dims = {d: _dimension(present, s, rule, d) for d in sorted(s.dimensions)}

    requirements = []
    for req in cls["requires"]:
        if "fact" in req:
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
            requirements.append({"label": req["label"], "fact": req["fact"], "met": met, "why": why})
        else:
            positives = [d for d in req["any_of_dimensions"] if dims[d]["positive"]]
            requirements.append({"label": req["label"], "dimensions": list(req["any_of_dimensions"]),
                                 "met": bool(positives), "positive_dimensions": positives})
    meets = all(r["met"] for r in requirements)

    dr_status = rule.dimension_rule.get("status")
    lines = [
        f"Guidance only, not a decision: UK decisions apply the legal tests, not an ILO score. "
        f"{rule.title} v{rule.version} on {s.title} (v{s.version}). Status: indicator grades {s.status}, "
        f"dimension rule {dr_status}, {cname} classification {cls.get('status')} "
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
    for r in requirements:
        if "fact" in r:
            lines.append(f"The {r['label']}: {r['why']}.")
    return {
        "rule_set": rule.id,
        "rule_version": rule.version,
        "list": s.id,
        "list_version": s.version,
        "classification": cname,
        "status": {"grades": s.status, "dimension_rule": dr_status, "classification": cls.get("status")},
        "dimensions": dims,
        "requirements": requirements,
        "meets_ilo_combination": meets,
        "guidance_only": True,
        "explanation": "\n".join(lines),
    }


def clear_cache() -> None:
    """Forget loaded files (after editing reference data in a running session)."""
    _load.cache_clear()
    _resolved.cache_clear()
