"""The Session: one signed-in user. Every read and write of case data goes through it.

Permissions are data (reference/roles.yaml, workbench.policy) and are checked here only; widgets
and notebooks show what a Session gives them. Every case read and every write appends to the
audit log in the same transaction as the change it records.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from workbench import audit, lifecycle
from workbench.errors import AccessDenied, StaleSave, UserError
from workbench.model import (
    ASSESSMENT_STATUSES,
    DECISION_OUTCOMES,
    DECISION_STAGES,
    EVIDENCE_SOURCES,
    QA_OUTCOMES,
    Case,
    Decision,
    EvidenceItem,
    IndicatorAssessment,
    LetterDraft,
    Panel,
    QAReview,
    ReferralReturn,
    ReviewRequest,
    User,
)
from workbench.policy import Policy, default_policy
from workbench.records import (
    AssessmentRecord,
    CaseRecord,
    DecisionRecord,
    EvidenceRecord,
    LetterRecord,
    case_record,
)
from workbench.store import Store

IDENTITY_ENV = ("JUPYTERHUB_USER", "WORKBENCH_USER")


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class SignedInUser:
    name: str
    display_name: str
    role: str
    role_label: str
    panel_id: int | None
    panel_name: str | None


def resolve_identity(cli_user: str | None = None) -> str:
    """JupyterHub's user when deployed, else --user, else $WORKBENCH_USER."""
    hub = os.environ.get("JUPYTERHUB_USER")
    name = hub or cli_user or os.environ.get("WORKBENCH_USER")
    if not name:
        raise UserError("no user given: pass --user NAME or set WORKBENCH_USER (JUPYTERHUB_USER when deployed)")
    return name


