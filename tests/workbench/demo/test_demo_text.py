"""The demo text banks (reference/demo/*.yaml) that workbench/demo/ composes cases from.

Checks shape and minimum counts, placeholders, unique ids, indicator ids (and that each indicator fits
the episode's exploitation type and ages), and the flaw categories the QA demo uses as ground truth.
"""
from __future__ import annotations

import re
import string
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "reference" / "demo"

TYPES = ("sexual", "labour", "domestic_servitude", "criminal", "organ_harvesting", "unknown")
MAIN_TYPES = ("sexual", "labour", "domestic_servitude", "criminal")
ELEMENTS = ("context", "action", "means", "purpose", "control", "exit")
AGES = ("adult", "child")
NARRATIVE_PLACEHOLDERS = {"they", "They", "their", "Their", "them", "city", "town", "country", "exploiter",
                          "workplace", "month", "year"}
EVIDENCE_PLACEHOLDERS = NARRATIVE_PLACEHOLDERS | {"date"}
LETTER_PLACEHOLDERS = {"name", "reference", "date", "test_wording", "evidence_list", "country", "town", "exploiter"}
EVIDENCE_SOURCES = ("police", "medical", "support_provider", "la_childrens_services", "ukvi_immigration_history",
                    "lead", "other")
FLAW_CATEGORIES = ("claimed-language", "corroboration-demand", "minor-inconsistency", "trauma-dismissal",
                   "document-overreliance", "asylum-conflation", "prosecution-dependence", "wrong-standard-of-proof",
                   "late-disclosure", "plausibility-speculation")


def _load(name: str) -> dict:
    path = DEMO / name
    assert path.is_file(), f"{path} is missing"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} should hold a mapping at the top level"
    return data


@pytest.fixture(scope="module")
def narratives() -> dict:
    return _load("narratives.yaml")


@pytest.fixture(scope="module")
def evidence() -> dict:
    return _load("evidence.yaml")


@pytest.fixture(scope="module")
def letters() -> dict:
    return _load("letters.yaml")


def _fields(text: str) -> set[str]:
    """Placeholder names used in a str.format template; raises ValueError on stray braces."""
    return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}


def _walk(node, where: str = ""):
    """Yield (where, text) for every string in a nested structure."""
    if isinstance(node, str):
        yield where, node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, f"{where}.{k}" if where else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, f"{where}[{i}]")


def _check_placeholders(items, allowed: set[str]) -> list[str]:
    bad = []
    for where, text in items:
        try:
            used = _fields(text)
        except ValueError as e:
            bad.append(f"{where}: {e}: {text!r}")
            continue
        if used - allowed:
            bad.append(f"{where}: unknown placeholder(s) {sorted(used - allowed)} in {text!r}")
    return bad


# ------------------------------------------------------------------------------------ indicators


def _indicator_catalogue() -> dict:
    """Indicator id -> Indicator (from qa_checks.walkthrough.indicators), or id -> None from a plain scan of the files."""
    try:
        from qa_checks.walkthrough.indicators import load_indicator_sets
    except ImportError:
        ids = {}
        for path in sorted((ROOT / "reference" / "indicators").glob("*.yaml")):
            for m in re.finditer(r"^\s*-\s*id:\s*['\"]?([\w.\-]+)", path.read_text(encoding="utf-8"), re.M):
                ids[m.group(1)] = None
        return ids
    return {i.id: i for s in load_indicator_sets().values() for i in s.indicators}


@pytest.fixture(scope="module")
def catalogue() -> dict:
    ids = _indicator_catalogue()
    assert ids, "no indicator ids found in reference/indicators"
    return ids


# ------------------------------------------------------------------------------------ narratives


def test_narratives_header(narratives):
    assert narratives["version"] == 1
    assert narratives["source"]
    assert set(narratives["placeholders"]) == NARRATIVE_PLACEHOLDERS


