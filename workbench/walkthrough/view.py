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
from workbench.core.records import AssessmentRecord, CaseRecord, EvidenceRecord
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


# -------------------------------------------------------------------------------------- checklist


def checklist_items(case: CaseRecord) -> list[ind.Indicator]:
    """The indicators for the case's exploitation types and age, plus any ticked on the referral that
    fall outside them (the lead saw something; the chair should see it too)."""
    child = bool(case.referral["is_child"])
    items = list(ind.indicators_for(exploitation_types(case), child))
    seen = {i.id for i in items}
    for iid in case.referral.get("indicators") or []:
        if iid not in seen:
            try:
                items.append(ind.indicator(iid))
                seen.add(iid)
            except KeyError:
                continue
    for iid in case.assessments:  # an assessment saved earlier must never vanish from view
        if iid not in seen:
            try:
                items.append(ind.indicator(iid))
                seen.add(iid)
            except KeyError:
                continue
    return items


SHORT_SET_NAMES = {
    "kts": "Know the signs", "uk.general": "UK general", "uk.physical": "UK physical",
    "uk.psychological": "UK psychological", "uk.sexual": "UK sexual exploitation",
    "uk.labour": "UK labour exploitation", "uk.domestic": "UK domestic servitude",
    "uk.criminal": "UK criminal exploitation", "uk.organ": "UK organ harvesting", "uk.child": "UK child-specific",
    "ilo.al": "ILO 2009 adults, labour", "ilo.cl": "ILO 2009 children, labour",
    "ilo.as": "ILO 2009 adults, sexual", "ilo.cs": "ILO 2009 children, sexual",
}


def set_name(s) -> str:
    return SHORT_SET_NAMES.get(s.id, s.title)


def _group_of(i: ind.Indicator, sets) -> tuple[str, str]:
    s = sets[i.set_id]
    name = set_name(s)
    if s.graded and i.dimension is not None:
        return f"{s.id}:d{i.dimension}", f"{name} — dimension {i.dimension}: {s.dimension_name(i.dimension)}"
    if i.group:
        group = i.group.replace("_", " ")
        if len(s.groups) <= 1:
            return f"{s.id}:{i.group}", name
        return f"{s.id}:{i.group}", f"{name} — {group}{'…' if group.split()[-1] in ('someone', 'to') else ''}"
    return s.id, name


def assessment_state(a: AssessmentRecord | None) -> dict:
    if a is None:
        return {"status": None, "note": "", "evidence": [], "by": None, "at": None}
    return {"status": a.status, "note": a.note or "", "evidence": list(a.evidence_ids), "by": a.assessor,
            "at": fmt_date(a.assessed_at)}


def checklist_model(case: CaseRecord) -> dict:
    """The checklist as the checklist widget shows it: groups (ticked-on-referral first, then by set and
    dimension or group), each with its indicators and their saved assessments, plus the evidence to link."""
    sets = ind.load_indicator_sets()
    on_referral = set(case.referral.get("indicators") or [])
    groups: dict[str, dict] = {}
    ref_group = {"key": REFERRAL_GROUP, "title": "Ticked on the referral", "items": []}
    for i in checklist_items(case):
        a = case.assessments.get(i.id)
        s = sets[i.set_id]
        item = {"id": i.id, "text": i.text, "strength": i.strength or "", "set": set_name(s),
                "where": _group_of(i, sets)[1], "on_referral": i.id in on_referral, **assessment_state(a)}
        if i.id in on_referral:
            ref_group["items"].append(item)
            continue
        key, title = _group_of(i, sets)
        groups.setdefault(key, {"key": key, "title": title, "items": []})["items"].append(item)
    out = ([ref_group] if ref_group["items"] else []) + list(groups.values())
    for g in out:
        g["count"] = len(g["items"])
    return {
        "case_id": case.id,
        "groups": out,
        "evidence": [{"id": e.id, "label": evidence_label(e)} for e in case.evidence],
        "total": sum(g["count"] for g in out),
        "is_child": bool(case.referral["is_child"]),
    }


def status_counts(model: dict) -> dict[str, int]:
    counts = {"present": 0, "absent": 0, "unknown": 0, "not assessed": 0}
    for g in model["groups"]:
        for it in g["items"]:
            counts[it["status"] or "not assessed"] += 1
    return counts


