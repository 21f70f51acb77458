"""`workbench train-letter-model`: retrain the letter checker's sentence model from the corpus, write the
model and its checksum, and print held-out metrics. Logic lives in qa_checks.letters.model."""
from __future__ import annotations

from pathlib import Path

NAME = "train-letter-model"
HELP = "Retrain the letter checker's sentence model from reference/letters/corpus and report held-out metrics."


def configure(parser) -> None:
    parser.add_argument("--corpus", type=Path, default=None, help="sentence,label CSV (default: the shipped corpus)")
    parser.add_argument("--out", type=Path, default=None, help="model folder (default: the shipped model folder)")
    parser.add_argument("--dry-run", action="store_true", help="train and report, but write nothing")


def run(args) -> int:
    from qa_checks.letters import model as m
    from qa_checks.letters.report import training_report
    from workbench.core.errors import UserError

    corpus = args.corpus or m.CORPUS_PATH
    if not corpus.exists():
        raise UserError(f"{corpus}: no such corpus file")
    try:
        result = m.train(corpus)
    except (m.CorpusError, ValueError) as exc:
        raise UserError(str(exc)) from None
    print(training_report(result))
    if not args.dry_run:
        path = m.save(result, args.out or m.MODEL_DIR)
        m.load_model.cache_clear()
        print(f"wrote {path} and {path.name}.sha256")
    return 0
