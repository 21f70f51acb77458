"""The draft decision letter: a text area saved as versions, with the letter checker's findings shown as
advice. A save based on an older version is refused, the other version is shown, and the user's text stays."""
from __future__ import annotations

from html import escape

import ipywidgets as w

from workbench.core.cases import open_case
from workbench.core.errors import StaleSave, UserError
from workbench.walkthrough import view as wt
from workbench.walkthrough.actions import save_letter

LEVEL_STYLE = {"critical": "#b00020", "warning": "#8a5a00", "info": "#1d3557"}


def findings_html(result: dict) -> str:
    if not result:
        return ""
    if not result["available"]:
        return f"<p role='status' style='font-family:system-ui,sans-serif'>{escape(result['message'])}</p>"
    items = ""
    for f in result["findings"]:
        quote = f"<br><q>{escape(f['quote'])}</q>" if f["quote"] else ""
        sugg = f"<br><i>Try:</i> {escape(f['suggestion'])}" if f["suggestion"] else ""
        items += (f"<li><b style='color:{LEVEL_STYLE.get(f['level'], '#333')}'>{escape(f['level'].title())}</b> "
                  f"{escape(f['message'])}{quote}{sugg}<br><small>{escape(f['source'])}</small></li>")
    return (f"<div data-testid='letter-findings' style='font-family:system-ui,sans-serif'>"
            f"<p role='status'><b>Letter checker:</b> {escape(result['message'])} These are advice, not a verdict.</p>"
            f"<ul>{items}</ul></div>")


class LetterEditor:
    def __init__(self, session, as_of, stage_of=None):
        self.session, self.as_of = session, as_of
        self.stage_of = stage_of or (lambda: "cg")
        self.case = None
        self.version: int | None = None
        self.text = w.Textarea(description="Draft letter", rows=14, layout=w.Layout(width="98%"),
                               style={"description_width": "8em"})
        self.info = w.HTML()
        self.save = w.Button(description="Save as a new version", tooltip="Save this text as a new version",
                              layout=w.Layout(width="auto"))
        self.check = w.Button(description="Check the letter", tooltip="Run the letter checker on this text",
                               layout=w.Layout(width="auto"))
        self.status = w.HTML()
        self.theirs = w.HTML()
        self.keep_mine = w.Button(description="Save mine as the newest version",
                                   layout=w.Layout(display="none", width="auto"))
        self.findings = w.HTML()
        self.save.on_click(self._save)
        self.check.on_click(self._check)
        self.keep_mine.on_click(self._keep_mine)
        self._stale_found: int | None = None
        self.widget = w.VBox([
            w.HTML("<h3 style='font-family:system-ui,sans-serif;margin:.5em 0 .2em'>Draft letter</h3>"),
            self.info, self.text, w.HBox([self.save, self.check, self.status]), self.theirs, self.keep_mine,
            self.findings], layout=w.Layout(width="100%"))

    def show(self, case) -> None:
        self.case = case
        latest = case.latest_letter
        self.version = latest.version if latest else None
        self.text.value = latest.text if latest else ""
        self.info.value = self._info(latest)
        self.status.value = self.theirs.value = self.findings.value = ""
        self.keep_mine.layout.display = "none"

    @staticmethod
    def _info(latest) -> str:
        if latest is None:
            return "<p style='font-family:system-ui,sans-serif;color:#555'>No draft yet.</p>"
        return (f"<p style='font-family:system-ui,sans-serif;color:#555'>Version {latest.version}, saved by "
                f"{escape(latest.author)} on {escape(wt.fmt_date(latest.saved_at))}.</p>")

    def _save(self, _btn=None, over: int | None = None) -> bool:
        if self.case is None:
            return False
        self.status.value = "<span role='status'>Saving…</span>"
        try:
            rec = save_letter(self.session, self.case.id, self.text.value,
                                           based_on_version=over if over is not None else self.version)
        except StaleSave as exc:
            self._stale_found = exc.found
            info = wt.stale_info(exc)
            latest = open_case(self.session, self.case.id, as_of=self.as_of).latest_letter
            self.status.value = (f"<span role='alert' style='color:#b00020;font-family:system-ui,sans-serif'>"
                                 f"{escape(info.message)}</span>")
            if latest is not None:
                self.theirs.value = ("<details open style='font-family:system-ui,sans-serif'><summary>Their version "
                                     f"({latest.version}, {escape(latest.author)})</summary><div style='white-space:"
                                     f"pre-wrap;background:#f8f9fa;padding:.4em'>{escape(latest.text)}</div></details>")
            self.keep_mine.layout.display = None
            return False
        except UserError as exc:
            self.status.value = f"<span role='alert' style='color:#b00020'>Not saved: {escape(str(exc))}.</span>"
            return False
        except Exception as exc:  # noqa: BLE001
            self.status.value = (f"<span role='alert' style='color:#b00020'>"
                                 f"{escape(wt.unexpected(exc, 'save the letter'))}</span>")
            return False
        self.version = rec.version
        self.info.value = self._info(rec)
        self.theirs.value = ""
        self.keep_mine.layout.display = "none"
        self.status.value = f"<span role='status' style='color:#2d6a4f'>Saved as version {rec.version}.</span>"
        return True

    def _keep_mine(self, _btn=None) -> None:
        self._save(over=self._stale_found)

    def _check(self, _btn=None) -> None:
        if self.case is None:
            return
        if not self.text.value.strip():
            self.findings.value = "<p role='status'>Write or paste a draft first.</p>"
            return
        self.findings.value = ("<p role='status' style='font-family:system-ui,sans-serif'>Checking the letter… "
                               "(the first check loads the checker and takes a few seconds)</p>")
        try:
            result = wt.letter_findings(self.text.value, self.case, self.stage_of(), self.as_of)
        except Exception as exc:  # noqa: BLE001 - advice must never break the editor
            result = {"available": False, "message": f"The letter checker could not run: {exc}", "findings": []}
        self.findings.value = findings_html(result)
