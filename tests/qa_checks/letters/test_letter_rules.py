"""Rules are data (DESIGN.md): every rule ships pass and fail examples, ids never repeat, and every
example behaves as it says."""
from datetime import date

import pytest
import yaml

from qa_checks.letters.check import rule_findings
from qa_checks.letters.rules import RULES_DIR, RuleError, RuleSet, load_rules
from qa_checks.letters.text import SpanIndex, split_sentences

RULESET = load_rules()
REQUIRED = {"claimed-language", "corroboration-demand", "minor-inconsistency", "trauma-dismissal",
            "document-overreliance", "asylum-conflation", "prosecution-dependence", "wrong-standard-of-proof",
            "late-disclosure", "plausibility-speculation"}


def _examples():
    for rule in RULESET.rules:
        for kind in ("fail", "pass"):
            for ex in rule.examples.get(kind, []):
                ex = ex if isinstance(ex, dict) else {"text": ex}
                yield pytest.param(rule, kind, ex, id=f"{rule.id}:{kind}:{ex['text'][:40]}")


def _fires(rule, ex) -> bool:
    text = ex["text"]
    decided = ex.get("decided_on", date(2024, 6, 1))
    decided = date.fromisoformat(decided) if isinstance(decided, str) else decided
    found = rule_findings(text, split_sentences(text), SpanIndex([]), RuleSet(RULESET.categories, (rule,)),
                          case_type=ex.get("case_type", "adult"), stage=ex.get("stage", "cg"), decided_on=decided)
    return bool(found)


@pytest.mark.parametrize("rule,kind,ex", list(_examples()))
def test_rule_example(rule, kind, ex):
    if kind == "fail":
        assert _fires(rule, ex), f"{rule.id} should flag: {ex['text']}"
    else:
        assert not _fires(rule, ex), f"{rule.id} should not flag: {ex['text']}"


def test_every_rule_has_at_least_two_fail_and_two_pass_examples():
    thin = [r.id for r in RULESET.rules
            if len(r.examples.get("fail", [])) < 2 or len(r.examples.get("pass", [])) < 2]
    assert not thin, f"rules without enough examples: {thin}"


def test_every_required_category_has_rules_with_a_message_a_source_and_a_suggestion():
    assert {r.category for r in RULESET.rules} >= REQUIRED
    for r in RULESET.rules:
        assert r.message.startswith("Consider"), f"{r.id}: messages are advice, worded 'Consider...'"
        assert r.source and r.suggestion and r.rationale, r.id


def test_rule_ids_are_unique_and_prefixed_by_their_category():
    ids = [r.id for r in RULESET.rules]
    assert len(ids) == len(set(ids))
    assert all(r.id.startswith(r.category + ".") for r in RULESET.rules)


def _write_rules(tmp_path, rules):
    (tmp_path / "x.yaml").write_text(yaml.safe_dump({"category": "x", "message": "Consider", "rules": rules}))
    load_rules.cache_clear()


def test_a_repeated_rule_id_is_refused_naming_the_file(tmp_path):
    rule = {"id": "x.a", "patterns": ["foo"], "examples": {"fail": ["foo"], "pass": ["bar"]}}
    _write_rules(tmp_path, [rule, rule])
    with pytest.raises(RuleError, match=r"x\.yaml: rule x\.a: id repeats"):
        load_rules(tmp_path)


def test_an_unknown_rule_type_or_bad_regex_is_refused(tmp_path):
    _write_rules(tmp_path, [{"id": "x.a", "type": "substitution", "patterns": ["foo"]}])
    with pytest.raises(RuleError, match="type must be one of"):
        load_rules(tmp_path)
    _write_rules(tmp_path, [{"id": "x.b", "patterns": ["(unclosed"]}])
    with pytest.raises(RuleError, match="bad regular expression"):
        load_rules(tmp_path)


def test_the_shipped_rules_directory_is_the_one_loaded():
    assert any(RULES_DIR.glob("*.yaml"))
