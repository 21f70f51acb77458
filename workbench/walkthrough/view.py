"""View-models for the panel chair's case walkthrough (notebooks/case_walkthrough.ipynb).

Plain functions from Session records (workbench.core.records, workbench.walkthrough.queue) to plain dicts and lists a
widget can show: queue rows, evidence by source, the indicator checklist grouped by set and dimension
with the indicators ticked on the referral first, the ILO combination rule per dimension as guidance,
the legal test in force, checks on a decision's reasons, and sentences for refused saves.

Nothing here touches the database or Jupyter; everything is testable with plain records.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from qa_checks.legal_tests import test_in_force
from qa_checks.walkthrough import indicators as ind
from workbench.core.clock import fmt_date
from workbench.core.errors import StaleSave
from workbench.core.records import CaseRecord, EvidenceRecord
from workbench.core.tables import (
    DECISION_OUTCOMES,
    DECISION_STAGES,
    EVIDENCE_SOURCES,
    EXPLOITATION_TYPES,
)

EXPLOITATION_LABELS = {
    "sexual": "Sexual exploitation", "labour": "Labour exploitation", "domestic_servitude": "Domestic servitude",
    "criminal": "Criminal exploitation", "organ_harvesting": "Organ harvesting", "unknown": "Not yet known",
}
SOURCE_LABELS = {
    "police": "Police", "medical": "Medical", "support_provider": "Support provider",
    "la_childrens_services": "Local authority children's services",
    "ukvi_immigration_history": "UKVI immigration history", "lead": "Referring lead (further information)",
    "other": "Other",
}
STAGE_LABELS = {
    "referred": "Referred", "returned_for_errors": "Returned for errors", "accepted": "Accepted",
    "with_panel": "With the panel", "information_requested": "Information requested",
    "information_received": "Information received", "decided": "Decided", "review_requested": "Review requested",
    "review_upheld": "Review upheld", "referred_back": "Sent back by review", "reconsidered": "Reconsidered",
}
DECISION_STAGE_LABELS = {"rg": "Reasonable grounds", "cg": "Conclusive grounds"}
OUTCOME_LABELS = {"positive": "Positive", "negative": "Negative"}
CG_FINDINGS = {
    "positive": (("trafficking", "A victim of human trafficking"),
                 ("slavery", "A victim of slavery, servitude or forced or compulsory labour")),
    "negative": (("insufficient", "Insufficient evidence to recognise the person as a victim"),),
}
STATUS_LABELS = {"present": "Present", "absent": "Absent", "unknown": "Unknown"}
REFERRAL_GROUP = "referral"

assert set(SOURCE_LABELS) == set(EVIDENCE_SOURCES) and set(EXPLOITATION_LABELS) == set(EXPLOITATION_TYPES)
assert set(DECISION_STAGE_LABELS) == set(DECISION_STAGES) and set(OUTCOME_LABELS) == set(DECISION_OUTCOMES)


def warm_up() -> None:
    """Load the reference data a case view needs (indicator sets, legal tests) ahead of the first case."""
    ind.load_indicator_sets()
    test_in_force("cg", date.today())




# ------------------------------------------------------------------------------------------ queue


def queue_row(row) -> dict:
    """One queue row (workbench.walkthrough.queue.QueueRow) as the queue table shows it."""
    return {
        "case_id": row.case_id, "reference": row.reference, "age": "Child" if row.is_child else "Adult",
        "age_band": row.age_band or "—", "nationality": row.nationality or "—",
        "exploitation": EXPLOITATION_LABELS.get(row.exploitation_primary, row.exploitation_primary),
        "organisation": row.lead_organisation, "days": row.days, "stage": STAGE_LABELS.get(row.stage, row.stage),
        "badges": list(row.badges), "urgent": bool(row.clock.detention_pending or row.clock.escalation_due
                                                    or row.clock.referred_back or row.clock.child_review_due),
    }


def queue_filters(stage: str | None, exploitation: str | None, age: str | None) -> dict:
    """Dropdown values -> Session.queue keyword filters ('' or None means any)."""
    out: dict = {}
    if stage:
        out["stage"] = stage
    if exploitation:
        out["exploitation"] = exploitation
    if age in ("child", "adult"):
        out["child"] = age == "child"
    return out


STAGE_FILTER_OPTIONS = [("Any stage", "")] + [(STAGE_LABELS[s], s) for s in (
    "with_panel", "information_requested", "information_received", "decided", "reconsidered",
    "review_requested", "referred_back", "accepted", "referred")]
EXPLOITATION_FILTER_OPTIONS = [("Any type", "")] + [(v, k) for k, v in EXPLOITATION_LABELS.items()]
AGE_FILTER_OPTIONS = [("Adults and children", ""), ("Adults", "adult"), ("Children", "child")]


# --------------------------------------------------------------------------------------- referral


def exploitation_types(case: CaseRecord) -> list[str]:
    r = case.referral
    types = [r["exploitation_primary"]] + [t for t in r.get("exploitation_secondary") or []
                                           if t != r["exploitation_primary"]]
    return [t for t in types if t in EXPLOITATION_TYPES] or ["unknown"]


def yes_no(value) -> str:
    return "—" if value is None else ("Yes" if value else "No")


def referral_facts(case: CaseRecord) -> list[tuple[str, str]]:
    """(label, value) pairs for the referral summary, as text (the widget escapes them)."""
    r, lead = case.referral, case.lead
    child = r["is_child"]
    consent = ("Not needed: a child needs no consent" if child else
               f"Given: {yes_no(r.get('consent_given'))}; signed: {yes_no(r.get('consent_signed'))}")
    facts = [
        ("Reference", case.reference),
        ("Received", fmt_date(r["received_on"])),
        ("Person", r.get("person_name") or r.get("person_pseudonym") or "—"),
        ("Age", ("Child" if child else "Adult") + f" ({r.get('age_band') or 'age band not given'})"
         + (", age disputed" if r.get("age_disputed") else "")),
        ("Gender", r.get("gender") or "—"),
        ("Nationality", r.get("nationality") or "—"),
        ("Exploitation", ", ".join(EXPLOITATION_LABELS.get(t, t) for t in exploitation_types(case))),
        ("Consent", consent),
        ("Lead", f"{lead['name']} ({lead['code']}), {lead['organisation']}"),
        ("Encountered by", r.get("encounter_organisation") or "—"),
        ("Where encountered", r.get("encounter_location") or "—"),
        ("Found in the situation", yes_no(r.get("found_in_situ"))),
        ("Detention", {"none": "No", "immigration_detention": "Immigration detention",
                       "prison": "Prison"}.get(r.get("detention"), r.get("detention") or "—")
         + (f" (endorsed {fmt_date(r['detention_endorsed_on'])})" if r.get("detention_endorsed_on") else
            " (awaiting endorsement)" if r.get("detention") not in (None, "none") else "")),
        ("Stage", f"{STAGE_LABELS.get(case.stage, case.stage)} since {fmt_date(case.stage_since)}"),
        ("Days since referral", f"{case.clock.days} (decision aim {case.clock.decision_aim_days} days; "
                                f"recovery period {case.clock.recovery_period_days} days)"),
    ]
    return facts


def narrative_text(case: CaseRecord) -> str:
    r = case.referral
    if not case.identity_shown:
        return "The narrative is not shown to your role."
    text = r.get("narrative")
    if not text:
        return "The referral has no narrative."
    return text


# --------------------------------------------------------------------------------------- evidence


@dataclass(frozen=True)
class EvidenceGroup:
    source: str
    label: str
    items: tuple[EvidenceRecord, ...]


def evidence_by_source(case: CaseRecord) -> list[EvidenceGroup]:
    """Evidence grouped by source in the model's source order; within a source, oldest request first."""
    out = []
    for source in EVIDENCE_SOURCES:
        items = tuple(sorted((e for e in case.evidence if e.source == source),
                             key=lambda e: (e.requested_on or date.min, e.id)))
        if items:
            out.append(EvidenceGroup(source, SOURCE_LABELS[source], items))
    return out


