"""A panel's queue of open cases, most urgent first.

Loaded with a handful of set-based queries rather than one ORM object per case (a panel can have
thousands of open cases); the stage still comes from workbench.lifecycle, fed light-weight records.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from sqlalchemy import select

from workbench import lifecycle, timescales
from workbench.model import (
    Case,
    Decision,
    EvidenceItem,
    Lead,
    QAReview,
    Referral,
    ReferralReturn,
    ReviewRequest,
)


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


def _chunks(ids: list[int], size: int = 900):
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def _by_case(s, stmt_for, ids: list[int]):
    out = defaultdict(list)
    for chunk in _chunks(ids):
        for row in s.execute(stmt_for(chunk)):
            out[row.case_id].append(row)
    return out


def load_queue(s, *, panel_id: int | None, as_of: date | None = None, stage: str | None = None,
               exploitation: str | None = None, child: bool | None = None) -> list[QueueRow]:
    as_of = as_of or date.today()
    q = (select(Case.id, Case.panel_id, Case.accepted_on, Case.assigned_on, Case.escalated_on,
                Referral.reference, Referral.received_on, Referral.age_band, Referral.is_child,
                Referral.nationality, Referral.exploitation_primary, Referral.exploitation_secondary,
                Referral.detention, Referral.detention_endorsed_on, Lead.organisation)
         .join(Referral, Referral.id == Case.referral_id).join(Lead, Lead.id == Referral.lead_id)
         .where(Case.closed.is_(False), Referral.received_on <= as_of))
    if panel_id is not None:
        q = q.where(Case.panel_id == panel_id)
    if child is not None:
        q = q.where(Referral.is_child.is_(child))
    if exploitation:
        q = q.where(Referral.exploitation_primary == exploitation)
    base = s.execute(q).all()
    ids = [r.id for r in base]
    decisions = _by_case(s, lambda c: select(Decision.case_id, Decision.id, Decision.stage, Decision.outcome,
                                             Decision.decided_on, Decision.reconsidered_on_new_evidence,
                                             Decision.after_review_id)
                         .where(Decision.case_id.in_(c)).order_by(Decision.id), ids)
    evidence = _by_case(s, lambda c: select(EvidenceItem.case_id, EvidenceItem.id, EvidenceItem.source,
                                            EvidenceItem.requested_on, EvidenceItem.received_on)
                        .where(EvidenceItem.case_id.in_(c)).order_by(EvidenceItem.id), ids)
    returns = _by_case(s, lambda c: select(ReferralReturn.case_id, ReferralReturn.returned_on,
                                           ReferralReturn.reasons, ReferralReturn.resubmitted_on)
                       .where(ReferralReturn.case_id.in_(c)), ids)
    reviews = _by_case(s, lambda c: select(ReviewRequest.case_id, ReviewRequest.id, ReviewRequest.requested_on,
                                           QAReview.id.label("qa_id"), QAReview.outcome, QAReview.completed_on)
                       .outerjoin(QAReview, QAReview.review_request_id == ReviewRequest.id)
                       .where(ReviewRequest.case_id.in_(c)).order_by(ReviewRequest.id, QAReview.id), ids)
    rows = []
    for r in base:
        requests = {}
        for rv in reviews.get(r.id, []):
            rr = requests.setdefault(rv.id, SimpleNamespace(id=rv.id, requested_on=rv.requested_on, reviews=[]))
            if rv.qa_id is not None:
                rr.reviews.append(SimpleNamespace(id=rv.qa_id, outcome=rv.outcome, completed_on=rv.completed_on))
        case = SimpleNamespace(
            id=r.id, panel_id=r.panel_id, accepted_on=r.accepted_on, assigned_on=r.assigned_on,
            escalated_on=r.escalated_on,
            referral=SimpleNamespace(received_on=r.received_on, is_child=r.is_child, detention=r.detention,
                                     detention_endorsed_on=r.detention_endorsed_on),
            returns=returns.get(r.id, []), evidence=evidence.get(r.id, []), decisions=decisions.get(r.id, []),
            review_requests=list(requests.values()))
        tl = lifecycle.timeline(case)
        if stage and tl[-1].stage != stage:
            continue
        clock = timescales.case_clock(case, tl, as_of=as_of)
        rows.append(QueueRow(r.id, r.reference, r.received_on, clock.days, r.age_band, r.is_child, r.nationality,
                             r.exploitation_primary, r.organisation, tl[-1].stage, tuple(timescales.badges(clock)),
                             clock))
    rows.sort(key=lambda row: timescales.urgency_key(row.clock))
    return rows
