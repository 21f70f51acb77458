"""Remove from the letter corpus every sentence that is, or nearly is (token Jaccard >= 0.8), a sentence of the
blind set, so that the blind set keeps measuring text the checker never learnt from. Prints only corpus places
and counts, never a blind sentence. Rule examples that overlap are reported for a person to rewrite.

    python scripts/drop_blind_overlap.py            # then: workbench train-letter-model
"""
from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from qa_checks.letters.corpus import CORPUS_DIR
from qa_checks.letters.evaluation import BLIND_DIR, blind_sentences, near_duplicates
from qa_checks.letters.rules import load_rules


def main() -> None:
    probes = [s for s in blind_sentences(BLIND_DIR) if len(s.split()) >= 4]
    by_file: dict[Path, list[tuple[int, list[str]]]] = {}
    for path in sorted(CORPUS_DIR.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            by_file[path] = [(reader.line_num, row) for row in reader]
        by_file[path].insert(0, (1, header))
    pool, where = [], []
    for path, rows in by_file.items():
        for line, row in rows[1:]:
            pool.append(row[0])
            where.append((path, line))
    drop: dict[Path, set[int]] = defaultdict(set)
    for _i, j in near_duplicates(probes, pool):
        drop[where[j][0]].add(where[j][1])
    for path, lines in drop.items():
        kept = [row for line, row in by_file[path] if line not in lines]
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows(kept)
        print(f"{path.name}: removed {len(lines)} sentence(s) (lines {', '.join(map(str, sorted(lines)))})")
    examples = [(ex["text"] if isinstance(ex, dict) else str(ex), f"{rule.id} ({kind} example)")
                for rule in load_rules().rules for kind in ("fail", "pass") for ex in rule.examples.get(kind) or []]
    for _i, j in near_duplicates(probes, [t for t, _ in examples]):
        print(f"rewrite rule example {examples[j][1]}: it nearly repeats a blind sentence")


if __name__ == "__main__":
    main()
