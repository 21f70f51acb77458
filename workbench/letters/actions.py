"""Answers to the letter checker's flags: accept, or dismiss with a reason. Append-only, so QA can see
which flags reviewers reject and why."""
from __future__ import annotations

from sqlalchemy import select

from workbench.core.cases import load_case
from workbench.core.clock import utcnow as _utcnow
from workbench.core.errors import UserError
from workbench.core.session import Session
from workbench.core.store import Store
from workbench.core.tables import FindingResponse, LetterDraft
from workbench.letters.responses import FindingResponseRecord, response_row


def respond_to_finding(session: Session, text: str, finding, action: str, reason: str | None = None, *,
                       case_id: int | None = None, letter_draft_id: int | None = None):
    """Keep this user's answer to one flag on `text`: "accept", or "dismiss" with a reason (QA reads
    the reasons). Append-only: a change of mind is another call. Returns a FindingResponseRecord."""
    row = response_row(text, finding, action, reason, user=session.user.name, at=_utcnow(), case_id=case_id,
                       letter_draft_id=letter_draft_id)  # validates: raises UserError with a sentence
    _ensure_finding_responses(session.store)
    with session.store.transaction() as s:
        session.require(s, "respond_to_findings", case_id)
        if letter_draft_id is not None:
            draft = s.get(LetterDraft, letter_draft_id)
            if draft is None or (case_id is not None and draft.case_id != case_id):
                raise UserError(f"letter draft {letter_draft_id} is not a draft of case {case_id}")
            if case_id is None:
                session.require(s, "respond_to_findings", draft.case_id)
                row.case_id = draft.case_id
        elif case_id is not None:
            load_case(s, case_id)
        s.add(row)
        s.flush()
        session.audit(s, "respond", "finding_response", row.id,
                    {"case_id": row.case_id, "letter_draft_id": letter_draft_id, "rule_id": row.rule_id,
                     "action": action, "text_sha256": row.text_sha256, "reason_chars": len(row.reason or "")})
        return FindingResponseRecord.of(row)


def finding_responses(session: Session, *, mine: bool = False, case_id: int | None = None, rule_id: str | None = None,
                      action: str | None = None, text_sha256: str | None = None, limit: int = 1000):
    """Responses to letter-checker flags, newest first. `mine=True`: this user's own (anyone may see
    theirs). Otherwise everyone's, for roles that review them (QA: which flags are rejected, and why);
    the flagged words are withheld from a case this user may not open."""
    _ensure_finding_responses(session.store)
    with session.store.transaction() as s:
        if not mine:
            session.require(s, "review_finding_responses")
        q = select(FindingResponse).order_by(FindingResponse.id.desc()).limit(limit)
        for column, value in ((FindingResponse.case_id, case_id), (FindingResponse.rule_id, rule_id),
                              (FindingResponse.action, action), (FindingResponse.text_sha256, text_sha256)):
            if value is not None:
                q = q.where(column == value)
        if mine:
            q = q.where(FindingResponse.user == session.user.name)
        rows = s.scalars(q).all()
        read_scopes = session.policy.scopes(session.user.role, "read_case")
        may_read: dict[int, bool] = {}
        out = []
        for r in rows:
            show = r.case_id is None or r.user == session.user.name
            if not show:
                if r.case_id not in may_read:
                    may_read[r.case_id] = bool(read_scopes) and session.in_scope(s, read_scopes, r.case_id)
                show = may_read[r.case_id]
            out.append(FindingResponseRecord.of(r, show_excerpt=show))
        session.audit(s, "list", "finding_response", case_id,
                    {"mine": mine, "rule_id": rule_id, "action": action, "rows": len(out)})
        return out


def _ensure_finding_responses(store: Store) -> None:
    """A database built before responses to letter flags were kept gains their (additive) table on first use."""
    if getattr(store, "_finding_responses_ready", False):
        return
    FindingResponse.__table__.create(store.engine, checkfirst=True)
    store._finding_responses_ready = True
