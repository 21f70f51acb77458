"""The trainer's dashboard: choose a lead, an organisation or a region; see its referral quality and
outcomes beside its peer group; export a lead's report, or a batch for a whole organisation.

Everything shown comes from a `workbench.feedback.views.FeedbackView` (suppressed figures only), rendered by
`workbench.feedback.report.view_html` — the same HTML the exported report holds.
"""
from __future__ import annotations

import base64
import io
import os
import time
import zipfile
from html import escape
from pathlib import Path

import ipywidgets as w

from widgets.common.static_files import style_tag
from workbench.core.app import as_of
from workbench.core.errors import UserError
from workbench.feedback.actions import lead_feedback, record_feedback_export
from workbench.feedback.report import (
    CSS,
    report_html,
    safe_name,
    view_html,
    write_batch,
)
from workbench.feedback.views import KINDS, FeedbackData

OWN_CSS = "feedback/lead_feedback.css"
KIND_LABELS = {"lead": "Lead", "organisation": "Organisation", "region": "Region"}
EXPORTS_ENV = "WORKBENCH_EXPORTS"
DOWNLOAD_LIMIT = 15_000_000  # bytes: a larger batch is only written to the exports folder


def exports_folder(session=None) -> Path:
    """$WORKBENCH_EXPORTS, else an `exports` folder beside the database file (else the working folder)."""
    if os.environ.get(EXPORTS_ENV):
        return Path(os.environ[EXPORTS_ENV]).expanduser()
    url = getattr(getattr(session, "store", None), "url", "") or ""
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///"):]).parent / "exports"
    return Path("exports")


def _download_link(data: bytes, filename: str, mime: str, label: str, testid: str) -> str:
    b64 = base64.b64encode(data).decode("ascii")
    return (f"<a data-testid='{testid}' download='{escape(filename)}' href='data:{mime};base64,{b64}' "
            f"class='wb-download'>{escape(label)}</a>")


