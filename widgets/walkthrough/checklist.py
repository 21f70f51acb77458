"""The indicator checklist for one case: present / absent / unknown, a note and linked evidence per
indicator, each change saved through the Session as it is made, with the ILO combination rule per
dimension alongside as guidance.

The browser side (static/checklist.js) renders every text with textContent. The kernel side keeps the
version of each assessment this user last saw, so a refused save names who changed what and the user's
own input stays on screen until they choose to keep it or take the other person's.
"""
from __future__ import annotations

import anywidget
import traitlets as t

from widgets.common.static_files import static_path
from workbench.core.errors import StaleSave, UserError
from workbench.walkthrough import checklist
from workbench.walkthrough import view as wt
from workbench.walkthrough.actions import save_assessment


class ChecklistWidget(anywidget.AnyWidget):
    _esm = static_path("walkthrough", "checklist.js")
    _css = static_path("walkthrough", "checklist.css")
    data = t.Dict().tag(sync=True)
    guidance = t.Dict().tag(sync=True)


class Checklist:
    """Controller: shows a CaseRecord's checklist and saves each change through `session`."""

    def __init__(self, session, on_saved=None):
        self.session = session
        self.widget = ChecklistWidget()
        self.widget.on_msg(self._on_msg)
        self.case = None
        self.versions: dict[str, int | None] = {}
        self.statuses: dict[str, str | None] = {}
        self.on_saved = on_saved
        self.last_result: dict | None = None

    def show(self, case) -> None:
        self.case = case
        self.versions = {k: a.version for k, a in case.assessments.items()}
        self.statuses = {k: a.status for k, a in case.assessments.items()}
        self.widget.guidance = checklist.ilo_guidance(case, self.statuses)
        self.widget.data = checklist.checklist_model(case)

    def clear(self) -> None:
        self.case = None
        self.widget.data = {}
        self.widget.guidance = {}

    # ---- saving ---------------------------------------------------------------------------------
    def save(self, indicator_id: str, status: str, note: str = "", evidence=(), over: int | None = None) -> dict:
        """Save one change; returns the message sent to the browser (also used by tests)."""
        case = self.case
        if case is None:
            return {"type": "error", "id": indicator_id, "message": "Choose a case first."}
        if over is not None:
            self.versions[indicator_id] = over
        try:
            rec = save_assessment(self.session, case.id, indicator_id, status, note=(note or None),
                                               evidence_ids=[int(e) for e in evidence],
                                               expected_version=self.versions.get(indicator_id))
        except StaleSave as exc:
            info = wt.stale_info(exc)
            ch = info.changes
            result = {"type": "stale", "case_id": case.id, "id": indicator_id, "message": info.message,
                      "theirs": {"status": ch.get("status"), "note": ch.get("note") or "",
                                 "evidence": list(ch.get("evidence") or []), "by": info.by, "at": info.at,
                                 "version": info.version}}
        except UserError as exc:
            result = {"type": "error", "case_id": case.id, "id": indicator_id,
                      "message": f"Not saved: {exc}."}
        except Exception as exc:  # noqa: BLE001 - the chair gets a sentence, never a silent spinner
            result = {"type": "error", "case_id": case.id, "id": indicator_id,
                      "message": wt.unexpected(exc, "save this indicator")}
        else:
            self.versions[indicator_id] = rec.version
            self.statuses[indicator_id] = rec.status
            result = {"type": "saved", "case_id": case.id, "id": indicator_id, "version": rec.version,
                      "by": rec.assessor, "at": wt.fmt_date(rec.assessed_at)}
        self.last_result = result
        return result

    def _on_msg(self, _widget, content, _buffers) -> None:
        kind = content.get("type")
        iid = content.get("id")
        if kind == "save":
            result = self.save(iid, content.get("status") or "unknown", content.get("note") or "",
                               content.get("evidence") or [], content.get("over"))
            self.widget.send(result)
            if result["type"] == "saved":
                self.widget.guidance = checklist.ilo_guidance(self.case, self.statuses)
                if self.on_saved:
                    self.on_saved(result)
        elif kind == "accept":
            self.versions[iid] = content.get("version")
            theirs = content.get("status")
            if theirs:
                self.statuses[iid] = theirs
