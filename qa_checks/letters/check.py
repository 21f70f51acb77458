"""check_letter: rules, then the sentence models for paraphrases the rules miss, then whole-letter checks.

Two tiers. ``tier="fast"``: rules + the TF-IDF model (``model.py``), a few milliseconds, for checking as the
user types. ``tier="full"`` (default): rules + a blend of the TF-IDF model and the semantic classifier over
sentence embeddings (``semantic.py``). In both, a model flag stands down where a rule already flagged the
sentence, or where the sentence (or the next) disavows or explains the point (the rules' shared
``disavowal`` and ``mitigation`` exceptions); and where the tier's model is very sure a rule-flagged sentence
is clean (P(clean) at or over the veto threshold chosen by cross-validation), the rule's flag is withdrawn.
Each model flag carries its confidence and, in ``evidence["similar"]``, the two nearest labelled corpus
sentences of its category.

Imports go one way: check -> (rules, text, document, model, semantic, artefacts); training and evaluation
import check, never the reverse.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from qa_checks.finding import Finding, Level
from qa_checks.letters import document, semantic
from qa_checks.letters import model as fast_model
from qa_checks.letters.artefacts import MODEL_DIR
from qa_checks.letters.corpus import CATEGORIES, CLEAN, LABELS
from qa_checks.letters.model import MIN_WORDS, flag_scores, label_proba
from qa_checks.letters.reader import MAX_CHARS, check_length
from qa_checks.letters.rules import Rule, RuleSet, load_rules
from qa_checks.letters.text import Sentence, SpanIndex, quoted_spans, split_sentences

CASE_TYPES = ("adult", "child")
STAGES = ("rg", "cg")
TIERS = ("fast", "full")
__all__ = ["check_letter", "CASE_TYPES", "STAGES", "TIERS", "MAX_CHARS", "rule_findings", "apply_models",
           "stood_down", "model_decision", "rule_vetoed", "context_free", "tier_proba"]


def check_letter(text: str, *, case_type: str = "adult", stage: str = "cg", decided_on: date | None = None,
                 include_quotes: bool = False, use_model: bool = True, tier: str = "full",
                 model_dir: Path = MODEL_DIR) -> list[Finding]:
    """Check a draft decision letter; return findings (advice, never a verdict) sorted by position.

    ``decided_on`` picks the legal test in force (default: today). Quoted testimony ("...", block quotes,
    "You told us: ...") is not checked unless ``include_quotes``. ``use_model=False`` runs rules and
    whole-letter checks only; ``tier="fast"`` uses the TF-IDF model without embeddings. A missing or tampered
    model raises ``ModelError``; text over ``MAX_CHARS`` characters raises ``LetterInputError`` at once.
    """
    if case_type not in CASE_TYPES:
        raise ValueError(f"case_type must be one of {CASE_TYPES}, not {case_type!r}")
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, not {stage!r}")
    if tier not in TIERS:
        raise ValueError(f"tier must be one of {TIERS}, not {tier!r}")
    check_length("the letter", text)  # over MAX_CHARS: LetterInputError at once, before any work
    decided_on = decided_on or date.today()
    sentences = split_sentences(text)
    quotes = SpanIndex([] if include_quotes else quoted_spans(text))
    ruleset = load_rules()

    findings = rule_findings(text, sentences, quotes, ruleset, case_type=case_type, stage=stage,
                             decided_on=decided_on)
    if use_model:
        findings = apply_models(sentences, quotes, ruleset, findings, tier=tier, model_dir=model_dir)
    findings += document.standard_of_proof(text, stage, decided_on)
    findings += document.review_route(text)
    if case_type == "child":
        findings += document.child_language(text, quotes)
    findings.sort(key=lambda f: (f.start or 0, Level(f.level).rank, f.rule_id))
    return findings


# ---------------------------------------------------------------------------------------------- rules

def rule_findings(text: str, sentences: list[Sentence], quotes: SpanIndex, ruleset: RuleSet, *,
                  case_type: str, stage: str, decided_on: date) -> list[Finding]:
    lowered = text.lower()
    if len(lowered) != len(text):  # a few Unicode letters change length when lower-cased: keep offsets exact
        def ignorecase(p: re.Pattern[str]) -> re.Pattern[str]:
            return re.compile(p.pattern, re.IGNORECASE)
        return _scan(text, text, sentences, quotes, ruleset, case_type, stage, decided_on, ignorecase)
    return _scan(text, lowered, sentences, quotes, ruleset, case_type, stage, decided_on, lambda p: p)


_Compile = Callable[[re.Pattern[str]], re.Pattern[str]]
_Cache = dict[tuple[str, int], bool]


def _scan(text: str, haystack: str, sentences: list[Sentence], quotes: SpanIndex, ruleset: RuleSet,
          case_type: str, stage: str, decided_on: date, compile_: _Compile) -> list[Finding]:
    starts = [s.start for s in sentences]
    lowered = [quotes.mask(s.text, s.start).lower() for s in sentences]
    out: list[Finding] = []
    # Exception and `requires` results are per (pattern, sentence); cache them across rules.
    cache: _Cache = {}
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
            out.append(_rule_finding(rule, m.start(), m.end(), text[m.start():m.end()]))
    return out


def _candidates(rule: Rule, haystack: str, starts: list[int], bodies: list[str], cache: _Cache,
                compile_: _Compile) -> Iterator[re.Match[str]]:
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


def _sentence_fires(rule: Rule, bodies: list[str], i: int, cache: _Cache, compile_: _Compile) -> bool:
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


def _matches(pat: re.Pattern[str], bodies: list[str], i: int, cache: _Cache) -> bool:
    key = (pat.pattern, i)
    hit = cache.get(key)
    if hit is None:
        hit = cache[key] = pat.search(bodies[i]) is not None
    return hit


def _rule_finding(rule: Rule, start: int, end: int, matched: str) -> Finding:
    return Finding(rule_id=rule.id, category=rule.category, level=rule.level, message=rule.message,
                   start=start, end=end, confidence=1.0, rationale=rule.rationale, source=rule.source,
                   suggestion=rule.suggestion, raised_by="rule", evidence={"matched": matched})


# ---------------------------------------------------------------------------------------------- models

def stood_down(ruleset: RuleSet, body: str, next_body: str) -> bool:
    """Sentences that say the panel did NOT reason this way, or whose next sentence explains the point
    ("You could not give the address. That is understandable..."), are not the models' to flag."""
    # guard patterns are compiled in lower case (see rules.py)
    return bool((ruleset.guard is not None and ruleset.guard.search(body.lower()))
                or (ruleset.next_guard is not None and next_body
                    and ruleset.next_guard.search(next_body.lower())))


