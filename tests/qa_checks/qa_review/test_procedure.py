"""Pre-assessing the second-pair-of-eyes checklist from a record of the case as the panel had it.

Each item is shown passing, failing and (where the record can fall silent) "cannot tell"; a check
that could not run is never a pass. Records are built here, not read from a database.
"""
from copy import deepcopy
from datetime import date

import pytest

from qa_checks.finding import Finding, Level
from qa_checks.qa_review import procedure
from qa_checks.reference_data import ReferenceDataError

CLEAN_CG_LETTER = """Dear Sam,

We have made a conclusive grounds decision about you. We decided this on the balance of probabilities:
whether it is more likely than not that you are a victim of modern slavery.

We read your account, the report from your support provider and the psychological report. We understand
that trauma can make it hard to remember dates and to tell everything at once, and we have not held the
order in which you told us things against you.

We have decided that you are a victim of modern slavery. Your support provider will explain what happens next.

If you or your support worker think we have got something wrong, you can ask us to reconsider this decision.
"""
FLAWED_CG_LETTER = """Dear Sam,

You claimed to be a victim of trafficking. The police have not charged anyone, so there is no evidence that
you were exploited. There is no evidence of trauma and you have not received counselling. You failed to
mention the threats at your first interview, which damages your credibility. Your asylum claim was refused,
and we have taken that into account. We are not satisfied beyond reasonable doubt that you are a victim.
"""
REASONS = ("The panel considered the referral and the information from the police and the support provider. "
           "The account has stayed the same on the central points: recruitment by deception, control of "
           "documents and wages, and threats to the family. The panel finds it more likely than not.")


def record(**changes) -> dict:
    """An adult CG decision, everything in order; `changes` are dotted paths -> values."""
    r = {
        "case_id": 1, "reference": "NRM-2013-000001",
        "referral": {"received_on": date(2013, 3, 1), "is_child": False, "age_disputed": False,
                     "consent_given": True, "consent_signed": True, "detention": "none",
                     "detention_endorsed_on": None, "nationality_group": "non_eea"},
        "accepted_on": date(2013, 3, 1), "escalated_on": None, "escalation_reason": None,
        "rg_decided_on": date(2013, 3, 6),
        "decision": {"id": 9, "stage": "cg", "outcome": "positive", "decided_on": date(2013, 4, 15),
                     "reasons": REASONS, "evidence_ids": [1, 2], "author": "chair-london"},
        "evidence": [
            {"id": 1, "source": "police", "description": "Crime report", "requested_on": date(2013, 3, 2),
             "received_on": date(2013, 3, 10), "summary": "Crime recorded; enquiries continuing."},
            {"id": 2, "source": "support_provider", "description": "Support provider's report",
             "requested_on": date(2013, 3, 7), "received_on": date(2013, 3, 30),
             "summary": "Engaging well with support."},
        ],
        "assessments": [],
        "letter": {"text": CLEAN_CG_LETTER, "version": 2},
        "asylum": None,
    }
    for path, value in changes.items():
        target = r
        *parents, last = path.split(".")
        for p in parents:
            target = target[p]
        target[last] = value
    return r


def assess(r: dict) -> dict[str, Finding]:
    return {f.category: f for f in procedure.pre_assess(r, use_model=False)}


def status(r: dict, item: str) -> str:
    return procedure.status_of(assess(r)[item])


def facts(r: dict, item: str) -> str:
    return " ".join(assess(r)[item].evidence["facts"])


# ------------------------------------------------------------------------------------------ the data

def test_every_checklist_item_names_its_source_and_how_it_is_pre_assessed():
    items = procedure.load_checklist()
    assert len({i.id for i in items}) == len(items)
    assert {i.id for i in items} >= {"evidence_considered", "support_provider_information",
                                      "childrens_services_information", "right_test", "trauma_considered",
                                      "asylum_separate", "no_prosecution_dependence", "reasons_given",
                                      "letter_free_of_flaws", "child_friendly_language", "timescales",
                                      "detention_endorsed", "consent_recorded"}
    for i in items:
        assert i.source and i.pre_assessed_from and i.check in procedure.CHECKS, i.id


