"""The reformed NRM as the 2014 review describes it (chapters 5, 7, 8, 9, 10), as SQLAlchemy 2 tables.

Nothing here is SQLite-only: JSON columns, integer keys and plain types work on PostgreSQL too.
A case's stage is never stored: it is derived from what was recorded (workbench.core.lifecycle).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ORGANISATION_TYPES = ("home_office", "police", "ngo", "local_authority", "nca", "gla", "health")
HOME_OFFICE_UNITS = ("ukvi", "border_force", "immigration_enforcement")
EXPLOITATION_TYPES = ("sexual", "labour", "domestic_servitude", "criminal", "organ_harvesting", "unknown")
EVIDENCE_SOURCES = ("police", "medical", "support_provider", "la_childrens_services", "ukvi_immigration_history",
                    "lead", "other")
ROLES = ("panel_chair", "panel_member", "qa_reviewer", "trainer", "case_manager", "admin")
ASSESSMENT_STATUSES = ("present", "absent", "unknown")
DECISION_STAGES = ("rg", "cg")
# RG: positive/negative. CG (E&W two-part question, domain.md 2.4): trafficking victim, victim of
# slavery/servitude/forced labour, or insufficient evidence to recognise (negative).
DECISION_OUTCOMES = ("positive", "negative")
DETENTION = ("none", "immigration_detention", "prison")
QA_OUTCOMES = ("procedure_followed", "procedural_failing")
FINDING_ACTIONS = ("accept", "dismiss")


class Base(DeclarativeBase):
    type_annotation_map = {dict: JSON, list: JSON}


class Panel(Base):
    """A regional multi-disciplinary panel with an independent chair (7.3.8-7.4.4)."""
    __tablename__ = "panels"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    region: Mapped[str] = mapped_column(String(80))
    users: Mapped[list[User]] = relationship(back_populates="panel")


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)  # the login name (JupyterHub user)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    panel_id: Mapped[int | None] = mapped_column(ForeignKey("panels.id"))
    discipline: Mapped[str | None] = mapped_column(String(40))  # police, health, social care, ...
    child_expertise: Mapped[bool] = mapped_column(Boolean, default=False)
    panel: Mapped[Panel | None] = relationship(back_populates="users")


class Lead(Base):
    """A Slavery Safeguarding Lead (today: a first responder) who refers potential victims."""
    __tablename__ = "leads"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # e.g. SSL-0042, shown to trainers
    name: Mapped[str] = mapped_column(String(120))
    organisation: Mapped[str] = mapped_column(String(160))
    organisation_type: Mapped[str] = mapped_column(String(20))
    organisation_unit: Mapped[str | None] = mapped_column(String(40))  # Home Office: UKVI / Border Force / IE
    region: Mapped[str] = mapped_column(String(80))
    location: Mapped[str] = mapped_column(String(120))
    accredited_on: Mapped[date | None] = mapped_column(Date)


class Referral(Base):
    """What the lead sent (the NRM referral form plus what 9.3.1 asks to collect)."""
    __tablename__ = "referrals"
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    received_on: Mapped[date] = mapped_column(Date, index=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id"), index=True)
    identifier_role: Mapped[str | None] = mapped_column(String(120))
    # The referred person. Name and date of birth are personal data: trainers never see them.
    person_pseudonym: Mapped[str] = mapped_column(String(24), index=True)
    person_name: Mapped[str | None] = mapped_column(String(160))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    age_band: Mapped[str | None] = mapped_column(String(16))
    gender: Mapped[str | None] = mapped_column(String(24))
    nationality: Mapped[str | None] = mapped_column(String(60))
    nationality_group: Mapped[str | None] = mapped_column(String(8))  # uk / eea / non_eea
    is_child: Mapped[bool] = mapped_column(Boolean)
    age_disputed: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_given: Mapped[bool | None] = mapped_column(Boolean)  # adults only; a child needs none
    consent_signed: Mapped[bool | None] = mapped_column(Boolean)
    exploitation_primary: Mapped[str] = mapped_column(String(24))
    exploitation_secondary: Mapped[list] = mapped_column(JSON, default=list)
    indicators: Mapped[list] = mapped_column(JSON, default=list)  # ids from reference/indicators
    narrative: Mapped[str | None] = mapped_column(Text)
    narrative_redacted: Mapped[bool] = mapped_column(Boolean, default=False)
    encounter_location: Mapped[str | None] = mapped_column(String(160))
    encounter_organisation: Mapped[str | None] = mapped_column(String(160))
    encounter_circumstances: Mapped[str | None] = mapped_column(Text)
    found_in_situ: Mapped[bool | None] = mapped_column(Boolean)
    offence_location: Mapped[str | None] = mapped_column(String(160))
    exploitation_location: Mapped[str | None] = mapped_column(String(10))  # uk / overseas / both / unknown
    detention: Mapped[str] = mapped_column(String(24), default="none")
    detention_endorsed_on: Mapped[date | None] = mapped_column(Date)  # case-management endorsement, 5.3.7
    potential_victims_identified: Mapped[int | None] = mapped_column(Integer)
    lead: Mapped[Lead] = relationship()
    case: Mapped[Case] = relationship(back_populates="referral", uselist=False)


class Case(Base):
    """One referral's life in the case management unit (8.4.3). Its stage is derived, never set."""
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), unique=True)
    panel_id: Mapped[int | None] = mapped_column(ForeignKey("panels.id"), index=True)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    assigned_on: Mapped[date | None] = mapped_column(Date)  # given to the panel
    escalated_on: Mapped[date | None] = mapped_column(Date)  # past the timescale (8.2.9)
    escalation_reason: Mapped[str | None] = mapped_column(Text)
    # A cache of what workbench.core.lifecycle derives from the records, rewritten in the same transaction as
    # every change (lifecycle.summary); never set by hand. It lets a queue of thousands load in one query.
    closed: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    stage: Mapped[str] = mapped_column(String(24), default="referred")
    stage_since: Mapped[date | None] = mapped_column(Date)
    has_rg: Mapped[bool] = mapped_column(Boolean, default=False)
    has_cg: Mapped[bool] = mapped_column(Boolean, default=False)
    awaiting_information: Mapped[int] = mapped_column(Integer, default=0)
    referral: Mapped[Referral] = relationship(back_populates="case")
    panel: Mapped[Panel | None] = relationship()
    returns: Mapped[list[ReferralReturn]] = relationship(order_by="ReferralReturn.returned_on")
    evidence: Mapped[list[EvidenceItem]] = relationship(order_by="EvidenceItem.id")
    assessments: Mapped[list[IndicatorAssessment]] = relationship(order_by="IndicatorAssessment.id")
    decisions: Mapped[list[Decision]] = relationship(order_by="Decision.id", foreign_keys="Decision.case_id")
    letters: Mapped[list[LetterDraft]] = relationship(order_by="LetterDraft.id")
    review_requests: Mapped[list[ReviewRequest]] = relationship(order_by="ReviewRequest.id")


