"""check_letter as a drafter meets it: good letters come back clean, flawed ones are flagged where the
words are, quoted testimony is left alone, and the legal test depends on stage and date."""
from datetime import date
from pathlib import Path

import pytest
import yaml

import reference
from qa_checks import Finding, Level, check_letter
from qa_checks.letters.rules import load_rules

LETTERS = Path(reference.__file__).parent / "letters"
DECIDED = date(2024, 6, 1)


def letter_context(name: str) -> dict:
    """Case type and stage from a clean letter's file name, e.g. child_rg_positive.txt."""
    return {"case_type": "child" if name.startswith("child") else "adult",
            "stage": "rg" if "_rg_" in name else "cg"}

CLEAN = sorted((LETTERS / "clean").glob("*.txt"))
FLAWED = sorted((LETTERS / "flawed").glob("*.txt"))


def test_the_clean_corpus_has_several_varied_letters():
    names = [p.name for p in CLEAN]
    assert len(names) >= 6
    assert any(n.startswith("child") for n in names) and any(n.startswith("adult") for n in names)
    assert any("_rg_" in n for n in names) and any("_cg_" in n for n in names)


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.name)
def test_a_good_trauma_informed_letter_lints_clean(path):
    text = path.read_text(encoding="utf-8")
    findings = check_letter(text, decided_on=DECIDED, **letter_context(path.name))
    assert findings == [], "\n".join(f"{f.rule_id} [{f.raised_by}] {text[f.start:f.end]!r}" for f in findings)


@pytest.mark.parametrize("path", FLAWED, ids=lambda p: p.name)
def test_a_flawed_letter_is_flagged_in_every_expected_category_by_rules_alone(path):
    expected = yaml.safe_load(path.with_suffix(".expected.yaml").read_text())
    text = path.read_text(encoding="utf-8")
    findings = check_letter(text, case_type=expected["case_type"], stage=expected["stage"],
                            decided_on=expected["decided_on"], use_model=False)
    assert set(expected["categories"]) <= {f.category for f in findings}


def test_findings_point_at_the_words_in_the_text_as_given():
    text = "Dear Ms A,\r\n\r\nYou claim that you were forced to work. The alleged trafficker was not found.\r\n"
    findings = [f for f in check_letter(text, use_model=False) if f.category == "claimed-language"]
    assert [text[f.start:f.end] for f in findings] == ["You claim that", "alleged trafficker"]
    assert all(isinstance(f, Finding) and f.raised_by == "rule" and f.confidence == 1.0 for f in findings)


def test_good_letters_using_the_same_words_are_not_flagged():
    text = ("You claimed asylum in 2021 and that claim is decided separately. The panel did not hold it against "
            "you that you could not remember dates. This decision does not depend on any prosecution.")
    flagged = {f.category for f in check_letter(text, use_model=False)}
    assert not flagged & {"claimed-language", "minor-inconsistency", "prosecution-dependence"}


def test_quoted_testimony_is_not_flagged_unless_asked_for():
    text = ('You told us: "My boss said you claim to be a victim but nobody will believe you." '
            "We accept your account.")
    assert not [f for f in check_letter(text, use_model=False) if f.category == "claimed-language"]
    included = check_letter(text, use_model=False, include_quotes=True)
    assert any(f.category == "claimed-language" for f in included)


def test_block_quoted_testimony_after_you_told_us_is_not_flagged():
    text = ("You told us:\n\n    I had no choice. The alleged boss said I could have left any time.\n\n"
            "We accept what you told us.")
    assert not [f for f in check_letter(text, use_model=False) if f.raised_by == "rule" and f.start]


def test_balance_of_probabilities_is_right_at_cg_and_wrong_at_rg():
    text = "On the balance of probabilities, you are not a victim. You can ask us to reconsider."
    cg = {f.category for f in check_letter(text, stage="cg", use_model=False)}
    rg = {f.category for f in check_letter(text, stage="rg", use_model=False)}
    assert "wrong-standard-of-proof" not in cg and "standard-of-proof-missing" not in cg
    assert {"wrong-standard-of-proof", "standard-of-proof-missing"} <= rg


def test_objective_factors_at_rg_is_flagged_only_after_the_requirement_was_withdrawn():
    text = ("There are not reasonable grounds to believe you are a victim, as your account is not supported by "
            "objective factors. You can ask us to reconsider.")
    during = check_letter(text, stage="rg", decided_on=date(2023, 3, 1), use_model=False)
    after = check_letter(text, stage="rg", decided_on=date(2023, 9, 1), use_model=False)
    rule = "wrong-standard-of-proof.objective-factors-outside-period"
    assert rule not in {f.rule_id for f in during}
    assert rule in {f.rule_id for f in after}


def test_a_letter_without_a_review_route_is_told_how_to_add_one():
    findings = check_letter("On the balance of probabilities you are a victim.", use_model=False)
    route = [f for f in findings if f.category == "no-review-route"]
    assert len(route) == 1 and route[0].message.startswith("Consider") and "reconsider" in route[0].suggestion


def test_a_child_letter_in_official_language_is_flagged_for_grade_and_jargon():
    text = ("Further to the determination of the Single Competent Authority pursuant to the statutory guidance, "
            "the conclusive grounds decision, having regard to the balance of probabilities and the credibility "
            "of the account, notwithstanding the mitigating circumstances, is that you are a victim. "
            "You may request reconsideration.")
    findings = check_letter(text, case_type="child", use_model=False)
    assert any(f.rule_id == "child-readability.grade" for f in findings)
    jargon = {text[f.start:f.end].lower() for f in findings if f.rule_id == "child-readability.jargon"}
    assert {"pursuant to", "notwithstanding", "credibility"} <= jargon
    assert not any(f.category == "child-readability" for f in check_letter(text, case_type="adult", use_model=False))


def test_messages_are_advice_not_verdicts():
    text = (LETTERS / "flawed" / "adult_cg_negative_2014_template.txt").read_text()
    findings = check_letter(text, decided_on=DECIDED)
    rules = {r.id: r for r in load_rules().rules}
    assert findings
    for f in findings:
        assert f.message.startswith("Consider"), f.message
        if f.raised_by == "rule" and f.rule_id in rules:  # a rule's finding carries that rule's level
            assert Level(f.level) == rules[f.rule_id].level, f.rule_id
        if f.raised_by == "model":  # a model's guess is never critical
            assert Level(f.level) != Level.CRITICAL, f.rule_id


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        check_letter("text", case_type="elder")
    with pytest.raises(ValueError):
        check_letter("text", stage="appeal")