def present_ids(statuses: dict[str, str | None]) -> list[str]:
    return sorted(k for k, v in statuses.items() if v == "present")


CHILD_REMINDER = ("For a child the means (deception, coercion, abuse of vulnerability) need not be shown: "
                  "the act and the purpose of exploitation are enough (Palermo Protocol art. 3(c)).")
GUIDANCE_LABEL = ("Guidance only, not a decision. The ILO combination rule is an aid to structure the "
                  "evidence; the panel decides on the legal test in force.")


def ilo_guidance(case: CaseRecord, statuses: dict[str, str | None]) -> dict:
    """The ILO combination rule per dimension for each ILO list that applies to this case, as guidance.

    `statuses` maps indicator id -> present/absent/unknown/None (what the chair has marked so far)."""
    child = bool(case.referral["is_child"])
    sets = ind.load_indicator_sets()
    applicable = {i.set_id for i in checklist_items(case)}
    present = present_ids(statuses)
    lists, unavailable = [], []
    for sid, s in sets.items():
        if not s.graded:
            continue
        ages = {a for i in s.indicators for a in i.ages}
        if not s.available:
            age_ok = ("child" if child else "adult") in sid_ages(sid)
            if age_ok and _list_type(sid) in exploitation_types(case) + ["unknown"]:
                unavailable.append(s.title)
            continue
        if sid not in applicable or ("child" if child else "adult") not in ages:
            continue
        res = ind.ilo_assessment([p for p in present if p in {i.id for i in s.indicators}], sid, child)
        dims = [{"dimension": d, "name": r["name"], "positive": r["positive"],
                 "counts": r["counts"], "combination": r["combination_described"]}
                for d, r in res["dimensions"].items()]
        reqs = [{"label": r["label"], "met": r["met"], "why": r.get("why") or (
            "positive dimension(s): " + ", ".join(map(str, r.get("positive_dimensions") or [])) if r["met"]
            else "no positive dimension among " + ", ".join(map(str, r.get("dimensions") or [])))}
            for r in res["requirements"]]
        lists.append({"list": sid, "title": s.title, "dimensions": dims, "requirements": reqs,
                      "meets": res["meets_ilo_combination"],
                      "summary": ("The present indicators meet the ILO combination for "
                                  f"{res['classification']}s." if res["meets_ilo_combination"] else
                                  "The present indicators do not (yet) meet the ILO combination; this says "
                                  "nothing about whether the person is a victim.")})
    return {"label": GUIDANCE_LABEL, "child_reminder": CHILD_REMINDER if child else "", "lists": lists,
            "unavailable": [f"{t}: the list could not be retrieved, so no combination guidance is shown for it."
                            for t in unavailable]}


def _list_type(sid: str) -> str:
    return {"ilo.al": "labour", "ilo.cl": "labour", "ilo.as": "sexual", "ilo.cs": "sexual"}.get(sid, "")


def sid_ages(sid: str) -> set[str]:
    return {"ilo.al": {"adult"}, "ilo.as": {"adult"}, "ilo.cl": {"child"}, "ilo.cs": {"child"}}.get(sid, set())


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


# ----------------------------------------------------------------------------------------- letter


def letter_findings(text: str, case: CaseRecord, stage: str, decided_on: date | None) -> dict:
    """The letter checker's findings as plain dicts (advice, never blocking). Imported lazily: the first
    check loads the checker's model."""
    try:
        from qa_checks import check_letter
    except Exception as exc:  # noqa: BLE001 - the app must keep working without the checker
        return {"available": False, "message": f"The letter checker is not available ({type(exc).__name__}).",
                "findings": []}
    findings = check_letter(text, case_type="child" if case.referral["is_child"] else "adult",
                            stage=stage, decided_on=decided_on)
    out = []
    for f in findings:
        level = getattr(f.level, "value", str(f.level))
        quote = text[f.start:f.end] if f.end and f.end > f.start else ""
        out.append({"rule": f.rule_id, "level": level, "message": f.message, "quote": quote,
                    "suggestion": f.suggestion or "", "source": f.source or "", "rationale": f.rationale or ""})
    order = {"critical": 0, "warning": 1, "info": 2}
    out.sort(key=lambda x: order.get(x["level"], 3))
    return {"available": True, "message": (f"{len(out)} point(s) to consider." if out else
                                           "The checker found nothing to flag."), "findings": out}