def test_episode_shape_and_counts(narratives):
    episodes = narratives["episodes"]
    assert set(episodes) == set(TYPES)
    for t, items in episodes.items():
        for e in items:
            assert {"id", "element", "ages", "text", "indicators"} <= set(e) <= {
                "id", "element", "ages", "text", "indicators", "migrant"}, e
            assert isinstance(e.get("migrant", False), bool), e["id"]
            assert e["element"] in ELEMENTS, e["id"]
            assert e["ages"] and set(e["ages"]) <= set(AGES), e["id"]
            assert isinstance(e["indicators"], list), e["id"]
            assert e["text"].strip() == e["text"] and len(e["text"]) > 20, e["id"]
        per = Counter(e["element"] for e in items)
        if t in MAIN_TYPES:
            short = {el: per[el] for el in ELEMENTS if per[el] < 12}
            assert not short, f"{t}: fewer than 12 episodes for {short}"
            child = [e for e in items if "child" in e["ages"]]
            child_elements = {e["element"] for e in child}
            assert {"context", "action", "purpose", "control", "exit"} <= child_elements, t
            assert sum(e["ages"] == ["child"] for e in items) >= 10, f"{t}: too few child-only episodes"
        else:
            assert len(items) >= 15, f"{t}: {len(items)} episodes, want at least 15"
        if t != "organ_harvesting":  # a British national's case must still be composable
            settled = {e["element"] for e in items if not e.get("migrant")}
            assert {"context", "action", "means", "purpose", "control", "exit"} <= settled, t


def test_episode_ids_unique(narratives):
    ids = Counter(e["id"] for items in narratives["episodes"].values() for e in items)
    assert not [i for i, n in ids.items() if n > 1]


def test_episode_texts_unique(narratives):
    texts = Counter(e["text"] for items in narratives["episodes"].values() for e in items)
    assert not [t for t, n in texts.items() if n > 1]


def test_narrative_placeholders(narratives):
    bad = _check_placeholders(_walk(narratives["episodes"], "episodes"), NARRATIVE_PLACEHOLDERS)
    bad += _check_placeholders(_walk(narratives["encounter_circumstances"], "encounter_circumstances"),
                               NARRATIVE_PLACEHOLDERS)
    bad += _check_placeholders(_walk(narratives["thin_narratives"], "thin_narratives"),
                               NARRATIVE_PLACEHOLDERS | {"type_label"})
    assert not bad, "\n".join(bad)


def test_thin_narratives_and_encounters(narratives):
    thin = narratives["thin_narratives"]
    assert len(thin) >= 40 and len(set(thin)) == len(thin)
    assert all(len(t) < 160 for t in thin), "thin narratives should be short"
    enc = narratives["encounter_circumstances"]
    assert set(enc) == set(TYPES)
    for t, items in enc.items():
        assert len(items) >= (10 if t in MAIN_TYPES else 5), t
        assert len(set(items)) == len(items), t


def test_episode_indicators_exist_and_fit(narratives, catalogue):
    problems = []
    for t, items in narratives["episodes"].items():
        for e in items:
            if e["element"] in ("means", "control") and not e["indicators"]:
                problems.append(f"{e['id']}: a {e['element']} episode should explain at least one indicator")
            if len(set(e["indicators"])) != len(e["indicators"]):
                problems.append(f"{e['id']}: repeated indicator")
            for i in e["indicators"]:
                ind = catalogue.get(i, False)
                if ind is False:
                    problems.append(f"{e['id']}: unknown indicator id {i!r}")
                elif ind is not None:  # full catalogue loaded: the indicator must suit the episode
                    for age in e["ages"]:
                        if not ind.applies_to([t], is_child=(age == "child")):
                            problems.append(f"{e['id']}: {i} does not apply to a {age} case of {t}")
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------------------ evidence


