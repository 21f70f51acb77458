"""Reviewing a letter against the checker's flags: the logic behind the letter-check app, with no Jupyter.

- ``highlight_html``: the letter as HTML, each flagged span marked by category. Built only from
  ``html.escape``d pieces of the text between span boundaries, so whatever the letter contains
  (``<script>``, ``<img onerror>``) is shown as text and runs nothing.
- ``group_findings`` / ``split_findings``: findings in the text, by category, and whole-letter findings.
- ``response_row`` / ``FindingResponseRecord`` / ``ResponseBook``: a reviewer's accept or dismiss (with a
  reason) of one flag, kept append-only through the Session (``Session.respond_to_finding``), and matched
  back to the flags on screen after the text is edited or the page reloaded.
- ``summarise_responses``: for QA, how often each rule's flags are accepted or dismissed, and why.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from html import escape

from qa_checks.finding import Finding, Level
from workbench.core.clock import fmt_date
from workbench.core.errors import UserError
from workbench.core.tables import FINDING_ACTIONS

EXCERPT_MAX = 200
REASON_MAX = 2000

# Category -> (short label, background, border). The label travels with every highlight, so the colour is
# never the only signal; backgrounds are light enough for black text (contrast > 7:1) and the hues differ.
CATEGORY_STYLE: dict[str, tuple[str, str, str]] = {
    "claimed-language": ("Claim / allegation wording", "#ffd6a5", "#c2410c"),
    "corroboration-demand": ("Corroboration demanded", "#c7f0bd", "#15803d"),
    "minor-inconsistency": ("Minor inconsistencies", "#a5ecf5", "#0e7490"),
    "trauma-dismissal": ("Trauma dismissed", "#ffc2c2", "#b91c1c"),
    "document-overreliance": ("Weight on documents", "#d6ccff", "#6d28d9"),
    "asylum-conflation": ("Asylum reasoning mixed in", "#fbf3a6", "#a16207"),
    "prosecution-dependence": ("Leans on prosecution", "#bcd4ff", "#1d4ed8"),
    "wrong-standard-of-proof": ("Wrong standard of proof", "#ffccf2", "#be185d"),
    "late-disclosure": ("Late disclosure held against", "#ecd5bd", "#7c4a1e"),
    "plausibility-speculation": ("Speculation about behaviour", "#c4e8dc", "#0f766e"),
    "child-means-test": ("Means required for a child", "#f9c6cf", "#9f1239"),
    "child-readability": ("Hard for a child to read", "#e2e2e2", "#404040"),
    "standard-of-proof-missing": ("Standard of proof not stated", "#e2e2e2", "#404040"),
    "no-review-route": ("No route to a review", "#e2e2e2", "#404040"),
}
_FALLBACK_STYLE = ("#eeeeee", "#555555")
LEVEL_LABELS = {"critical": "priority: high", "warning": "priority: medium", "info": "priority: low"}


def category_label(category: str) -> str:
    style = CATEGORY_STYLE.get(category)
    return style[0] if style else category.replace("-", " ").capitalize()


def category_colours(category: str) -> tuple[str, str]:
    style = CATEGORY_STYLE.get(category)
    return (style[1], style[2]) if style else _FALLBACK_STYLE


def css_class(category: str) -> str:
    return "lc-c-" + "".join(ch if ch.isalnum() else "-" for ch in category.lower())


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# ---- findings: in the text, and about the whole letter --------------------------------------------------
def has_span(f: Finding) -> bool:
    return f.field != "document" and f.start is not None and f.end is not None and f.end > f.start


def split_findings(findings: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(findings with a span in the text, in position order; whole-letter findings)."""
    spans = sorted((f for f in findings if has_span(f)), key=lambda f: (f.start, -(f.end or 0), f.rule_id))
    return spans, [f for f in findings if not has_span(f)]


def excerpt(text: str, f: Finding) -> str:
    if not has_span(f):
        return ""
    words = " ".join(text[f.start:f.end].split())
    return words if len(words) <= EXCERPT_MAX else words[:EXCERPT_MAX - 1] + "…"


def group_findings(findings: list[Finding]) -> list[tuple[str, list[Finding]]]:
    """Findings by category, categories in the order they first appear in the letter."""
    spans, whole = split_findings(findings)
    groups: dict[str, list[Finding]] = {}
    for f in spans + whole:
        groups.setdefault(f.category, []).append(f)
    return list(groups.items())


