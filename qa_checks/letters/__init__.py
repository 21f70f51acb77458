"""The decision-letter checker (issues 4 and 10): rules as data, sentence models for paraphrases (a fast
TF-IDF model and a semantic tier over sentence embeddings), and whole-letter checks. Entry point:
``check_letter``.

Modules, imported one way only (no cycles):
``text``, ``rules``, ``reader``, ``readability``, ``document`` -> ``artefacts`` (pinned files) -> ``corpus`` ->
``model`` (fast tier inference) and ``semantic`` (embeddings, classifier, neighbours) -> ``check``
(``check_letter``) -> ``evaluation`` (blind letters, sentence scoring) -> ``training`` (train, choose
thresholds, write artefacts; ``train_letter_model``). ``report`` formats findings for the CLI.
"""
from qa_checks.letters.artefacts import ModelError
from qa_checks.letters.check import CASE_TYPES, MAX_CHARS, STAGES, TIERS, check_letter
from qa_checks.letters.reader import LetterInputError

__all__ = ["check_letter", "CASE_TYPES", "STAGES", "TIERS", "MAX_CHARS", "ModelError", "LetterInputError"]
