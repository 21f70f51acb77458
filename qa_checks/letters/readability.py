"""Flesch-Kincaid school grade for a letter, without a network.

textstat counts English syllables with NLTK's CMU dictionary, which it downloads on first use; that
cannot happen on an offline machine (or in CI). Where the dictionary is installed we use textstat as
is; otherwise we apply the same formula with textstat's word and sentence counts and pyphen's British
English hyphenation for syllables (pyphen is a textstat dependency), so the check never reaches out.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")


@lru_cache(maxsize=1)
def _cmudict_installed() -> bool:
    try:
        import nltk

        nltk.data.find("corpora/cmudict")
        return True
    except (LookupError, ImportError):
        return False


@lru_cache(maxsize=1)
def _hyphenator() -> Any:
    import pyphen

    return pyphen.Pyphen(lang="en_GB")


def _syllables(word: str) -> int:
    return max(1, len(_hyphenator().positions(word.lower())) + 1)


def flesch_kincaid_grade(text: str) -> float:
    import textstat

    if _cmudict_installed():
        return float(textstat.flesch_kincaid_grade(text))
    words = _WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(1, textstat.sentence_count(text))
    syllables = sum(_syllables(w) for w in words)
    return float(round(0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59, 1))
