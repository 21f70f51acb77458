"""The second pair of eyes, as the reviewer sees it (NRM review 7.4.5): the record as the panel had it on
the day of the decision, the procedural checklist pre-assessed from it, and the outcome the reviewer
records. Works on the plain records a Session hands out; touches neither the database nor Jupyter.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from qa_checks.finding import Finding
from qa_checks.qa_review import procedure
from workbench.core.cases import open_case
from workbench.core.clock import fmt_date as fmt
from workbench.core.errors import UserError
from workbench.core.records import (
    CaseRecord,
    DecisionRecord,
    EvidenceRecord,
    LetterRecord,
)
from workbench.core.tables import QA_OUTCOMES
from workbench.qa_review.actions import record_qa_review, review_request
from workbench.qa_review.requests import (
    OUTCOME_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    QAEntry,
    ReviewRequestDetail,
)

# ------------------------------------------------------------------------------------------ the record

def decision_under_review(case: CaseRecord, decision_id: int) -> DecisionRecord:
    for d in case.decisions:
        if d.id == decision_id:
            return d
    raise UserError(f"decision {decision_id} is not on case {case.reference}")


def letter_for(case: CaseRecord, decision: DecisionRecord) -> LetterRecord | None:
    """The latest saved letter for the decision; else the latest saved by the decision date."""
    linked = [l for l in case.letters if l.decision_id == decision.id]
    if linked:
        return linked[-1]
    before = [l for l in case.letters if l.decision_id is None and l.saved_at.date() <= decision.decided_on]
    return before[-1] if before else None


def rg_before(case: CaseRecord, decision: DecisionRecord) -> date | None:
    rgs = [d for d in case.decisions if d.stage == "rg" and d.decided_on <= decision.decided_on and d.id != decision.id]
    return rgs[-1].decided_on if rgs else None


def accepted_on(case: CaseRecord) -> date | None:
    for t in case.timeline:
        if t.stage == "accepted":
            return t.on
    return None


def procedure_record(case: CaseRecord, decision: DecisionRecord, *, escalation_reason: str | None = None) -> dict:
    """The plain record qa_checks.qa_review.procedure.pre_assess reads: the case as the panel had it when deciding."""
    r = case.referral
    letter = letter_for(case, decision)
    return {
        "case_id": case.id, "reference": case.reference,
        "referral": {k: r.get(k) for k in ("received_on", "is_child", "age_disputed", "consent_given", "consent_signed",
                                           "detention", "detention_endorsed_on", "nationality_group")},
        "accepted_on": accepted_on(case),
        "escalated_on": case.clock.escalated_on, "escalation_reason": escalation_reason,
        "rg_decided_on": rg_before(case, decision) if decision.stage == "cg" else None,
        "decision": {"id": decision.id, "stage": decision.stage, "outcome": decision.outcome,
                     "decided_on": decision.decided_on, "reasons": decision.reasons,
                     "evidence_ids": list(decision.evidence_ids), "author": decision.author},
        "evidence": [{"id": e.id, "source": e.source, "description": e.description, "requested_on": e.requested_on,
                      "received_on": e.received_on, "summary": e.summary} for e in case.evidence],
        "assessments": [{"indicator_id": a.indicator_id, "status": a.status, "evidence_ids": list(a.evidence_ids),
                         "assessed_at": a.assessed_at} for a in case.assessments.values()],
        "letter": {"text": letter.text, "version": letter.version, "id": letter.id} if letter else None,
        "asylum": None,
    }


# ------------------------------------------------------------------------------------------ the view

@dataclass(frozen=True)
class EvidenceAtDecision:
    evidence: EvidenceRecord
    label: str
    state: str   # had | outstanding | arrived_after | requested_after
    words: str
    linked: bool

    @property
    def had(self) -> bool:
        return self.state == "had"


EVIDENCE_STATES = {"had": "The panel had it", "outstanding": "Outstanding when the panel decided",
                   "arrived_after": "Arrived after the decision", "requested_after": "Asked for after the decision"}


def evidence_at_decision(case: CaseRecord, decision: DecisionRecord) -> list[EvidenceAtDecision]:
    out, on = [], decision.decided_on
    for e in case.evidence:
        label = SOURCE_LABELS.get(e.source, e.source)
        asked = e.requested_on
        if asked and asked > on:
            state, words = "requested_after", f"asked for on {fmt(asked)}, after the decision on {fmt(on)}"
        elif e.received_on and e.received_on <= on:
            state, words = "had", f"asked for on {fmt(asked)}, received on {fmt(e.received_on)}"
        elif e.received_on:
            state = "arrived_after"
            words = f"asked for on {fmt(asked)}, received on {fmt(e.received_on)}, after the decision on {fmt(on)}"
        else:
            state, words = "outstanding", f"asked for on {fmt(asked)}, not received; decision on {fmt(on)}"
        out.append(EvidenceAtDecision(e, label, state, words, e.id in decision.evidence_ids))
    order = {"had": 0, "outstanding": 1, "arrived_after": 2, "requested_after": 3}
    return sorted(out, key=lambda x: (order[x.state], x.evidence.requested_on or on, x.evidence.id))


@dataclass(frozen=True)
class AssessmentAtDecision:
    indicator_id: str
    status: str
    note: str | None
    assessor: str
    assessed_at: datetime
    after_decision: bool  # changed after the decision: what the panel saw is not kept


def assessments_at_decision(case: CaseRecord, decision: DecisionRecord) -> list[AssessmentAtDecision]:
    order = {"present": 0, "unknown": 1, "absent": 2}
    rows = [AssessmentAtDecision(a.indicator_id, a.status, a.note, a.assessor, a.assessed_at,
                                 a.assessed_at.date() > decision.decided_on) for a in case.assessments.values()]
    return sorted(rows, key=lambda a: (order.get(a.status, 3), a.indicator_id))


@dataclass
class ReviewView:
    request: ReviewRequestDetail
    case: CaseRecord
    decision: DecisionRecord
    earlier_decisions: list[DecisionRecord]
    later_decisions: list[DecisionRecord]
    evidence: list[EvidenceAtDecision]
    assessments: list[AssessmentAtDecision]
    letter: LetterRecord | None
    letter_findings: list[Finding]
    letter_error: str | None
    findings: list[Finding]           # the pre-assessment, one per applicable checklist item
    record: dict = field(repr=False, default_factory=dict)

    @property
    def items(self) -> list[procedure.ChecklistItem]:
        return [procedure.item(f.category) for f in self.findings]

    @property
    def standing(self) -> QAEntry | None:
        return self.request.standing

    @property
    def completed(self) -> bool:
        return self.request.standing is not None

    def pre_status(self, item_id: str) -> str:
        for f in self.findings:
            if f.category == item_id:
                return procedure.status_of(f)
        raise KeyError(item_id)


def open_review(session, review_request_id: int, *, as_of: date | None = None, use_model: bool = True) -> ReviewView:
    """Everything the review view shows, read through the Session (checked and audited)."""
    detail = review_request(session, review_request_id)
    case = open_case(session, detail.case_id, as_of=as_of)
    decision = decision_under_review(case, detail.decision_id)
    record = procedure_record(case, decision, escalation_reason=detail.escalation_reason)
    letter = letter_for(case, decision)
    letter_findings, error = ([], None)
    if letter is not None:
        letter_findings, error = procedure.run_letter_check(letter.text, record, use_model=use_model)
    findings = procedure.pre_assess(record, letter_findings=None if error else letter_findings, use_model=use_model)
    return ReviewView(
        request=detail, case=case, decision=decision,
        earlier_decisions=[d for d in case.decisions if d.id < decision.id],
        later_decisions=[d for d in case.decisions if d.id > decision.id],
        evidence=evidence_at_decision(case, decision), assessments=assessments_at_decision(case, decision),
        letter=letter, letter_findings=letter_findings, letter_error=error, findings=findings, record=record)


# ------------------------------------------------------------------------------------------ the outcome

@dataclass(frozen=True)
class ItemAnswer:
    status: str
    note: str = ""


def suggested_outcome(answers: dict[str, ItemAnswer]) -> str:
    """A failing on a critical item sends the case back; a failing only on warning-level items (the letter's
    wording, lateness) is the reviewer's call, so the suggestion there is that the decision stands."""
    critical = {it.id for it in procedure.load_checklist() if it.level == "critical"}
    return "procedural_failing" if any(a.status == "fail" and i in critical for i, a in answers.items()) \
        else "procedure_followed"