class LeadFeedbackApp:
    """The dashboard's state and widgets. `show(kind, key)` is what a change of choice runs."""

    def __init__(self, session, data: FeedbackData):
        self.session, self.data = session, data
        self.can_export = session.can("export_feedback")
        self.kind = w.ToggleButtons(options=[(KIND_LABELS[k], k) for k in KINDS], value="lead",
                                    description="Show", style={"button_width": "120px"})
        self.choice = w.Dropdown(description="Choose", layout=w.Layout(width="620px"))
        self.status = w.HTML()
        self.stale = w.HTML(self._stale_note())
        self.body = w.HTML(layout=w.Layout(min_height="400px"))
        self.export_button = w.Button(description="Export this lead's report (HTML)", icon="download",
                                      layout=w.Layout(width="auto"), tooltip="One self-contained HTML file")
        self.batch_button = w.Button(description="Export reports for every lead in this organisation",
                                     icon="files-o", layout=w.Layout(width="auto"))
        self.progress = w.IntProgress(value=0, min=0, max=1, description="Reports",
                                      layout=w.Layout(width="420px", visibility="hidden"))
        self.export_out = w.HTML()
        self.export_button.on_click(lambda _b: self.export_one())
        self.batch_button.on_click(lambda _b: self.export_batch())
        self.kind.observe(lambda ch: self._set_kind(ch["new"]), names="value")
        self.choice.observe(lambda ch: ch["new"] is not None and self.show(self.kind.value, ch["new"]),
                            names="value")
        self.current = None
        export_row = [self.export_button, self.batch_button] if self.can_export else []
        self.widget = w.VBox([
            w.HTML(f"<style>{CSS}</style>{style_tag(OWN_CSS)}"),  # the report's look, then the dashboard's
            self.stale, w.HBox([self.kind]), w.HBox([self.choice]), self.status,
            w.HBox(export_row), w.HBox([self.progress]), self.export_out, self.body])
        self.widget.add_class("wb-lead-feedback")
        self._set_kind("lead")

    def _stale_note(self) -> str:
        from workbench.feedback.scoring import stale_count

        n = stale_count(self.session.store)
        if not n:
            return ""
        return ("<p role='status' class='wb-rule wb-stale'>The quality scores of "
                f"{n:,} referral{'s' if n != 1 else ''} were computed with other referral criteria than today's, or "
                "not yet: ask an administrator to re-score them (workbench.feedback.scoring.score_all).</p>")

    # ---- choosing -----------------------------------------------------------------------------
    def _set_kind(self, kind: str) -> None:
        options = self.data.options(kind)
        self.choice.unobserve_all("value")
        self.choice.options = options
        self.choice.value = options[0][1] if options else None
        self.choice.observe(lambda ch: ch["new"] is not None and self.show(self.kind.value, ch["new"]),
                            names="value")
        self.export_button.disabled = kind != "lead"
        self.batch_button.disabled = kind == "region"
        if options:
            self.show(kind, options[0][1])
        else:
            self.body.value = "<p>There are no referrals in this database yet.</p>"

    def show(self, kind: str, key) -> None:
        t0 = time.perf_counter()
        try:
            view = self.data.view(kind, key)
        except UserError as exc:
            self.status.value = f"<p role='alert'>{escape(str(exc))}</p>"
            return
        self.current = view
        self.body.value = view_html(view)
        self.export_out.value = ""
        self.progress.layout.visibility = "hidden"
        self.status.value = (f"<p class='wb-note wb-updated'>"
                             f"Updated in {time.perf_counter() - t0:.2f}s</p>")

    # ---- exporting ------------------------------------------------------------------------------
    def _lead_key(self):
        if self.kind.value == "lead":
            return self.choice.value
        return None

    def export_one(self) -> str | None:
        """Build the chosen lead's report and offer it as a download link."""
        lead_id = self._lead_key()
        if lead_id is None or self.current is None:
            self.export_out.value = "<p role='alert'>Choose a lead first.</p>"
            return None
        code = self.current.title.removeprefix("Lead ").strip()
        filename = f"feedback-{safe_name(code)}.html"
        try:
            record_feedback_export(self.session, [code], f"download:{filename}")
        except UserError as exc:
            self.export_out.value = f"<p role='alert'>{escape(str(exc))}</p>"
            return None
        html = report_html(self.current)
        self.export_out.value = ("<p>Report ready: "
                                 + _download_link(html.encode("utf-8"), filename, "text/html", f"download {filename}",
                                                  "report-download")
                                 + " (one file; opens without a network and prints on A4)</p>")
        return html

    def _organisation(self) -> str | None:
        if self.kind.value == "organisation":
            return self.choice.value
        if self.kind.value == "lead":
            row = self.data.lead_row(self.choice.value)
            return None if row is None else row.organisation
        return None

    def export_batch(self) -> list[Path]:
        """A report for every lead of the chosen organisation, with progress, into the exports folder."""
        org = self._organisation()
        if not org:
            self.export_out.value = "<p role='alert'>Choose a lead or an organisation first.</p>"
            return []
        leads = self.data.leads[self.data.leads["organisation"] == org]
        codes, ids = list(leads["lead_code"]), [int(i) for i in leads["lead_id"]]
        folder = exports_folder(self.session) / safe_name(org)
        try:
            record_feedback_export(self.session, codes, str(folder))
        except UserError as exc:
            self.export_out.value = f"<p role='alert'>{escape(str(exc))}</p>"
            return []
        self.progress.max, self.progress.value = max(1, len(ids)), 0
        self.progress.layout.visibility = "visible"
        self.progress.bar_style = ""
        self.batch_button.disabled = True

        def step(done, total, code):
            self.progress.value = done
            self.progress.description = f"{done}/{total}"
            self.export_out.value = f"<p data-testid='batch-progress'>Building reports: {done} of {total} ({escape(code)})</p>"

        try:
            paths = write_batch(self.data, ids, folder, progress=step)
        except (UserError, OSError) as exc:
            self.export_out.value = f"<p role='alert'>The batch stopped: {escape(str(exc))}</p>"
            self.progress.bar_style = "danger"
            return []
        finally:
            self.batch_button.disabled = self.kind.value == "region"
        self.progress.bar_style = "success"
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for p in paths:
                z.write(p, p.name)
        link = ""
        if buf.tell() <= DOWNLOAD_LIMIT:
            link = " " + _download_link(buf.getvalue(), f"feedback-{safe_name(org)}.zip", "application/zip",
                                        "download all as a zip", "batch-download")
        self.export_out.value = (f"<p data-testid='batch-done'>{len(paths)} report{'s' if len(paths) != 1 else ''} "
                                 f"for {escape(org)} written to <code>{escape(str(folder.resolve()))}</code>.{link}</p>")
        return paths


def LeadFeedback(session) -> w.VBox:
    frame = lead_feedback(session)
    data = FeedbackData(frame, as_of=as_of(session))
    app = LeadFeedbackApp(session, data)
    app.widget._app = app  # reachable from a notebook cell (tests drive it without a browser)
    return app.widget
