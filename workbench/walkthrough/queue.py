"""A panel's queue of open cases, most urgent first.

One query: each case row carries the lifecycle summary workbench.core.lifecycle derives (rewritten with
every change), so a queue of thousands of cases needs no per-case timeline here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from workbench.core import timescales
from workbench.core.tables import Case, Lead, Referral


@dataclass(frozen=True)
class QueueRow:
    case_id: int
    reference: str
    received_on: date
    days: int
    age_band: str | None
    is_child: bool
    nationality: str | None
    exploitation_primary: str
    lead_organisation: str
    stage: str
    badges: tuple[str, ...]
    clock: timescales.CaseClock


def load_queue(s, *, panel_id: int | None, as_of: date | None = None, stage: str | None = None,
               exploitation: str | None = None, child: bool | None = None) -> list[QueueRow]:
    as_of = as_of or date.today()
    q = (select(Case.id, Case.stage, Case.escalated_on, Case.has_rg, Case.has_cg, Case.awaiting_information,
                Referral.reference, Referral.received_on, Referral.age_band, Referral.is_child,
                Referral.nationality, Referral.exploitation_primary, Referral.detention,
                Referral.detention_endorsed_on, Lead.organisation)
         .join(Referral, Referral.id == Case.referral_id).join(Lead, Lead.id == Referral.lead_id)
         .where(Case.closed.is_(False), Referral.received_on <= as_of))
    if panel_id is not None:
        q = q.where(Case.panel_id == panel_id)
    if child is not None:
        q = q.where(Referral.is_child.is_(child))
    if exploitation:
        q = q.where(Referral.exploitation_primary == exploitation)
    if stage:
        q = q.where(Case.stage == stage)
    rows = []
    for r in s.execute(q):
        clock = timescales.make_clock(
            received_on=r.received_on, as_of=as_of, is_child=r.is_child, has_rg=r.has_rg, has_cg=r.has_cg,
            escalated_on=r.escalated_on, detention=r.detention, detention_endorsed_on=r.detention_endorsed_on,
            awaiting_information=r.awaiting_information, referred_back=r.stage == "referred_back", closed=False)
        rows.append(QueueRow(r.id, r.reference, r.received_on, clock.days, r.age_band, r.is_child, r.nationality,
                             r.exploitation_primary, r.organisation, r.stage, tuple(timescales.badges(clock)), clock))
    rows.sort(key=lambda row: timescales.urgency_key(row.clock))
    return rows
