"""Checks across the demo reference files and against the generator, beyond what each file's schema says:
placeholders every template may use, ids that must be unique, the names one file uses to look another up.

They read the parsed YAML, skipping what is not the shape they expect (the schema reports that), so their
problems are reported together with the schemas'. The indicator check runs once the narratives passed.
"""
from __future__ import annotations

import string
from collections.abc import Iterator
from typing import Any

from qa_checks.reference_data import Problem, ReferenceDataError, entry_label
from qa_checks.walkthrough.indicators import all_indicators
from workbench.demo.wording import EVIDENCE_FIELDS, LETTER_FIELDS, NARRATIVE_FIELDS, PANEL_SLUGS

# Flaw categories reviews.Reviews._qa_facts reads from a letter's seeded flaws.
REVIEWED_FLAWS = ("wrong-standard-of-proof", "trauma-dismissal", "minor-inconsistency", "late-disclosure",
                  "asylum-conflation", "prosecution-dependence")
FALLBACK_NATIONALITY = "United Kingdom"  # people.People._person: names for a nationality without its own
LETTER_SECTIONS = ("opening", "decision", "test", "test_child", "evidence_considered", "good_reasoning",
                   "good_reasoning_child", "flaws", "review_route", "closing")


def cross_problems(raw: dict[str, Any], valid: dict[str, bool], shown: dict[str, str],
                   problems: list[Problem]) -> None:
    """Append every cross-check problem. ``raw``: file key -> parsed YAML (None when unreadable); ``valid``:
    whether it passed its schema; ``shown``: its path as people should see it."""
    narratives, evidence, letters = (_dict(raw.get(k)) for k in ("narratives", "evidence", "letters"))
    _episode_ids(shown["narratives"], narratives, problems)
    _placeholders(shown["narratives"], narratives, NARRATIVE_FIELDS, [
        ("episodes", narratives.get("episodes"), set()),
        ("thin_narratives", narratives.get("thin_narratives"), {"type_label"}),
        ("encounter_circumstances", narratives.get("encounter_circumstances"), set())], problems)
    _placeholders(shown["evidence"], evidence, EVIDENCE_FIELDS, [
        (f"{src}.summaries", bank.get("summaries"), set()) for src, bank in evidence.items()
        if isinstance(bank, dict)], problems)
    _placeholders(shown["letters"], letters, LETTER_FIELDS,
                  [(key, letters.get(key), set()) for key in LETTER_SECTIONS], problems)
    if valid["narratives"]:
        _episode_indicators(shown["narratives"], narratives, problems)
    _flaws(shown["letters"], letters, problems)
    _profiles_and_names(shown["profiles"], _dict(raw.get("profiles")), shown["names"], _dict(raw.get("names")),
                        problems)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _templates(node: Any, path: str) -> Iterator[tuple[str, str, str]]:
    """(entry, field, text) for every template in a nest of mappings and lists: a string in a list, or the
    `text` of a mapping in a list (a narrative episode)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _templates(value, f"{path}.{key}")
    elif isinstance(node, list):
        for n, item in enumerate(node):
            if isinstance(item, str):
                yield entry_label(path, n, item), "(whole entry)", item
            elif isinstance(item, dict) and isinstance(item.get("text"), str):
                yield entry_label(path, n, item), "text", item["text"]


def _placeholders(shown: str, raw: dict[str, Any], fills: frozenset[str],
                  sections: list[tuple[str, Any, set[str]]], problems: list[Problem]) -> None:
    """The file's `placeholders` are ones the generator fills, and every template uses only those (and the
    section's own extras). A placeholder nobody fills would be printed as it stands, braces and all."""
    declared = raw.get("placeholders")
    if isinstance(declared, list):
        for name in declared:
            if name not in fills:
                problems.append((shown, "header", f"placeholders: the generator does not fill {name!r} "
                                 f"(it fills {', '.join(sorted(fills))})"))
        allowed = {p for p in declared if isinstance(p, str)} & fills
    else:
        allowed = set(fills)
    for path, node, extra in sections:
        for entry, fld, text in _templates(node, path):
            try:
                used = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
            except ValueError:
                continue  # the schema reports a malformed template
            unknown = sorted(used - allowed - extra)
            if unknown:
                problems.append((shown, entry, f"{fld}: unknown placeholder(s) {', '.join(unknown)} "
                                 "(not in the file's placeholders)"))


def _episode_ids(shown: str, narratives: dict[str, Any], problems: list[Problem]) -> None:
    """Episode ids are unique across every exploitation type."""
    first: dict[str, str] = {}
    for kind, items in _dict(narratives.get("episodes")).items():
        for n, item in enumerate(items if isinstance(items, list) else []):
            ident = item.get("id") if isinstance(item, dict) else None
            if not isinstance(ident, str):
                continue
            label = entry_label(f"episodes.{kind}", n, item)
            if ident in first:
                problems.append((shown, label, f"id: duplicate id {ident!r} (also {first[ident]})"))
            first.setdefault(ident, label)


