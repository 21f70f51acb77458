"""The reference files the demo draws on (reference/demo_profiles.yaml, demo_names.yaml, demo/*.yaml),
read once through their schemas (schemas.py: every problem in every file raised at once as a
ReferenceDataError), and the indicator checklists and narrative episodes looked up per case type."""
from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

from qa_checks.walkthrough.indicators import indicators_for
from workbench.demo.schemas import DemoReference, load_demo_reference


@lru_cache(maxsize=1)
def reference() -> DemoReference:
    """Every demo reference file, validated (reference/ by default; schemas.load_demo_reference)."""
    return load_demo_reference()


def clear_cache() -> None:
    """Forget what was read, so the next build reads the files again (tests that swap a file)."""
    for fn in (reference, texts, checklist, checklist_set, episodes):
        fn.cache_clear()


def profiles() -> dict:
    return reference().profiles


def names() -> dict:
    return reference().names


@lru_cache(maxsize=1)
def texts() -> SimpleNamespace:
    ref = reference()
    return SimpleNamespace(narratives=ref.narratives, evidence=ref.evidence, letters=ref.letters)


def phrases() -> dict:
    """Short casework phrases (reference/demo/casework.yaml)."""
    return reference().casework


@lru_cache(maxsize=64)
def checklist(exploitation: str, is_child: bool) -> tuple[str, ...]:
    return tuple(i.id for i in indicators_for([exploitation], is_child))


@lru_cache(maxsize=64)
def checklist_set(exploitation: str, is_child: bool) -> frozenset[str]:
    return frozenset(checklist(exploitation, is_child))


@lru_cache(maxsize=64)
def episodes(exploitation: str, is_child: bool, uk_national: bool) -> dict[str, list]:
    """Narrative episodes by element for this type and age (no migration story for a UK national)."""
    age = "child" if is_child else "adult"
    out: dict[str, list] = {}
    for e in texts().narratives["episodes"].get(exploitation, []):
        if age in e.get("ages", ["adult", "child"]) and not (uk_national and e.get("migrant")):
            out.setdefault(e["element"], []).append(e)
    return out
