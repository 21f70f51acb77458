"""The labelled sentence corpus: every ``reference/letters/corpus/*.csv``.

Columns ``sentence,label`` or ``sentence,label,writer``. A file without a writer column is the original
in-house corpus, writer ``w0-original``; an empty writer cell takes the file's name. Labels are one of the ten
sentence categories or ``clean``. A sentence repeated with the same label is kept once; a sentence given two
different labels is dropped everywhere (and counted), because neither label can be trusted.
"""
from __future__ import annotations

import csv
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from qa_checks.letters.artefacts import LETTERS_DIR

CORPUS_DIR = LETTERS_DIR / "corpus"
CLEAN = "clean"
DEFAULT_WRITER = "w0-original"
CATEGORIES = ("asylum-conflation", "claimed-language", "corroboration-demand", "document-overreliance",
              "late-disclosure", "minor-inconsistency", "plausibility-speculation", "prosecution-dependence",
              "trauma-dismissal", "wrong-standard-of-proof")
LABELS = (*CATEGORIES, CLEAN)


class CorpusError(ValueError):
    """The training corpus is malformed: says which file and row and what is wrong."""


@dataclass(frozen=True)
class CorpusRow:
    sentence: str
    label: str
    writer: str
    where: str  # "file.csv line N"


@dataclass
class Corpus:
    rows: list[CorpusRow]
    files: list[str]
    duplicates_dropped: int = 0
    conflicts_dropped: list[str] = field(default_factory=list)

    @property
    def sentences(self) -> list[str]:
        return [r.sentence for r in self.rows]

    @property
    def labels(self) -> list[str]:
        return [r.label for r in self.rows]

    @property
    def writers(self) -> list[str]:
        return [r.writer for r in self.rows]

    def counts(self) -> Counter[str]:
        return Counter(self.labels)


def corpus_files(corpus: Path = CORPUS_DIR) -> list[Path]:
    """The CSV files of a corpus folder (sorted), or the one file given."""
    if corpus.is_file():
        return [corpus]
    files = sorted(corpus.glob("*.csv"))
    if not files:
        raise CorpusError(f"{corpus}: no .csv files in the corpus folder")
    return files


def load_corpus(corpus: Path = CORPUS_DIR) -> Corpus:
    """Every labelled sentence of the corpus folder (or of one CSV file), in file order."""
    files = corpus_files(corpus)
    raw: list[CorpusRow] = []
    for path in files:
        raw += _read_file(path)
    by_sentence: dict[str, list[CorpusRow]] = {}
    for row in raw:
        by_sentence.setdefault(row.sentence, []).append(row)
    rows, conflicts, dupes = [], [], 0
    for sentence, group in by_sentence.items():
        labels = {r.label for r in group}
        if len(labels) > 1:
            conflicts.append(f"{sentence[:60]!r} ({', '.join(f'{r.label} at {r.where}' for r in group)})")
            continue
        dupes += len(group) - 1
        rows.append(group[0])
    return Corpus(rows, [p.name for p in files], dupes, conflicts)


def _read_file(path: Path) -> list[CorpusRow]:
    out = []
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        if header[:2] != ["sentence", "label"] or len(header) > 3 or (len(header) == 3 and header[2] != "writer"):
            raise CorpusError(f"{path.name}: the header must be 'sentence,label' or 'sentence,label,writer', "
                              f"not {reader.fieldnames}")
        reader.fieldnames = header
        for n, row in enumerate(reader, start=2):
            sentence = " ".join((row.get("sentence") or "").split())
            label = (row.get("label") or "").strip().lower()
            if not sentence and not label:
                continue  # a blank line
            if not sentence or not label:
                raise CorpusError(f"{path.name} line {n}: empty sentence or label")
            if label not in LABELS:
                raise CorpusError(f"{path.name} line {n}: label {label!r} is not one of {', '.join(LABELS)}")
            writer = DEFAULT_WRITER if len(header) == 2 else ((row.get("writer") or "").strip() or path.stem)
            out.append(CorpusRow(sentence, label, writer, f"{path.name} line {n}"))
    return out


def corpus_sha256(corpus: Path = CORPUS_DIR) -> str:
    """One digest over every corpus file's name and bytes: changes whenever any file does."""
    digest = hashlib.sha256()
    for path in corpus_files(corpus):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
