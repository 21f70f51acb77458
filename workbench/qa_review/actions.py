"""The second pair of eyes: review requests, assignment to another panel's chair, and the reviewer's
outcome (7.4.5). Reviews are never edited; a correction is a new entry that supersedes."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from workbench.core.cases import refresh_lifecycle
from workbench.core.errors import AccessDenied, UserError
from workbench.core.session import Session
from workbench.core.tables import QA_OUTCOMES, Decision, QAReview, ReviewRequest, User
from workbench.qa_review.requests import (
    load_review_items,
    load_review_queue,
    review_request_detail,
)


def request_review(session: Session, case_id: int, decision_id: int, requested_by: str, reason: str,
                   requested_on: date | None = None) -> int:
    with session.store.transaction() as s:
        session.require(s, "request_review", case_id)
        d = s.get(Decision, decision_id)
        if d is None or d.case_id != case_id:
            raise UserError(f"decision {decision_id} is not a decision on case {case_id}")
        rr = ReviewRequest(case_id=case_id, decision_id=decision_id, requested_on=requested_on or date.today(),
                           requested_by=requested_by, reason=reason)
        s.add(rr)
        s.flush()
        session.audit(s, "request", "review_request", rr.id, {"case_id": case_id, "decision_id": decision_id})
        refresh_lifecycle(s, case_id)
        return rr.id


def assign_reviewer(session: Session, review_request_id: int, reviewer: str, on: date | None = None) -> None:
    """Assign a chair of another panel: never the deciding panel, never the decision's author."""
    with session.store.transaction() as s:
        rr = s.get(ReviewRequest, review_request_id)
        if rr is None:
            raise UserError(f"no review request with id {review_request_id}")
        session.require(s, "assign_review", rr.case_id)
        who = s.scalar(select(User).where(User.name == reviewer))
        if who is None:
            raise UserError(f"unknown user {reviewer!r}")
        if "assigned_review" not in session.policy.scopes(who.role, "review_decision"):
            raise UserError(f"{reviewer} ({who.role}) cannot carry out reviews")
        decision = s.get(Decision, rr.decision_id)
        if who.panel_id is not None and who.panel_id == decision.panel_id:
            raise AccessDenied(f"{reviewer} sits on the panel that made the decision; "
                               "a review needs the chair of another panel (7.4.5)")
        if decision.author == reviewer:
            raise AccessDenied(f"{reviewer} wrote the decision under review and cannot review it")
        rr.reviewer, rr.assigned_on = reviewer, on or date.today()
        session.audit(s, "assign", "review_request", rr.id, {"reviewer": reviewer})


def record_qa_review(session: Session, review_request_id: int, outcome: str, items: dict, notes: str | None = None,
                     completed_on: date | None = None) -> int:
    """Append the reviewer's outcome. A correction is another call: the new entry supersedes."""
    if outcome not in QA_OUTCOMES:
        raise UserError(f"outcome must be one of {', '.join(QA_OUTCOMES)}, not {outcome!r}")
    with session.store.transaction() as s:
        rr = s.get(ReviewRequest, review_request_id)
        if rr is None:
            raise UserError(f"no review request with id {review_request_id}")
        session.require(s, "review_decision", rr.case_id)
        if rr.reviewer != session.user.name:
            raise AccessDenied(f"review request {review_request_id} is assigned to {rr.reviewer or 'nobody'}, "
                               f"not {session.user.name}")
        previous = s.scalar(select(QAReview).where(QAReview.review_request_id == rr.id)
                            .order_by(QAReview.id.desc()).limit(1))
        review = QAReview(review_request_id=rr.id, reviewer=session.user.name, outcome=outcome, items=items,
                          notes=notes, completed_on=completed_on or date.today(),
                          supersedes_id=previous.id if previous else None)
        s.add(review)
        s.flush()
        session.audit(s, "review", "qa_review", review.id,
                    {"review_request_id": rr.id, "outcome": outcome, "supersedes": review.supersedes_id})
        refresh_lifecycle(s, rr.case_id)
        return review.id


def review_queue(session: Session, as_of: date | None = None, include_completed: bool = False):
    """The review requests assigned to this user, oldest first; completed ones only if asked."""
    with session.store.transaction() as s:
        session.require(s, "review_decision")
        rows = load_review_queue(s, session.user.name, session.user.panel_id, as_of=as_of,
                                 include_completed=include_completed)
        session.audit(s, "list", "review_queue", None, {"rows": len(rows), "include_completed": include_completed})
        return rows


def review_request(session: Session, review_request_id: int):
    """One review request with every QA entry made on it (corrections included, oldest first)."""
    with session.store.transaction() as s:
        rr = s.get(ReviewRequest, review_request_id)
        if rr is None:
            raise UserError(f"no review request with id {review_request_id}")
        session.require(s, "read_case", rr.case_id)
        session.audit(s, "read", "review_request", rr.id, {"case_id": rr.case_id})
        return review_request_detail(s, rr)


def review_findings(session: Session):
    """Every standing QA review's item statuses, by deciding panel (aggregates for the quality charts)."""
    with session.store.transaction() as s:
        if not any(session.policy.scopes(session.user.role, a) for a in ("review_decision", "assign_review")):
            session.require(s, "review_decision")
        rows = load_review_items(s)
        session.audit(s, "list", "qa_review_items", None, {"rows": len(rows)})
        return rows
