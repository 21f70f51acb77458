"""One review: the decision and its reasons, the indicator assessments, the evidence as the panel had it
when deciding, the letter with the letter checker's findings, and the procedural checklist with each item
pre-assessed, which the reviewer confirms or overrides with a note. Every piece of recorded text is
escaped: it is shown as text, never as HTML. All rules live in workbench.qa_review.requests; this only shows them."""
from __future__ import annotations

from html import escape

import ipywidgets as w

from qa_checks.finding import Level
from qa_checks.qa_review import procedure
from workbench.core.errors import UserError
from workbench.qa_review import view as review
from workbench.qa_review.requests import OUTCOME_LABELS
from workbench.qa_review.view import EVIDENCE_STATES, fmt

STAGE = {"rg": "reasonable grounds", "cg": "conclusive grounds"}
STATUS_OPTIONS = [("Met", "pass"), ("Failing", "fail"), ("Cannot tell", "cannot_tell")]


def badge(status: str, text: str | None = None) -> str:
    return (f"<span class='spe-badge spe-badge-{escape(status)}'>"
            f"{escape(text or procedure.STATUS_LABELS[status])}</span>")


def para(text: str | None) -> str:
    return escape(text or "—")


# ------------------------------------------------------------------------------------------ left column

def decision_html(v: review.ReviewView) -> str:
    d, rq, c = v.decision, v.request, v.case
    who = ("a second, independent review of this decision (agreement sample)" if rq.requested_by == "QA agreement sample"
           else f"Asked for by {escape(rq.requested_by)} on {escape(fmt(rq.requested_on))}")
    earlier = "".join(f"<li>{escape(STAGE[x.stage])}: {escape(x.outcome)}, {escape(fmt(x.decided_on))}</li>"
                      for x in v.earlier_decisions)
    later = "".join(f"<li>{escape(STAGE[x.stage])}: {escape(x.outcome)}, {escape(fmt(x.decided_on))}"
                    f"{' — after a review sent the case back' if x.after_review_id else ''}</li>" for x in v.later_decisions)
    r = c.referral
    facts = [f"{'Child' if r.get('is_child') else 'Adult'}" + (" (age disputed)" if r.get("age_disputed") else ""),
             f"referred {fmt(r.get('received_on'))}"]
    if r.get("detention") and r["detention"] != "none":
        facts.append(f"referred from {r['detention'].replace('_', ' ')}")
    return (
        f"<h3>Review of {escape(c.reference)} — {escape(c.panel_name or '—')} panel</h3>"
        f"<p>{who}.<br><i>\u201c{escape(rq.reason)}\u201d</i></p>"
        f"<p class='spe-muted'>{escape(' · '.join(facts))}</p>"
        "<p class='spe-muted'>The question is whether the panel followed due process, not whether you would have "
        "decided differently (NRM review 7.4.5, footnote 31).</p>"
        f"<h3>The decision</h3><p><b>{escape(STAGE[d.stage].capitalize())}: {escape(d.outcome)}</b>"
        f"{' (' + escape(d.cg_finding) + ')' if d.cg_finding else ''}, decided {escape(fmt(d.decided_on))} "
        f"by {escape(d.author)}.</p>"
        f"<h4>Reasons</h4><div class='spe-box' data-testid='decision-reasons'>{para(d.reasons)}</div>"
        + (f"<h4>Earlier decisions</h4><ul>{earlier}</ul>" if earlier else "")
        + (f"<h4>Since this decision</h4><ul>{later}</ul>" if later else ""))


def evidence_html(v: review.ReviewView) -> str:
    rows = []
    for e in v.evidence:
        linked = "yes" if e.linked else "—"
        summary = escape(e.evidence.summary) if e.had and e.evidence.summary else \
            "<span class='spe-muted'>(not before the panel)</span>"
        rows.append(f"<tr><td><b>{escape(e.label)}</b><br><span class='spe-muted'>{escape(e.evidence.description)}"
                    f"</span></td><td class='spe-state-{e.state}'>{escape(EVIDENCE_STATES[e.state])}<br>"
                    f"<span class='spe-muted'>{escape(e.words)}</span></td><td>{linked}</td><td>{summary}</td></tr>")
    had = sum(1 for e in v.evidence if e.had)
    body = "".join(rows) or "<tr><td colspan='4'>No information was asked for beyond the referral.</td></tr>"
    return (f"<h3>Evidence: what the panel had on {escape(fmt(v.decision.decided_on))}</h3>"
            f"<p class='spe-muted'>{had} of {len(v.evidence)} item(s) were before the panel when it decided.</p>"
            "<table data-testid='evidence-at-decision'><tr><th>Information</th><th>When</th>"
            f"<th>In the reasons</th><th>Summary</th></tr>{body}</table>")


