"""The panel's queue: open cases most urgent first, with status badges and filters (stage,
exploitation type, adult or child). Rows come from Session.queue, so a chair sees only their panel."""
from __future__ import annotations

import anywidget
import traitlets as t

from widgets.common.static_files import static_path
from workbench.core.errors import UserError
from workbench.walkthrough import view as wt
from workbench.walkthrough.actions import panel_queue


class QueueWidget(anywidget.AnyWidget):
    _esm = static_path("walkthrough", "queue.js")
    _css = static_path("walkthrough", "queue.css")
    rows = t.List().tag(sync=True)
    selected = t.Int(0).tag(sync=True)
    filters = t.Dict().tag(sync=True)
    options = t.Dict().tag(sync=True)
    message = t.Unicode("").tag(sync=True)


class QueueView:
    def __init__(self, session, as_of, on_open):
        self.session, self.as_of, self.on_open = session, as_of, on_open
        self.on_shown = None  # called once, when the browser has drawn the queue
        self.filters = {"stage": "", "exploitation": "", "age": ""}
        self.widget = QueueWidget(options={"stage": wt.STAGE_FILTER_OPTIONS,
                                           "exploitation": wt.EXPLOITATION_FILTER_OPTIONS,
                                           "age": wt.AGE_FILTER_OPTIONS}, filters=dict(self.filters))
        self.widget.on_msg(self._on_msg)
        self.refresh()

    def rows(self) -> list[dict]:
        f = self.filters
        return [wt.queue_row(r) for r in panel_queue(self.session, 
            as_of=self.as_of, **wt.queue_filters(f["stage"], f["exploitation"], f["age"]))]

    def refresh(self) -> None:
        try:
            self.widget.message = ""
            self.widget.rows = self.rows()
        except UserError as exc:
            self.widget.rows = []
            self.widget.message = f"The queue could not be loaded: {exc}."

    def _on_msg(self, _w, content, _buffers) -> None:
        if content.get("type") == "shown":
            if self.on_shown:
                callback, self.on_shown = self.on_shown, None
                callback()
        elif content.get("type") == "filter":
            self.filters = {k: content.get(k) or "" for k in ("stage", "exploitation", "age")}
            self.refresh()
        elif content.get("type") == "open":
            case_id = int(content["case_id"])
            self.widget.selected = case_id
            self.on_open(case_id)
