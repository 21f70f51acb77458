"""The reviewer's queue: review requests assigned to them, oldest first, each with why it was asked for.
Rows come from Session.review_queue, so a reviewer sees only their own assignments."""
from __future__ import annotations

from html import escape

import ipywidgets as w

from workbench.core.clock import fmt_date as fmt
from workbench.core.errors import UserError
from workbench.qa_review.actions import review_queue

STAGE = {"rg": "Reasonable grounds", "cg": "Conclusive grounds"}


def row_html(r) -> str:
    age = f"{r.days_waiting} day{'s' if r.days_waiting != 1 else ''} waiting"
    who = "a second, independent review (agreement sample)" if r.requested_by == "QA agreement sample" \
        else f"asked for by {escape(r.requested_by)}"
    child = " · child" if r.is_child else ""
    detained = " · referred from detention" if r.detention != "none" else ""
    done = ""
    if r.outcome:
        cls = "spe-failing" if r.outcome == "procedural_failing" else "spe-done"
        done = (f" · <span class='{cls}'>reviewed {escape(fmt(r.completed_on))}: "
                f"{escape(r.outcome.replace('_', ' '))}</span>")
    return (f"<div class='spe-q-text'><b>{escape(r.reference)}</b> · {escape(r.panel_name or '—')} panel · "
            f"{escape(STAGE.get(r.decision_stage, r.decision_stage))} {escape(r.decision_outcome)}, decided "
            f"{escape(fmt(r.decided_on))}{child}{detained}<br><span class='spe-age'>{escape(age)}</span> "
            f"(requested {escape(fmt(r.requested_on))}, {who}){done}<br>"
            f"<i>\u201c{escape(r.reason)}\u201d</i></div>")


class ReviewQueue:
    def __init__(self, session, as_of, on_open):
        self.session, self.as_of, self.on_open = session, as_of, on_open
        self.include_completed = w.Checkbox(False, description="Include completed reviews (to correct one)",
                                            indent=False)
        self.include_completed.observe(lambda _: self.refresh(), "value")
        self.summary = w.HTML()
        self.rows_box = w.VBox()
        self.widget = w.VBox([w.HTML("<h3 class='spe-q-head'>Reviews assigned to you</h3>"),
                              self.include_completed, self.summary, self.rows_box])
        self.widget.add_class("spe-queue")
        self.rows = []
        self.refresh()

    def refresh(self) -> None:
        try:
            self.rows = review_queue(self.session, as_of=self.as_of, include_completed=self.include_completed.value)
        except UserError as exc:
            self.rows = []
            self.summary.value = f"<div role='alert'>{escape(str(exc))}</div>"
            self.rows_box.children = []
            return
        todo = sum(1 for r in self.rows if r.outcome is None)
        self.summary.value = (f"<p class='spe-q-text' data-testid='review-queue-summary'>{todo} review"
                              f"{'s' if todo != 1 else ''} to do, oldest first.</p>")
        children = []
        for r in self.rows:
            b = w.Button(description=f"Review {r.reference}" if r.outcome is None else f"Open {r.reference}",
                         button_style="primary" if r.outcome is None else "", layout=w.Layout(width="15em"),
                         tooltip=f"Open the review of {r.reference}")
            b.on_click(lambda _b, rid=r.review_request_id: self.on_open(rid))
            row = w.HBox([b, w.HTML(row_html(r))])
            row.add_class("spe-q-row")
            children.append(row)
        if not children:
            children = [w.HTML("<p class='spe-q-text'>Nothing is waiting for you.</p>")]
        self.rows_box.children = children
