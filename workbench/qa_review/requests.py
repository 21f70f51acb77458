"""The second pair of eyes (NRM review 7.4.5): set-based loaders for the reviewer's queue, one request's
history and the quality figures. They take an ORM session and are called by workbench.qa_review.actions
after the guard's permission check. The review asks whether due process was followed, not whether the
decision was right (footnote 31).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from qa_checks.qa_review import procedure
from workbench.core.tables import (
    Case,
    Decision,
    Panel,
    QAReview,
    Referral,
    ReviewRequest,
)

OUTCOME_LABELS = {"procedure_followed": "Procedure followed: the decision stands",
                  "procedural_failing": "Procedural failing: sent back to the deciding panel"}
STATUS_LABELS = procedure.STATUS_LABELS
SOURCE_LABELS = procedure.SOURCE_LABELS
AGREEMENT_SAMPLE = "QA agreement sample"  # requested_by of a second, independent review of the same decision




# ------------------------------------------------------------------------------------------ the queue

@dataclass(frozen=True)
class ReviewQueueRow:
    review_request_id: int
    case_id: int
    reference: str
    panel_name: str | None
    decision_id: int
    decision_stage: str
    decision_outcome: str
    decided_on: date
    requested_on: date
    requested_by: str
    reason: str
    assigned_on: date | None
    days_waiting: int
    is_child: bool
    detention: str
    outcome: str | None  # the standing review's outcome, None while it is still to do
    completed_on: date | None


def load_review_queue(s, reviewer: str, reviewer_panel_id: int | None, *, as_of: date | None = None,
                      include_completed: bool = False) -> list[ReviewQueueRow]:
    as_of = as_of or date.today()
    latest = (select(QAReview.review_request_id, func.max(QAReview.id).label("qa_id"))
              .group_by(QAReview.review_request_id).subquery())
    q = (select(ReviewRequest.id, ReviewRequest.case_id, ReviewRequest.decision_id, ReviewRequest.requested_on,
                ReviewRequest.requested_by, ReviewRequest.reason, ReviewRequest.assigned_on,
                Referral.reference, Referral.is_child, Referral.detention, Panel.name.label("panel_name"),
                Decision.stage, Decision.outcome.label("d_outcome"), Decision.decided_on,
                QAReview.outcome, QAReview.completed_on)
         .join(Case, Case.id == ReviewRequest.case_id).join(Referral, Referral.id == Case.referral_id)
         .join(Decision, Decision.id == ReviewRequest.decision_id)
         .outerjoin(Panel, Panel.id == Decision.panel_id)
         .outerjoin(latest, latest.c.review_request_id == ReviewRequest.id)
         .outerjoin(QAReview, QAReview.id == latest.c.qa_id)
         .where(ReviewRequest.reviewer == reviewer, Decision.author != reviewer,
                ReviewRequest.requested_on <= as_of)
         .order_by(ReviewRequest.requested_on, ReviewRequest.id))
    if reviewer_panel_id is not None:  # never their own panel's decision (7.4.5), whatever was assigned
        q = q.where(func.coalesce(Decision.panel_id, -1) != reviewer_panel_id)
    if not include_completed:
        q = q.where(QAReview.id.is_(None))
    return [ReviewQueueRow(r.id, r.case_id, r.reference, r.panel_name, r.decision_id, r.stage, r.d_outcome,
                           r.decided_on, r.requested_on, r.requested_by, r.reason, r.assigned_on,
                           max(0, (as_of - r.requested_on).days), r.is_child, r.detention, r.outcome, r.completed_on)
            for r in s.execute(q)]


# ------------------------------------------------------------------------------------------ history

@dataclass(frozen=True)
class QAEntry:
    id: int
    reviewer: str
    outcome: str
    items: dict
    notes: str | None
    completed_on: date
    supersedes_id: int | None


@dataclass(frozen=True)
class ReviewRequestDetail:
    id: int
    case_id: int
    decision_id: int
    requested_on: date
    requested_by: str
    reason: str
    reviewer: str | None
    assigned_on: date | None
    entries: tuple[QAEntry, ...]  # oldest first; the last one stands
    escalation_reason: str | None

    @property
    def standing(self) -> QAEntry | None:
        return self.entries[-1] if self.entries else None


def review_request_detail(s, rr: ReviewRequest) -> ReviewRequestDetail:
    entries = tuple(QAEntry(q.id, q.reviewer, q.outcome, dict(q.items or {}), q.notes, q.completed_on, q.supersedes_id)
                    for q in s.scalars(select(QAReview).where(QAReview.review_request_id == rr.id)
                                       .order_by(QAReview.id)))
    escalation = s.scalar(select(Case.escalation_reason).where(Case.id == rr.case_id))
    return ReviewRequestDetail(rr.id, rr.case_id, rr.decision_id, rr.requested_on, rr.requested_by, rr.reason,
                               rr.reviewer, rr.assigned_on, entries, escalation)


def load_review_items(s) -> list[dict]:
    """One row per (standing QA review, checklist item): what the quality charts and agreement read."""
    latest = (select(func.max(QAReview.id).label("qa_id")).group_by(QAReview.review_request_id).subquery())
    q = (select(QAReview.id, QAReview.review_request_id, QAReview.reviewer, QAReview.outcome, QAReview.items,
                QAReview.completed_on, ReviewRequest.decision_id, ReviewRequest.case_id, ReviewRequest.requested_by,
                Panel.name.label("panel"))
         .join(latest, latest.c.qa_id == QAReview.id)
         .join(ReviewRequest, ReviewRequest.id == QAReview.review_request_id)
         .join(Decision, Decision.id == ReviewRequest.decision_id)
         .outerjoin(Panel, Panel.id == Decision.panel_id))
    out = []
    for r in s.execute(q):
        for item_id, value in (r.items or {}).items():
            status = value.get("status") if isinstance(value, dict) else value
            out.append({"qa_review_id": r.id, "review_request_id": r.review_request_id, "decision_id": r.decision_id,
                        "case_id": r.case_id, "panel": r.panel or "—", "reviewer": r.reviewer, "outcome": r.outcome,
                        "completed_on": r.completed_on, "item": item_id, "status": status,
                        "sample": r.requested_by == AGREEMENT_SAMPLE})
    return out
