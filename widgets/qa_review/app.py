"""The second pair of eyes (NRM review 7.4.5): a chair of another panel reviews whether the deciding panel
followed due process. Tabs: the reviewer's queue and the review itself; quality over time and agreement.
Composes the components; all rules are in workbench.qa_review.requests and every read and write goes through the
Session (which refuses a reviewer their own panel's decisions)."""
from __future__ import annotations

import threading

import ipywidgets as w

from widgets.common.static_files import style_tag
from widgets.common.status import app_status
from widgets.qa_review.quality_view import ReviewQuality
from widgets.qa_review.queue_view import ReviewQueue
from widgets.qa_review.review_view import ReviewPanel
from workbench.core.app import as_of
from workbench.core.errors import UserError
from workbench.qa_review import view as review

_status = app_status
CSS = ("qa_review/qa_review.css",)


def _warm_up() -> None:
    """Load the letter checker's model while the reviewer reads the queue, so the first review opens fast."""
    try:
        from qa_checks import check_letter
        check_letter("We decided this on the balance of probabilities.", stage="cg")
    except Exception:  # the review will say the checker could not run
        pass


class SecondPairOfEyes:
    def __init__(self, session):
        self.session = session
        self.as_of = as_of(session)
        self.status = w.HTML(_status("Loading the reviews assigned to you…"))
        self.queue = ReviewQueue(session, self.as_of, on_open=self.open)
        self.review_box = w.VBox([w.HTML("<p class='wb-text wb-muted'>Choose a review from the list to "
                                         "open it.</p>")])
        self.quality = ReviewQuality(session)
        self.tabs = w.Tab(children=[w.VBox([self.queue.widget, self.review_box]), self.quality.widget])
        self.tabs.set_title(0, "Reviews")
        self.tabs.set_title(1, "Quality over time")
        self.tabs.observe(self._tab, "selected_index")
        todo = sum(1 for r in self.queue.rows if r.outcome is None)
        self.status.value = _status(f"{todo} review{'s' if todo != 1 else ''} waiting for you.", "ok")
        self.widget = w.VBox([w.HTML(style_tag(*CSS)), self.status, self.tabs])
        self._warm = threading.Thread(target=_warm_up, daemon=True)
        self._warm.start()

    def _tab(self, change) -> None:
        if change["new"] == 1:
            try:
                self.quality.load()
            except UserError as exc:
                self.quality.widget.children = [w.HTML(_status(str(exc), "alert"))]

    def open(self, review_request_id: int) -> None:
        self.status.value = _status("Opening the review…")
        self._warm.join()  # one load of the letter checker's model, not two racing each other
        try:
            view = review.open_review(self.session, review_request_id, as_of=self.as_of)
        except UserError as exc:
            self.status.value = _status(f"The review could not be opened: {exc}", "alert")
            return
        self.review_box.children = [ReviewPanel(self.session, view, self.as_of, self.recorded).widget]
        self.status.value = _status(f"Reviewing {view.case.reference}: the {view.case.panel_name} panel's decision "
                                    f"of {review.fmt(view.decision.decided_on)}.", "ok")

    def recorded(self, review_request_id: int, qa_id: int, outcome: str, failing: list[str]) -> None:
        view = review.open_review(self.session, review_request_id, as_of=self.as_of)
        if outcome == "procedural_failing":
            msg = (f"Recorded (entry {qa_id}): procedural failing. {view.case.reference} has been sent back to the "
                   f"{view.case.panel_name} panel with {len(failing)} failing item{'s' if len(failing) != 1 else ''} "
                   "and your notes.")
        else:
            msg = f"Recorded (entry {qa_id}): procedure followed. The decision on {view.case.reference} stands."
        self.queue.refresh()
        self.review_box.children = [ReviewPanel(self.session, view, self.as_of, self.recorded).widget]
        self.status.value = _status(msg, "ok")


def build(session) -> w.Widget:
    return SecondPairOfEyes(session).widget
