"""The panel chair's case walkthrough: the queue, then the chosen case (referral and evidence beside the
indicator checklist; the decision beside the draft letter). Composes the components; all domain logic is
in workbench.walkthrough.view and every read and write goes through the Session."""
from __future__ import annotations

import threading
from html import escape

import ipywidgets as w

from widgets.common.static_files import style_tag
from widgets.common.status import app_status
from widgets.walkthrough.queue_view import QueueView
from workbench.core.app import as_of
from workbench.core.cases import open_case
from workbench.core.errors import UserError
from workbench.walkthrough import view as wt

CSS = ("walkthrough/walkthrough.css", "letters/letter_check.css")
COLUMN = w.Layout(width="50%", padding="0 .8em 0 0", overflow="visible")


_status = app_status


class CaseWalkthrough:
    def __init__(self, session):
        self.session = session
        self.as_of = as_of(session)
        self.status = w.HTML(_status("Loading your panel's queue…"))
        self.case = None
        self._showing = False
        self.case_view = self.checklist = self.decision = self.letter = None
        self.title = w.HTML()
        self.case_box = w.VBox([self.title], layout=w.Layout(display="none"))
        self.placeholder = w.HTML("<p class='wb-text wb-muted'>Choose a case from the queue to read it, walk its "
                                  "checklist and record a decision.</p>")
        self.queue = QueueView(session, self.as_of, on_open=self.open)
        self.status.value = ""  # the queue says how many cases it holds; this line reports opening and saving
        self.widget = w.VBox([w.HTML(style_tag(*CSS)), self.status, self.queue.widget, self.placeholder,
                              self.case_box])
        # Once the queue is on screen, build the (hidden) case view and load the indicator sets while the chair
        # reads the queue, so the first case opens as fast as the rest; not before, so the queue comes first.
        self.queue.on_shown = self.prepare

    def prepare(self) -> None:
        """Build the case part of the app (once)."""
        if self.case_view is not None:
            return
        from widgets.walkthrough.case_view import CaseView
        from widgets.walkthrough.checklist import Checklist
        from widgets.walkthrough.decision_form import DecisionForm
        from widgets.walkthrough.letter_editor import LetterEditor

        session = self.session
        self.case_view = CaseView(session, self.as_of, on_changed=self.reload)
        self.checklist = Checklist(session)
        self.decision = DecisionForm(session, self.as_of, on_recorded=self.after_decision)
        self.letter = LetterEditor(session, self.as_of, stage_of=lambda: self.decision.stage.value,
                                   decided_on_of=lambda: self.decision.decided_on.value)
        for control in (self.decision.stage, self.decision.decided_on):
            control.observe(self._letter_context_changed, "value")
        self.case_box.children = [
            self.title,
            w.HBox([w.Box([self.case_view.widget], layout=COLUMN), w.Box([self.checklist.widget], layout=COLUMN)]),
            w.HBox([w.Box([self.decision.widget], layout=COLUMN), w.Box([self.letter.widget], layout=COLUMN)]),
            self.letter.check_widget,  # the letter checker needs the page's width: letter and flags side by side
        ]
        threading.Thread(target=wt.warm_up, daemon=True).start()

    def open(self, case_id: int) -> None:
        self.status.value = _status(f"Opening case {case_id}…")
        self.prepare()
        try:
            case = open_case(self.session, case_id, as_of=self.as_of)
        except UserError as exc:
            self.status.value = _status(f"The case could not be opened: {exc}.", "alert")
            return
        except Exception as exc:  # noqa: BLE001
            self.status.value = _status(wt.unexpected(exc, f"open case {case_id}"), "alert")
            return
        self._show(case)
        self.status.value = _status(f"Case {case.reference} is open.", "ok")

    def _letter_context_changed(self, _change=None) -> None:
        if not self._showing:
            self.letter.sync()

    def _show(self, case) -> None:
        self.case = case
        self._showing = True
        try:
            self.case_view.show(case)
            self.checklist.show(case)
            self.decision.show(case)
            self.letter.show(case)
        finally:
            self._showing = False
        self.title.value = self._title(case)
        self.placeholder.layout.display = "none"
        self.case_box.layout.display = None

    @staticmethod
    def _title(case) -> str:
        stage = wt.STAGE_LABELS.get(case.stage, case.stage)
        return (f"<h2 class='wbw-title' data-testid='case-title' data-case-id='{case.id}'>"
                f"Case {escape(case.reference)} · {escape(stage)}</h2>")

    def reload(self, case_id: int) -> None:
        """After a write that changes the case (request, decision): re-read it and refresh the queue."""
        case = open_case(self.session, case_id, as_of=self.as_of)
        self.case = case
        self.case_view.show(case)
        from widgets.walkthrough.decision_form import history_html

        self.decision.history.value = history_html(case)
        self.decision.seen = {d.id for d in case.decisions}
        self.title.value = self._title(case)
        self.queue.refresh()

    def after_decision(self, case_id: int) -> None:
        self.reload(case_id)
        self.status.value = _status(f"Decision recorded on {self.case.reference}; the case has moved on "
                                    f"({wt.STAGE_LABELS.get(self.case.stage, self.case.stage)}).", "ok")


def build(session) -> w.Widget:
    """For run_app: the app's body."""
    return CaseWalkthrough(session).widget