def raised_by_text(f: Finding) -> str:
    if f.raised_by == "model":
        return f"raised by the model (confidence {float(f.confidence):.0%})"
    if f.field == "document" or not has_span(f):
        return "raised by a whole-letter check"
    return "raised by a rule"


# ---- the highlighted letter -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    findings: tuple[int, ...]  # indexes into the span findings covering this piece (empty: unflagged)


def segments(text: str, spans: list[Finding]) -> list[Segment]:
    """Cut the text at every span boundary; each piece knows which findings cover it. Spans may overlap
    (a rule's phrase inside a sentence the model flagged); out-of-range offsets are clipped."""
    n = len(text)
    bounds = {0, n}
    clipped = []
    for f in spans:
        s, e = max(0, min(n, f.start)), max(0, min(n, f.end))
        clipped.append((s, e))
        bounds.update((s, e))
    cuts = sorted(bounds)
    out = []
    for a, b in zip(cuts, cuts[1:]):
        if a == b:
            continue
        covering = tuple(i for i, (s, e) in enumerate(clipped) if s <= a and b <= e)
        out.append(Segment(a, b, covering))
    return out


def highlight_css(prefix: str = ".lc-letter") -> str:
    rules = [f"{prefix}{{white-space:pre-wrap;overflow-wrap:anywhere;font-family:Georgia,serif;line-height:1.6;"
             "font-size:15px;color:#111}",
             f"{prefix} mark{{color:#111;padding:0 1px;border-radius:2px;border-bottom:3px solid}}",
             f"{prefix} mark.lc-overlap{{outline:1px dashed #333}}",
             f"{prefix} .lc-tag{{font-family:system-ui,sans-serif;font-size:11px;font-weight:600;padding:0 4px;"
             "margin:0 2px;border-radius:8px;border:1px solid;vertical-align:1px;white-space:nowrap;"
             "text-decoration:none;color:#111}"]
    for cat in CATEGORY_STYLE:
        bg, border = category_colours(cat)
        rules.append(f".{css_class(cat)}{{background:{bg};border-color:{border}}}")
    return "\n".join(rules)


def highlight_html(text: str, findings: list[Finding], *, anchor_prefix: str = "lc",
                   numbers: dict[int, int] | None = None) -> str:
    """The letter as HTML with each flagged span in a <mark> coloured by category and followed by a tag
    ("3 · Trauma dismissed"), so colour is never the only signal. Every piece of the letter is escaped.

    ``numbers`` maps id(finding) to the number shown in the findings list (default: 1, 2, ... in order).
    A zero-width anchor ``{anchor_prefix}-f{number}`` marks where each finding starts.
    """
    spans, _ = split_findings(findings)
    if numbers is None:
        numbers = {id(f): i + 1 for i, f in enumerate(spans)}
    n = len(text)
    starts: dict[int, list[int]] = defaultdict(list)
    ends: dict[int, list[int]] = defaultdict(list)
    for i, f in enumerate(spans):
        starts[max(0, min(n, f.start))].append(i)
        ends[max(0, min(n, f.end))].append(i)
    out: list[str] = []
    for seg in segments(text, spans):
        for i in starts.get(seg.start, ()):
            out.append(f'<span id="{escape(anchor_prefix)}-f{numbers[id(spans[i])]}"></span>')
        piece = escape(text[seg.start:seg.end], quote=True)
        if seg.findings:
            inner = min(seg.findings, key=lambda i: (spans[i].end - spans[i].start, i))  # most specific span
            f = spans[inner]
            labels = "; ".join(f"{numbers[id(spans[i])]}: {category_label(spans[i].category)}" for i in seg.findings)
            overlap = " lc-overlap" if len(seg.findings) > 1 else ""
            out.append(f'<mark class="{css_class(f.category)}{overlap}" data-findings="'
                       f'{" ".join(str(numbers[id(spans[i])]) for i in seg.findings)}" title="{escape(labels)}">'
                       f'{piece}</mark>')
        else:
            out.append(piece)
        for i in sorted(ends.get(seg.end, ()), key=lambda i: numbers[id(spans[i])]):
            f = spans[i]
            out.append(f'<a class="lc-tag {css_class(f.category)}" href="#{escape(anchor_prefix)}-card{numbers[id(f)]}" '
                       f'title="Finding {numbers[id(f)]}: {escape(category_label(f.category))}">'
                       f'{numbers[id(f)]} · {escape(category_label(f.category))}</a>')
    return f'<div class="lc-letter" data-testid="highlighted-letter">{"".join(out)}</div>'


