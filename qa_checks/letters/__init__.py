"""The decision-letter checker (issue 4): rules as data, a sentence model for paraphrases,
and whole-letter checks. Entry point: ``check_letter``."""
from qa_checks.letters.check import CASE_TYPES, STAGES, check_letter

__all__ = ["check_letter", "CASE_TYPES", "STAGES"]