class Session:
    def __init__(self, store: Store, user_name: str, policy: Policy | None = None):
        self.store = store
        self.policy = policy or default_policy()
        with store.read() as s:
            u = s.scalar(select(User).where(User.name == user_name))
            if u is None:
                raise UserError(f"unknown user {user_name!r}: not in {store.label} "
                                "(list users with `workbench users`)")
            panel_name = u.panel.name if u.panel else None
            self.user = SignedInUser(u.name, u.display_name, u.role, self.policy.labels.get(u.role, u.role),
                                     u.panel_id, panel_name)

    # ---- permissions -------------------------------------------------------------------------
    def can(self, action: str, case_id: int | None = None) -> bool:
        scopes = self.policy.scopes(self.user.role, action)
        if not scopes:
            return False
        if case_id is None or "all" in scopes:
            return True
        with self.store.read() as s:
            return self._in_scope(s, scopes, case_id)

    def _in_scope(self, s, scopes, case_id: int) -> bool:
        if "all" in scopes:
            return True
        panel_id = s.scalar(select(Case.panel_id).where(Case.id == case_id))
        if "own_panel" in scopes and panel_id is not None and panel_id == self.user.panel_id:
            return True
        if "assigned_review" in scopes:
            return self._assigned_reviewer(s, case_id, panel_id)
        return False

    def _assigned_reviewer(self, s, case_id: int, panel_id: int | None) -> bool:
        """A reviewer sees a case only while a review of it is assigned to them, and never a case of
        their own panel or a decision they wrote (7.4.5)."""
        if panel_id is not None and panel_id == self.user.panel_id:
            return False
        q = (select(ReviewRequest.id).join(Decision, Decision.id == ReviewRequest.decision_id)
             .where(ReviewRequest.case_id == case_id, ReviewRequest.reviewer == self.user.name,
                    Decision.author != self.user.name))
        return s.scalar(q.limit(1)) is not None

    def _require(self, s, action: str, case_id: int | None = None) -> None:
        scopes = self.policy.scopes(self.user.role, action)
        allowed = bool(scopes) and (case_id is None or self._in_scope(s, scopes, case_id))
        if not allowed:
            what = self.policy.actions[action].lower()
            where = f" on case {case_id}" if case_id is not None else ""
            raise AccessDenied(f"{self.user.name} ({self.user.role_label}) may not {what}{where}")

    def _audit(self, s, action: str, record_type: str, record_id=None, detail: dict | None = None):
        audit.append(s, self.user.name, action, record_type, record_id, detail)

    # ---- reads -------------------------------------------------------------------------------
    def _load_case(self, s, case_id: int) -> Case:
        case = s.scalar(
            select(Case).where(Case.id == case_id).options(
                selectinload(Case.referral), selectinload(Case.panel), selectinload(Case.returns),
                selectinload(Case.evidence), selectinload(Case.assessments), selectinload(Case.decisions),
                selectinload(Case.letters), selectinload(Case.review_requests).selectinload(ReviewRequest.reviews),
            ))
        if case is None:
            raise UserError(f"no case with id {case_id}")
        return case

    def case(self, case_id: int, as_of: date | None = None) -> CaseRecord:
        """Open one case: checked, audited, and with identity removed for roles that may not see it."""
        with self.store.transaction() as s:
            self._require(s, "read_case", case_id)
            case = self._load_case(s, case_id)
            show_identity = self._in_scope(s, self.policy.scopes(self.user.role, "see_identity"), case_id)
            self._audit(s, "read", "case", case_id)
            return case_record(case, show_identity=show_identity, as_of=as_of)

    def queue(self, as_of: date | None = None, **filters):
        """The open cases this user may work on, most urgent first (workbench.queue)."""
        from workbench.queue import load_queue

        with self.store.transaction() as s:
            self._require(s, "view_queue")
            scopes = self.policy.scopes(self.user.role, "view_queue")
            panel_id = None if "all" in scopes else self.user.panel_id
            if panel_id is None and "all" not in scopes:
                return []
            rows = load_queue(s, panel_id=panel_id, as_of=as_of, **filters)
            self._audit(s, "list", "queue", self.user.panel_id, {"filters": filters, "rows": len(rows)})
            return rows

    def users(self) -> list[dict]:
        with self.store.transaction() as s:
            self._require(s, "list_users")
            rows = user_directory(s)
            self._audit(s, "list", "users")
            return [{k: r[k] for k in ("name", "role", "panel")} for r in rows]

    def verify_audit(self) -> audit.ChainReport:
        with self.store.read() as s:
            self._require(s, "verify_audit")
            return audit.verify(s)

    # ---- writes ------------------------------------------------------------------------------
    def _after_change(self, s, case_id: int) -> None:
        """Keep the case's cached lifecycle summary in step with the records, in the same transaction."""
        s.flush()
        case = self._load_case(s, case_id)
        s.refresh(case)
        for rel in ("returns", "evidence", "decisions", "review_requests"):
            s.refresh(case, [rel])
        for key, value in lifecycle.summary(case).items():
            setattr(case, key, value)

    def save_assessment(self, case_id: int, indicator_id: str, status: str, *, note: str | None = None,
                        evidence_ids: list[int] | None = None, expected_version: int | None = None
                        ) -> AssessmentRecord:
        """Save one indicator's assessment. `expected_version` is the version the user saw (None for a
        new one); a stale save raises StaleSave naming who changed what, and writes nothing."""
        if status not in ASSESSMENT_STATUSES:
            raise UserError(f"status must be one of {', '.join(ASSESSMENT_STATUSES)}, not {status!r}")
        evidence_ids = sorted(set(evidence_ids or []))
        now = _utcnow()
        with self.store.transaction() as s:
            self._require(s, "assess_indicators", case_id)
            self._check_evidence(s, case_id, evidence_ids)
            current = s.scalar(select(IndicatorAssessment).where(
                IndicatorAssessment.case_id == case_id, IndicatorAssessment.indicator_id == indicator_id))
            if current is None and expected_version:
                raise UserError(f"indicator {indicator_id} on case {case_id} has no saved assessment to update")
            if current is not None and current.version != expected_version:
                raise _stale_assessment(current, expected_version)
            values = dict(status=status, note=note, evidence_ids=evidence_ids, assessor=self.user.name,
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
            self._audit(s, "save", "indicator_assessment", row.id,
                        {"case_id": case_id, "indicator_id": indicator_id, "status": status,
                         "evidence_ids": evidence_ids, "version": row.version, "note_chars": len(note or "")})
            return AssessmentRecord.of(row)

    def _check_evidence(self, s, case_id: int, evidence_ids: list[int]) -> None:
        if not evidence_ids:
            return
        found = set(s.scalars(select(EvidenceItem.id).where(EvidenceItem.case_id == case_id,
                                                             EvidenceItem.id.in_(evidence_ids))))
        missing = [i for i in evidence_ids if i not in found]
        if missing:
            raise UserError(f"evidence item(s) {', '.join(map(str, missing))} do not belong to case {case_id}")

    def request_evidence(self, case_id: int, source: str, description: str,
                         requested_on: date | None = None) -> EvidenceRecord:
        if source not in EVIDENCE_SOURCES:
            raise UserError(f"evidence source must be one of {', '.join(EVIDENCE_SOURCES)}, not {source!r}")
        if not description or not description.strip():
            raise UserError("say what information is being requested (the description is empty)")
        with self.store.transaction() as s:
            self._require(s, "request_evidence", case_id)
            self._load_case(s, case_id)
            item = EvidenceItem(case_id=case_id, source=source, description=description.strip()[:200],
                                requested_on=requested_on or date.today(), requested_by=self.user.name,
                                version=1, updated_by=self.user.name, updated_at=_utcnow())
            s.add(item)
            s.flush()
            self._audit(s, "request", "evidence_item", item.id, {"case_id": case_id, "source": source})
            self._after_change(s, case_id)
            return EvidenceRecord.of(item)

    def record_evidence_received(self, evidence_id: int, summary: str, *, received_on: date | None = None,
                                 expected_version: int) -> EvidenceRecord:
        with self.store.transaction() as s:
            item = s.get(EvidenceItem, evidence_id)
            if item is None:
                raise UserError(f"no evidence item with id {evidence_id}")
            self._require(s, "request_evidence", item.case_id)
            if item.version != expected_version:
                raise StaleSave("Evidence item", evidence_id, expected_version, item.version, item.updated_by,
                                item.updated_at, {"received_on": item.received_on, "summary": item.summary})
            item.received_on = received_on or date.today()
            item.summary = summary
            item.version += 1
            item.updated_by, item.updated_at = self.user.name, _utcnow()
            self._audit(s, "receive", "evidence_item", evidence_id, {"case_id": item.case_id})
            self._after_change(s, item.case_id)
            return EvidenceRecord.of(item)

    def record_decision(self, case_id: int, stage: str, outcome: str, reasons: str, *,
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
        with self.store.transaction() as s:
            self._require(s, "record_decision", case_id)
            case = self._load_case(s, case_id)
            self._check_evidence(s, case_id, evidence_ids)
            previous = lifecycle.latest_decision(case, stage)
            sent_back = self._open_referral_back(case)
            d = Decision(case_id=case_id, stage=stage, outcome=outcome, cg_finding=cg_finding,
                         decided_on=decided_on or date.today(), reasons=reasons.strip(), evidence_ids=evidence_ids,
                         author=self.user.name, panel_id=case.panel_id,
                         supersedes_id=previous.id if previous else None,
                         reconsidered_on_new_evidence=reconsidered_on_new_evidence,
                         after_review_id=sent_back.id if sent_back else None, recorded_at=_utcnow())
            s.add(d)
            s.flush()
            self._audit(s, "decide", "decision", d.id,
                        {"case_id": case_id, "stage": stage, "outcome": outcome, "evidence_ids": evidence_ids,
                         "supersedes": d.supersedes_id, "after_review": d.after_review_id})
            self._after_change(s, case_id)
            return DecisionRecord.of(d)

    @staticmethod
    def _open_referral_back(case):
        """The review that sent this case back, if no decision has answered it yet."""
        for rr in reversed(case.review_requests):
            latest = lifecycle.latest_review(rr)
            if latest is not None and latest.outcome == "procedural_failing":
                answered = any(d.after_review_id == latest.id for d in case.decisions)
                return None if answered else latest
        return None

    def save_letter(self, case_id: int, text: str, *, based_on_version: int | None,
                    decision_id: int | None = None) -> LetterRecord:
        """Save a new version of the letter. `based_on_version` is the version the user was editing
        (None for the first); if someone saved a newer one meanwhile, nothing is written."""
        if not text or not text.strip():
            raise UserError("the letter is empty; nothing was saved")
        with self.store.transaction() as s:
            self._require(s, "draft_letter", case_id)
            latest = s.scalar(select(LetterDraft).where(LetterDraft.case_id == case_id)
                              .order_by(LetterDraft.version.desc()).limit(1))
            latest_version = latest.version if latest else None
            if latest_version != based_on_version:
                raise StaleSave("Letter draft for case", case_id, based_on_version or 0, latest_version or 0,
                                latest.author if latest else None, latest.saved_at if latest else None,
                                {"text": f"{len(latest.text)} characters"} if latest else {})
            draft = LetterDraft(case_id=case_id, decision_id=decision_id, version=(latest_version or 0) + 1,
                                text=text, author=self.user.name, saved_at=_utcnow())
            s.add(draft)
            try:
                s.flush()
            except IntegrityError:  # a concurrent save took this version number first
                raise StaleSave("Letter draft for case", case_id, based_on_version or 0,
                                (latest_version or 0) + 1, None) from None
            self._audit(s, "save", "letter_draft", draft.id, {"case_id": case_id, "version": draft.version,
                                                               "chars": len(text)})
            return LetterRecord.of(draft)

    # ---- responses to the letter checker's flags ---------------------------------------------
    def respond_to_finding(self, text: str, finding, action: str, reason: str | None = None, *,
                           case_id: int | None = None, letter_draft_id: int | None = None):
        """Keep this user's answer to one flag on `text`: "accept", or "dismiss" with a reason (QA reads
        the reasons). Append-only: a change of mind is another call. Returns a FindingResponseRecord."""
        from workbench.letter_review import FindingResponseRecord, response_row

        row = response_row(text, finding, action, reason, user=self.user.name, at=_utcnow(), case_id=case_id,
                           letter_draft_id=letter_draft_id)  # validates: raises UserError with a sentence
        _ensure_finding_responses(self.store)
        with self.store.transaction() as s:
            self._require(s, "respond_to_findings", case_id)
            if letter_draft_id is not None:
                draft = s.get(LetterDraft, letter_draft_id)
                if draft is None or (case_id is not None and draft.case_id != case_id):
                    raise UserError(f"letter draft {letter_draft_id} is not a draft of case {case_id}")
                if case_id is None:
                    self._require(s, "respond_to_findings", draft.case_id)
                    row.case_id = draft.case_id
            elif case_id is not None:
                self._load_case(s, case_id)
            s.add(row)
            s.flush()
            self._audit(s, "respond", "finding_response", row.id,
                        {"case_id": row.case_id, "letter_draft_id": letter_draft_id, "rule_id": row.rule_id,
                         "action": action, "text_sha256": row.text_sha256, "reason_chars": len(row.reason or "")})
            return FindingResponseRecord.of(row)

    def finding_responses(self, *, mine: bool = False, case_id: int | None = None, rule_id: str | None = None,
                          action: str | None = None, text_sha256: str | None = None, limit: int = 1000):
        """Responses to letter-checker flags, newest first. `mine=True`: this user's own (anyone may see
        theirs). Otherwise everyone's, for roles that review them (QA: which flags are rejected, and why);
        the flagged words are withheld from a case this user may not open."""
        from workbench.letter_review import FindingResponseRecord
        from workbench.model import FindingResponse

        _ensure_finding_responses(self.store)
        with self.store.transaction() as s:
            if not mine:
                self._require(s, "review_finding_responses")
            q = select(FindingResponse).order_by(FindingResponse.id.desc()).limit(limit)
            for column, value in ((FindingResponse.case_id, case_id), (FindingResponse.rule_id, rule_id),
                                  (FindingResponse.action, action), (FindingResponse.text_sha256, text_sha256)):
                if value is not None:
                    q = q.where(column == value)
            if mine:
                q = q.where(FindingResponse.user == self.user.name)
            rows = s.scalars(q).all()
            read_scopes = self.policy.scopes(self.user.role, "read_case")
            may_read: dict[int, bool] = {}
            out = []
            for r in rows:
                show = r.case_id is None or r.user == self.user.name
                if not show:
                    if r.case_id not in may_read:
                        may_read[r.case_id] = bool(read_scopes) and self._in_scope(s, read_scopes, r.case_id)
                    show = may_read[r.case_id]
                out.append(FindingResponseRecord.of(r, show_excerpt=show))
            self._audit(s, "list", "finding_response", case_id,
                        {"mine": mine, "rule_id": rule_id, "action": action, "rows": len(out)})
            return out

    # ---- the case management unit ------------------------------------------------------------
    def return_referral(self, case_id: int, reasons: list[str], returned_on: date | None = None) -> None:
        if not reasons:
            raise UserError("say why the referral is being returned (no reasons given)")
        with self.store.transaction() as s:
            self._require(s, "manage_referrals", case_id)
            s.add(ReferralReturn(case_id=case_id, returned_on=returned_on or date.today(), reasons=list(reasons)))
            self._audit(s, "return", "referral", case_id, {"reasons": list(reasons)})
            self._after_change(s, case_id)

    def accept_referral(self, case_id: int, panel_id: int, on: date | None = None) -> None:
        with self.store.transaction() as s:
            self._require(s, "manage_referrals", case_id)
            case = self._load_case(s, case_id)
            if s.get(Panel, panel_id) is None:
                raise UserError(f"no panel with id {panel_id}")
            case.accepted_on = case.accepted_on or on or date.today()
            case.assigned_on, case.panel_id = on or date.today(), panel_id
            self._audit(s, "accept", "case", case_id, {"panel_id": panel_id})
            self._after_change(s, case_id)

    def request_review(self, case_id: int, decision_id: int, requested_by: str, reason: str,
                       requested_on: date | None = None) -> int:
        with self.store.transaction() as s:
            self._require(s, "request_review", case_id)
            d = s.get(Decision, decision_id)
            if d is None or d.case_id != case_id:
                raise UserError(f"decision {decision_id} is not a decision on case {case_id}")
            rr = ReviewRequest(case_id=case_id, decision_id=decision_id, requested_on=requested_on or date.today(),
                               requested_by=requested_by, reason=reason)
            s.add(rr)
            s.flush()
            self._audit(s, "request", "review_request", rr.id, {"case_id": case_id, "decision_id": decision_id})
            self._after_change(s, case_id)
            return rr.id

    def assign_reviewer(self, review_request_id: int, reviewer: str, on: date | None = None) -> None:
        """Assign a chair of another panel: never the deciding panel, never the decision's author."""
        with self.store.transaction() as s:
            rr = s.get(ReviewRequest, review_request_id)
            if rr is None:
                raise UserError(f"no review request with id {review_request_id}")
            self._require(s, "assign_review", rr.case_id)
            who = s.scalar(select(User).where(User.name == reviewer))
            if who is None:
                raise UserError(f"unknown user {reviewer!r}")
            if "assigned_review" not in self.policy.scopes(who.role, "review_decision"):
                raise UserError(f"{reviewer} ({who.role}) cannot carry out reviews")
            decision = s.get(Decision, rr.decision_id)
            if who.panel_id is not None and who.panel_id == decision.panel_id:
                raise AccessDenied(f"{reviewer} sits on the panel that made the decision; "
                                   "a review needs the chair of another panel (7.4.5)")
            if decision.author == reviewer:
                raise AccessDenied(f"{reviewer} wrote the decision under review and cannot review it")
            rr.reviewer, rr.assigned_on = reviewer, on or date.today()
            self._audit(s, "assign", "review_request", rr.id, {"reviewer": reviewer})

    def record_qa_review(self, review_request_id: int, outcome: str, items: dict, notes: str | None = None,
                         completed_on: date | None = None) -> int:
        """Append the reviewer's outcome. A correction is another call: the new entry supersedes."""
        if outcome not in QA_OUTCOMES:
            raise UserError(f"outcome must be one of {', '.join(QA_OUTCOMES)}, not {outcome!r}")
        with self.store.transaction() as s:
            rr = s.get(ReviewRequest, review_request_id)
            if rr is None:
                raise UserError(f"no review request with id {review_request_id}")
            self._require(s, "review_decision", rr.case_id)
            if rr.reviewer != self.user.name:
                raise AccessDenied(f"review request {review_request_id} is assigned to {rr.reviewer or 'nobody'}, "
                                   f"not {self.user.name}")
            previous = s.scalar(select(QAReview).where(QAReview.review_request_id == rr.id)
                                .order_by(QAReview.id.desc()).limit(1))
            review = QAReview(review_request_id=rr.id, reviewer=self.user.name, outcome=outcome, items=items,
                              notes=notes, completed_on=completed_on or date.today(),
                              supersedes_id=previous.id if previous else None)
            s.add(review)
            s.flush()
            self._audit(s, "review", "qa_review", review.id,
                        {"review_request_id": rr.id, "outcome": outcome, "supersedes": review.supersedes_id})
            self._after_change(s, rr.case_id)
            return review.id

    # ---- the second pair of eyes (workbench.review) ------------------------------------------
    def review_queue(self, as_of: date | None = None, include_completed: bool = False):
        """The review requests assigned to this user, oldest first; completed ones only if asked."""
        from workbench.review import load_review_queue

        with self.store.transaction() as s:
            self._require(s, "review_decision")
            rows = load_review_queue(s, self.user.name, self.user.panel_id, as_of=as_of,
                                     include_completed=include_completed)
            self._audit(s, "list", "review_queue", None, {"rows": len(rows), "include_completed": include_completed})
            return rows

    def review_request(self, review_request_id: int):
        """One review request with every QA entry made on it (corrections included, oldest first)."""
        from workbench.review import review_request_detail

        with self.store.transaction() as s:
            rr = s.get(ReviewRequest, review_request_id)
            if rr is None:
                raise UserError(f"no review request with id {review_request_id}")
            self._require(s, "read_case", rr.case_id)
            self._audit(s, "read", "review_request", rr.id, {"case_id": rr.case_id})
            return review_request_detail(s, rr)

    def review_findings(self):
        """Every standing QA review's item statuses, by deciding panel (aggregates for the quality charts)."""
        from workbench.review import load_review_items

        with self.store.transaction() as s:
            if not any(self.policy.scopes(self.user.role, a) for a in ("review_decision", "assign_review")):
                self._require(s, "review_decision")
            rows = load_review_items(s)
            self._audit(s, "list", "qa_review_items", None, {"rows": len(rows)})
            return rows

    # ---- trainers ----------------------------------------------------------------------------
    def referral_quality(self):
        """Per-referral facts for feedback to leads, with nothing that says who the person is."""
        from workbench.analytics import referral_outcomes_frame

        with self.store.transaction() as s:
            self._require(s, "view_lead_quality")
            frame = referral_outcomes_frame(s)
            self._audit(s, "list", "referral_quality", None, {"rows": len(frame)})
            return frame

    def lead_feedback(self, scopes: list[dict] | None = None):
        """Per-referral facts and stored quality scores for feedback to leads (workbench.feedback_data):
        no name, date of birth or narrative. `scopes` limits it to leads matching any of the given
        {column: value} filters (a report reads one lead's peer group, not the whole database)."""
        from workbench.feedback_data import load_frame

        with self.store.transaction() as s:
            self._require(s, "view_lead_quality")
            frame = load_frame(s, scopes=scopes)
            self._audit(s, "list", "lead_feedback", None, {"rows": len(frame), "scopes": scopes})
            return frame

    def record_feedback_export(self, leads: list[str], target: str) -> None:
        """Check the user may export feedback reports and record that they did (call before writing)."""
        with self.store.transaction() as s:
            self._require(s, "export_feedback")
            self._audit(s, "export", "feedback_report", None, {"leads": list(leads), "target": str(target)})

    def overview(self) -> dict:
        """The system's headline figures (aggregates only, so every role may see them)."""
        from workbench.analytics import headline_figures

        with self.store.transaction() as s:
            self._require(s, "view_overview")
            stats = headline_figures(s)
            self._audit(s, "view", "overview")
            return stats


def _ensure_finding_responses(store: Store) -> None:
    """A database built before responses to letter flags were kept gains their (additive) table on first use."""
    if getattr(store, "_finding_responses_ready", False):
        return
    from workbench.model import FindingResponse

    FindingResponse.__table__.create(store.engine, checkfirst=True)
    store._finding_responses_ready = True


def user_directory(s) -> list[dict]:
    """Every user with role, panel and display name, ordered by role then name."""
    rows = s.execute(select(User.name, User.role, Panel.name, User.display_name)
                     .outerjoin(Panel, Panel.id == User.panel_id).order_by(User.role, User.name)).all()
    return [{"name": n, "role": r, "panel": p, "display_name": d} for n, r, p, d in rows]


def _stale_assessment(current: IndicatorAssessment, expected: int | None) -> StaleSave:
    return StaleSave("Indicator assessment", f"{current.case_id}/{current.indicator_id}", expected or 0,
                     current.version, current.assessor, current.assessed_at,
                     {"status": current.status, "note": current.note, "evidence": current.evidence_ids})

