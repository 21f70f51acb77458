"""Rules are data (reference/letters/rules/*.yaml): every rule ships pass and fail examples, ids never repeat,
every example behaves as it says, and a broken rule file is reported with every problem at once."""
from datetime import date

import pytest
import yaml

from qa_checks.letters.check import rule_findings
from qa_checks.letters.rules import RULES_DIR, RuleSet, load_rules
from qa_checks.letters.text import SpanIndex, split_sentences
from qa_checks.reference_data import ReferenceDataError

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


def _write_rules(tmp_path, rules, name="x", shared=None):
    (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump({"category": name, "message": "Consider", "rules": rules}))
    if shared is not None:
        (tmp_path / "_exceptions.yaml").write_text(yaml.safe_dump(shared))
    load_rules.cache_clear()


def _rule(rid, **kw):
    return {"id": rid, "patterns": ["foo"], "examples": {"fail": ["foo", "a foo"], "pass": ["bar", "a bar"]}, **kw}


def _problems(rules_dir):
    with pytest.raises(ReferenceDataError) as err:
        load_rules(rules_dir)
    load_rules.cache_clear()
    return [(f.rsplit("/", 1)[-1], e, p) for f, e, p in err.value.problems]


def test_a_well_formed_rule_folder_loads(tmp_path):
    _write_rules(tmp_path, [_rule("x.a", exceptions_from=["disavowal"])], shared={"disavowal": ["not held"]})
    rules = load_rules(tmp_path)
    load_rules.cache_clear()
    assert [r.id for r in rules.rules] == ["x.a"] and rules.rules[0].exceptions.pattern == "(?:not held)"


def test_a_repeated_rule_id_is_refused_naming_both_places(tmp_path):
    _write_rules(tmp_path, [_rule("x.a"), _rule("x.b")])
    _write_rules(tmp_path, [_rule("x.a")], name="y")
    assert _problems(tmp_path) == [("y.yaml", "rules #1 (x.a)", "id: duplicate id 'x.a' (also x.yaml, rules #1 (x.a))")]


def test_every_problem_in_every_rule_file_is_reported_at_once(tmp_path):
    _write_rules(tmp_path, [
        _rule("x.a", type="substitution"),                                   # unknown type
        _rule("x.b", patterns=["(unclosed"]),                                # regex does not compile
        _rule("x.c", patterns=[r"\Sfoo"]),                                  # upper-case escape
        _rule("x.d", exceptions_from=["excuses"]),                           # unknown shared set
        _rule("x.e", examples={"fail": ["foo"], "pass": ["bar", "a bar"]}),  # one fail example
        _rule("x.f", type="cooccurrence"),                                   # no requires
        _rule("x.g", colour="red"),                                          # unknown field
        {"id": "x.h", "examples": {"fail": ["foo", "a foo"], "pass": ["bar", "a bar"]}},  # no patterns
        _rule("x.i", when={"stages": ["appeal"]}),                           # unknown stage
    ], shared={"disavowal": ["(bad"]})
    _write_rules(tmp_path, [_rule("y.a", level="severe")], name="y")
    got = _problems(tmp_path)

    def has(file, entry, start):
        return any(f == file and e == entry and p.startswith(start) for f, e, p in got)

    assert has("_exceptions.yaml", "disavowal #1", "(whole entry): '(bad' is not a valid regular expression")
    assert has("x.yaml", "rules #1 (x.a)", "type: unknown value 'substitution'")
    assert has("x.yaml", "rules #2 (x.b)", "patterns[0]: '(unclosed' is not a valid regular expression")
    assert has("x.yaml", "rules #3 (x.c)", "patterns[0]: '\\\\Sfoo': upper-case escapes")
    assert has("x.yaml", "rules #4 (x.d)", "exceptions_from: 'excuses' is not a set in _exceptions.yaml")
    assert has("x.yaml", "rules #5 (x.e)", "examples.fail: List should have at least 2 items")
    assert has("x.yaml", "rules #6 (x.f)", "requires: a cooccurrence rule needs at least one")
    assert has("x.yaml", "rules #7 (x.g)", "colour: unknown field")
    assert has("x.yaml", "rules #8 (x.h)", "patterns: missing required field")
    assert has("x.yaml", "rules #9 (x.i)", "when.stages[0]: unknown value 'appeal'")
    assert has("y.yaml", "rules #1 (y.a)", "level: unknown value 'severe'")
    assert len(got) == 11, got


def test_the_shipped_rules_directory_is_the_one_loaded():
    assert any(RULES_DIR.glob("*.yaml"))
