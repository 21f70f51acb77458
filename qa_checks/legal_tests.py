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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, Protocol, TypeVar

from pydantic import Field, field_validator

import reference
from qa_checks.reference_data import Problem, Schema, Text, check, display_path, entry_label, read

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


Stage = Literal["rg", "cg"]


class LegalTestEntry(Schema):
    """One period of one stage's test in legal_tests.yaml."""

    stage: Stage
    name: Text
    standard: Text
    wording_plain: Text
    effective_from: date
    effective_to: date | None = None
    source: Text
    provenance: Text
    stated_by: list[str] = []

    @field_validator("stated_by")
    @classmethod
    def _patterns_compile(cls, value: list[str]) -> list[str]:
        for p in value:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"pattern {p!r} is not a valid regular expression ({exc})") from None
        return value


class RecoveryPeriodEntry(Schema):
    days: Annotated[int, Field(strict=True, ge=1)]
    effective_from: date
    effective_to: date | None = None
    source: Text
    provenance: Text


class LegalTestsFile(Schema):
    """reference/legal_tests.yaml."""

    tests: Annotated[list[LegalTestEntry], Field(min_length=1)]
    recovery_periods: Annotated[list[RecoveryPeriodEntry], Field(min_length=1)]


class _Period(Protocol):
    """An entry in force from one date to another (LegalTestEntry, RecoveryPeriodEntry)."""

    @property
    def effective_from(self) -> date: ...

    @property
    def effective_to(self) -> date | None: ...


P = TypeVar("P", bound=_Period)


def _one_group(entry: object) -> str:
    return ""


def _periods_problems(shown: str, key: str, entries: Sequence[P], problems: list[Problem],
                      group: Callable[[P], str] = _one_group) -> None:
    """Each period ends on or after it starts, and periods of one group (a stage) do not overlap."""
    for n, e in enumerate(entries):
        if e.effective_to is not None and e.effective_to < e.effective_from:
            problems.append((shown, entry_label(key, n, {}), "effective_to: is before effective_from"))
    for g in {group(e) for e in entries}:
        mine = sorted((e.effective_from, e.effective_to or date.max, n) for n, e in enumerate(entries)
                      if group(e) == g)
        for (_, end, _), (start, _, n) in zip(mine, mine[1:]):
            if start <= end:
                problems.append((shown, entry_label(key, n, {}), "effective_from: overlaps the period before it"))


def _one_line(text: str) -> str:
    return " ".join(text.split())


@lru_cache(maxsize=1)
def _load() -> tuple[tuple[LegalTest, ...], tuple[RecoveryPeriod, ...]]:
    problems: list[Problem] = []
    _, data = read(_PATH, LegalTestsFile, problems)
    if data is not None:
        shown = display_path(_PATH)
        _periods_problems(shown, "tests", data.tests, problems, group=lambda t: t.stage)
        _periods_problems(shown, "recovery_periods", data.recovery_periods, problems)
    check(problems, "legal tests")
    assert data is not None
    tests = [LegalTest(stage=t.stage, name=t.name, standard=t.standard, wording_plain=_one_line(t.wording_plain),
                       effective_from=t.effective_from, effective_to=t.effective_to, source=_one_line(t.source),
                       provenance=t.provenance, stated_by=tuple(t.stated_by)) for t in data.tests]
    periods = [RecoveryPeriod(days=p.days, effective_from=p.effective_from, effective_to=p.effective_to,
                              source=_one_line(p.source), provenance=p.provenance) for p in data.recovery_periods]
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