class ReferralReturn(Base):
    """A referral sent back to its lead for errors (5.2.5), and when it came back corrected."""
    __tablename__ = "referral_returns"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    returned_on: Mapped[date] = mapped_column(Date)
    reasons: Mapped[list] = mapped_column(JSON)  # e.g. ["consent_unsigned", "narrative_missing"]
    resubmitted_on: Mapped[date | None] = mapped_column(Date)


class EvidenceItem(Base):
    __tablename__ = "evidence_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    source: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(String(200))
    requested_on: Mapped[date | None] = mapped_column(Date)
    requested_by: Mapped[str | None] = mapped_column(String(80))
    received_on: Mapped[date | None] = mapped_column(Date)
    summary: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str | None] = mapped_column(String(80))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)


class IndicatorAssessment(Base):
    __tablename__ = "indicator_assessments"
    __table_args__ = (UniqueConstraint("case_id", "indicator_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    indicator_id: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(10))
    evidence_ids: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    assessor: Mapped[str] = mapped_column(String(80))
    assessed_at: Mapped[datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Decision(Base):
    """A reasonable- or conclusive-grounds decision. Decisions are never edited: a reconsideration
    (7.3.6) or a decision after a review sent the case back is a new row linked to what it replaces."""
    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    stage: Mapped[str] = mapped_column(String(4))
    outcome: Mapped[str] = mapped_column(String(10))
    cg_finding: Mapped[str | None] = mapped_column(String(24))  # trafficking / slavery / insufficient
    decided_on: Mapped[date] = mapped_column(Date)
    reasons: Mapped[str] = mapped_column(Text)
    evidence_ids: Mapped[list] = mapped_column(JSON, default=list)  # evidence the reasons refer to
    author: Mapped[str] = mapped_column(String(80))
    panel_id: Mapped[int | None] = mapped_column(ForeignKey("panels.id"))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    reconsidered_on_new_evidence: Mapped[bool] = mapped_column(Boolean, default=False)
    after_review_id: Mapped[int | None] = mapped_column(ForeignKey("qa_reviews.id", use_alter=True))
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime)


class LetterDraft(Base):
    """One saved version of a decision letter; a new save is a new row (versions kept)."""
    __tablename__ = "letter_drafts"
    __table_args__ = (UniqueConstraint("case_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(80))
    saved_at: Mapped[datetime] = mapped_column(DateTime)
    # Demo data only: the flawed-reasoning categories deliberately written into this draft.
    seeded_flaws: Mapped[list | None] = mapped_column(JSON(none_as_null=True))


class ReviewRequest(Base):
    """A request that another panel's chair act as a second pair of eyes (7.4.5)."""
    __tablename__ = "review_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"))
    requested_on: Mapped[date] = mapped_column(Date)
    requested_by: Mapped[str] = mapped_column(String(120))  # lead, support provider, legal representative
    reason: Mapped[str] = mapped_column(Text)
    reviewer: Mapped[str | None] = mapped_column(String(80), index=True)
    assigned_on: Mapped[date | None] = mapped_column(Date)
    reviews: Mapped[list[QAReview]] = relationship(order_by="QAReview.id")


class QAReview(Base):
    """The reviewer's procedural review. Append-only: a correction is a new row that supersedes."""
    __tablename__ = "qa_reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    review_request_id: Mapped[int] = mapped_column(ForeignKey("review_requests.id"), index=True)
    reviewer: Mapped[str] = mapped_column(String(80))
    outcome: Mapped[str] = mapped_column(String(24))
    items: Mapped[dict] = mapped_column(JSON, default=dict)  # checklist item id -> {"status", "note"}
    notes: Mapped[str | None] = mapped_column(Text)
    completed_on: Mapped[date] = mapped_column(Date)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("qa_reviews.id"))


class ReferralQuality(Base):
    """The stored result of `qa_checks.feedback.referrals.check_referral` for one referral (workbench.feedback.scoring):
    checking 200,000 referrals live takes minutes, so scores are computed once and kept. Derived data:
    recomputed by `workbench.feedback.scoring.score_all` whenever the criteria change (criteria_version)."""
    __tablename__ = "referral_quality"
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    would_be_returned: Mapped[bool] = mapped_column(Boolean)
    failed_criteria: Mapped[list] = mapped_column(JSON, default=list)  # criterion ids that applied and were not met
    checked_at: Mapped[datetime] = mapped_column(DateTime)
    criteria_version: Mapped[str] = mapped_column(String(40))


class FindingResponse(Base):
    """A reviewer's answer to one letter-checker flag: accepted, or dismissed with a reason, so QA can see
    which flags reviewers reject. Append-only: a change of mind is a new row (the latest one counts).
    Text pasted into the letter check without a case has no case or draft; `text_sha256` names the text
    the flag's offsets point into either way."""
    __tablename__ = "finding_responses"
    id: Mapped[int] = mapped_column(primary_key=True)
    letter_draft_id: Mapped[int | None] = mapped_column(ForeignKey("letter_drafts.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    text_sha256: Mapped[str] = mapped_column(String(64), index=True)
    rule_id: Mapped[str] = mapped_column(String(80), index=True)
    category: Mapped[str] = mapped_column(String(40))
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    excerpt: Mapped[str] = mapped_column(String(200), default="")  # the flagged words, at most 200 characters
    raised_by: Mapped[str] = mapped_column(String(10), default="rule")  # rule | model
    confidence: Mapped[float | None] = mapped_column(Float)
    action: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)  # required for a dismissal
    user: Mapped[str] = mapped_column(String(80), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)


class AuditEntry(Base):
    """Append-only, hash-chained record of every case read and every write (workbench.core.audit)."""
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    # Unique: two writers racing to extend the chain from the same entry cannot both succeed.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64))


class Meta(Base):
    """Key-value facts about the database (demo profile, seed, 'as of' date, schema version)."""
    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


Index("ix_decisions_case_stage", Decision.case_id, Decision.stage)
Index("ix_cases_panel_open", Case.panel_id, Case.closed)