def test_a_bad_checklist_is_refused_with_every_problem_named(tmp_path, monkeypatch):
    bad = tmp_path / "procedure_checklist.yaml"
    bad.write_text("""items:
  - {id: a, text: t, source: s, level: fatal, applies_to: {age: any, stage: [rg], detention: any, nationality: any},
     pre_assessed: {check: no_such_check, from: x}}
  - {id: a, text: t, source: s, level: warning, applies_to: {age: elderly, stage: [rg], detention: any, nationality: any},
     pre_assessed: {check: timescales, from: x}}
""")
    monkeypatch.setattr(procedure, "_PATH", bad)
    procedure.load_checklist.cache_clear()
    try:
        with pytest.raises(ReferenceDataError) as exc:
            procedure.load_checklist()
    finally:
        procedure.load_checklist.cache_clear()
    problems = exc.value.problems
    assert all(f.endswith("procedure_checklist.yaml") for f, _, _ in problems)
    assert ("items #1 (a)", "level: unknown value 'fatal' (expected 'warning' or 'critical')") in \
        [(e, p) for _, e, p in problems]
    assert any(e == "items #1 (a)" and p.startswith("pre_assessed.check: unknown check 'no_such_check'")
               for _, e, p in problems)
    assert any(e == "items #2 (a)" and p.startswith("applies_to.age: unknown value 'elderly'") for _, e, p in problems)
    assert any(e == "items #2 (a)" and "duplicate id 'a'" in p for _, e, p in problems)
    assert any(e == "header" and p.startswith("version: missing") for _, e, p in problems)


def test_every_applicable_item_gets_one_finding_in_checklist_order_with_a_status():
    found = procedure.pre_assess(record(), use_model=False)
    ids = [f.category for f in found]
    assert ids == [i.id for i in procedure.load_checklist() if i.applies(record())]
    assert all(procedure.status_of(f) in procedure.STATUSES and f.evidence["facts"] for f in found)
    assert all(f.rule_id == f"procedure.{f.category}" and f.raised_by == "procedure" for f in found)


def test_a_well_run_adult_cg_decision_passes_every_item_the_record_can_show():
    found = assess(record())
    assert {k for k, f in found.items() if procedure.status_of(f) == "fail"} == set()
    assert procedure.status_of(found["asylum_separate"]) == "cannot_tell"  # no asylum decision is held


def test_which_items_apply_depends_on_age_detention_nationality_and_stage():
    adult = {f.category for f in procedure.pre_assess(record(), use_model=False)}
    assert "consent_recorded" in adult and "childrens_services_information" not in adult
    assert "detention_endorsed" not in adult
    child = {f.category for f in procedure.pre_assess(record(**{"referral.is_child": True}), use_model=False)}
    assert {"childrens_services_information", "child_friendly_language"} <= child and "consent_recorded" not in child
    uk = {f.category for f in procedure.pre_assess(record(**{"referral.nationality_group": "uk"}), use_model=False)}
    assert "asylum_separate" not in uk
    rg = {f.category for f in procedure.pre_assess(record(**{"decision.stage": "rg"}), use_model=False)}
    assert "support_provider_information" not in rg
    disputed = {f.category for f in procedure.pre_assess(record(**{"referral.age_disputed": True}), use_model=False)}
    assert "childrens_services_information" in disputed  # presumed a child pending assessment


# ------------------------------------------------------------------------------------------ evidence

def test_evidence_not_received_when_the_panel_decided_is_a_failing_shown_with_its_dates():
    r = record()
    r["evidence"][1]["received_on"] = None
    assert status(r, "evidence_considered") == "fail"
    assert ("Support provider's information requested on 7 March 2013, not received; decision on 15 April 2013."
            in facts(r, "evidence_considered"))