def evidence_label(e: EvidenceRecord) -> str:
    """A short text naming one evidence item (for checkboxes and decision forms)."""
    when = f"received {fmt_date(e.received_on)}" if e.received_on else "not yet received"
    return f"#{e.id} {SOURCE_LABELS.get(e.source, e.source)}: {e.description} ({when})"


def received_evidence(case: CaseRecord) -> list[EvidenceRecord]:
    return [e for e in case.evidence if e.received_on is not None]


# --------------------------------------------------------------------------------------- decision


def next_stage(case: CaseRecord) -> str:
    """RG until a positive RG decision stands, then CG."""
    rg = [d for d in case.decisions if d.stage == "rg"]
    return "cg" if rg and rg[-1].outcome == "positive" else "rg"


def legal_test_text(stage: str, on: date) -> dict:
    try:
        t = test_in_force(stage, on)
    except LookupError as exc:
        return {"name": DECISION_STAGE_LABELS.get(stage, stage), "standard": "", "plain": str(exc), "source": ""}
    return {"name": t.name, "standard": t.standard, "plain": t.wording_plain, "source": t.source,
            "from": fmt_date(t.effective_from)}


_SOURCE_WORDS = {
    "police": ("police", "officer", "force", "crime report"),
    "medical": ("medical", "doctor", "gp", "health", "clinic", "hospital", "psycholog", "nurse"),
    "support_provider": ("support provider", "support worker", "caseworker", "support", "salvation army"),
    "la_childrens_services": ("children's services", "local authority", "social work", "social care"),
    "ukvi_immigration_history": ("immigration", "ukvi", "visa", "home office"),
    "lead": ("lead", "first responder", "referrer", "referral"),
    "other": (),
}


