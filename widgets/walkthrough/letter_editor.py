"""The draft decision letter: a text area saved as versions, checked by the shared letter check
(widgets.letters.letter_check.LetterCheck, the same component as the letter check app), so a flag is
shown, accepted or dismissed the same way in both apps and the answers are kept against the case and the
saved draft. A save based on an older version is refused, the other version is shown, and the user's text
stays."""
from __future__ import annotations

from html import escape

import ipywidgets as w

from widgets.common.status import refused, saved
from widgets.letters.letter_check import LetterCheck
from workbench.core.cases import open_case
from workbench.core.errors import StaleSave, UserError
from workbench.walkthrough import view as wt
from workbench.walkthrough.actions import save_letter


def case_type_of(case) -> str:
    return "child" if case.referral.get("is_child") else "adult"


class LetterEditor:
    """`widget` is the draft and its save controls; `checker` (a LetterCheck embedded on this draft) shows
    the letter checker's flags; the walkthrough lays it out below, across the page."""

    def __init__(self, session, as_of, stage_of=None, decided_on_of=None):
        self.session, self.as_of = session, as_of
        self.stage_of = stage_of or (lambda: "cg")
        self.decided_on_of = decided_on_of or (lambda: as_of)
        self.case = None
        self.version: int | None = None
        self.draft_id: int | None = None
        self.saved_text: str | None = None
        self.text = w.Textarea(description="Draft letter", rows=14, layout=w.Layout(width="98%"),
                               style={"description_width": "8em"})
        self.info = w.HTML()
        self.save = w.Button(description="Save as a new version", tooltip="Save this text as a new version",
                             layout=w.Layout(width="auto"))
        self.check = w.Button(description="Check the letter", tooltip="Run the letter checker on this text; "
                              "once checked, it is checked again as you edit", layout=w.Layout(width="auto"))
        self.status = w.HTML()
        self.theirs = w.HTML()
        self.keep_mine = w.Button(description="Save mine as the newest version",
                                  layout=w.Layout(display="none", width="auto"))
        self.save.on_click(self._save)
        self.check.on_click(self._check)
        self.keep_mine.on_click(self._keep_mine)
        self._stale_found: int | None = None
        self.checker = LetterCheck(session, textarea=self.text, embedded=True, check_now=False,
                                   decided_on=as_of)
        self.checker.add_class("wbl-checker")
        self.widget = w.VBox([
            w.HTML("<h3 class='wb-h3'>Draft letter</h3>"),
            self.info, self.text, w.HBox([self.save, self.check, self.status]), self.theirs, self.keep_mine],
            layout=w.Layout(width="100%"))
        self.check_widget = w.VBox([w.HTML("<h3 class='wb-h3' data-testid='letter-check-heading'>"
                                           "The letter checker on this draft</h3>"), self.checker],
                                   layout=w.Layout(width="100%"))
        self.check_widget.add_class("wbl-check")

    @property
    def findings(self):
        """The flags on the draft as last checked."""
        return self.checker.findings

    def _context(self) -> dict:
        case = self.case
        return {"case_id": case.id, "case_type": case_type_of(case), "stage": self.stage_of(),
                "decided_on": self.decided_on_of() or self.as_of, "letter_draft_id": self.draft_id,
                "draft_text": self.saved_text}

    def show(self, case) -> None:
        self.case = case
        latest = case.latest_letter
        self.version = latest.version if latest else None
        self.draft_id = latest.id if latest else None
        self.saved_text = latest.text if latest else None
        self.info.value = self._info(latest)
        self.status.value = self.theirs.value = ""
        self.keep_mine.layout.display = "none"
        self.checker.load(latest.text if latest else "", check=False, **self._context())

    @staticmethod
    def _info(latest) -> str:
        if latest is None:
            return "<p class='wb-text wb-muted'>No draft yet.</p>"
        return (f"<p class='wb-text wb-muted'>Version {latest.version}, saved by "
                f"{escape(latest.author)} on {escape(wt.fmt_date(latest.saved_at))}.</p>")

    def _save(self, _btn=None, over: int | None = None) -> bool:
        if self.case is None:
            return False
        self.status.value = "<span role='status' class='wb-text'>Saving…</span>"
        try:
            rec = save_letter(self.session, self.case.id, self.text.value,
                              based_on_version=over if over is not None else self.version)
        except StaleSave as exc:
            self._stale_found = exc.found
            info = wt.stale_info(exc)
            latest = open_case(self.session, self.case.id, as_of=self.as_of).latest_letter
            self.status.value = refused(info.message)
            if latest is not None:
                self.theirs.value = (f"<details open class='wbl-theirs'><summary>Their version ({latest.version}, "
                                     f"{escape(latest.author)})</summary><div>{escape(latest.text)}</div></details>")
            self.keep_mine.layout.display = None
            return False
        except UserError as exc:
            self.status.value = refused(f"Not saved: {exc}.")
            return False
        except Exception as exc:  # noqa: BLE001
            self.status.value = refused(wt.unexpected(exc, "save the letter"))
            return False
        self.version = rec.version
        self.draft_id, self.saved_text = rec.id, rec.text
        self.info.value = self._info(rec)
        self.theirs.value = ""
        self.keep_mine.layout.display = "none"
        self.status.value = saved(f"Saved as version {rec.version}.")
        # answers to flags from now on belong to this version; re-check only if the chair has checked already
        self.checker.load(self.text.value, check=self.checker.checked_text is not None, **self._context())
        return True

    def _keep_mine(self, _btn=None) -> None:
        self._save(over=self._stale_found)

    def sync(self) -> None:
        """The decision form's stage or date changed: check against them from now on (at once if checked)."""
        if self.case is not None:
            self.checker.load(self.text.value, check=self.checker.checked_text is not None, **self._context())

    def _check(self, _btn=None) -> list:
        if self.case is None:
            return []
        if not self.text.value.strip():
            self.checker.message.value = "<p role='status' class='wb-text'>Write or paste a draft first.</p>"
            return []
        self.checker.load(self.text.value, **self._context())
        return self.checker.findings