def legend_html(categories: list[str] | None = None) -> str:
    """Every category's colour beside its label (and its id, as the CLI prints it)."""
    cats = categories if categories is not None else [c for c in CATEGORY_STYLE
                                                      if c not in ("standard-of-proof-missing", "no-review-route")]
    items = "".join(
        f'<li><span class="lc-swatch {css_class(c)}" aria-hidden="true"></span>{escape(category_label(c))} '
        f'<code>{escape(c)}</code></li>' for c in cats)
    return ('<ul class="lc-legend" aria-label="Colours used for each kind of flag">' + items + "</ul>")


def finding_html(text: str, f: Finding, number: int | str) -> str:
    """One finding as the list shows it: what, where, why, source, a better wording, who raised it."""
    bg, border = category_colours(f.category)
    where = (f'<q class="lc-excerpt">{escape(excerpt(text, f))}</q>' if has_span(f)
             else '<span class="lc-excerpt">about the whole letter</span>')
    level = Level(f.level).value
    parts = [
        f'<div class="lc-fhead"><span class="lc-num">{escape(str(number))}</span>'
        f'<span class="lc-chip" style="background:{bg};border-color:{border}">{escape(category_label(f.category))}</span>'
        f'<span class="lc-level lc-level-{level}">{escape(LEVEL_LABELS.get(level, level))}</span> {where}</div>',
        f'<p class="lc-msg">{escape(f.message)}</p>',
    ]
    if f.rationale:
        parts.append(f'<p><b>Why:</b> {escape(f.rationale)}</p>')
    if f.suggestion:
        parts.append(f'<p><b>Try instead:</b> {escape(f.suggestion)}</p>')
    meta = [escape(raised_by_text(f)), f"rule <code>{escape(f.rule_id)}</code>"]
    if f.source:
        meta.insert(0, f"Source: {escape(f.source)}")
    parts.append(f'<p class="lc-meta">{" · ".join(meta)}</p>')
    return "".join(parts)


# ---- responses: accept or dismiss, kept ----------------------------------------------------------------
@dataclass(frozen=True)
class FindingResponseRecord:
    id: int
    case_id: int | None
    letter_draft_id: int | None
    text_sha256: str
    rule_id: str
    category: str
    start: int | None
    end: int | None
    excerpt: str | None  # None when withheld (a case the viewer may not open)
    raised_by: str
    confidence: float | None
    action: str
    reason: str | None
    user: str
    at: datetime

    @classmethod
    def of(cls, r, show_excerpt: bool = True) -> FindingResponseRecord:
        return cls(r.id, r.case_id, r.letter_draft_id, r.text_sha256, r.rule_id, r.category, r.start, r.end,
                   r.excerpt if show_excerpt else None, r.raised_by, r.confidence, r.action, r.reason, r.user, r.at)


def response_row(text: str, f: Finding, action: str, reason: str | None, *, user: str, at: datetime,
                 case_id: int | None = None, letter_draft_id: int | None = None):
    """Validate one response and build its (unsaved) row. Says what is wrong in a sentence."""
    from workbench.core.tables import FindingResponse

    if action not in FINDING_ACTIONS:
        raise UserError(f"a response to a flag is 'accept' or 'dismiss', not {action!r}")
    reason = " ".join((reason or "").split()) or None
    if action == "dismiss" and not reason:
        raise UserError("say why you are dismissing this flag: the reason is kept so QA can see which flags "
                        "reviewers reject")
    if reason and len(reason) > REASON_MAX:
        raise UserError(f"the reason is {len(reason)} characters; keep it under {REASON_MAX}")
    if has_span(f) and not (0 <= f.start < f.end <= len(text)):
        raise UserError("this flag does not point into the letter as it is now; check the letter again and retry")
    return FindingResponse(letter_draft_id=letter_draft_id, case_id=case_id, text_sha256=text_sha256(text),
                           rule_id=f.rule_id, category=f.category,
                           start=f.start if has_span(f) else None, end=f.end if has_span(f) else None,
                           excerpt=excerpt(text, f), raised_by=f.raised_by or "rule",
                           confidence=float(f.confidence) if f.confidence is not None else None,
                           action=action, reason=reason, user=user, at=at)