def _episode_indicators(shown: str, narratives: dict[str, Any], problems: list[Problem]) -> None:
    """Every indicator an episode explains exists (reference/indicators/) and applies to its type and ages."""
    try:
        catalogue = all_indicators()
    except ReferenceDataError as exc:  # the indicator files are wrong: their problems join this list
        problems.extend(exc.problems)
        return
    for kind, items in narratives["episodes"].items():
        for n, e in enumerate(items):
            for k, ident in enumerate(e["indicators"]):
                ind = catalogue.get(ident)
                if ind is None:
                    problems.append((shown, entry_label(f"episodes.{kind}", n, e),
                                     f"indicators[{k}]: unknown indicator id {ident!r}"))
                    continue
                for age in e.get("ages", ()):
                    if not ind.applies_to([kind], is_child=age == "child"):
                        problems.append((shown, entry_label(f"episodes.{kind}", n, e),
                                         f"indicators[{k}]: {ident} does not apply to a {age} case of {kind}"))


def _flaws(shown: str, letters: dict[str, Any], problems: list[Problem]) -> None:
    """Each flaw category has its sentences and each list of sentences its category, including the categories
    a demo reviewer looks for."""
    listed = letters.get("flaw_categories")
    categories = [c for c in listed if isinstance(c, str)] if isinstance(listed, list) else None
    flaws = _dict(letters.get("flaws"))
    if categories is None:
        return  # the schema reports a missing or malformed list
    for name in flaws:
        if name not in categories:
            problems.append((shown, f"flaws.{name}", "(whole entry): not listed under flaw_categories"))
    for name in categories:
        if name not in flaws:
            problems.append((shown, "header", f"flaws: no sentences for flaw category {name!r}"))
    for name in REVIEWED_FLAWS:
        if name not in categories:
            problems.append((shown, "header", f"flaw_categories: {name!r} is missing (the demo reviewer checks it)"))


def _all_zero(values: Any) -> bool:
    numbers = [v for v in values if isinstance(v, (int, float))]
    return bool(numbers) and not any(numbers)


def _panels(shown_p: str, profiles: dict[str, Any], shown_n: str, names: dict[str, Any],
            problems: list[Problem]) -> None:
    """Every panel is one the demo knows, with towns and referring organisations for its region."""
    orgs, towns = _dict(names.get("organisations")), names.get("towns")
    panels = profiles.get("panels")
    for n, panel in enumerate(panels if isinstance(panels, list) else []):
        if not isinstance(panel, dict):
            continue
        label, name, region = entry_label("panels", n, panel), panel.get("name"), panel.get("region")
        if isinstance(name, str) and name not in PANEL_SLUGS:
            problems.append((shown_p, label, f"name: {name!r} is not a panel the demo knows "
                             f"({', '.join(PANEL_SLUGS)})"))
        if not isinstance(region, str):
            continue
        if isinstance(towns, dict) and region not in towns:
            problems.append((shown_n, "header", f"towns.{region}: missing (the region of {shown_p} {label})"))
        for kind in ("police", "local_authority"):
            if isinstance(orgs.get(kind), dict) and region not in orgs[kind]:
                problems.append((shown_n, "header", f"organisations.{kind}.{region}: missing "
                                 f"(the region of {shown_p} {label})"))
    if _all_zero(p.get("share") for p in (panels if isinstance(panels, list) else []) if isinstance(p, dict)):
        problems.append((shown_p, "header", "panels: every share is zero (nothing to draw from)"))


def _profiles_and_names(shown_p: str, profiles: dict[str, Any], shown_n: str, names: dict[str, Any],
                        problems: list[Problem]) -> None:
    """Panels as in _panels; every profile's organisation types and nationality groups exist; the time to CG
    is longer than the time to RG."""
    _panels(shown_p, profiles, shown_n, names, problems)
    orgs, groups = names.get("organisations"), profiles.get("nationalities")
    for name, p in _dict(profiles.get("profiles")).items():
        if not isinstance(p, dict):
            continue
        entry = f"profiles.{name}"
        for kind in _dict(p.get("referrer_mix")):
            if isinstance(orgs, dict) and kind not in orgs:
                problems.append((shown_p, entry, f"referrer_mix.{kind}: no organisations of type {kind!r} "
                                 f"in {shown_n}"))
        for key in ("child_nationality", "adult_nationality"):
            for group in _dict(p.get(key)):
                if isinstance(groups, dict) and group not in groups:
                    problems.append((shown_p, entry, f"{key}.{group}: unknown nationality group "
                                     "(not under nationalities)"))
        mixes = {"referrer_mix": p.get("referrer_mix"), "child_nationality": p.get("child_nationality"),
                 "adult_nationality": p.get("adult_nationality"),
                 **{f"exploitation.{age}": _dict(p.get("exploitation")).get(age) for age in ("adult", "child")}}
        for key, mix in mixes.items():
            if _all_zero(_dict(mix).values()):
                problems.append((shown_p, entry, f"{key}: every share is zero (nothing to draw from)"))
        rg, cg = p.get("mean_days_to_rg"), p.get("mean_days_to_cg")
        if isinstance(rg, int) and isinstance(cg, int) and cg <= rg:
            problems.append((shown_p, entry, "mean_days_to_cg: must be more than mean_days_to_rg"))
    people = names.get("people")
    if isinstance(people, dict) and FALLBACK_NATIONALITY not in people:
        problems.append((shown_n, "header", f"people.{FALLBACK_NATIONALITY}: missing (the names used for a "
                         "nationality without its own)"))