def test_evidence_shape_counts_placeholders(evidence):
    assert evidence["version"] == 1
    assert set(evidence["placeholders"]) == EVIDENCE_PLACEHOLDERS
    sources = {k: v for k, v in evidence.items() if k not in ("version", "source", "placeholders")}
    assert set(sources) == set(EVIDENCE_SOURCES)
    for src, bank in sources.items():
        assert set(bank) == {"descriptions", "summaries"}, src
        assert len(bank["descriptions"]) >= 4, src
        assert len(bank["summaries"]) >= 10, src
        assert len(set(bank["summaries"])) == len(bank["summaries"]), src
        assert any("no record held" in s.lower() or "no response" in s.lower() or "no trace" in s.lower()
                   or "hold no record" in s.lower() for s in bank["summaries"]), f"{src}: no 'nothing held' outcome"
    bad = _check_placeholders(_walk(sources), EVIDENCE_PLACEHOLDERS)
    assert not bad, "\n".join(bad)


# ------------------------------------------------------------------------------------ letters


def test_letters_shape_and_counts(letters):
    assert letters["version"] == 1
    assert set(letters["placeholders"]) == LETTER_PLACEHOLDERS
    for age in AGES:
        assert len(letters["opening"][age]) >= 4
        assert len(letters["review_route"][age]) >= 3
    assert set(letters["decision"]) == {"rg_positive", "rg_negative", "cg_positive", "cg_negative"}
    for key, by_age in letters["decision"].items():
        for age in AGES:
            assert len(by_age[age]) >= 3, (key, age)
    for stage in ("rg", "cg"):
        assert letters["test"][stage] and all("{test_wording}" in s for s in letters["test"][stage])
        assert len(letters["test_child"][stage]) >= 3
    assert len(letters["evidence_considered"]) >= 6
    assert all("{evidence_list}" in s for s in letters["evidence_considered"])
    for outcome in ("positive", "negative"):
        assert len(letters["good_reasoning"][outcome]) >= 15, outcome
        assert len(letters["good_reasoning_child"][outcome]) >= 8, outcome
    for s in (s for items in letters["good_reasoning_child"].values() for s in items):
        longest = max(len(x.split()) for x in re.split(r"[.!?]\s*", s) if x)
        assert longest <= 25, f"child reasons should use short sentences: {s!r}"
    assert letters["closing"]


def test_flaw_categories(letters):
    flaws = letters["flaws"]
    assert set(flaws) <= set(FLAW_CATEGORIES), set(flaws) - set(FLAW_CATEGORIES)
    assert set(flaws) == set(FLAW_CATEGORIES), f"missing: {set(FLAW_CATEGORIES) - set(flaws)}"
    assert set(letters["flaw_categories"]) == set(FLAW_CATEGORIES)
    for cat, items in flaws.items():
        assert len(items) >= 10, cat
        assert len(set(items)) == len(items), cat
    everything = [s for items in flaws.values() for s in items]
    assert len(set(everything)) == len(everything), "a flawed sentence appears under two categories"
    good = {s for key in ("good_reasoning", "good_reasoning_child") for items in letters[key].values() for s in items}
    assert not good & set(everything), "a sentence is both good reasoning and a flaw"


def test_letter_placeholders(letters):
    parts = {k: v for k, v in letters.items() if k not in ("version", "source", "placeholders", "flaw_categories")}
    bad = _check_placeholders(_walk(parts), LETTER_PLACEHOLDERS)
    assert not bad, "\n".join(bad)


def test_letters_independent_of_training_corpus(letters):
    """Flawed demo sentences are not copied from reference/letters (the checks' own examples and corpus)."""
    corpus_dir = ROOT / "reference" / "letters"
    corpus = " ".join(p.read_text(encoding="utf-8", errors="replace").lower()
                      for p in corpus_dir.rglob("*") if p.is_file() and p.suffix in (".yaml", ".txt", ".md"))
    corpus = re.sub(r"\s+", " ", corpus)
    copied = [s for items in letters["flaws"].values() for s in items
              if len(s) > 40 and re.sub(r"\s+", " ", s.lower()) in corpus]
    assert not copied, "\n".join(copied)