def outcome_problems(view: ReviewView, answers: dict[str, ItemAnswer], outcome: str, notes: str) -> list[str]:
    """Every reason the outcome cannot be saved yet, as sentences (all at once, not the first only)."""
    problems = []
    if outcome not in QA_OUTCOMES:
        problems.append(f"Choose an outcome: {' or '.join(OUTCOME_LABELS[o].split(':')[0] for o in QA_OUTCOMES)}.")
    for it in view.items:
        a = answers.get(it.id)
        if a is None or a.status not in procedure.STATUSES:
            problems.append(f"Say whether \u201c{it.text}\u201d was met, failing, or cannot be told.")
            continue
        pre = view.pre_status(it.id)
        if a.status != pre and not a.note.strip():
            problems.append(f"You changed \u201c{_short(it.text)}\u201d from {STATUS_LABELS[pre].lower()} to "
                            f"{STATUS_LABELS[a.status].lower()}: add a note saying why.")
    failing = [i for i, a in answers.items() if a.status == "fail"]
    critical = [i for i in failing if procedure.item(i).level == "critical"]
    if outcome == "procedural_failing" and not failing:
        problems.append("A procedural failing needs at least one checklist item marked failing.")
    if outcome == "procedure_followed" and critical:
        problems.append(f"{len(critical)} critical item(s) are marked failing "
                        f"({', '.join(procedure.item(i).id.replace('_', ' ') for i in critical)}); the outcome must "
                        "then be a procedural failing, or change those items with a note.")
    if outcome == "procedure_followed" and failing and not critical and not notes.strip():
        problems.append("Some items are failing but you are letting the decision stand: say why in the notes.")
    if outcome == "procedural_failing" and not notes.strip():
        problems.append("Say what the panel should do when the case comes back (the notes are sent with it).")
    return problems


