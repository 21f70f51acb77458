"""Sentences and quoted testimony in a letter, as character spans into the text as given.

Nothing here rewrites the text: every span is (start, end) into the original string, so a finding
can be highlighted exactly where the drafter wrote it.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before whitespace, or at a
# paragraph break, or at a line that starts a list item or looks like a heading.
_BLOCK_BREAK = re.compile(r"\r?\n[ \t\r]*\n\s*|\n(?=[ \t]*(?:[-*•>]|\d{1,2}[.)])\s)")
_SENT_END = re.compile(r"""[.!?]+["'”’)\]]*(?=\s+|$)""")
# Abbreviations that end with a full stop but do not end a sentence.
_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|No|para|paras|s|ss|cf|vs?|etc|approx|Ref|ref|Sch|art|Art|[A-Z])|e\.g|i\.e)\.$"
)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Sentence]:
    """Split into sentences, keeping offsets. Line-wrapped paragraphs stay whole sentences."""
    out: list[Sentence] = []
    block_start = 0
    for m in list(_BLOCK_BREAK.finditer(text)) + [None]:
        block_end = m.start() if m else len(text)
        _split_block(text, block_start, block_end, out)
        if m:
            block_start = m.end()
    return out


def _split_block(text: str, start: int, end: int, out: list[Sentence]) -> None:
    pos = start
    for m in _SENT_END.finditer(text, start, end):
        if _ABBREV.search(text, max(start, m.start() - 8), m.start() + 1):
            continue
        _emit(text, pos, m.end(), out)
        pos = m.end()
    _emit(text, pos, end, out)


def _emit(text: str, start: int, end: int, out: list[Sentence]) -> None:
    # Trim whitespace so spans start and end on visible characters.
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start, end, text[start:end]))


# Quotation: “...”, "...", ‘...’ (opening ‘ after a space or start, closing ’ not inside a word), «...».
_QUOTE_PAIRS = re.compile(
    r"“[^”\n]*(?:\n(?![ \t]*\n)[^”\n]*)*”"
    r'|(?<![\w"])"[^"\n]*(?:\n(?![ \t]*\n)[^"\n]*)*"(?!\w)'
    r"|(?:(?<=\s)|(?<=^)|(?<=[(\[]))‘[^’\n]*(?:’\w[^’\n]*)*’(?!\w)"
    r"|(?:(?<=\s)|(?<=^)|(?<=[(\[]))'[^'\n]{3,}'(?!\w)"
    r"|«[^»]*»",
    re.MULTILINE,
)
# Block quotes: markdown "> " lines and indented paragraphs (4+ spaces or a tab).
_BLOCK_QUOTE = re.compile(r"^(?:[ \t]*>|(?: {4,}|\t)(?=\S)).*$", re.MULTILINE)
# A lead-in that introduces the person's own words: "You told us: ...", "In your statement you said: ...".
# Everything after the colon to the end of the paragraph is their testimony.
_TESTIMONY_LEAD = re.compile(
    r"\b(?:you|he|she|they|the child|the young person)\b[^.:\n]{0,40}?"
    r"\b(?:told (?:us|the panel|your (?:support worker|solicitor|interviewer))|said|stated|wrote|explained|"
    r"described (?:it|this|what happened)(?: like this| as follows)?|put it (?:like this|this way)|recalled)"
    r"\s*(?:that)?\s*:[ \t]*\n?",
    re.IGNORECASE,
)
_PARA_END = re.compile(r"\r?\n[ \t\r]*\n|\Z")


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans of quoted testimony and quotations, merged and sorted."""
    spans = [(m.start(), m.end()) for m in _QUOTE_PAIRS.finditer(text)]
    spans += [(m.start(), m.end()) for m in _BLOCK_QUOTE.finditer(text)]
    for m in _TESTIMONY_LEAD.finditer(text):
        start = m.end()
        while start < len(text) and text[start].isspace():  # "You told us:" then the words on the next lines
            start += 1
        end = _PARA_END.search(text, start)
        spans.append((start, end.start() if end else len(text)))
    return _merge(spans)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        elif e > s:
            merged.append((s, e))
    return merged


class SpanIndex:
    """Fast 'is this position inside a span?' over sorted, non-overlapping spans."""

    def __init__(self, spans: list[tuple[int, int]]):
        self.spans = spans
        self._starts = [s for s, _ in spans]

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self._starts, end - 1) - 1
        return i >= 0 and self.spans[i][1] > start

    def covered_chars(self, start: int, end: int) -> int:
        total = 0
        i = max(bisect_right(self._starts, start) - 1, 0)
        while i < len(self.spans) and self.spans[i][0] < end:
            s, e = self.spans[i]
            total += max(0, min(e, end) - max(s, start))
            i += 1
        return total

    def mask(self, text: str, offset: int) -> str:
        """``text`` (which starts at ``offset``) with spans blanked out, length unchanged."""
        chars = None
        end = offset + len(text)
        # spans are sorted and disjoint: start from the last one beginning at or before ``offset``
        i = max(bisect_right(self._starts, offset) - 1, 0)
        while i < len(self.spans):
            s, e = self.spans[i]
            i += 1
            if s >= end:
                break
            if e <= offset:
                continue
            chars = chars or list(text)
            for k in range(max(s, offset) - offset, min(e, offset + len(text)) - offset):
                chars[k] = " "
        return "".join(chars) if chars else text


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset``."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col