def reasons_problems(reasons: str, evidence: list[EvidenceRecord]) -> list[str]:
    """Why reasons cannot be recorded yet (sentences). The reasons must refer to the evidence considered:
    at least one item must be chosen, and the text must mention each chosen item's source (or its number)."""
    text = (reasons or "").strip()
    out = []
    if len(text) < 20:
        out.append("Write the reasons for the decision: at least a sentence that refers to the evidence.")
    if not evidence:
        out.append("Choose the evidence the reasons rest on (under 'Evidence considered').")
    elif len(text) >= 20:
        low = text.lower()
        missing = []
        for e in evidence:
            words = _SOURCE_WORDS.get(e.source, ())
            if f"#{e.id}" in low or str(e.id) in re.findall(r"\d+", low):
                continue
            if not any(w in low for w in words):
                missing.append(SOURCE_LABELS.get(e.source, e.source).lower())
        if missing:
            out.append("The reasons do not mention the evidence from: " + ", ".join(sorted(set(missing)))
                       + ". Say how that evidence was weighed, or untick it.")
    return out


def decision_summary(d) -> str:
    extra = f" ({d.cg_finding})" if d.cg_finding else ""
    return (f"{DECISION_STAGE_LABELS.get(d.stage, d.stage)}: {OUTCOME_LABELS.get(d.outcome, d.outcome)}{extra}, "
            f"{fmt_date(d.decided_on)} by {d.author}")


def decision_conflict(seen_ids: set[int], now: CaseRecord, stage: str, me: str) -> str | None:
    """A sentence when someone else recorded a decision at this stage after the view was loaded."""
    new = [d for d in now.decisions if d.id not in seen_ids and d.stage == stage and d.author != me]
    if not new:
        return None
    d = new[-1]
    return (f"Not recorded: {d.author} recorded a decision on this case since you opened it — "
            f"{decision_summary(d)}. Their reasons: \u201c{d.reasons}\u201d. Your reasons are still in the form; "
            "read theirs, then record yours again if it should stand.")


# ----------------------------------------------------------------------------------------- saves


@dataclass
class StaleInfo:
    message: str
    by: str | None
    at: str
    version: int
    changes: dict = field(default_factory=dict)


def stale_info(exc: StaleSave) -> StaleInfo:
    """A refused save as the user sees it: who changed what, and that their own input is kept."""
    who = exc.changed_by or "someone else"
    when = f" at {fmt_date(exc.changed_at)}" if exc.changed_at else ""
    changes = {k: v for k, v in exc.changes.items()}
    shown = []
    if "status" in changes:
        shown.append(f"marked it {changes['status']}")
    if changes.get("note"):
        shown.append(f"note \u201c{changes['note']}\u201d")
    if changes.get("evidence"):
        shown.append("linked evidence " + ", ".join(f"#{i}" for i in changes["evidence"]))
    if "text" in changes:
        shown.append(f"saved a draft of {changes['text']}")
    what = "; ".join(shown) or "changed it"
    msg = (f"Not saved: {who} changed this{when} since you opened it ({what}). "
           "Your input is still here; choose whether to keep yours or take theirs.")
    return StaleInfo(msg, exc.changed_by, fmt_date(exc.changed_at) if exc.changed_at else "", exc.found, changes)


def unexpected(exc: Exception, doing: str) -> str:
    """A sentence for a failure nobody planned for (database gone, disk full): nothing was half-written,
    because every save is one transaction."""
    first = (str(exc).splitlines() or [""])[0][:160]
    return (f"Could not {doing}: {type(exc).__name__}{': ' + first if first else ''}. Nothing was saved half-way; "
            "try again, and if it keeps happening tell the administrator.")
