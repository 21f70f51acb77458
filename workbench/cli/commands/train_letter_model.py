"""`workbench train-letter-model`: retrain the letter checker's models from the corpus, write them with their
checksums, and print the leave-one-writer-out figures and the blind letters' figures. Logic lives in
qa_checks.letters.training."""
from __future__ import annotations

from pathlib import Path

NAME = "train-letter-model"
HELP = ("Retrain the letter checker from reference/letters/corpus; print leave-one-writer-out figures, then the "
        "blind letters' figures")


def configure(parser) -> None:
    parser.add_argument("--corpus", type=Path, default=None,
                        help="a folder of sentence,label[,writer] CSVs or one CSV (default: the shipped corpus)")
    parser.add_argument("--out", type=Path, default=None, help="model folder (default: the shipped model folder)")
    parser.add_argument("--blind", type=Path, default=None,
                        help="blind letters to measure on (default: reference/letters/blind)")
    parser.add_argument("--dry-run", action="store_true", help="train and report, but write nothing")


def run(args) -> int:
    from qa_checks.letters.artefacts import ModelError
    from qa_checks.letters.corpus import CorpusError
    from qa_checks.letters.training import train_letter_model
    from workbench.core.errors import UserError

    if args.corpus is not None and not args.corpus.exists():
        raise UserError(f"{args.corpus}: no such corpus file or folder")
    try:
        print(train_letter_model(corpus_dir=args.corpus, out_dir=args.out, dry_run=args.dry_run,
                                 blind_dir=args.blind))
    except (CorpusError, ModelError) as exc:
        raise UserError(str(exc)) from None
    return 0
