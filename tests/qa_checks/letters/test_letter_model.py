"""The corpus, the pinned artefacts of both model tiers, reproducible training and cross-validated quality."""
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from qa_checks import check_letter
from qa_checks.letters import MAX_CHARS, LetterInputError, ModelError, semantic, training
from qa_checks.letters import model as m
from qa_checks.letters.artefacts import CORPUS_INDEX_FILE, MODEL_DIR
from qa_checks.letters.corpus import CATEGORIES, DEFAULT_WRITER, CorpusError, corpus_sha256, load_corpus
from qa_checks.letters.reader import read_letter_bytes

ARTEFACTS = [m.MODEL_FILE, semantic.CLASSIFIER_FILE, semantic.EMBEDDINGS_FILE, CORPUS_INDEX_FILE]
PARAPHRASE = ("You have seen no therapist and no doctor, so there is nothing to show the events affected you. "
              "You can ask us to reconsider. This was decided on the balance of probabilities.")


def test_the_corpus_is_big_varied_and_a_third_clean():
    # issue 10: at least 5,000 sentences from at least six writers, 300 flawed in every category, hard negatives
    corpus = load_corpus()
    counts = corpus.counts()
    assert len(corpus.rows) >= 5000
    assert counts["clean"] * 3 >= len(corpus.rows)  # at least a third clean, hard negatives among them
    assert all(counts[c] >= 300 for c in CATEGORIES), counts
    assert len(set(corpus.writers)) >= 6


def test_every_csv_in_the_corpus_folder_is_read_and_a_missing_writer_column_means_the_original_writer(tmp_path):
    (tmp_path / "sentences.csv").write_text("sentence,label\nYou claim to be a victim.,claimed-language\n")
    (tmp_path / "c1.csv").write_text("sentence,label,writer\nWe read your account.,clean,w1\n"
                                     "You claim to be a victim.,claimed-language,w1\n"
                                     "The police took no action so we reject it.,clean,w1\n"
                                     "The police took no action so we reject it.,prosecution-dependence,w1\n")
    corpus = load_corpus(tmp_path)
    assert corpus.files == ["c1.csv", "sentences.csv"]
    assert {(r.sentence, r.writer) for r in corpus.rows} == {("We read your account.", "w1"),
                                                             ("You claim to be a victim.", "w1")}
    assert corpus.duplicates_dropped == 1 and len(corpus.conflicts_dropped) == 1
    only = load_corpus(tmp_path / "sentences.csv")
    assert [r.writer for r in only.rows] == [DEFAULT_WRITER]


@pytest.mark.parametrize("content, message", [
    ("sentence,category\nx,clean\n", "header"),
    ("sentence,label\nA sentence.,claimed\n", "line 2: label 'claimed'"),
    ("sentence,label\n,clean\n", "line 2: empty sentence"),
])
def test_a_malformed_corpus_file_is_refused_naming_the_file_and_line(tmp_path, content, message):
    (tmp_path / "c9.csv").write_text(content)
    with pytest.raises(CorpusError, match=message):
        load_corpus(tmp_path)


def test_the_shipped_models_were_trained_on_the_shipped_corpus():
    meta = m.load_model().meta
    assert meta["corpus_sha256"] == corpus_sha256(), "corpus changed: run `workbench train-letter-model`"
    assert meta["n_sentences"] == len(load_corpus().rows)


@pytest.mark.parametrize("name", ARTEFACTS)
def test_an_artefact_that_does_not_match_its_checksum_is_refused(tmp_path, name):
    shutil.copytree(MODEL_DIR, tmp_path / "model")
    path = tmp_path / "model" / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="does not match its checksum"):
        check_letter(PARAPHRASE, model_dir=tmp_path / "model")


def test_a_missing_model_says_how_to_rebuild_it(tmp_path):
    with pytest.raises(ModelError, match="train-letter-model"):
        check_letter(PARAPHRASE, model_dir=tmp_path, tier="fast")


def test_embedding_weights_that_do_not_match_their_pinned_sha256_are_refused(tmp_path):
    for name in semantic.EMBEDDER_SHA256:
        (tmp_path / name).write_bytes(b"not the weights")
    with pytest.raises(ModelError, match="model.safetensors does not match its checksum"):
        semantic.Embedder(tmp_path)


def test_the_shipped_embedder_files_match_the_pinned_sha256():
    semantic.load_embedder()  # raises ModelError otherwise


