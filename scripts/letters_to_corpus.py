"""Turn marked letters (the blind-set format: `{{category|sentence.}}` marks, every other sentence clean) into
labelled corpus sentences, so that development letters written by an independent writer can be learnt from.
Never run it on reference/letters/blind/.

    python scripts/letters_to_corpus.py reference/letters/dev/wE e-dev-letters
        -> reference/letters/corpus/e-dev-letters.csv
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

from qa_checks.letters.corpus import CORPUS_DIR
from qa_checks.letters.evaluation import BLIND_DIR, load_blind


def main(folder: str, writer: str) -> None:
    source = Path(folder).resolve()
    if source == BLIND_DIR.resolve() or BLIND_DIR.resolve() in source.parents:
        sys.exit("refusing to learn from the blind set")
    rows = [(" ".join(text.split()), label, writer) for letter in load_blind(source)
            for _a, _b, text, label in letter.labelled_sentences() if len(text.split()) >= 4]
    out = CORPUS_DIR / f"{writer}.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["sentence", "label", "writer"])
        w.writerows(rows)
    print(f"{len(rows)} sentences ({sum(r[1] != 'clean' for r in rows)} flawed) -> {out}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
