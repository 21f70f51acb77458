"""The reference files the demo draws on (reference/demo_profiles.yaml, demo_names.yaml, demo/*.yaml),
each read once, and the indicator checklists and narrative episodes looked up per case type."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import yaml

import reference
from qa_checks.walkthrough.indicators import indicators_for

REF = Path(reference.__file__).parent


def _yaml(name: str) -> dict:
    return yaml.safe_load((REF / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def profiles() -> dict:
    return _yaml("demo_profiles.yaml")


@lru_cache(maxsize=1)
def names() -> dict:
    return _yaml("demo_names.yaml")


@lru_cache(maxsize=1)
def texts() -> SimpleNamespace:
    return SimpleNamespace(narratives=_yaml("demo/narratives.yaml"), evidence=_yaml("demo/evidence.yaml"),
                           letters=_yaml("demo/letters.yaml"))


@lru_cache(maxsize=1)
def phrases() -> dict:
    """Short casework phrases (reference/demo/casework.yaml)."""
    return _yaml("demo/casework.yaml")


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