def test_evidence_that_arrived_after_the_decision_is_a_failing_that_says_how_late():
    r = record()
    r["evidence"][1]["received_on"] = date(2013, 4, 18)
    assert status(r, "evidence_considered") == "fail"
    assert "3 days after the decision" in facts(r, "evidence_considered")


def test_evidence_the_panel_had_but_the_reasons_ignore_is_a_failing():
    r = record(**{"decision.evidence_ids": [1]})
    r["evidence"].append({"id": 3, "source": "medical", "description": "GP letter", "requested_on": date(2013, 3, 5),
                          "received_on": date(2013, 3, 20), "summary": "Treated for injuries."})
    assert status(r, "evidence_considered") == "fail"
    assert "Medical evidence received on 20 March 2013 is neither linked" in facts(r, "evidence_considered")


def test_evidence_asked_for_only_after_the_decision_does_not_count_against_it():
    r = record()
    r["evidence"].append({"id": 4, "source": "medical", "description": "GP letter", "requested_on": date(2013, 5, 1),
                          "received_on": None, "summary": ""})
    assert status(r, "evidence_considered") == "pass"


def test_a_decision_on_the_referral_alone_cannot_be_told_from_the_record():
    assert status(record(evidence=[], **{"decision.evidence_ids": []}), "evidence_considered") == "cannot_tell"


def test_the_support_providers_information_passes_fails_or_cannot_be_told():
    assert status(record(), "support_provider_information") == "pass"
    r = record()
    r["evidence"][1]["received_on"] = None
    assert status(r, "support_provider_information") == "fail"
    r = record()
    del r["evidence"][1]
    assert status(r, "support_provider_information") == "cannot_tell"
    assert "whether the person was in support" in facts(r, "support_provider_information")


def test_for_a_child_childrens_services_must_be_asked():
    child = record(**{"referral.is_child": True})
    assert status(child, "childrens_services_information") == "fail"
    assert "No request to children's services is recorded" in facts(child, "childrens_services_information")
    child["evidence"].append({"id": 5, "source": "la_childrens_services", "description": "Strategy meeting notes",
                              "requested_on": date(2013, 3, 2), "received_on": date(2013, 3, 12), "summary": ""})
    assert status(child, "childrens_services_information") == "pass"
    child["evidence"][-1]["received_on"] = None
    assert status(child, "childrens_services_information") == "fail"


# ------------------------------------------------------------------------------------------ the test

def test_the_right_test_passes_when_stated_and_fails_when_a_higher_standard_is_applied():
    assert status(record(), "right_test") == "pass"
    assert "balance of probabilities" in facts(record(), "right_test")
    flawed = record(**{"letter.text": FLAWED_CG_LETTER})
    assert status(flawed, "right_test") == "fail"
    assert "beyond reasonable doubt" in facts(flawed, "right_test")


def test_which_test_was_applied_cannot_be_told_when_neither_letter_nor_reasons_state_it():
    r = record(letter=None, **{"decision.reasons": "The panel considered the referral and the police report "
                                                   "and the support provider's report, and found the account "
                                                   "consistent on the central points of recruitment and control."})
    assert status(r, "right_test") == "cannot_tell"


def test_the_test_in_force_follows_the_decision_date():
    r = record(**{"decision.stage": "rg", "decision.decided_on": date(2023, 3, 1),
                  "referral.received_on": date(2023, 2, 27), "accepted_on": date(2023, 2, 27)})
    assert "based on objective factors" in facts(r, "right_test")


# ------------------------------------------------------------------------------------------ trauma, asylum, police

def test_trauma_is_considered_dismissed_or_silent():
    assert status(record(), "trauma_considered") == "pass"
    assert status(record(**{"letter.text": FLAWED_CG_LETTER}), "trauma_considered") == "fail"
    silent = record(**{"letter.text": "Dear Sam,\n\nWe decided on the balance of probabilities that you are a "
                                      "victim of modern slavery.\n"})
    assert status(silent, "trauma_considered") == "cannot_tell"