class ResponseBook:
    """The responses a widget knows about, and which one answers a flag on screen (the latest wins).

    A flag matches a response on the same text at the same place by the same rule; after an edit moves the
    offsets, it still matches one made in this view (or on the same case) on the same words by the same rule.
    """

    def __init__(self, records: list[FindingResponseRecord] = (), *, case_id: int | None = None):
        self.case_id = case_id
        self.records: list[FindingResponseRecord] = sorted(records, key=lambda r: r.id)
        self._local: set[int] = set()

    def add(self, record: FindingResponseRecord) -> None:
        self.records.append(record)
        self._local.add(record.id)

    def lookup(self, text: str, f: Finding) -> FindingResponseRecord | None:
        sha = text_sha256(text)
        start, end = (f.start, f.end) if has_span(f) else (None, None)
        words = excerpt(text, f)
        exact = loose = None
        for r in self.records:  # oldest first: the last match is the latest response
            if r.rule_id != f.rule_id:
                continue
            if r.text_sha256 == sha and r.start == start and r.end == end:
                exact = r
            elif r.excerpt == words and (r.id in self._local or
                                         (self.case_id is not None and r.case_id == self.case_id)):
                loose = r
        if exact and loose:
            return exact if exact.id > loose.id else loose
        return exact or loose


def response_text(r: FindingResponseRecord) -> str:
    when = f"{fmt_date(r.at)}"
    if r.action == "accept":
        return f"Accepted by {r.user} on {when}"
    return f"Dismissed by {r.user} on {when}: {r.reason or ''}"


def earlier_responses_html(records: list[FindingResponseRecord], limit: int = 20) -> str:
    """A table of responses (newest first): when, what was flagged, the answer and the reason. Escaped."""
    if not records:
        return '<p class="lc-none">You have not accepted or dismissed any flags yet.</p>'
    rows = []
    for r in sorted(records, key=lambda r: r.id, reverse=True)[:limit]:
        words = "(withheld)" if r.excerpt is None else (r.excerpt or "the whole letter")
        where = f"case {r.case_id}" if r.case_id is not None else "pasted text"
        rows.append(f"<tr><td>{fmt_date(r.at)}</td><td>{escape(where)}</td>"
                    f"<td>{escape(category_label(r.category))}</td><td><q>{escape(words)}</q></td>"
                    f"<td>{'Accepted' if r.action == 'accept' else 'Dismissed'}</td>"
                    f"<td>{escape(r.reason or '')}</td></tr>")
    return ('<table class="lc-table" data-testid="earlier-responses"><thead><tr><th>When</th><th>Letter</th>'
            '<th>Flag</th><th>Flagged words</th><th>Your answer</th><th>Reason</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>")


def summarise_responses(records: list[FindingResponseRecord], reasons_per_rule: int = 3) -> list[dict]:
    """Per rule, the latest answer to each flag counted once: accepted, dismissed, the share dismissed and
    the most recent reasons. Most-dismissed rules first (what QA should look at)."""
    latest: dict[tuple, FindingResponseRecord] = {}
    for r in sorted(records, key=lambda r: r.id):
        latest[(r.user, r.text_sha256, r.rule_id, r.start, r.end)] = r
    by_rule: dict[str, dict] = {}
    for r in sorted(latest.values(), key=lambda r: r.id, reverse=True):
        row = by_rule.setdefault(r.rule_id, {"rule_id": r.rule_id, "category": r.category, "accepted": 0,
                                             "dismissed": 0, "reasons": []})
        if r.action == "accept":
            row["accepted"] += 1
        else:
            row["dismissed"] += 1
            if r.reason and len(row["reasons"]) < reasons_per_rule:
                row["reasons"].append(r.reason)
    out = []
    for row in by_rule.values():
        total = row["accepted"] + row["dismissed"]
        row["responses"] = total
        row["dismissed_share"] = row["dismissed"] / total if total else 0.0
        out.append(row)
    out.sort(key=lambda r: (-r["dismissed_share"], -r["responses"], r["rule_id"]))
    return out


def summary_html(rows: list[dict]) -> str:
    if not rows:
        return '<p class="lc-none">No responses to flags have been recorded yet.</p>'
    body = "".join(
        f"<tr><td><code>{escape(r['rule_id'])}</code><br>{escape(category_label(r['category']))}</td>"
        f"<td>{r['accepted']}</td><td>{r['dismissed']}</td><td>{r['dismissed_share']:.0%}</td>"
        f"<td>{'<br>'.join(escape(x) for x in r['reasons'])}</td></tr>" for r in rows)
    return ('<table class="lc-table" data-testid="response-summary"><thead><tr><th>Rule</th><th>Accepted</th>'
            '<th>Dismissed</th><th>Share dismissed</th><th>Recent reasons for dismissing</th></tr></thead>'
            f"<tbody>{body}</tbody></table>")
