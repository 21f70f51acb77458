"""The indicator checklist as the chair walks it: the indicators for the case's exploitation type and age,
grouped by set and dimension with those ticked on the referral first, each assessment's state, and the
ILO 2009 combination rule per dimension shown as guidance only. Plain records in, plain dicts out.
"""
from __future__ import annotations

from qa_checks.walkthrough import indicators as ind
from workbench.core.clock import fmt_date
from workbench.core.records import AssessmentRecord, CaseRecord
from workbench.walkthrough.view import REFERRAL_GROUP, evidence_label, exploitation_types


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