def test_trauma_in_the_evidence_but_not_in_the_reasons_or_letter_is_a_failing():
    r = record(**{"letter.text": "Dear Sam,\n\nWe decided on the balance of probabilities that you are not a "
                                 "victim of modern slavery.\n"})
    r["evidence"][1]["summary"] = "Caseworker notes symptoms of PTSD; they often wake screaming."
    assert status(r, "trauma_considered") == "fail"
    assert "describes trauma" in facts(r, "trauma_considered")


def test_asylum_reasoned_together_or_decided_by_the_same_person_is_a_failing():
    assert status(record(**{"letter.text": FLAWED_CG_LETTER}), "asylum_separate") == "fail"
    same = record(asylum={"decided_by": "chair-london", "decided_on": date(2013, 4, 15)})
    assert status(same, "asylum_separate") == "fail"
    other = record(asylum={"decided_by": "ukvi-caseworker-7", "decided_on": date(2013, 2, 1)})
    assert status(other, "asylum_separate") == "pass"
    assert status(record(), "asylum_separate") == "cannot_tell"


def test_leaning_on_a_prosecution_or_waiting_for_one_is_a_failing():
    assert status(record(), "no_prosecution_dependence") == "pass"
    assert status(record(**{"letter.text": FLAWED_CG_LETTER}), "no_prosecution_dependence") == "fail"
    waited = record(escalated_on=date(2013, 4, 10), escalation_reason="Awaiting the outcome of the trial.")
    assert status(waited, "no_prosecution_dependence") == "fail"
    assert "Awaiting the outcome of the trial." in facts(waited, "no_prosecution_dependence")


# ------------------------------------------------------------------------------------------ reasons and letter

def test_reasons_must_be_given_and_refer_to_the_evidence():
    assert status(record(), "reasons_given") == "pass"
    assert status(record(**{"decision.reasons": "Not a victim."}), "reasons_given") == "fail"
    vague = record(**{"decision.evidence_ids": [], "decision.reasons": (
        "Having weighed everything carefully the panel is not persuaded that the account given meets the "
        "definition in this instance, for the reasons discussed at the meeting on the day.")})
    assert status(vague, "reasons_given") == "fail"


def test_the_letter_is_checked_with_the_letter_checker():
    assert status(record(), "letter_free_of_flaws") == "pass"
    flawed = record(**{"letter.text": FLAWED_CG_LETTER})
    assert status(flawed, "letter_free_of_flaws") == "fail"
    assert "claimed language" in facts(flawed, "letter_free_of_flaws")
    assert status(record(letter=None), "letter_free_of_flaws") == "cannot_tell"


def test_a_letter_checker_that_cannot_run_is_cannot_tell_never_a_pass(monkeypatch):
    import qa_checks.letters

    def broken(*a, **k):
        raise RuntimeError("model file missing")
    monkeypatch.setattr(qa_checks.letters, "check_letter", broken)
    found = assess(record())
    for item in ("letter_free_of_flaws", "no_prosecution_dependence"):
        assert procedure.status_of(found[item]) == "cannot_tell", item
    assert "could not run" in " ".join(found["letter_free_of_flaws"].evidence["facts"])


def test_a_check_that_raises_is_cannot_tell_for_that_item_only(monkeypatch):
    def boom(ctx, it):
        raise ValueError("unexpected")
    monkeypatch.setitem(procedure.CHECKS, "consent_recorded", boom)
    found = assess(record())
    assert procedure.status_of(found["consent_recorded"]) == "cannot_tell"
    assert procedure.status_of(found["timescales"]) == "pass"


