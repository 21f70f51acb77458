"""Plain, read-only snapshots of case data handed to widgets (no ORM objects leave the Session)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from workbench.core import lifecycle, timescales

# Fields that say who the referred person is; removed for roles without `see_identity`.
IDENTITY_FIELDS = ("person_name", "date_of_birth", "narrative", "encounter_circumstances")


@dataclass(frozen=True)
class EvidenceRecord:
    id: int
    source: str
    description: str
    requested_on: date | None
    requested_by: str | None
    received_on: date | None
    summary: str | None
    version: int

    @property
    def outstanding(self) -> bool:
        return self.requested_on is not None and self.received_on is None

    @classmethod
    def of(cls, e) -> EvidenceRecord:
        return cls(e.id, e.source, e.description, e.requested_on, e.requested_by, e.received_on, e.summary,
                   e.version)


@dataclass(frozen=True)
class AssessmentRecord:
    id: int
    indicator_id: str
    status: str
    evidence_ids: tuple[int, ...]
    note: str | None
    assessor: str
    assessed_at: datetime
    version: int

    @classmethod
    def of(cls, a) -> AssessmentRecord:
        return cls(a.id, a.indicator_id, a.status, tuple(a.evidence_ids or ()), a.note, a.assessor, a.assessed_at,
                   a.version)


@dataclass(frozen=True)
class DecisionRecord:
    id: int
    stage: str
    outcome: str
    cg_finding: str | None
    decided_on: date
    reasons: str
    evidence_ids: tuple[int, ...]
    author: str
    supersedes_id: int | None
    reconsidered_on_new_evidence: bool
    after_review_id: int | None

    @classmethod
    def of(cls, d) -> DecisionRecord:
        return cls(d.id, d.stage, d.outcome, d.cg_finding, d.decided_on, d.reasons, tuple(d.evidence_ids or ()),
                   d.author, d.supersedes_id, d.reconsidered_on_new_evidence, d.after_review_id)


@dataclass(frozen=True)
class LetterRecord:
    id: int
    version: int
    text: str
    author: str
    saved_at: datetime
    decision_id: int | None

    @classmethod
    def of(cls, l) -> LetterRecord:
        return cls(l.id, l.version, l.text, l.author, l.saved_at, l.decision_id)


@dataclass(frozen=True)
class ReviewRecord:
    id: int
    decision_id: int
    requested_on: date
    requested_by: str
    reason: str
    reviewer: str | None
    assigned_on: date | None
    outcome: str | None
    items: dict
    notes: str | None
    completed_on: date | None
    history: tuple[dict, ...] = ()


@dataclass(frozen=True)
class CaseRecord:
    id: int
    reference: str
    panel_id: int | None
    panel_name: str | None
    referral: dict
    lead: dict
    stage: str
    stage_since: date
    timeline: tuple[lifecycle.Transition, ...]
    evidence: tuple[EvidenceRecord, ...]
    assessments: dict[str, AssessmentRecord]
    decisions: tuple[DecisionRecord, ...]
    letters: tuple[LetterRecord, ...]
    reviews: tuple[ReviewRecord, ...]
    identity_shown: bool
    clock: timescales.CaseClock
    badges: tuple[str, ...] = field(default=())

    @property
    def latest_letter(self) -> LetterRecord | None:
        return self.letters[-1] if self.letters else None

    @property
    def outstanding_evidence(self) -> tuple[EvidenceRecord, ...]:
        return tuple(e for e in self.evidence if e.outstanding)


def referral_dict(r, show_identity: bool) -> dict:
    d = {c: getattr(r, c) for c in (
        "reference", "received_on", "identifier_role", "person_pseudonym", "person_name", "date_of_birth",
        "age_band", "gender", "nationality", "nationality_group", "is_child", "age_disputed", "consent_given",
        "consent_signed", "exploitation_primary", "exploitation_secondary", "indicators", "narrative",
        "narrative_redacted", "encounter_location", "encounter_organisation", "encounter_circumstances",
        "found_in_situ", "offence_location", "exploitation_location", "detention", "detention_endorsed_on",
        "potential_victims_identified")}
    d["exploitation_secondary"] = list(d["exploitation_secondary"] or [])
    d["indicators"] = list(d["indicators"] or [])
    if not show_identity:
        for f in IDENTITY_FIELDS:
            d.pop(f, None)
    return d


def lead_dict(lead) -> dict:
    return {c: getattr(lead, c) for c in ("id", "code", "name", "organisation", "organisation_type",
                                          "organisation_unit", "region", "location", "accredited_on")}


def case_record(case, *, show_identity: bool, as_of: date | None = None) -> CaseRecord:
    tl = lifecycle.timeline(case)
    reviews = []
    for rr in case.review_requests:
        latest = lifecycle.latest_review(rr)
        reviews.append(ReviewRecord(
            rr.id, rr.decision_id, rr.requested_on, rr.requested_by, rr.reason, rr.reviewer, rr.assigned_on,
            latest.outcome if latest else None, dict(latest.items or {}) if latest else {},
            latest.notes if latest else None, latest.completed_on if latest else None,
            tuple({"id": q.id, "outcome": q.outcome, "completed_on": q.completed_on, "reviewer": q.reviewer,
                   "supersedes_id": q.supersedes_id} for q in rr.reviews)))
    clock = timescales.case_clock(case, tl, as_of=as_of)
    return CaseRecord(
        id=case.id, reference=case.referral.reference, panel_id=case.panel_id,
        panel_name=case.panel.name if case.panel else None,
        referral=referral_dict(case.referral, show_identity), lead=lead_dict(case.referral.lead),
        stage=tl[-1].stage, stage_since=tl[-1].on, timeline=tuple(tl),
        evidence=tuple(EvidenceRecord.of(e) for e in case.evidence),
        assessments={a.indicator_id: AssessmentRecord.of(a) for a in case.assessments},
        decisions=tuple(DecisionRecord.of(d) for d in case.decisions),
        letters=tuple(LetterRecord.of(l) for l in case.letters),
        reviews=tuple(reviews), identity_shown=show_identity, clock=clock,
        badges=tuple(timescales.badges(clock)),
    )
