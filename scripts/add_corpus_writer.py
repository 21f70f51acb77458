"""Copy one independent writer's labelled sentences into the letter corpus, tagged with the writer.

    python scripts/add_corpus_writer.py SOURCE.csv WRITER_ID   ->  reference/letters/corpus/<WRITER_ID>.csv

Refuses a file with an unknown label or an empty sentence; a sentence already in the corpus (say "This is a
positive decision.") is skipped and counted.
"""
from __future__ import annotations

import csv
import sys

from qa_checks.letters.corpus import CORPUS_DIR as CORPUS
from qa_checks.letters.corpus import LABELS


def main(source: str, writer: str) -> None:
    seen = {r["sentence"].strip().lower() for f in CORPUS.glob("*.csv") if f.stem != writer
            for r in csv.DictReader(f.open(encoding="utf-8"))}
    rows, problems, skipped = [], [], 0
    with open(source, encoding="utf-8") as f:
        source_rows = list(csv.DictReader(f))
    for i, r in enumerate(source_rows, start=2):
        text, label = (r.get("sentence") or "").strip(), (r.get("label") or "").strip()
        if not text or label not in LABELS:
            problems.append(f"{source}:{i}: empty sentence or unknown label {label!r}")
        elif text.lower() in seen:
            skipped += 1
        else:
            seen.add(text.lower())
            rows.append((text, label, writer))
    if problems:
        sys.exit("\n".join(problems))
    with (CORPUS / f"{writer}.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["sentence", "label", "writer"])
        out.writerows(rows)
    print(f"{len(rows)} sentences from {writer} ({skipped} already in the corpus, skipped)")


if __name__ == "__main__":
    main(*sys.argv[1:3])