def test_a_childs_letter_must_use_child_friendly_language():
    child = record(**{"referral.is_child": True, "letter.text": (
        "Dear Sam,\n\nWe looked at what you told us. We think it is more likely than not that you were hurt and "
        "made to work. This means you are a victim of modern slavery. Your social worker will help you. If you "
        "think we got it wrong, you can ask us to look at our decision again.\n")})
    assert status(child, "child_friendly_language") == "pass"
    dense = record(**{"referral.is_child": True, "letter.text": (
        "Dear Sam,\n\nFollowing consideration of the documentary evidence and the representations submitted by "
        "the competent authority's designated caseworker, notwithstanding the discrepancies identified in the "
        "chronology, the multi-agency panel has determined, on the balance of probabilities and in accordance "
        "with the statutory guidance, that the threshold for a positive conclusive grounds determination is "
        "satisfied, and the recovery and reflection entitlements consequently continue.\n")})
    assert status(dense, "child_friendly_language") == "fail"
    assert status(record(letter=None, **{"referral.is_child": True}), "child_friendly_language") == "cannot_tell"


# ------------------------------------------------------------------------------------------ timescales, detention, consent

def test_an_rg_decision_within_five_working_days_meets_its_timescale():
    r = record(**{"decision.stage": "rg", "decision.decided_on": date(2013, 3, 8)})  # Fri 1 -> Fri 8 March
    assert status(r, "timescales") == "pass"
    late = record(**{"decision.stage": "rg", "decision.decided_on": date(2013, 3, 14)})
    assert status(late, "timescales") == "fail"
    assert "9 working days" in facts(late, "timescales")


def test_a_late_cg_decision_passes_only_if_the_escalation_was_recorded_before_it():
    late = record(**{"decision.decided_on": date(2013, 5, 30)})  # 85 days after RG; 45-day period in 2013
    assert status(late, "timescales") == "fail"
    assert "85 days after the RG decision" in facts(late, "timescales") and "45 days" in facts(late, "timescales")
    escalated = deepcopy(late)
    escalated.update(escalated_on=date(2013, 4, 21), escalation_reason="Interpreter needed for a further account.")
    assert status(escalated, "timescales") == "pass"
    assert "Escalation recorded on 21 April 2013" in facts(escalated, "timescales")
    assert status(record(rg_decided_on=None), "timescales") == "cannot_tell"


def test_a_detention_referral_must_be_endorsed_before_the_decision():
    detained = record(**{"referral.detention": "immigration_detention",
                         "referral.detention_endorsed_on": date(2013, 3, 2)})
    assert status(detained, "detention_endorsed") == "pass"
    detained["referral"]["detention_endorsed_on"] = None
    assert status(detained, "detention_endorsed") == "fail"
    detained["referral"]["detention_endorsed_on"] = date(2013, 5, 1)
    assert status(detained, "detention_endorsed") == "fail"
    assert "after the decision" in facts(detained, "detention_endorsed")


def test_an_adults_consent_must_be_recorded():
    assert status(record(), "consent_recorded") == "pass"
    assert status(record(**{"referral.consent_signed": False}), "consent_recorded") == "fail"
    assert status(record(**{"referral.consent_given": None}), "consent_recorded") == "cannot_tell"


# ------------------------------------------------------------------------------------------ the Finding

def test_findings_are_advice_worded_as_such_with_their_source():
    for f in procedure.pre_assess(record(**{"letter.text": FLAWED_CG_LETTER}), use_model=False):
        assert f.message.startswith(("Looks met", "Looks like a failing", "Cannot tell from the record"))
        assert f.source and f.rationale
        if procedure.status_of(f) == "pass":
            assert Level(f.level) == Level.INFO


def test_dates_may_arrive_as_iso_strings():
    r = record()
    r["decision"]["decided_on"] = "2013-04-15"
    r["evidence"][1]["received_on"] = None
    r["evidence"][1]["requested_on"] = "2013-03-07"
    assert status(r, "evidence_considered") == "fail"


def test_childrens_services_not_yet_asked_at_reasonable_grounds_cannot_be_told():
    child_rg = record(**{"referral.is_child": True, "decision.stage": "rg", "decision.decided_on": date(2013, 3, 6)})
    assert status(child_rg, "childrens_services_information") == "cannot_tell"
    assert "by conclusive grounds it must be" in facts(child_rg, "childrens_services_information")
