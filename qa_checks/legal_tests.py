"""The NRM legal tests and recovery period in force on a date, read from reference/legal_tests.yaml.

Public, stable API (the panel chair's walkthrough and the letter checker import it):

- ``test_in_force(stage, on) -> LegalTest``: the reasonable-grounds ("rg") or conclusive-grounds ("cg")
  test that applied on ``on``.
- ``recovery_period_days(on) -> int``: the minimum recovery and reflection period that applied on ``on``.
- ``all_tests(stage=None) -> list[LegalTest]``: every period, oldest first (for timelines and tests).

Dates are inclusive at both ends. A date before the NRM began (1 April 2009) raises ``LookupError``:
there was no test to apply, and guessing one would be worse than saying so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

import reference

STAGES = ("rg", "cg")
_PATH = Path(reference.__file__).parent / "legal_tests.yaml"


@dataclass(frozen=True)
class LegalTest:
    stage: str                 # "rg" or "cg"
    name: str
    standard: str              # e.g. "balance of probabilities"
    wording_plain: str         # the test in plain words, for people reading a letter or a walkthrough
    effective_from: date
    effective_to: date | None  # None: still in force
    source: str
    provenance: str            # research tag: V (verified), S (secondary), B (background, unverified)
    stated_by: tuple[str, ...] = ()  # regexes showing that a letter states this standard

    def in_force_on(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def is_stated_in(self, text: str) -> bool:
        """Does ``text`` state this test's standard (in any of its accepted wordings)?"""
        return any(re.search(p, text, re.IGNORECASE) for p in self.stated_by)


@dataclass(frozen=True)
class RecoveryPeriod:
    days: int
    effective_from: date
    effective_to: date | None
    source: str
    provenance: str

    def in_force_on(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


def _as_date(value, where: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueError(f"{_PATH.name}: {where}: {value!r} is not a YYYY-MM-DD date") from exc


@lru_cache(maxsize=1)
def _load() -> tuple[tuple[LegalTest, ...], tuple[RecoveryPeriod, ...]]:
    raw = yaml.safe_load(_PATH.read_text(encoding="utf-8"))
    tests = []
    for i, t in enumerate(raw["tests"]):
        where = f"tests[{i}]"
        if t["stage"] not in STAGES:
            raise ValueError(f"{_PATH.name}: {where}: stage must be one of {STAGES}, not {t['stage']!r}")
        tests.append(LegalTest(
            stage=t["stage"], name=t["name"], standard=t["standard"],
            wording_plain=" ".join(t["wording_plain"].split()),
            effective_from=_as_date(t["effective_from"], where),
            effective_to=_as_date(t.get("effective_to"), where),
            source=" ".join(t["source"].split()), provenance=t["provenance"],
            stated_by=tuple(t.get("stated_by", ())),
        ))
    periods = tuple(
        RecoveryPeriod(days=int(p["days"]), effective_from=_as_date(p["effective_from"], f"recovery_periods[{i}]"),
                       effective_to=_as_date(p.get("effective_to"), f"recovery_periods[{i}]"),
                       source=" ".join(p["source"].split()), provenance=p["provenance"])
        for i, p in enumerate(raw["recovery_periods"])
    )
    return tuple(sorted(tests, key=lambda t: (t.stage, t.effective_from))), \
        tuple(sorted(periods, key=lambda p: p.effective_from))


def all_tests(stage: str | None = None) -> list[LegalTest]:
    """Every legal-test period (optionally for one stage), oldest first."""
    if stage is not None and stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, not {stage!r}")
    return [t for t in _load()[0] if stage is None or t.stage == stage]


def test_in_force(stage: str, on: date) -> LegalTest:
    """The legal test for ``stage`` ("rg" or "cg") in force on the date ``on``."""
    for t in all_tests(stage):
        if t.in_force_on(on):
            return t
    raise LookupError(f"no {stage.upper()} test is recorded for {on.isoformat()}; "
                      "the NRM began on 2009-04-01")


# pytest would otherwise try to collect `test_in_force` wherever it is imported into a test module.
test_in_force.__test__ = False  # type: ignore[attr-defined]


def recovery_period_days(on: date) -> int:
    """Minimum recovery and reflection period (days) in force on the date ``on``: 45 until 29 Jan 2023, then 30."""
    return recovery_period(on).days


def recovery_period(on: date) -> RecoveryPeriod:
    for p in _load()[1]:
        if p.in_force_on(on):
            return p
    raise LookupError(f"no recovery period is recorded for {on.isoformat()}; the NRM began on 2009-04-01")
