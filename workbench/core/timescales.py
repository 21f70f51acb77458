"""Where a case stands against its timescales: the 30-day decision aim (7.2.6), the recovery period
in force on the referral date, escalation (8.2.9), a child's three-month review (10.4.10) and
detention referrals awaiting endorsement (5.3.7)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field

from qa_checks.legal_tests import recovery_period_days
from qa_checks.reference_data import REFERENCE_DIR, Problem, Schema, Text, check, read
from workbench.core.clock import fmt_date

TIMESCALES_FILE = REFERENCE_DIR / "timescales.yaml"


class Aim(Schema):
    """One timescale: its value in days (none for a rule without a number), what it means, its source."""

    value: Annotated[int, Field(strict=True, ge=1)] | None = None
    text: Text
    source: Text


class DayAim(Aim):
    value: Annotated[int, Field(strict=True, ge=1)]


class TimescalesFile(Schema):
    """reference/timescales.yaml."""

    version: Annotated[int, Field(strict=True, ge=1)]
    decision_aim_days: DayAim
    child_review_days: DayAim
    rg_target_days: DayAim
    escalation: Aim


def load_timescales(path: Path | None = None) -> TimescalesFile:
    """The timescales file, validated; ReferenceDataError lists every problem."""
    problems: list[Problem] = []
    _, data = read(Path(path or TIMESCALES_FILE), TimescalesFile, problems)
    check(problems, "timescales")
    assert data is not None
    return data


@lru_cache(maxsize=1)
def aims() -> dict:
    """The timescales as plain data: ``aims()["decision_aim_days"]["value"]``."""
    return load_timescales().model_dump(exclude_none=True)


@dataclass(frozen=True)
class CaseClock:
    received_on: date
    as_of: date
    days: int  # since referral
    decision_aim_days: int
    recovery_period_days: int
    is_child: bool
    has_rg: bool
    has_cg: bool
    escalated_on: date | None
    detention_pending: bool
    awaiting_information: int
    referred_back: bool
    closed: bool

    @property
    def over_aim(self) -> bool:
        return not self.closed and not self.has_cg and self.days > self.decision_aim_days

    @property
    def past_recovery_period(self) -> bool:
        return not self.closed and not self.has_cg and self.days > self.recovery_period_days

    @property
    def escalation_due(self) -> bool:
        return self.past_recovery_period and self.escalated_on is None

    @property
    def child_review_due(self) -> bool:
        return self.is_child and not self.closed and not self.has_cg and self.days >= aims()["child_review_days"]["value"]


def make_clock(*, received_on: date, as_of: date, is_child: bool, has_rg: bool, has_cg: bool,
               escalated_on: date | None, detention: str, detention_endorsed_on: date | None,
               awaiting_information: int, referred_back: bool, closed: bool) -> CaseClock:
    return CaseClock(
        received_on=received_on, as_of=as_of, days=max(0, (as_of - received_on).days),
        decision_aim_days=aims()["decision_aim_days"]["value"],
        recovery_period_days=recovery_period_days(received_on), is_child=is_child, has_rg=has_rg, has_cg=has_cg,
        escalated_on=escalated_on, detention_pending=detention != "none" and detention_endorsed_on is None,
        awaiting_information=awaiting_information, referred_back=referred_back, closed=closed)


def case_clock(case, timeline, as_of: date | None = None) -> CaseClock:
    from workbench.core import lifecycle

    r = case.referral
    stage = timeline[-1].stage
    return make_clock(
        received_on=r.received_on, as_of=as_of or date.today(), is_child=r.is_child,
        has_rg=any(d.stage == "rg" for d in case.decisions), has_cg=any(d.stage == "cg" for d in case.decisions),
        escalated_on=case.escalated_on, detention=r.detention, detention_endorsed_on=r.detention_endorsed_on,
        awaiting_information=sum(1 for e in case.evidence if e.requested_on and not e.received_on),
        referred_back=stage == "referred_back", closed=lifecycle.is_closed(case))


def badges(clock: CaseClock) -> list[str]:
    """Short status labels, most pressing first."""
    out = []
    if clock.detention_pending:
        out.append("detention: awaiting endorsement")
    if clock.referred_back:
        out.append("sent back by review")
    if clock.escalation_due:
        out.append(f"past {clock.recovery_period_days}-day recovery period: escalate")
    elif clock.past_recovery_period:
        out.append(f"escalated {fmt_date(clock.escalated_on)}")
    elif clock.over_aim:
        out.append(f"over {clock.decision_aim_days}-day aim")
    if clock.child_review_due:
        out.append("child: 3-month review due")
    if clock.awaiting_information:
        out.append(f"awaiting information ({clock.awaiting_information})")
    return out


def urgency_key(clock: CaseClock):
    """Sort key, most urgent first: detention, sent back, past the recovery period, then oldest."""
    return (not clock.detention_pending, not clock.referred_back, not clock.past_recovery_period,
            not clock.child_review_due, -clock.days)
