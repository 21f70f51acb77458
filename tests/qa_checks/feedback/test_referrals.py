"""Referral quality checks: what a lead and a trainer would notice — which referrals come back for errors,
which fields are missing, whether the narrative explains the ticks, and how the score moves."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from qa_checks.feedback.referrals import (
    CRITERIA_FILE,
    REQUIRED_FIELDS,
    SCHEMA,
    ReferralRecordError,
    check_referral,
    load_criteria,
    load_narrative_cues,
    validate_referral_record,
)
from qa_checks.finding import Finding
from qa_checks.reference_data import REFERENCE_DIR, ReferenceDataError
from qa_checks.walkthrough.indicators import all_indicators

EXAMPLES = REFERENCE_DIR / "examples" / "referrals"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def changed(record: dict, changes: dict) -> dict:
    rec = copy.deepcopy(record)
    for key, value in changes.items():
        *parents, last = key.split(".")
        cur = rec
        for p in parents:
            cur = cur[p]
        cur[last] = value
    return rec


def criteria_hit(result) -> set[str]:
    return {f.rule_id for f in result.findings}


# ------------------------------------------------------------------------------------ shipped examples


def test_a_thorough_adult_referral_scores_full_marks_with_no_findings():
    r = check_referral(example("adult_thorough"))
    assert r.score == 100 and not r.would_be_returned and r.findings == ()


def test_an_unsigned_adult_referral_would_be_returned_for_the_signature():
    r = check_referral(example("adult_unsigned"))
    assert r.would_be_returned and r.return_reasons == ("consent.signed",)
    (f,) = [f for f in r.findings if f.rule_id == "consent.signed"]
    assert f.field == "consent_signed" and f.level.value == "critical"
    assert "64%" in f.rationale and "5.2.5" in f.source


def test_a_child_needs_no_consent():
    r = check_referral(example("child"))
    assert r.breakdown["consent.given"].applicable is False
    assert r.breakdown["consent.signed"].applicable is False
    assert r.breakdown["narrative.means"].applicable is False   # means not required for a child
    assert not r.would_be_returned
    assert not criteria_hit(r) & {"consent.given", "consent.signed", "narrative.means"}


def test_an_unendorsed_detention_referral_would_be_returned():
    r = check_referral(example("detention_unendorsed"))
    assert r.would_be_returned and "detention.endorsed" in r.return_reasons
    f = next(f for f in r.findings if f.rule_id == "detention.endorsed")
    assert f.field == "detention_endorsed_on" and "immigration detention" in f.message and "5.3.7" in f.source
    endorsed = check_referral(changed(example("detention_unendorsed"), {"detention_endorsed_on": "2014-08-01"}))
    assert not endorsed.would_be_returned and endorsed.score > r.score


def test_a_tick_box_only_referral_scores_low_and_says_what_is_missing():
    r = check_referral(example("tick_box_only"))
    assert r.score < 40
    assert not r.would_be_returned  # thin, but signed: it goes through, and the lead gets feedback
    hit = criteria_hit(r)
    assert {"narrative.present", "indicators.explained", "fields.encounter_location", "fields.offence_location",
            "fields.encounter_circumstances", "fields.lead_location", "exploitation.consistent"} <= hit
    # One summary finding for the unexplained ticks, not six, and none per narrative element.
    assert sum(f.rule_id == "indicators.explained" for f in r.findings) == 1
    assert not any(f.rule_id.startswith("narrative.") and f.rule_id != "narrative.present" for f in r.findings)
    assert r.findings[0].level.value == "critical"  # most serious first


def test_examples_are_ordered_as_a_trainer_would_expect():
    scores = {n: check_referral(example(n)).score for n in
              ("adult_thorough", "adult_unsigned", "detention_unendorsed", "tick_box_only")}
    assert scores["adult_thorough"] > scores["adult_unsigned"] > scores["tick_box_only"]
    assert scores["detention_unendorsed"] > scores["tick_box_only"]


# ------------------------------------------------------------------------------ each criterion's examples


@pytest.mark.parametrize("criterion", load_criteria(), ids=lambda c: c.id)
def test_every_criterion_passes_and_fails_on_its_own_examples(criterion):
    base = example("adult_thorough")
    good = check_referral(changed(base, criterion.examples["pass"]))
    assert good.breakdown[criterion.id].passed, good.findings
    assert criterion.id not in criteria_hit(good)
    bad = check_referral(changed(base, criterion.examples["fail"]))
    assert not bad.breakdown[criterion.id].passed
    hits = [f for f in bad.findings if f.rule_id == criterion.id]
    assert hits and all(isinstance(f, Finding) and f.field == criterion.field and f.message for f in hits)
    assert bad.would_be_returned == (criterion.returns or good.would_be_returned)
    if criterion.weight:
        assert bad.score < good.score


def test_every_criterion_has_examples_source_and_advice():
    raw = yaml.safe_load(CRITERIA_FILE.read_text(encoding="utf-8"))
    for c in raw["criteria"]:
        assert c.get("examples", {}).keys() >= {"pass", "fail"}, c["id"]
        assert c.get("why") and c.get("source") and c.get("message"), c["id"]
    ids = [c["id"] for c in raw["criteria"]]
    assert len(ids) == len(set(ids))
    # 5.2.5: the missing signature is the main reason for return.
    returning = {c.id for c in load_criteria() if c.returns}
    assert returning == {"consent.given", "consent.signed", "detention.endorsed"}


# ---------------------------------------------------------------------------------------- behaviour


def test_each_unexplained_tick_is_named_with_its_text():
    rec = changed(example("adult_thorough"), {"indicators": example("adult_thorough")["indicators"]
                                              + ["uk.physical.dental-pain"]})
    r = check_referral(rec)
    (f,) = [f for f in r.findings if f.rule_id == "indicators.explained"]
    assert "uk.physical.dental-pain" in f.message and "Dental pain" in f.message
    assert r.breakdown["indicators.explained"].fraction == pytest.approx(7 / 8)


def test_explaining_the_tick_in_the_narrative_clears_the_finding():
    base = example("adult_thorough")
    rec = changed(base, {"indicators": base["indicators"] + ["uk.physical.dental-pain"],
                         "narrative": base["narrative"] + " He has had toothache for months and never saw a dentist."})
    assert "indicators.explained" not in criteria_hit(check_referral(rec))


def test_a_thin_narrative_gets_partial_credit_and_a_warning():
    base = example("adult_thorough")
    none = check_referral(changed(base, {"narrative": None}))
    thin = check_referral(changed(base, {"narrative": "He was forced to work at a car wash in Wakefield by a man "
                                                      "called Marius in 2013 and was not paid."}))
    full = check_referral(base)
    assert none.score < thin.score < full.score
    f = next(f for f in thin.findings if f.rule_id == "narrative.present")
    assert f.level.value == "warning" and "words" in f.message


def test_exploitation_type_consistency_names_the_type_to_add():
    base = example("adult_thorough")
    rec = changed(base, {"indicators": base["indicators"] + ["uk.sexual.moved-between-locations",
                                                              "uk.sexual.escorted-to-work"]})
    f = next(f for f in check_referral(rec).findings if f.rule_id == "exploitation.consistent")
    assert "sexual exploitation" in f.message and "labour exploitation" in f.message
    assert f.field == "exploitation_secondary"
    ok = changed(rec, {"exploitation_secondary": ["sexual"]})
    assert "exploitation.consistent" not in criteria_hit(check_referral(ok))
    # General signs fit any type; an unknown type is not second-guessed.
    unknown = changed(rec, {"exploitation_primary": "unknown"})
    assert "exploitation.consistent" not in criteria_hit(check_referral(unknown))


def test_an_age_disputed_person_is_treated_as_a_child():
    rec = changed(example("adult_unsigned"), {"person.age_disputed": True})
    r = check_referral(rec)
    assert not r.would_be_returned  # no consent needed while presumed a child
    f = next(f for f in r.findings if f.rule_id == "person.age")
    assert "age is disputed" in f.message and f.field == "person.is_child"


def test_a_date_of_birth_that_makes_an_adult_a_child_is_flagged():
    r = check_referral(changed(example("adult_thorough"), {"person.date_of_birth": "1999-01-01"}))
    f = next(f for f in r.findings if f.rule_id == "person.age")
    assert "15" in f.message
    assert r.score == 100  # advice only: it does not change the score


def test_a_redacted_narrative_softens_who_where_when():
    narrative = ("[name] recruited the PV with a promise of work and drove him to [place], where he was forced to "
                 "work long hours for no pay. He was threatened and his passport was taken. "
                 + "He worked every day without rest and was not paid for the work he did there. " * 3)
    rec = changed(example("adult_thorough"), {"narrative": narrative, "narrative_redacted": True,
                                              "indicators": ["uk.general.documents-held"]})
    r = check_referral(rec)
    where = [f for f in r.findings if f.rule_id in ("narrative.where", "narrative.who")]
    assert where and all(f.level.value == "info" and "redacted" in f.message for f in where)


def test_unknown_indicator_ids_are_named_with_a_suggestion():
    rec = changed(example("adult_thorough"), {"indicators": ["uk.general.movment-restricted"]})
    f = next(f for f in check_referral(rec).findings if f.rule_id == "indicators.known")
    assert "uk.general.movement-restricted" in f.message


def test_result_serialises_with_breakdown():
    d = check_referral(example("adult_unsigned")).to_dict()
    json.dumps(d)
    assert d["breakdown"]["consent.signed"]["earned"] == 0
    assert d["breakdown"]["consent.given"]["earned"] == 10


def test_the_example_ids_are_real_indicators():
    known = all_indicators()
    for path in EXAMPLES.glob("*.json"):
        for i in json.loads(path.read_text())["indicators"]:
            assert i in known, (path.name, i)


# ------------------------------------------------------------------------------------------- validation


def test_every_schema_problem_is_reported_at_once_by_field():
    rec = example("adult_thorough")
    del rec["received_on"]
    del rec["person"]["is_child"]
    rec["lead"]["organisation_type"] = "charity"
    rec["consent_signed"] = "yes"
    rec["detention_endorsed_on"] = "12/06/2014"
    rec["narative"] = "typo"
    rec["exploitation_secondary"] = ["labor"]
    with pytest.raises(ReferralRecordError) as err:
        validate_referral_record(rec, "r.json")
    fields = {f for _, f, _ in err.value.problems}
    assert fields == {"received_on", "person.is_child", "lead.organisation_type", "consent_signed",
                      "detention_endorsed_on", "narative", "exploitation_secondary"}
    assert all(where == "r.json" for where, _, _ in err.value.problems)
    msg = str(err.value)
    assert "did you mean 'narrative'" in msg and "YYYY-MM-DD" in msg and "missing required field" in msg


def test_a_record_that_is_not_an_object_and_missing_objects():
    with pytest.raises(ReferralRecordError, match="must be a JSON object"):
        validate_referral_record(["not", "a", "referral"], "x.json")
    rec = example("adult_thorough")
    rec["lead"] = "West Yorkshire Police"
    with pytest.raises(ReferralRecordError) as err:
        validate_referral_record(rec)
    assert [(f, p) for _, f, p in err.value.problems] == [("lead", "must be an object, not 'West Yorkshire Police'")]


def test_optional_fields_may_be_absent_and_the_check_still_runs():
    minimal = {k: v for k, v in example("tick_box_only").items() if k.split(".")[0] in
               {r.split(".")[0] for r in REQUIRED_FIELDS}}
    minimal["person"] = {"pseudonym_id": "P1", "is_child": False}
    minimal["lead"] = {"id": "L1", "organisation_type": "police"}
    r = check_referral(minimal)
    assert r.would_be_returned  # consent not recorded
    assert {"consent.given", "consent.signed", "fields.lead_organisation"} <= criteria_hit(r)


def test_check_referral_refuses_a_malformed_record():
    with pytest.raises(ReferralRecordError):
        check_referral({"id": "x"})


def test_schema_covers_the_documented_fields():
    doc = (Path(__file__).resolve().parents[3] / "docs" / "referral_schema.md").read_text(encoding="utf-8")
    for name in SCHEMA:
        assert f"`{name}`" in doc, name


# ------------------------------------------------------------------------------------ reference data


def test_the_reference_files_load():
    assert len(load_criteria()) >= 20
    cues = load_narrative_cues()
    assert set(cues.elements) == {"action", "means", "purpose", "who", "where", "when"}


def test_broken_criteria_are_all_reported_with_file_and_criterion(tmp_path):
    data = yaml.safe_load(CRITERIA_FILE.read_text(encoding="utf-8"))
    data["criteria"][0]["level"] = "severe"
    data["criteria"][1]["check"] = "signature_present"
    del data["criteria"][2]["examples"]
    data["criteria"][3]["field"] = "encounter_place"
    p = tmp_path / "criteria.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(ReferenceDataError) as err:
        load_criteria(p)
    probs = err.value.problems
    assert any("consent.given" in e and m.startswith("level: unknown value 'severe'") for _, e, m in probs)
    assert any("consent.signed" in e and "unknown check 'signature_present'" in m for _, e, m in probs)
    assert any("criteria #3" in e and m == "examples: missing required field" for _, e, m in probs)
    assert any("'encounter_place' is not a referral field" in m for _, _, m in probs)
    assert all(f.endswith("criteria.yaml") for f, _, _ in probs)
