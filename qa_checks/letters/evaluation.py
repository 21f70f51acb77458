"""Whole-letter evaluation on blind letters (``reference/letters/blind/``), and the sentence-level scoring
shared with training's cross-validation.

A blind letter is a UTF-8 ``.txt`` file: YAML front matter (``case_type``, ``stage``, ``decision``,
``decided_on``, ``register``) between ``---`` lines, then the letter, in which each flawed sentence is marked in
place as ``{{category|the whole sentence.}}``; every unmarked sentence is clean. Letters may sit in one folder
per writer (``blind/<writer>/*.txt``); figures are given per writer folder too.

Scoring, per sentence of the letter as the checker's own splitter cuts it (markers stripped): a sentence is
labelled C if it overlaps a marked span of C, else clean. Only the ten sentence categories count (whole-letter
findings and child-means-test are ignored). Each (sentence, category) the checker flags is a true positive if
the sentence's label is that category, else a false positive. Recall of C = sentences labelled C flagged with
C / sentences labelled C. Clean flagged = clean sentences with any category finding / clean sentences.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from qa_checks.letters.artefacts import LETTERS_DIR, MODEL_DIR
from qa_checks.letters.check import CASE_TYPES, STAGES, check_letter
from qa_checks.letters.corpus import CATEGORIES, CLEAN
from qa_checks.letters.text import split_sentences

BLIND_DIR = LETTERS_DIR / "blind"
_MARK = re.compile(r"\{\{\s*([a-z-]+)\s*\|(.*?)\}\}", re.DOTALL)
_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.DOTALL)


class BlindLetterError(ValueError):
    """A blind letter is malformed: says which file and what is wrong."""


@dataclass
class BlindLetter:
    name: str
    writer: str
    meta: dict[str, Any]
    text: str                                  # markers stripped: what the checker sees
    spans: list[tuple[int, int, str]]          # (start, end, category) into ``text``

    def labelled_sentences(self) -> list[tuple[int, int, str, str]]:
        """(start, end, sentence, label) for every sentence of ``text``."""
        out = []
        for s in split_sentences(self.text):
            labels = [c for a, b, c in self.spans if a < s.end and b > s.start]
            out.append((s.start, s.end, s.text, labels[0] if labels else CLEAN))
        return out


def parse_blind_letter(raw: str, name: str = "letter", writer: str = "") -> BlindLetter:
    front = _FRONT.match(raw)
    if not front:
        raise BlindLetterError(f"{name}: no YAML front matter between '---' lines at the top")
    try:
        meta = yaml.safe_load(front.group(1)) or {}
    except yaml.YAMLError as exc:
        raise BlindLetterError(f"{name}: the front matter is not valid YAML ({exc})") from exc
    if not isinstance(meta, dict):
        raise BlindLetterError(f"{name}: the front matter must be a mapping")
    body = raw[front.end():]
    text_parts, spans, pos, out_len = [], [], 0, 0
    for m in _MARK.finditer(body):
        category, sentence = m.group(1), m.group(2)
        if category not in CATEGORIES and category != "child-means-test":
            line = body.count("\n", 0, m.start()) + 1
            raise BlindLetterError(f"{name} line {line}: unknown category {category!r}")
        text_parts.append(body[pos:m.start()])
        out_len += m.start() - pos
        spans.append((out_len, out_len + len(sentence), category))
        text_parts.append(sentence)
        out_len += len(sentence)
        pos = m.end()
    text_parts.append(body[pos:])
    text = "".join(text_parts)
    if "{{" in text or "}}" in text:
        raise BlindLetterError(f"{name}: an unclosed or malformed {{{{category|sentence}}}} marker")
    return BlindLetter(name, writer, meta, text, spans)


def _context(letter: BlindLetter) -> dict[str, Any]:
    meta = letter.meta
    case_type = str(meta.get("case_type", "adult")).lower()
    stage = str(meta.get("stage", "cg")).lower()
    if case_type not in CASE_TYPES or stage not in STAGES:
        raise BlindLetterError(f"{letter.name}: case_type must be adult or child and stage rg or cg")
    decided = meta.get("decided_on")
    if isinstance(decided, str):
        try:
            decided = date.fromisoformat(decided)
        except ValueError as exc:
            raise BlindLetterError(f"{letter.name}: decided_on {decided!r} is not a date like 2024-03-31") from exc
    return {"case_type": case_type, "stage": stage, "decided_on": decided if isinstance(decided, date) else None}


def flagged_categories(letter: BlindLetter, *, use_model: bool = True, tier: str = "full",
                       model_dir: Path = MODEL_DIR) -> list[tuple[str, set[str]]]:
    """(label, categories flagged) per sentence, checking the letter as a drafter would."""
    findings = check_letter(letter.text, **_context(letter), use_model=use_model, tier=tier, model_dir=model_dir)
    out = []
    for start, end, _s, label in letter.labelled_sentences():
        cats = {f.category for f in findings
                if f.category in CATEGORIES and f.end and (f.start or 0) < end and f.end > start}
        out.append((label, cats))
    return out


def score_sentences(truth: list[str], flagged: list[set[str]]) -> dict[str, Any]:
    """Precision, recall and clean-flag rate over the ten categories (other labels count as clean)."""
    truth = [t if t in CATEGORIES else CLEAN for t in truth]
    tp = fp = 0
    per = {c: {"tp": 0, "fp": 0, "n": 0} for c in CATEGORIES}
    clean_flagged = 0
    for label, cats in zip(truth, flagged, strict=True):
        cats = cats & set(CATEGORIES)
        if label != CLEAN:
            per[label]["n"] += 1
        elif cats:
            clean_flagged += 1
        for c in cats:
            if c == label:
                tp += 1
                per[c]["tp"] += 1
            else:
                fp += 1
                per[c]["fp"] += 1
    n_flawed = sum(t != CLEAN for t in truth)
    n_clean = len(truth) - n_flawed
    per_category = {c: {"precision": v["tp"] / (v["tp"] + v["fp"]) if v["tp"] + v["fp"] else 0.0,
                        "recall": v["tp"] / v["n"] if v["n"] else 0.0, "n": v["n"]}
                    for c, v in per.items() if v["n"] or v["fp"]}
    return {"precision": tp / (tp + fp) if tp + fp else 0.0, "recall": tp / n_flawed if n_flawed else 0.0,
            "clean_flag_rate": clean_flagged / n_clean if n_clean else 0.0, "n_flawed": n_flawed,
            "n_clean": n_clean, "per_category": per_category}


def blind_files(blind_dir: Path = BLIND_DIR) -> list[Path]:
    return sorted(blind_dir.rglob("*.txt")) if blind_dir.is_dir() else []


def load_blind(blind_dir: Path = BLIND_DIR) -> list[BlindLetter]:
    letters = []
    for path in blind_files(blind_dir):
        rel = path.relative_to(blind_dir)
        writer = rel.parts[0] if len(rel.parts) > 1 else "(top folder)"
        letters.append(parse_blind_letter(path.read_text(encoding="utf-8"), str(rel), writer))
    return letters


def blind_sentences(blind_dir: Path = BLIND_DIR) -> list[str]:
    """Every sentence of every blind letter (markers stripped), for the leakage test."""
    return [s for letter in load_blind(blind_dir) for _a, _b, s, _l in letter.labelled_sentences()]


@dataclass
class BlindResult:
    folder: Path
    letters: int = 0
    overall: dict[str, dict[str, Any]] = field(default_factory=dict)       # tier -> metrics
    per_writer: dict[str, dict[str, Any]] = field(default_factory=dict)    # writer -> metrics (full tier)


def evaluate_blind(blind_dir: Path = BLIND_DIR, *, model_dir: Path = MODEL_DIR,
                   tiers: Iterable[str] = ("rules", "fast", "full")) -> BlindResult:
    letters = load_blind(blind_dir)
    result = BlindResult(blind_dir, len(letters))
    if not letters:
        return result
    for tier in tiers:
        truth: list[str] = []
        flagged: list[set[str]] = []
        by_writer: dict[str, tuple[list[str], list[set[str]]]] = {}
        for letter in letters:
            rows = flagged_categories(letter, use_model=tier != "rules", tier="fast" if tier == "rules" else tier,
                                      model_dir=model_dir)
            t, f = by_writer.setdefault(letter.writer, ([], []))
            for label, cats in rows:
                truth.append(label)
                flagged.append(cats)
                t.append(label)
                f.append(cats)
        result.overall[tier] = score_sentences(truth, flagged)
        if tier == "full":
            result.per_writer = {w: score_sentences(t, f) for w, (t, f) in sorted(by_writer.items())}
    return result


def blind_report(result: BlindResult) -> str:
    if not result.letters:
        return (f"blind letters: none found in {result.folder} (the folder is empty or missing), "
                "so there are no blind figures yet")
    lines = [f"blind letters ({result.letters} in {result.folder}; never trained on), per sentence:"]
    for tier, m in result.overall.items():
        lines.append(f"  {tier:5s}: precision {m['precision']:.3f}  recall {m['recall']:.3f}  clean sentences "
                     f"flagged {m['clean_flag_rate']:.1%}  ({m['n_flawed']} flawed, {m['n_clean']} clean)")
    if "full" in result.overall:
        lines.append("  per category (full tier):")
        for cat, c in result.overall["full"]["per_category"].items():
            lines.append(f"    {cat:28s} precision {c['precision']:.2f}  recall {c['recall']:.2f}  n={c['n']}")
        lines.append("  per writer folder (full tier):")
        for w, m in result.per_writer.items():
            lines.append(f"    {w:20s} precision {m['precision']:.3f}  recall {m['recall']:.3f}  "
                         f"clean flagged {m['clean_flag_rate']:.1%}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------- leakage

NEAR_DUPLICATE = 0.8  # token Jaccard at or above which two sentences count as the same sentence lightly edited


def _tokens(s: str) -> frozenset[str]:
    """Lower-case word tokens, for comparing sentences by their words."""
    return frozenset(re.findall(r"[a-z0-9']+", s.lower()))


def near_duplicates(probes: list[str], pool: list[str], threshold: float = NEAR_DUPLICATE) -> list[tuple[int, int]]:
    """(probe index, pool index) pairs with token Jaccard >= threshold. Prefix filtering: two sets with
    Jaccard >= t share at least one of the first floor((1 - t) * n) + 1 tokens of either, in any fixed order."""
    pool_sets = [_tokens(s) for s in pool]
    freq: dict[str, int] = {}
    for ts in pool_sets:
        for t in ts:
            freq[t] = freq.get(t, 0) + 1
    index: dict[str, list[int]] = {}
    for j, ts in enumerate(pool_sets):
        for t in sorted(ts, key=lambda t: (freq.get(t, 0), t))[:int((1 - threshold) * len(ts)) + 1]:
            index.setdefault(t, []).append(j)
    out = []
    for i, probe in enumerate(probes):
        ps = _tokens(probe)
        if not ps:
            continue
        prefix = sorted(ps, key=lambda t: (freq.get(t, 0), t))[:int((1 - threshold) * len(ps)) + 1]
        for j in {j for t in prefix for j in index.get(t, [])}:
            qs = pool_sets[j]
            if len(ps & qs) / len(ps | qs) >= threshold:
                out.append((i, j))
    return out
