"""Opening a case, and the case management unit's intake (return or accept a referral).

Every journey opens cases the same way: through the guard, audited, with the referred person's identity
removed for roles that may not see it. After any change, the case's cached lifecycle summary is rewritten
in the same transaction (`refresh_lifecycle`), so a queue loads in one query.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workbench.core import lifecycle
from workbench.core.errors import UserError
from workbench.core.records import CaseRecord, case_record
from workbench.core.session import Session
from workbench.core.tables import Case, Panel, ReferralReturn, ReviewRequest


def load_case(s, case_id: int) -> Case:
    case = s.scalar(
        select(Case).where(Case.id == case_id).options(
            selectinload(Case.referral), selectinload(Case.panel), selectinload(Case.returns),
            selectinload(Case.evidence), selectinload(Case.assessments), selectinload(Case.decisions),
            selectinload(Case.letters), selectinload(Case.review_requests).selectinload(ReviewRequest.reviews),
        ))
    if case is None:
        raise UserError(f"no case with id {case_id}")
    return case


def refresh_lifecycle(s, case_id: int) -> None:
    """Keep the case's cached lifecycle summary in step with the records, in the same transaction."""
    s.flush()
    case = load_case(s, case_id)
    s.refresh(case)
    for rel in ("returns", "evidence", "decisions", "review_requests"):
        s.refresh(case, [rel])
    for key, value in lifecycle.summary(case).items():
        setattr(case, key, value)


def open_case(session: Session, case_id: int, as_of: date | None = None) -> CaseRecord:
    """Open one case: checked, audited, and with identity removed for roles that may not see it."""
    with session.store.transaction() as s:
        session.require(s, "read_case", case_id)
        case = load_case(s, case_id)
        show_identity = session.in_scope(s, session.policy.scopes(session.user.role, "see_identity"), case_id)
        session.audit(s, "read", "case", case_id)
        return case_record(case, show_identity=show_identity, as_of=as_of)


def return_referral(session: Session, case_id: int, reasons: list[str], returned_on: date | None = None) -> None:
    if not reasons:
        raise UserError("say why the referral is being returned (no reasons given)")
    with session.store.transaction() as s:
        session.require(s, "manage_referrals", case_id)
        s.add(ReferralReturn(case_id=case_id, returned_on=returned_on or date.today(), reasons=list(reasons)))
        session.audit(s, "return", "referral", case_id, {"reasons": list(reasons)})
        refresh_lifecycle(s, case_id)


def accept_referral(session: Session, case_id: int, panel_id: int, on: date | None = None) -> None:
    with session.store.transaction() as s:
        session.require(s, "manage_referrals", case_id)
        case = load_case(s, case_id)
        if s.get(Panel, panel_id) is None:
            raise UserError(f"no panel with id {panel_id}")
        case.accepted_on = case.accepted_on or on or date.today()
        case.assigned_on, case.panel_id = on or date.today(), panel_id
        session.audit(s, "accept", "case", case_id, {"panel_id": panel_id})
        refresh_lifecycle(s, case_id)
