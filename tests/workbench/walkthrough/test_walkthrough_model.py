"""The walkthrough's view-models: checklist grouping, ILO guidance, reasons, refused saves (no browser)."""
from datetime import date, datetime

import pytest

from qa_checks.walkthrough import indicators as ind
from workbench.core.app import as_of
from workbench.core.cases import open_case
from workbench.core.errors import StaleSave
from workbench.core.session import Session
from workbench.walkthrough import checklist
from workbench.walkthrough import view as wt
from workbench.walkthrough.actions import panel_queue, record_decision


@pytest.fixture
def chair(store):
    return Session(store, "chair-london")


def _case(chair, pred):
    d = as_of(chair)
    for row in panel_queue(chair, as_of=d):
        c = open_case(chair, row.case_id, as_of=d)
        if pred(c):
            return c
    pytest.skip("no case of that kind in the demo data")


def test_the_checklist_puts_indicators_ticked_on_the_referral_first_and_lists_each_once(chair):
    case = _case(chair, lambda c: c.referral["indicators"])
    model = checklist.checklist_model(case)
    first = model["groups"][0]
    assert first["key"] == wt.REFERRAL_GROUP and first["title"] == "Ticked on the referral"
    assert {i["id"] for i in first["items"]} == set(case.referral["indicators"])
    ids = [i["id"] for g in model["groups"] for i in g["items"]]
    assert len(ids) == len(set(ids)) == model["total"]
    expected = {i.id for i in ind.indicators_for(wt.exploitation_types(case), case.referral["is_child"])}
    assert expected <= set(ids)


def test_the_checklist_is_grouped_by_set_and_dimension_with_saved_assessments(chair):
    case = _case(chair, lambda c: c.assessments and c.referral["exploitation_primary"] == "labour"
                 and not c.referral["is_child"])
    model = checklist.checklist_model(case)
    titles = [g["title"] for g in model["groups"]]
    assert any(t.startswith("ILO 2009 adults, labour — dimension 4") for t in titles)
    assert any(t.startswith("UK general — ") for t in titles)
    items = {i["id"]: i for g in model["groups"] for i in g["items"]}
    for iid, a in case.assessments.items():
        assert items[iid]["status"] == a.status and items[iid]["evidence"] == list(a.evidence_ids)
        assert items[iid]["note"] == (a.note or "")


def test_a_childs_checklist_has_the_child_indicators_and_the_means_reminder(store):
    case = _case(Session(store, "case-manager"),
                 lambda c: c.referral["is_child"] and c.referral["exploitation_primary"] == "labour")
    model = checklist.checklist_model(case)
    assert any(g["title"] == "UK child-specific" for g in model["groups"])
    guidance = checklist.ilo_guidance(case, {})
    assert "means" in guidance["child_reminder"] and "need not be shown" in guidance["child_reminder"]
    assert [l["list"] for l in guidance["lists"]] == ["ilo.cl"]


def test_ilo_guidance_is_labelled_guidance_and_turns_a_dimension_positive(chair):
    case = _case(chair, lambda c: c.referral["exploitation_primary"] == "labour" and not c.referral["is_child"])
    guidance = checklist.ilo_guidance(case, {})
    assert guidance["label"].startswith("Guidance only, not a decision")
    assert guidance["child_reminder"] == ""
    strong = [i.id for i in ind.load_indicator_sets()["ilo.al"].in_dimension(5) if i.strength == "strong"][:2]
    after = checklist.ilo_guidance(case, {s: "present" for s in strong})
    dim5 = next(d for d in after["lists"][0]["dimensions"] if d["dimension"] == 5)
    assert dim5["positive"] and dim5["counts"]["strong"] == 2


def test_adult_sexual_exploitation_says_the_ilo_list_could_not_be_retrieved(chair):
    case = _case(chair, lambda c: c.referral["exploitation_primary"] == "sexual" and not c.referral["is_child"]
                 and not c.referral["exploitation_secondary"])
    g = checklist.ilo_guidance(case, {})
    assert not g["lists"] and "could not be retrieved" in g["unavailable"][0]


def test_reasons_must_refer_to_the_evidence_considered(chair):
    case = _case(chair, lambda c: any(e.source == "police" and e.received_on for e in c.evidence))
    police = next(e for e in case.evidence if e.source == "police" and e.received_on)
    assert any("Choose the evidence" in p for p in wt.reasons_problems("The panel considered the account given.", []))
    problems = wt.reasons_problems("The panel considered the account given in full.", [police])
    assert problems and "police" in problems[0]
    assert wt.reasons_problems("The police report corroborates the account in full.", [police]) == []
    assert wt.reasons_problems(f"Item #{police.id} corroborates the account given.", [police]) == []
    assert "Write the reasons" in wt.reasons_problems("short", [police])[0]


def test_the_test_in_force_is_in_plain_words():
    cg = wt.legal_test_text("cg", date(2013, 12, 31))
    assert cg["name"].startswith("Conclusive grounds") and "more likely than not" in cg["plain"]
    rg = wt.legal_test_text("rg", date(2013, 12, 31))
    assert "suspect but cannot prove" in rg["plain"]
    assert "2009" in wt.legal_test_text("rg", date(2001, 1, 1))["plain"]


def test_a_refused_save_names_who_changed_what_and_keeps_the_users_input():
    exc = StaleSave("Indicator assessment", "3/x", 1, 2, "member-london-1", datetime(2013, 12, 31, 10, 5),
                    {"status": "present", "note": "seen at the address", "evidence": [7]})
    info = wt.stale_info(exc)
    assert "member-london-1" in info.message and "marked it present" in info.message
    assert "seen at the address" in info.message and "#7" in info.message
    assert "Your input is still here" in info.message and info.version == 2


def test_queue_filters_map_dropdown_values_to_session_filters():
    assert wt.queue_filters("", "", "") == {}
    assert wt.queue_filters("with_panel", "labour", "child") == {"stage": "with_panel", "exploitation": "labour",
                                                                 "child": True}
    assert wt.queue_filters(None, None, "adult") == {"child": False}


def test_a_decision_recorded_meanwhile_by_someone_else_is_a_conflict(chair, store):
    case = _case(chair, lambda c: wt.next_stage(c) == "rg" and any(e.received_on for e in c.evidence))
    seen = {d.id for d in case.decisions}
    other = Session(store, "chair-london")
    ev = [e for e in case.evidence if e.received_on][:1]
    record_decision(other, case.id, "rg", "positive", "The police and support evidence support the account.",
                          evidence_ids=[e.id for e in ev], decided_on=date(2013, 12, 31))
    now = open_case(chair, case.id)
    assert wt.decision_conflict(seen, now, "rg", "someone-else").startswith("Not recorded: chair-london")
    assert wt.decision_conflict(seen, now, "rg", "chair-london") is None
    assert wt.decision_conflict(seen, now, "cg", "someone-else") is None
