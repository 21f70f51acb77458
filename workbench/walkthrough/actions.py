"""The panel chair's actions: the queue, indicator assessments, evidence, decisions and letter versions.

Each checks its permission with the guard (`Session.require`) and appends to the audit log in the same
transaction as the change. Editable records carry a version: a stale save raises StaleSave and writes nothing.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from workbench.core import lifecycle
from workbench.core.cases import load_case, refresh_lifecycle
from workbench.core.clock import utcnow as _utcnow
from workbench.core.errors import StaleSave, UserError
from workbench.core.records import (
    AssessmentRecord,
    DecisionRecord,
    EvidenceRecord,
    LetterRecord,
)
from workbench.core.session import Session
from workbench.core.tables import (
    ASSESSMENT_STATUSES,
    DECISION_OUTCOMES,
    DECISION_STAGES,
    EVIDENCE_SOURCES,
    Decision,
    EvidenceItem,
    IndicatorAssessment,
    LetterDraft,
)
from workbench.walkthrough.queue import load_queue


def panel_queue(session: Session, as_of: date | None = None, **filters):
    """The open cases this user may work on, most urgent first (workbench.walkthrough.queue)."""
    with session.store.transaction() as s:
        session.require(s, "view_queue")
        scopes = session.policy.scopes(session.user.role, "view_queue")
        panel_id = None if "all" in scopes else session.user.panel_id
        if panel_id is None and "all" not in scopes:
            return []
        rows = load_queue(s, panel_id=panel_id, as_of=as_of, **filters)
        session.audit(s, "list", "queue", session.user.panel_id, {"filters": filters, "rows": len(rows)})
        return rows


def save_assessment(session: Session, case_id: int, indicator_id: str, status: str, *, note: str | None = None,
                    evidence_ids: list[int] | None = None, expected_version: int | None = None
                    ) -> AssessmentRecord:
    """Save one indicator's assessment. `expected_version` is the version the user saw (None for a
    new one); a stale save raises StaleSave naming who changed what, and writes nothing."""
    if status not in ASSESSMENT_STATUSES:
        raise UserError(f"status must be one of {', '.join(ASSESSMENT_STATUSES)}, not {status!r}")
    evidence_ids = sorted(set(evidence_ids or []))
    now = _utcnow()
    with session.store.transaction() as s:
        session.require(s, "assess_indicators", case_id)
        _check_evidence(s, case_id, evidence_ids)
        current = s.scalar(select(IndicatorAssessment).where(
            IndicatorAssessment.case_id == case_id, IndicatorAssessment.indicator_id == indicator_id))
        if current is None and expected_version:
            raise UserError(f"indicator {indicator_id} on case {case_id} has no saved assessment to update")
        if current is not None and current.version != expected_version:
            raise _stale_assessment(current, expected_version)
        values = dict(status=status, note=note, evidence_ids=evidence_ids, assessor=session.user.name,
                      assessed_at=now)
        if current is None:
            row = IndicatorAssessment(case_id=case_id, indicator_id=indicator_id, version=1, **values)
            s.add(row)
            try:
                s.flush()
            except IntegrityError:  # someone saved the first assessment a moment before us
                raise StaleSave("Indicator assessment", f"{case_id}/{indicator_id}", 0, 1, None) from None
        else:
            # Compare-and-set on the version: two racing saves cannot both pass.
            res = s.execute(update(IndicatorAssessment)
                            .where(IndicatorAssessment.id == current.id,
                                   IndicatorAssessment.version == expected_version)
                            .values(version=expected_version + 1, **values)
                            .execution_options(synchronize_session=False))
            if res.rowcount != 1:
                s.refresh(current)
                raise _stale_assessment(current, expected_version)
            s.refresh(current)
            row = current
        session.audit(s, "save", "indicator_assessment", row.id,
                    {"case_id": case_id, "indicator_id": indicator_id, "status": status,
                     "evidence_ids": evidence_ids, "version": row.version, "note_chars": len(note or "")})
        return AssessmentRecord.of(row)


def _check_evidence(s, case_id: int, evidence_ids: list[int]) -> None:
    if not evidence_ids:
        return
    found = set(s.scalars(select(EvidenceItem.id).where(EvidenceItem.case_id == case_id,
                                                         EvidenceItem.id.in_(evidence_ids))))
    missing = [i for i in evidence_ids if i not in found]
    if missing:
        raise UserError(f"evidence item(s) {', '.join(map(str, missing))} do not belong to case {case_id}")


def request_evidence(session: Session, case_id: int, source: str, description: str,
                     requested_on: date | None = None) -> EvidenceRecord:
    if source not in EVIDENCE_SOURCES:
        raise UserError(f"evidence source must be one of {', '.join(EVIDENCE_SOURCES)}, not {source!r}")
    if not description or not description.strip():
        raise UserError("say what information is being requested (the description is empty)")
    with session.store.transaction() as s:
        session.require(s, "request_evidence", case_id)
        load_case(s, case_id)
        item = EvidenceItem(case_id=case_id, source=source, description=description.strip()[:200],
                            requested_on=requested_on or date.today(), requested_by=session.user.name,
                            version=1, updated_by=session.user.name, updated_at=_utcnow())
        s.add(item)
        s.flush()
        session.audit(s, "request", "evidence_item", item.id, {"case_id": case_id, "source": source})
        refresh_lifecycle(s, case_id)
        return EvidenceRecord.of(item)


def record_evidence_received(session: Session, evidence_id: int, summary: str, *, received_on: date | None = None,
                             expected_version: int) -> EvidenceRecord:
    with session.store.transaction() as s:
        item = s.get(EvidenceItem, evidence_id)
        if item is None:
            raise UserError(f"no evidence item with id {evidence_id}")
        session.require(s, "request_evidence", item.case_id)
        if item.version != expected_version:
            raise StaleSave("Evidence item", evidence_id, expected_version, item.version, item.updated_by,
                            item.updated_at, {"received_on": item.received_on, "summary": item.summary})
        item.received_on = received_on or date.today()
        item.summary = summary
        item.version += 1
        item.updated_by, item.updated_at = session.user.name, _utcnow()
        session.audit(s, "receive", "evidence_item", evidence_id, {"case_id": item.case_id})
        refresh_lifecycle(s, item.case_id)
        return EvidenceRecord.of(item)


def record_decision(session: Session, case_id: int, stage: str, outcome: str, reasons: str, *,
                    evidence_ids: list[int] | None = None, decided_on: date | None = None,
                    cg_finding: str | None = None, reconsidered_on_new_evidence: bool = False
                    ) -> DecisionRecord:
    """A new decision (never an edit). It supersedes the case's previous decision at that stage;
    after a review sent the case back, it is linked to that review."""
    if stage not in DECISION_STAGES:
        raise UserError(f"stage must be one of {', '.join(DECISION_STAGES)}, not {stage!r}")
    if outcome not in DECISION_OUTCOMES:
        raise UserError(f"outcome must be one of {', '.join(DECISION_OUTCOMES)}, not {outcome!r}")
    if not reasons or len(reasons.strip()) < 20:
        raise UserError("give the reasons for the decision (at least a sentence that refers to the evidence)")
    evidence_ids = sorted(set(evidence_ids or []))
    with session.store.transaction() as s:
        session.require(s, "record_decision", case_id)
        case = load_case(s, case_id)
        _check_evidence(s, case_id, evidence_ids)
        previous = lifecycle.latest_decision(case, stage)
        sent_back = _open_referral_back(case)
        d = Decision(case_id=case_id, stage=stage, outcome=outcome, cg_finding=cg_finding,
                     decided_on=decided_on or date.today(), reasons=reasons.strip(), evidence_ids=evidence_ids,
                     author=session.user.name, panel_id=case.panel_id,
                     supersedes_id=previous.id if previous else None,
                     reconsidered_on_new_evidence=reconsidered_on_new_evidence,
                     after_review_id=sent_back.id if sent_back else None, recorded_at=_utcnow())
        s.add(d)
        s.flush()
        session.audit(s, "decide", "decision", d.id,
                    {"case_id": case_id, "stage": stage, "outcome": outcome, "evidence_ids": evidence_ids,
                     "supersedes": d.supersedes_id, "after_review": d.after_review_id})
        refresh_lifecycle(s, case_id)
        return DecisionRecord.of(d)


def _open_referral_back(case):
    """The review that sent this case back, if no decision has answered it yet."""
    for rr in reversed(case.review_requests):
        latest = lifecycle.latest_review(rr)
        if latest is not None and latest.outcome == "procedural_failing":
            answered = any(d.after_review_id == latest.id for d in case.decisions)
            return None if answered else latest
    return None


def save_letter(session: Session, case_id: int, text: str, *, based_on_version: int | None,
                decision_id: int | None = None) -> LetterRecord:
    """Save a new version of the letter. `based_on_version` is the version the user was editing
    (None for the first); if someone saved a newer one meanwhile, nothing is written."""
    if not text or not text.strip():
        raise UserError("the letter is empty; nothing was saved")
    with session.store.transaction() as s:
        session.require(s, "draft_letter", case_id)
        latest = s.scalar(select(LetterDraft).where(LetterDraft.case_id == case_id)
                          .order_by(LetterDraft.version.desc()).limit(1))
        latest_version = latest.version if latest else None
        if latest_version != based_on_version:
            raise StaleSave("Letter draft for case", case_id, based_on_version or 0, latest_version or 0,
                            latest.author if latest else None, latest.saved_at if latest else None,
                            {"text": f"{len(latest.text)} characters"} if latest else {})
        draft = LetterDraft(case_id=case_id, decision_id=decision_id, version=(latest_version or 0) + 1,
                            text=text, author=session.user.name, saved_at=_utcnow())
        s.add(draft)
        try:
            s.flush()
        except IntegrityError:  # a concurrent save took this version number first
            raise StaleSave("Letter draft for case", case_id, based_on_version or 0,
                            (latest_version or 0) + 1, None) from None
        session.audit(s, "save", "letter_draft", draft.id, {"case_id": case_id, "version": draft.version,
                                                           "chars": len(text)})
        return LetterRecord.of(draft)


def _stale_assessment(current: IndicatorAssessment, expected: int | None) -> StaleSave:
    return StaleSave("Indicator assessment", f"{current.case_id}/{current.indicator_id}", expected or 0,
                     current.version, current.assessor, current.assessed_at,
                     {"status": current.status, "note": current.note, "evidence": current.evidence_ids})