@pytest.mark.parametrize("tier", ["fast", "full"])
def test_a_paraphrase_the_rules_miss_is_raised_with_a_confidence_and_two_similar_sentences(tier):
    rules_only = {f.category for f in check_letter(PARAPHRASE, use_model=False)}
    findings = [f for f in check_letter(PARAPHRASE, tier=tier) if f.raised_by == "model"]
    assert "trauma-dismissal" not in rules_only
    hit = next(f for f in findings if f.category == "trauma-dismissal")
    assert 0 < hit.confidence <= 1 and hit.evidence["tier"] == tier
    corpus = {r.sentence: r.label for r in load_corpus().rows}
    assert len(hit.evidence["similar"]) == 2
    assert all(corpus[s] == "trauma-dismissal" for s in hit.evidence["similar"])


def test_a_model_flag_stands_down_where_the_next_sentence_explains_the_point():
    text = PARAPHRASE.replace("affected you. ", "affected you. Many people in your position cannot get help, "
                                                "which is understandable. ")
    assert not [f for f in check_letter(text) if f.raised_by == "model" and f.category == "trauma-dismissal"]


def test_the_fast_tier_never_loads_the_embedding_model():
    # (skops imports torch itself when it is installed; the embedding model is what the fast tier avoids)
    code = ("import sys; from qa_checks import check_letter; "
            f"check_letter({PARAPHRASE!r}, tier='fast'); "
            "assert 'sentence_transformers' not in sys.modules, 'sentence-transformers imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[3])


def test_text_over_the_limit_is_refused_at_once():
    t0 = time.perf_counter()
    with pytest.raises(LetterInputError, match="1,000,000 characters"):
        check_letter("word " * (MAX_CHARS // 5 + 1))
    with pytest.raises(LetterInputError, match="1,000,000 characters"):
        read_letter_bytes("big.txt", b"word " * (MAX_CHARS // 5 + 1))
    assert time.perf_counter() - t0 < 1.0


def test_the_embedding_cache_is_bounded_and_does_not_change_the_answer():
    embedder = semantic.Embedder(semantic.embedder_dir(), cache_size=3)
    sentences = [f"You did not mention the {w} at your first interview." for w in ("debt", "phone", "house", "boss")]
    fresh = embedder.encode(sentences, use_cache=False)
    cached = embedder.encode(sentences)
    again = embedder.encode(sentences[:1] + sentences[:1])
    assert len(embedder._cache) == 3
    np.testing.assert_allclose(fresh, cached, atol=1e-5)
    np.testing.assert_allclose(again[0], fresh[0], atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(fresh, axis=1), 1.0, atol=1e-4)


@pytest.fixture(scope="module")
def run():
    return training.train()


@pytest.mark.slow
def test_training_is_reproducible(run):
    meta = json.loads((MODEL_DIR / m.META_FILE).read_text())
    assert run.thresholds == meta["thresholds"], "the same corpus and seed must give the shipped thresholds"
    assert round(run.cv["full"]["recall"], 4) == meta["cv"]["full"]["recall"]
    sample = load_corpus().sentences[:50]
    shipped = m.label_proba(m.load_model().pipeline, sample)
    np.testing.assert_allclose(m.label_proba(run.fast_pipeline, sample), shipped, atol=1e-9)


@pytest.mark.slow
def test_cross_validated_quality_does_not_regress(run):
    # Leave-one-writer-out figures measured when the models were last trained (13 writers, 12,825 sentences; see
    # docs/letter_checker.md, "Measured"); the floors sit just under them. A new writer's corpus file usually
    # moves these: retrain, then reset the floors to the new figures.
    full, fast, rules = run.cv["full"], run.cv["fast"], run.cv["rules"]
    assert rules["precision"] < 0.90  # the rules alone miss the target on other writers' sentences ...
    for tier in (full, fast):         # ... so the models may not make precision worse, and keep clean flags to 3%
        assert tier["precision"] >= rules["precision"] and tier["clean_flag_rate"] <= 0.0305
    assert full["precision"] >= 0.88 and fast["precision"] >= 0.88    # measured 0.890 and 0.890
    assert full["recall"] >= 0.795 and fast["recall"] >= 0.795        # measured 0.807 and 0.807
    assert rules["recall"] >= 0.415                                   # measured 0.426
    assert full["recall"] >= fast["recall"] > rules["recall"] + 0.25