def assessments_html(v: review.ReviewView, limit: int = 40) -> str:
    if not v.assessments:
        return "<h3>Indicator assessments</h3><p>No indicators were assessed.</p>"
    rows = []
    for a in v.assessments[:limit]:
        after = " <b class='spe-warn'>changed after the decision</b>" if a.after_decision else ""
        rows.append(f"<tr><td>{escape(a.indicator_id)}</td><td>{escape(a.status)}</td>"
                    f"<td>{escape(a.assessor)}, {escape(fmt(a.assessed_at))}{after}</td><td>{para(a.note)}</td></tr>")
    more = f"<p class='spe-muted'>… and {len(v.assessments) - limit} more.</p>" if len(v.assessments) > limit else ""
    counts = {s: sum(1 for a in v.assessments if a.status == s) for s in ("present", "unknown", "absent")}
    return (f"<h3>Indicator assessments</h3><p class='spe-muted'>{counts['present']} present, {counts['unknown']} "
            f"unknown, {counts['absent']} absent. An assessment changed after the decision shows its latest "
            "value; what the panel saw then is not kept.</p>"
            f"<table><tr><th>Indicator</th><th>Status</th><th>By</th><th>Note</th></tr>{''.join(rows)}</table>{more}")


def letter_html(v: review.ReviewView) -> str:
    if v.letter is None:
        return "<h3>The letter</h3><p>No letter is held for this decision.</p>"
    text = v.letter.text
    shown = [f for f in v.letter_findings if Level(f.level) != Level.INFO or f.category == "child-readability"]
    spans = sorted({(f.start, f.end) for f in shown if f.start is not None and f.end and f.end > f.start})
    number = {span: i + 1 for i, span in enumerate(spans)}
    parts, pos = [], 0
    for start, end in spans:
        if start < pos:  # overlapping flag: numbered in the list, not marked twice
            continue
        parts.append(escape(text[pos:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark><sup>[{number[(start, end)]}]</sup>")
        pos = end
    parts.append(escape(text[pos:]))
    items = []
    for f in shown:
        where = f"[{number[(f.start, f.end)]}] " if (f.start, f.end) in number else "(whole letter) "
        items.append(f"<li>{escape(where)}<b>{escape(f.category.replace('-', ' '))}</b> "
                     f"({escape(Level(f.level).value)}): {escape(f.message)}</li>")
    err = f"<p role='alert'>{escape(v.letter_error)}</p>" if v.letter_error else ""
    flags = (f"<h4>The letter checker's findings ({len(shown)})</h4><ol class='spe-flags'>{''.join(items)}</ol>"
             if items else "<p>The letter checker found nothing at warning level.</p>")
    return (f"<h3>The letter (version {v.letter.version}, saved {escape(fmt(v.letter.saved_at))})</h3>{err}"
            f"<div class='spe-letter' data-testid='letter-text'>{''.join(parts)}</div>{flags}")


def history_html(v: review.ReviewView) -> str:
    rows = review.history_rows(v)
    if not rows:
        return ""
    out = []
    for h in rows:
        status = "stands" if h["standing"] else f"superseded by entry {rows[rows.index(h) + 1]['id']}"
        changed = ("; changed: " + escape(", ".join(h["changed"]))) if h["changed"] else ""
        out.append(f"<li>Entry {h['id']}: <b>{escape(h['outcome'].replace('_', ' '))}</b> by {escape(h['reviewer'])} "
                   f"on {escape(fmt(h['completed_on']))} ({status}){changed}. Notes: {para(h['notes'])}</li>")
    return ("<h3>Review history</h3><p class='spe-muted'>Append-only: a correction is a new entry; earlier entries "
            f"are kept as they were.</p><ol data-testid='review-history'>{''.join(out)}</ol>")


# ------------------------------------------------------------------------------------------ checklist

class ItemRow:
    """One checklist item: the pre-assessment with its facts, and the reviewer's answer and note."""

    def __init__(self, finding, answer: review.ItemAnswer, on_change):
        self.finding = finding
        it = procedure.item(finding.category)
        pre = procedure.status_of(finding)
        facts = "".join(f"<li>{escape(x)}</li>" for x in finding.evidence.get("facts", []))
        self.head = w.HTML(
            f"<div class='spe'><b>{escape(it.text)}</b><br><span class='spe-muted'>Source: {escape(it.source)}</span>"
            f"<br>Pre-assessed from the record: {badge(pre)} <ul class='spe-facts'>{facts}</ul>"
            f"<span class='spe-muted'>{escape(it.reviewer_hint)}</span></div>")
        self.status = w.ToggleButtons(options=STATUS_OPTIONS, value=answer.status, description="Your finding:",
                                      style={"description_width": "initial"})
        self.note = w.Textarea(value=answer.note, placeholder="Note (needed if you change the pre-assessment)",
                               layout=w.Layout(width="98%", height="3.2em"))
        self.status.observe(lambda _: on_change(), "value")
        self.widget = w.VBox([self.head, self.status, self.note])
        self.widget.add_class("spe-item")
        self.widget.add_class(f"spe-item-{finding.category}")

    @property
    def answer(self) -> review.ItemAnswer:
        return review.ItemAnswer(self.status.value, self.note.value)


class ReviewForm:
    """The checklist and the outcome for one review."""

    def __init__(self, session, view: review.ReviewView, completed_on, on_recorded):
        self.session, self.view, self.completed_on, self.on_recorded = session, view, completed_on, on_recorded
        answers = review.default_answers(view)
        self.rows = [ItemRow(f, answers[f.category], self._changed) for f in view.findings]
        self.touched_outcome = False
        self.outcome = w.RadioButtons(options=[(OUTCOME_LABELS[o], o) for o in OUTCOME_LABELS],
                                      value=view.standing.outcome if view.standing else review.suggested_outcome(answers),
                                      layout=w.Layout(width="auto"))
        self.outcome.observe(self._outcome_touched, "value")
        self.notes = w.Textarea(value=(view.standing.notes or "") if view.standing else "",
                                placeholder="Notes for the deciding panel (sent with the case if it goes back)",
                                layout=w.Layout(width="98%", height="5em"))
        self.notes.add_class("spe-notes")
        self.suggestion = w.HTML()
        self.message = w.HTML()
        correcting = view.standing is not None
        self.button = w.Button(description="Record a correction" if correcting else "Record review",
                               button_style="warning" if correcting else "primary", icon="check",
                               layout=w.Layout(width="16em"))
        self.button.on_click(lambda _: self.record())
        counts = {s: sum(1 for f in view.findings if procedure.status_of(f) == s) for s in procedure.STATUSES}
        intro = w.HTML(
            f"<div class='spe'><h3>Procedural checklist</h3><p>{len(view.findings)} items apply to this decision. "
            f"Pre-assessed: {counts['pass']} met, {counts['fail']} failing, {counts['cannot_tell']} cannot tell. "
            "Confirm or change each; a change needs a note.</p>"
            + ("<p role='status'><b>This review has been recorded.</b> Recording again adds a correction; the "
               "earlier entry is kept.</p>" if correcting else "") + "</div>")
        self.widget = w.VBox([intro, *[r.widget for r in self.rows],
                              w.HTML("<div class='spe'><h3>Outcome</h3></div>"), self.suggestion, self.outcome,
                              self.notes, self.button, self.message])
        self.widget.add_class("spe-form")
        self._changed()

    def answers(self) -> dict[str, review.ItemAnswer]:
        return {r.finding.category: r.answer for r in self.rows}

    def _outcome_touched(self, _change) -> None:
        if not getattr(self, "_setting", False):
            self.touched_outcome = True

    def _changed(self) -> None:
        answers = self.answers()
        suggested = review.suggested_outcome(answers)
        failing = [procedure.item(i).id.replace("_", " ") for i, a in answers.items() if a.status == "fail"]
        self.suggestion.value = (
            f"<div class='spe'>Failing items: {escape(', '.join(failing)) if failing else 'none'}. Suggested outcome: "
            f"<b>{escape(OUTCOME_LABELS[suggested])}</b>.</div>")
        if not self.touched_outcome and self.view.standing is None:
            self._setting = True
            self.outcome.value = suggested
            self._setting = False

    def record(self) -> None:
        answers = self.answers()
        problems = review.outcome_problems(self.view, answers, self.outcome.value, self.notes.value)
        if problems:
            items = "".join(f"<li>{escape(p)}</li>" for p in problems)
            self.message.value = (f"<div role='alert' class='spe spe-refused'>Not recorded yet:"
                                  f"<ul>{items}</ul></div>")
            return
        self.button.disabled = True
        try:
            qa_id = review.record_outcome(self.session, self.view, answers, self.outcome.value, self.notes.value,
                                          completed_on=self.completed_on)
        except UserError as exc:
            self.button.disabled = False
            self.message.value = f"<div role='alert' class='spe spe-refused'>{escape(str(exc))}</div>"
            return
        self.on_recorded(self.view.request.id, qa_id, self.outcome.value,
                         [i for i, a in answers.items() if a.status == "fail"])


class ReviewPanel:
    """The whole review view, two columns: what the panel did (left) and the checklist (right)."""

    def __init__(self, session, view: review.ReviewView, completed_on, on_recorded):
        self.view = view
        left = w.HTML("<div class='spe'>" + decision_html(view) + evidence_html(view) + letter_html(view)
                      + assessments_html(view) + "</div>")
        self.form = ReviewForm(session, view, completed_on, on_recorded)
        history = w.HTML("<div class='spe'>" + history_html(view) + "</div>")
        left_box = w.Box([left], layout=w.Layout(width="56%", padding="0 1em 0 0"))
        left_box.add_class("spe-left")
        self.widget = w.HBox([left_box,
                              w.VBox([history, self.form.widget], layout=w.Layout(width="44%"))])
        self.widget.add_class("spe-review")