def model_decision(score: float, label: str, threshold: float, *, guarded: bool, rule_flagged: bool) -> bool:
    """Whether a model flag is shown: confident enough, not stood down, and not on a sentence a rule already
    flagged (a second, different category there is most often a neighbouring category's wrong guess).
    The one rule used by check_letter and by training's threshold choice and evaluation."""
    return score >= threshold and not guarded and not rule_flagged


def rule_vetoed(p_clean: float, veto: float | None) -> bool:
    """Whether the tier's model is sure enough that a rule-flagged sentence is clean to withdraw the rule's
    sentence-category flag (fair sentences about the same topics trip the rules' words; the threshold is chosen
    by cross-validation, and is None when vetoing did not help)."""
    return veto is not None and p_clean >= veto


@dataclass(frozen=True)
class _Candidate:
    index: int
    sentence: Sentence
    body: str       # whitespace-normalised, quotes blanked
    next_body: str


def _model_candidates(sentences: list[Sentence], quotes: SpanIndex) -> list[_Candidate]:
    masked = [quotes.mask(s.text, s.start) for s in sentences]
    out = []
    for i, s in enumerate(sentences):
        if quotes.covered_chars(s.start, s.end) * 2 >= len(s.text):
            continue  # mostly quoted testimony
        words = masked[i].split()
        if len(words) < MIN_WORDS:
            continue
        out.append(_Candidate(i, s, " ".join(words), masked[i + 1] if i + 1 < len(masked) else ""))
    return out


def tier_proba(bodies: list[str], tier: str, model_dir: Path = MODEL_DIR, *, threshold: float | None = None,
               veto: float | None = None, rule_flagged: np.ndarray | None = None,
               ) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """Label probabilities (order ``corpus.LABELS``) for the tier, and the embeddings of the rows it embedded.

    The full tier blends w x semantic + (1 - w) x TF-IDF. Given the decision thresholds, only sentences whose
    decision the semantic part could change are embedded (a flag possible at the flag ``threshold``, or a
    withdrawal of a rule flag undecided at ``veto``); for the rest the TF-IDF probabilities stand in, which
    gives the same decisions (if (1 - w) s + w < t then s < t). Lossless, and most sentences of a letter are
    plainly clean, so most are never embedded."""
    fast = fast_model.load_model(model_dir)
    proba = label_proba(fast.pipeline, bodies)
    if tier == "fast" or not bodies:
        return proba, {}
    weight = float(fast.meta["semantic_weight"])
    need = np.ones(len(bodies), dtype=bool)
    if threshold is not None:
        s_fast = 1.0 - proba[:, LABELS.index(CLEAN)]
        need = (1.0 - weight) * s_fast + weight >= threshold
        if veto is not None and rule_flagged is not None:
            pc = (1.0 - weight) * (1.0 - s_fast)
            need |= rule_flagged & (pc < veto) & (pc + weight >= veto)
    rows = np.flatnonzero(need)
    if rows.size == 0:
        return proba, {}
    sem = semantic.load_semantic(model_dir)
    vectors = semantic.load_embedder().encode([bodies[i] for i in rows])
    proba[rows] = weight * sem.label_proba(vectors) + (1.0 - weight) * proba[rows]
    return proba, {int(i): vectors[k] for k, i in enumerate(rows)}


