"""Recording a decision: stage, outcome (and, at conclusive grounds, the finding), the date, the evidence
considered and the reasons, with the legal test in force on that date in plain words. The reasons must
refer to the evidence considered; a decision recorded meanwhile by someone else is shown, not overwritten."""
from __future__ import annotations

from datetime import date
from html import escape

import ipywidgets as w

from widgets.common.status import alert_box, ok_box
from workbench.core.cases import open_case
from workbench.core.errors import UserError
from workbench.walkthrough import view as wt
from workbench.walkthrough.actions import record_decision

WIDE = {"description_width": "12em"}


def _alert(text: str) -> str:
    return alert_box(text, pre=True)


def _ok(text: str) -> str:
    return ok_box(text)


def test_html(stage: str, on: date) -> str:
    t = wt.legal_test_text(stage, on)
    return ("<div data-testid='test-in-force' class='wbd-test'>"
            f"<b>The test in force on {escape(wt.fmt_date(on))}: {escape(t['name'])}</b><br>{escape(t['plain'])}"
            f"<br><small>Source: {escape(t['source'])}</small></div>")


def history_html(case) -> str:
    if not case.decisions:
        return "<p class='wb-text wb-muted'>No decision has been recorded on this case.</p>"
    items = "".join(f"<li><b>{escape(wt.decision_summary(d))}</b><br><span class='wbd-reasons'>"
                    f"{escape(d.reasons)}</span></li>" for d in case.decisions)
    return (f"<div class='wbd-history'><h4>Decisions so far</h4>"
            f"<ol data-testid='decisions'>{items}</ol></div>")


class DecisionForm:
    def __init__(self, session, as_of: date, on_recorded=None):
        self.session, self.as_of, self.on_recorded = session, as_of, on_recorded
        self.case = None
        self.seen: set[int] = set()
        self.stage = w.ToggleButtons(options=[(v, k) for k, v in wt.DECISION_STAGE_LABELS.items()],
                                     description="Stage", style=WIDE)
        self.outcome = w.ToggleButtons(options=[(v, k) for k, v in wt.OUTCOME_LABELS.items()],
                                       description="Outcome", style=WIDE)
        self.finding = w.Dropdown(description="Finding", style=WIDE, layout=w.Layout(width="40em"))
        self.decided_on = w.DatePicker(description="Decided on", value=as_of, style=WIDE)
        self.evidence = w.SelectMultiple(description="Evidence considered", rows=4, style=WIDE,
                                         layout=w.Layout(width="95%"))
        self.reasons = w.Textarea(description="Reasons", placeholder="Say what evidence was considered and how it "
                                  "was weighed against the test.", rows=6, style=WIDE, layout=w.Layout(width="95%"))
        self.test = w.HTML()
        self.history = w.HTML()
        self.record = w.Button(description="Record the decision", button_style="primary",
                               tooltip="Record this decision; it moves the case on",
                               layout=w.Layout(width="auto", align_self="flex-start"))
        self.status = w.HTML()
        self.stage.observe(self._refresh_test, "value")
        self.decided_on.observe(self._refresh_test, "value")
        self.outcome.observe(self._refresh_findings, "value")
        self.stage.observe(self._refresh_findings, "value")
        self.record.on_click(self._record)
        hint = w.HTML("<div class='wbd-hint'>Choose several with Ctrl or Shift (Shift+arrow keys). The reasons must "
                      "mention each.</div>")
        self.widget = w.VBox([
            w.HTML("<h3 class='wb-h3'>Decision</h3>"),
            self.history, self.stage, self.test, self.outcome, self.finding, self.decided_on, self.evidence, hint,
            self.reasons, self.record, self.status], layout=w.Layout(width="100%"))

    def show(self, case) -> None:
        self.case = case
        self.seen = {d.id for d in case.decisions}
        self.history.value = history_html(case)
        self.evidence.options = [(wt.evidence_label(e), e.id) for e in wt.received_evidence(case)]
        self.evidence.value = ()
        self.reasons.value = ""
        self.decided_on.value = self.as_of
        self.stage.value = wt.next_stage(case)
        self.status.value = ""
        self._refresh_findings()
        self._refresh_test()

    def _refresh_test(self, _change=None) -> None:
        self.test.value = test_html(self.stage.value, self.decided_on.value or self.as_of)

    def _refresh_findings(self, _change=None) -> None:
        if self.stage.value == "cg":
            self.finding.options = list((label, key) for key, label in wt.CG_FINDINGS[self.outcome.value])
            self.finding.layout.display = None
        else:
            self.finding.options = []
            self.finding.layout.display = "none"

    def _record(self, _btn=None) -> None:
        case = self.case
        if case is None:
            return
        chosen = [e for e in case.evidence if e.id in set(self.evidence.value)]
        problems = wt.reasons_problems(self.reasons.value, chosen)
        if problems:
            self.status.value = _alert("Not recorded yet. " + " ".join(problems))
            return
        self.status.value = _ok("Recording the decision…")
        try:
            now = open_case(self.session, case.id, as_of=self.as_of)
            conflict = wt.decision_conflict(self.seen, now, self.stage.value, self.session.user.name)
            if conflict:
                self.seen = {d.id for d in now.decisions}
                self.history.value = history_html(now)
                self.status.value = _alert(conflict)
                return
            d = record_decision(self.session, 
                case.id, self.stage.value, self.outcome.value, self.reasons.value,
                evidence_ids=[e.id for e in chosen], decided_on=self.decided_on.value,
                cg_finding=self.finding.value if self.stage.value == "cg" else None)
        except UserError as exc:
            self.status.value = _alert(f"Not recorded: {exc}.")
            return
        except Exception as exc:  # noqa: BLE001
            self.status.value = _alert(wt.unexpected(exc, "record the decision"))
            return
        msg = f"Recorded: {wt.decision_summary(d)}. It is now listed under 'Decisions so far'."
        self.reasons.value, self.evidence.value = "", ()  # a second click cannot record it twice
        if self.on_recorded:
            self.on_recorded(case.id)
        self.status.value = _ok(msg)
