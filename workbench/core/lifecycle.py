"""A case's stage, derived from what was recorded (as Primero does), never set by hand.

`timeline(case)` lists every transition with its date; the current stage is the last one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

STAGES = (
    "referred", "returned_for_errors", "accepted", "with_panel", "information_requested",
    "information_received", "decided", "review_requested", "review_upheld", "referred_back",
    "reconsidered",
)
# Order breaks ties on the same day, so a same-day acceptance and assignment read naturally.
_ORDER = {s: i for i, s in enumerate(STAGES)}
# Stages after which the panel has nothing left to do (until new evidence or a review arrives).
_CLOSING_DECISION = {("cg", "positive"), ("cg", "negative"), ("rg", "negative")}


@dataclass(frozen=True)
class Transition:
    on: date
    stage: str
    detail: dict = field(default_factory=dict)


def timeline(case) -> list[Transition]:
    """Every transition of an ORM `Case` (with its referral, returns, evidence, decisions and reviews)."""
    out = [Transition(case.referral.received_on, "referred")]
    for r in case.returns:
        out.append(Transition(r.returned_on, "returned_for_errors", {"reasons": list(r.reasons)}))
        if r.resubmitted_on:
            out.append(Transition(r.resubmitted_on, "referred", {"resubmitted": True}))
    if case.accepted_on:
        out.append(Transition(case.accepted_on, "accepted"))
    if case.assigned_on:
        out.append(Transition(case.assigned_on, "with_panel", {"panel_id": case.panel_id}))
    for ev in case.evidence:
        if ev.requested_on:
            out.append(Transition(ev.requested_on, "information_requested", {"evidence_id": ev.id, "source": ev.source}))
        if ev.received_on and ev.requested_on:
            out.append(Transition(ev.received_on, "information_received", {"evidence_id": ev.id, "source": ev.source}))
    for d in case.decisions:
        stage = "reconsidered" if d.reconsidered_on_new_evidence else "decided"
        out.append(Transition(d.decided_on, stage, {"decision_id": d.id, "stage": d.stage, "outcome": d.outcome}))
    for rr in case.review_requests:
        out.append(Transition(rr.requested_on, "review_requested", {"review_request_id": rr.id}))
        latest = latest_review(rr)
        if latest is not None:
            stage = "review_upheld" if latest.outcome == "procedure_followed" else "referred_back"
            out.append(Transition(latest.completed_on, stage, {"qa_review_id": latest.id}))
    out.sort(key=lambda t: (t.on, _ORDER[t.stage]))
    return out


def latest_review(review_request):
    """The review that stands: the last entry, since corrections are appended, never edited."""
    return review_request.reviews[-1] if review_request.reviews else None


def current_stage(case) -> Transition:
    return timeline(case)[-1]


def latest_decision(case, stage: str | None = None):
    decisions = [d for d in case.decisions if stage is None or d.stage == stage]
    return decisions[-1] if decisions else None


def summary(case) -> dict:
    """The derived facts cached on the case row (Case.stage, closed, ...) for fast queues."""
    tl = timeline(case)
    return {"stage": tl[-1].stage, "stage_since": tl[-1].on, "closed": is_closed(case, tl[-1]),
            "has_rg": any(d.stage == "rg" for d in case.decisions),
            "has_cg": any(d.stage == "cg" for d in case.decisions),
            "awaiting_information": sum(1 for e in case.evidence if e.requested_on and not e.received_on)}


def is_closed(case, now: Transition | None = None) -> bool:
    """Nothing left for the panel: returned and not resubmitted, or a final decision with no open review."""
    now = now or current_stage(case)
    if now.stage == "returned_for_errors":
        return True
    if now.stage in ("decided", "reconsidered", "review_upheld"):
        d = latest_decision(case)
        return d is not None and (d.stage, d.outcome) in _CLOSING_DECISION
    return False