def _short(text: str, n: int = 70) -> str:
    return text if len(text) <= n else text[:n].rsplit(" ", 1)[0] + "…"


def items_payload(view: ReviewView, answers: dict[str, ItemAnswer]) -> dict:
    """What is stored in QAReview.items: the reviewer's status and note, beside the pre-assessment."""
    out = {}
    for f in view.findings:
        a = answers[f.category]
        out[f.category] = {"status": a.status, "note": a.note.strip(), "pre_assessed": procedure.status_of(f),
                           "facts": list(f.evidence.get("facts", []))}
    return out


def record_outcome(session, view: ReviewView, answers: dict[str, ItemAnswer], outcome: str, notes: str = "",
                   completed_on: date | None = None) -> int:
    """Append the review (a correction is another call: a new entry that supersedes, never an edit)."""
    problems = outcome_problems(view, answers, outcome, notes)
    if problems:
        raise UserError(" ".join(problems))
    return record_qa_review(session, view.request.id, outcome, items_payload(view, answers), notes.strip() or None,
                                    completed_on=completed_on)


def default_answers(view: ReviewView) -> dict[str, ItemAnswer]:
    """Start from the standing review if there is one (a correction), else from the pre-assessment."""
    if view.standing is not None:
        prev = view.standing.items
        out = {}
        for f in view.findings:
            p = prev.get(f.category)
            status = (p.get("status") if isinstance(p, dict) else p) or procedure.status_of(f)
            note = p.get("note", "") if isinstance(p, dict) else ""
            out[f.category] = ItemAnswer(status, note or "")
        return out
    return {f.category: ItemAnswer(procedure.status_of(f)) for f in view.findings}


def history_rows(view: ReviewView) -> list[dict]:
    """The append-only history: each entry, what it superseded, and what it changed."""
    rows, prev = [], None
    for e in view.request.entries:
        changed = []
        if prev is not None:
            if prev.outcome != e.outcome:
                changed.append(f"outcome {prev.outcome.replace('_', ' ')} → {e.outcome.replace('_', ' ')}")
            for k in sorted(set(prev.items) | set(e.items)):
                a, b = _status(prev.items.get(k)), _status(e.items.get(k))
                if a != b:
                    changed.append(f"{k.replace('_', ' ')}: {a or '—'} → {b or '—'}")
        rows.append({"id": e.id, "reviewer": e.reviewer, "completed_on": e.completed_on, "outcome": e.outcome,
                     "supersedes_id": e.supersedes_id, "changed": changed, "notes": e.notes,
                     "standing": e is view.request.entries[-1]})
        prev = e
    return rows


def _status(v) -> str | None:
    return v.get("status") if isinstance(v, dict) else v
