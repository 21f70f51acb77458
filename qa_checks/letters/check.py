"""check_letter: rules, then the model for paraphrases the rules miss, then whole-letter checks."""
from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date

from qa_checks.finding import Finding, Level
from qa_checks.letters import document
from qa_checks.letters.rules import Rule, RuleSet, load_rules
from qa_checks.letters.text import Sentence, SpanIndex, quoted_spans, split_sentences

CASE_TYPES = ("adult", "child")
STAGES = ("rg", "cg")
_LEVEL_ORDER = {Level.CRITICAL: 0, Level.WARNING: 1, Level.INFO: 2}


def check_letter(text: str, *, case_type: str = "adult", stage: str = "cg", decided_on: date | None = None,
                 include_quotes: bool = False, use_model: bool = True) -> list[Finding]:
    """Check a draft decision letter; return findings (advice, never a verdict) sorted by position.

    ``decided_on`` picks the legal test in force (default: today). Quoted testimony ("...", block quotes,
    "You told us: ...") is not checked unless ``include_quotes``. ``use_model=False`` runs rules and
    whole-letter checks only; otherwise a missing or tampered model raises ``ModelError``.
    """
    if case_type not in CASE_TYPES:
        raise ValueError(f"case_type must be one of {CASE_TYPES}, not {case_type!r}")
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, not {stage!r}")
    decided_on = decided_on or date.today()
    sentences = split_sentences(text)
    quotes = SpanIndex([] if include_quotes else quoted_spans(text))
    ruleset = load_rules()

    findings = rule_findings(text, sentences, quotes, ruleset, case_type=case_type, stage=stage,
                             decided_on=decided_on)
    if use_model:
        from qa_checks.letters.model import model_findings  # sklearn import cost only when used
        findings += model_findings(text, sentences, quotes, ruleset, findings)
    findings += document.standard_of_proof(text, stage, decided_on)
    findings += document.review_route(text)
    if case_type == "child":
        findings += document.child_language(text, quotes)
    findings.sort(key=lambda f: (f.start or 0, _LEVEL_ORDER[Level(f.level)], f.rule_id))
    return findings


def rule_findings(text: str, sentences: list[Sentence], quotes: SpanIndex, ruleset: RuleSet, *,
                  case_type: str, stage: str, decided_on: date) -> list[Finding]:
    lowered = text.lower()
    if len(lowered) != len(text):  # a few Unicode letters change length when lower-cased: keep offsets exact
        return _rule_findings_casefold(text, sentences, quotes, ruleset, case_type=case_type, stage=stage,
                                       decided_on=decided_on)
    return _scan(text, lowered, sentences, quotes, ruleset, case_type, stage, decided_on, lambda p: p)


def _rule_findings_casefold(text, sentences, quotes, ruleset, *, case_type, stage, decided_on):
    def ignorecase(p):
        return re.compile(p.pattern, re.IGNORECASE)
    return _scan(text, text, sentences, quotes, ruleset, case_type, stage, decided_on, ignorecase)


def _scan(text, haystack, sentences, quotes, ruleset, case_type, stage, decided_on, compile_) -> list[Finding]:
    starts = [s.start for s in sentences]
    lowered = [quotes.mask(s.text, s.start).lower() for s in sentences]
    out: list[Finding] = []
    # Exception and `requires` results are per (pattern, sentence); cache them across rules.
    cache: dict[tuple[int, int], bool] = {}
    flagged: set[tuple[str, int]] = set()
    for rule in ruleset.rules:
        if not rule.applies(stage=stage, case_type=case_type, decided_on=decided_on):
            continue
        for m in _candidates(rule, haystack, starts, lowered, cache, compile_):
            if m.end() == m.start() or quotes.overlaps(m.start(), m.end()):
                continue
            i = bisect_right(starts, m.start()) - 1
            # One finding per category per sentence: two rules saying the same thing is noise.
            if i < 0 or (rule.category, i) in flagged:
                continue
            if not _sentence_fires(rule, lowered, i, cache, compile_):
                continue
            flagged.add((rule.category, i))
            out.append(_finding(rule, m.start(), m.end(), text[m.start():m.end()]))
    return out


def _candidates(rule: Rule, haystack: str, starts: list[int], bodies: list[str], cache: dict, compile_):
    """Matches of the rule's pattern. A cooccurrence rule can only fire in a sentence that meets its
    `requires`, which is cheaper to test than the trigger, so the trigger is searched in those sentences only
    (a match is still attributed to the sentence it starts in)."""
    pat = compile_(rule.pattern)
    if rule.requires is None:
        yield from pat.finditer(haystack)
        return
    req = compile_(rule.requires)
    for i in range(len(bodies)):
        if not _matches(req, bodies, i, cache):
            continue
        pos, end = starts[i], starts[i + 1] if i + 1 < len(starts) else len(haystack)
        # a match may run on into the next sentence (e.g. past a line break), not further
        stop = starts[i + 2] if i + 2 < len(starts) else len(haystack)
        while pos < end:
            m = pat.search(haystack, pos, stop)
            if m is None or m.start() >= end:
                break
            yield m
            pos = m.end() if m.end() > m.start() else m.start() + 1


def _sentence_fires(rule: Rule, bodies: list[str], i: int, cache: dict, compile_) -> bool:
    """`requires` must hold in the sentence; an exception in the sentence or the next one cancels it,
    because good letters often state a fact and explain it in the next sentence ("... We understand why.")."""
    if rule.requires is not None and not _matches(compile_(rule.requires), bodies, i, cache):
        return False
    if rule.exceptions is not None:
        exc = compile_(rule.exceptions)
        for j in (i, i + 1):
            if j < len(bodies) and _matches(exc, bodies, j, cache):
                return False
    return True


def _matches(pat, bodies: list[str], i: int, cache: dict) -> bool:
    key = (pat.pattern, i)
    hit = cache.get(key)
    if hit is None:
        hit = cache[key] = pat.search(bodies[i]) is not None
    return hit


def _finding(rule: Rule, start: int, end: int, matched: str) -> Finding:
    return Finding(rule_id=rule.id, category=rule.category, level=rule.level, message=rule.message,
                   start=start, end=end, confidence=1.0, rationale=rule.rationale, source=rule.source,
                   suggestion=rule.suggestion, raised_by="rule", evidence={"matched": matched})
