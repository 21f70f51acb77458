"""The sentence model: its corpus, its integrity checks, reproducible training and held-out quality."""
import shutil
from collections import Counter

import pytest

from qa_checks.letters import model as m
from qa_checks.letters.rules import load_rules

CATEGORIES = {"claimed-language", "corroboration-demand", "minor-inconsistency", "trauma-dismissal",
              "document-overreliance", "asylum-conflation", "prosecution-dependence", "wrong-standard-of-proof",
              "late-disclosure", "plausibility-speculation"}


@pytest.fixture(scope="module")
def run():
    return m.train()


def test_the_corpus_is_big_balanced_and_at_least_half_clean():
    rows = m.load_corpus()
    counts = Counter(label for _, label in rows)
    assert len(rows) >= 800
    assert counts["clean"] * 2 >= len(rows)
    assert all(counts[c] >= 40 for c in CATEGORIES), counts
    assert set(counts) - {"clean"} <= set(load_rules().categories)


def test_the_shipped_model_was_trained_on_the_shipped_corpus():
    meta = m.load_model().meta
    assert meta["corpus_sha256"] == m.corpus_sha256(), "corpus changed: run `workbench train-letter-model`"


def test_a_model_file_that_does_not_match_its_checksum_is_refused(tmp_path):
    shutil.copytree(m.MODEL_DIR, tmp_path / "model")
    path = tmp_path / "model" / m.MODEL_FILE
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(m.ModelError, match="does not match its checksum"):
        m.load_model(tmp_path / "model")


def test_a_missing_model_says_how_to_rebuild_it(tmp_path):
    with pytest.raises(m.ModelError, match="train-letter-model"):
        m.load_model(tmp_path)


def test_training_is_reproducible_and_takes_under_30_seconds(run):
    again = m.train()
    assert run.seconds < 30
    assert again.threshold == run.threshold and again.heldout == run.heldout
    sample = [s for s, _ in m.load_corpus()[:50]]
    assert (m.flag_scores(run.pipeline, sample)[0] == m.flag_scores(again.pipeline, sample)[0]).all()


def test_held_out_quality_does_not_regress(run):
    # The targets are precision >= 0.90, recall >= 0.85, clean flagged < 3% (see docs/letter_checker.md
    # for where we stand). These floors catch regressions; raise them as the corpus grows.
    checker = run.heldout_checker
    assert checker["precision"] >= 0.90
    assert checker["recall"] >= 0.70
    assert checker["clean_flag_rate"] <= 0.05
    assert run.heldout["precision"] >= 0.80


def test_a_paraphrase_the_rules_miss_is_raised_by_the_model_with_a_confidence():
    from qa_checks import check_letter

    text = ("You have seen no therapist and no doctor, so there is nothing to show the events affected you. "
            "You can ask us to reconsider. This was decided on the balance of probabilities.")
    rules_only = {f.category for f in check_letter(text, use_model=False)}
    findings = [f for f in check_letter(text) if f.raised_by == "model"]
    assert "trauma-dismissal" not in rules_only
    assert any(f.category == "trauma-dismissal" and 0 < f.confidence <= 1 for f in findings)
