"""Whole-letter evaluation on blind letters (qa_checks.letters.evaluation), and the blind set's separation
from everything the checker was built from."""
import re
from pathlib import Path

import pytest

from qa_checks.letters.corpus import load_corpus
from qa_checks.letters.evaluation import (
    BLIND_DIR,
    NEAR_DUPLICATE,
    BlindLetterError,
    blind_report,
    blind_sentences,
    evaluate_blind,
    flagged_categories,
    load_blind,
    near_duplicates,
    parse_blind_letter,
    score_sentences,
)
from qa_checks.letters.rules import load_rules

FIXTURES = Path(__file__).parent / "fixtures" / "blind"


def test_markers_are_stripped_and_their_spans_point_at_the_sentence_in_the_plain_text():
    raw = "---\ncase_type: child\nstage: rg\n---\nHello there. {{claimed-language|You claim it.}} Bye now.\n"
    letter = parse_blind_letter(raw, "x.txt")
    assert letter.text == "Hello there. You claim it. Bye now.\n"
    assert [(letter.text[a:b], c) for a, b, c in letter.spans] == [("You claim it.", "claimed-language")]
    assert [(s, lab) for _a, _b, s, lab in letter.labelled_sentences()] == [
        ("Hello there.", "clean"), ("You claim it.", "claimed-language"), ("Bye now.", "clean")]
    assert letter.meta == {"case_type": "child", "stage": "rg"}


@pytest.mark.parametrize("raw, message", [
    ("No front matter. {{claimed-language|You claim it.}}", "front matter"),
    ("---\nstage: cg\n---\n{{claimed|You claim it.}}", "line 1: unknown category 'claimed'"),
    ("---\nstage: cg\n---\n{{claimed-language You claim it.}}", "malformed"),
])
def test_a_malformed_blind_letter_is_refused_with_its_name(raw, message):
    with pytest.raises(BlindLetterError, match=re.escape(message)):
        parse_blind_letter(raw, "bad.txt")


def test_sentence_scoring_counts_a_wrong_category_as_a_false_positive():
    m = score_sentences(["claimed-language", "late-disclosure", "clean", "clean"],
                        [{"claimed-language"}, {"asylum-conflation"}, {"claimed-language"}, set()])
    assert (m["precision"], m["recall"], m["clean_flag_rate"]) == (1 / 3, 1 / 2, 1 / 2)
    assert m["per_category"]["late-disclosure"] == {"precision": 0.0, "recall": 0.0, "n": 1}
    assert m["per_category"]["asylum-conflation"]["precision"] == 0.0


def test_a_fixture_letter_is_scored_per_sentence_per_writer_folder():
    (letter,) = load_blind(FIXTURES)
    assert letter.writer == "writer-a" and "{{" not in letter.text
    rows = flagged_categories(letter, use_model=False)
    labels = [lab for lab, _ in rows]
    assert labels.count("clean") == len(rows) - 3
    result = evaluate_blind(FIXTURES, tiers=("rules",))
    m = result.overall["rules"]
    assert (m["n_flawed"], m["n_clean"]) == (3, len(rows) - 3)
    assert m["precision"] == 1.0 and m["recall"] == 1.0 and m["clean_flag_rate"] == 0.0
    full = evaluate_blind(FIXTURES, tiers=("full",))
    assert set(full.per_writer) == {"writer-a"}
    assert "writer-a" in blind_report(full) and "per category" in blind_report(full)


def test_an_empty_or_missing_blind_folder_is_reported_as_such(tmp_path):
    report = blind_report(evaluate_blind(tmp_path / "nowhere"))
    assert "none found" in report and "no blind figures" in report


# ------------------------------------------------------------------------------------------- leakage

def test_the_near_duplicate_finder_finds_a_light_edit_and_ignores_a_different_sentence():
    pool = ["You have not provided any evidence to support your account of the farm work.",
            "We accept that you were recruited in Romania."]
    probes = ["You have not provided any evidence to support your account of the farm work!",
              "You have not provided evidence to support your account of the farm work.",
              "The panel accepts that the farm work happened."]
    assert sorted(near_duplicates(probes, pool)) == [(0, 0), (1, 0)]


def _rule_examples() -> list[tuple[str, str]]:
    """(text, where) for every rule's pass and fail example."""
    out = []
    for rule in load_rules().rules:
        for kind in ("fail", "pass"):
            for ex in rule.examples.get(kind) or []:
                out.append((ex["text"] if isinstance(ex, dict) else str(ex), f"rule {rule.id} ({kind} example)"))
    return out


def test_no_blind_sentence_or_near_duplicate_is_in_the_corpus_or_a_rule_example():
    probes = [s for s in blind_sentences(BLIND_DIR) if len(s.split()) >= 4]
    if not probes:
        pytest.skip(f"no blind letters in {BLIND_DIR} yet")
    corpus = load_corpus()
    examples = _rule_examples()
    pool = corpus.sentences + [text for text, _ in examples]
    where = [r.where for r in corpus.rows] + [w for _, w in examples]
    hits = near_duplicates(probes, pool)
    if hits:
        # name only where in the corpus or rules: printing the blind sentence would leak it to whoever reads this
        places = sorted({where[j] for _i, j in hits})
        pytest.fail(f"{len({i for i, _j in hits})} blind sentences also appear (token Jaccard >= {NEAR_DUPLICATE}) "
                    f"in {len(places)} places: " + "; ".join(places), pytrace=False)
