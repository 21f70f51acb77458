"""The fast sentence model (inference only): TF-IDF word 1-2-grams -> calibrated linear SVM, one scikit-learn
Pipeline trained by ``training.py`` and shipped as ``reference/letters/model/letter_model.skops`` beside its
sha256. Scoring one sentence costs microseconds, so it runs as the user types.

``letter_model.json`` holds the flag thresholds chosen at training time (for the fast tier, rules + this model,
and for the full tier, which blends it with the semantic classifier) and the measured figures.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from qa_checks.letters.artefacts import MODEL_DIR, ModelError, load_corpus_index, load_skops
from qa_checks.letters.corpus import CLEAN, LABELS

MODEL_FILE = "letter_model.skops"
META_FILE = "letter_model.json"
MIN_WORDS = 4  # shorter fragments (headings, sign-offs) are not scored

__all__ = ["LetterModel", "ModelError", "load_model", "label_proba", "MODEL_DIR", "MODEL_FILE", "META_FILE",
           "MIN_WORDS", "flag_scores", "similar"]


@dataclass(frozen=True)
class LetterModel:
    pipeline: Any
    meta: dict[str, Any]

    @property
    def threshold(self) -> float:
        """P(not clean) at which the fast tier flags a sentence."""
        return float(self.meta["thresholds"]["fast"])


@lru_cache(maxsize=2)
def load_model(model_dir: Path = MODEL_DIR) -> LetterModel:
    """The fast model after verifying its checksum. Raises ModelError, never returns a bad model."""
    meta_path = model_dir / META_FILE
    if not meta_path.exists():
        raise ModelError(f"the letter model file {META_FILE} is missing; run `workbench train-letter-model`")
    pipeline = load_skops(model_dir / MODEL_FILE)
    meta = json.loads(meta_path.read_text())
    if "thresholds" not in meta:
        raise ModelError(f"{META_FILE} predates the semantic tier; run `workbench train-letter-model`")
    return LetterModel(pipeline, meta)


def label_proba(pipeline: Any, sentences: list[str]) -> np.ndarray:
    """Probabilities in the fixed label order ``LABELS`` (ten categories, then clean), one row per sentence."""
    proba = pipeline.predict_proba(sentences)
    out = np.zeros((len(sentences), len(LABELS)))
    for j, cls in enumerate(pipeline.classes_):
        out[:, LABELS.index(str(cls))] = proba[:, j]
    return out


def flag_scores(proba: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """(P(not clean), the most likely category) per row of ``label_proba``."""
    ci = LABELS.index(CLEAN)
    masked = proba.copy()
    masked[:, ci] = -1.0
    return 1.0 - proba[:, ci], [LABELS[i] for i in masked.argmax(axis=1)]


@dataclass(frozen=True)
class _TfidfIndex:
    matrix: Any          # sparse, unit rows (TF-IDF is L2-normalised)
    sentences: list[str]
    labels: np.ndarray


@lru_cache(maxsize=2)
def _tfidf_index(model_dir: Path = MODEL_DIR) -> _TfidfIndex:
    sentences, labels = load_corpus_index(model_dir)
    features = load_model(model_dir).pipeline.named_steps["features"]
    return _TfidfIndex(features.transform(sentences), sentences, np.array(labels, dtype=object))


def similar(sentence: str, label: str, k: int = 2, model_dir: Path = MODEL_DIR) -> list[str]:
    """The ``k`` corpus sentences labelled ``label`` nearest to ``sentence`` in the fast model's TF-IDF space:
    the fast tier's "similar to" explanation."""
    index = _tfidf_index(model_dir)
    idx = np.flatnonzero(index.labels == label)
    if idx.size == 0:
        return []
    vec = load_model(model_dir).pipeline.named_steps["features"].transform([sentence])
    sims = (index.matrix[idx] @ vec.T).toarray().ravel()
    return [index.sentences[i] for i in idx[np.argsort(-sims, kind="stable")[:k]]]