def apply_models(sentences: list[Sentence], quotes: SpanIndex, ruleset: RuleSet, rule_hits: list[Finding], *,
                 tier: str = "full", model_dir: Path = MODEL_DIR) -> list[Finding]:
    """The sentence findings after the tier's model: rule findings it does not withdraw, plus its own flags on
    sentences no (remaining) rule flagged, each with its confidence and two similar corpus sentences."""
    candidates = _model_candidates(sentences, quotes)
    if not candidates:
        return list(rule_hits)
    fast = fast_model.load_model(model_dir)
    threshold = float(fast.meta["thresholds"][tier])
    veto = fast.meta.get("vetoes", {}).get(tier)
    starts = [s.start for s in sentences]
    by_sentence: dict[int, list[Finding]] = {}
    for f in rule_hits:
        by_sentence.setdefault(bisect_right(starts, f.start or 0) - 1, []).append(f)
    # With no veto, sentences a rule flagged are not scored at all: the model would stand down on them anyway.
    todo = [c for c in candidates if veto is not None or c.index not in by_sentence]
    if not todo:
        return list(rule_hits)
    proba, vectors = tier_proba([c.body for c in todo], tier, model_dir, threshold=threshold, veto=veto,
                                rule_flagged=np.array([c.index in by_sentence for c in todo]))
    scores, labels = flag_scores(proba)
    rules_by_id = {r.id: r for r in ruleset.rules}
    withdrawn: set[int] = set()
    flagged: list[tuple[int, _Candidate, float, str]] = []
    for k, (c, score, label) in enumerate(zip(todo, scores, labels, strict=True)):
        hits = by_sentence.get(c.index, [])
        if hits and rule_vetoed(1.0 - float(score), veto):
            # only rules that hold in any context: the model never sees the stage, case type or date
            vetoable = {id(f) for f in hits if f.category in CATEGORIES and context_free(rules_by_id.get(f.rule_id))}
            withdrawn.update(vetoable)
            hits = [f for f in hits if id(f) not in vetoable]
        if label not in ruleset.categories or score < threshold:
            continue
        # the guard is checked only for sentences the model flags (scoring is per sentence, so the result is
        # the same as filtering first)
        if model_decision(float(score), label, threshold, rule_flagged=bool(hits),
                          guarded=stood_down(ruleset, c.body, c.next_body)):
            flagged.append((k, c, float(score), label))
    out = []
    for k, c, score, label in _explained_by_next(flagged, threshold, tier, model_dir):
        similar = (semantic.load_semantic(model_dir).similar(vectors[k], label) if k in vectors
                   else fast_model.similar(c.body, label, model_dir=model_dir))
        out.append(_model_finding(ruleset, c.sentence, label, float(score), threshold, tier, similar))
    return [f for f in rule_hits if id(f) not in withdrawn] + out


def context_free(rule: Rule | None) -> bool:
    """A rule that holds whatever the stage, case type and date: the only kind a model may veto."""
    return rule is not None and not (rule.stages or rule.case_types or rule.decided_from or rule.decided_to)


def _explained_by_next(flagged: list[tuple[int, _Candidate, float, str]], threshold: float, tier: str,
                       model_dir: Path) -> list[tuple[int, _Candidate, float, str]]:
    """Model flags whose sentence still reads as flawed with the next sentence after it. Good letters state a
    point and explain it in the next sentence ("... This difference concerns a peripheral detail and is not
    material"); the pair is scored as one text, and a pair the model no longer flags stands the flag down."""
    pairs = [(i, f"{c.body} {' '.join(c.next_body.split())}") for i, (_k, c, _s, _l) in enumerate(flagged)
             if len(c.next_body.split()) >= MIN_WORDS]
    if not pairs:
        return flagged
    proba, _ = tier_proba([text for _i, text in pairs], tier, model_dir, threshold=threshold)
    pair_scores, _labels = flag_scores(proba)
    explained = {i for (i, _t), score in zip(pairs, pair_scores, strict=True) if score < threshold}
    return [f for i, f in enumerate(flagged) if i not in explained]


def _model_finding(ruleset: RuleSet, s: Sentence, label: str, score: float, threshold: float, tier: str,
                   similar: list[str]) -> Finding:
    cat = ruleset.categories[label]
    level = Level.WARNING if cat.level == Level.CRITICAL else cat.level  # a model guess is not critical
    evidence: dict[str, Any] = {"threshold": threshold, "tier": tier, "similar": similar}
    return Finding(rule_id=f"{label}.model", category=label, level=level, message=cat.message,
                   start=s.start, end=s.end, confidence=round(score, 3), rationale=cat.rationale,
                   source=cat.source, suggestion=cat.suggestion, raised_by="model", evidence=evidence)
