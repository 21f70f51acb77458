"""The letter check: paste or upload a draft decision letter, see each flag in place and beside it why,
its source and a better wording; accept or dismiss each (with a reason, kept for QA). Re-checks as the
text is edited.

`LetterCheck(session, ...)` is one VBox that other apps embed (the chair's walkthrough, the QA review).
Logic lives in workbench.letters.responses; every piece of the letter is html.escape'd there before it
reaches an HTML widget, so a letter's text is shown as text and never runs.
"""
from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
import time
from datetime import date
from html import escape

import ipywidgets as w

from qa_checks.finding import Finding
from qa_checks.letters import check_letter
from widgets.common.static_files import style_tag
from workbench.core.app import as_of
from workbench.core.clock import fmt_date
from workbench.core.errors import AccessDenied, UserError
from workbench.letters import responses as lr
from workbench.letters.actions import finding_responses, respond_to_finding

DEBOUNCE_SECONDS = 0.4
PASTE_CHARS = 40
_ids = itertools.count(1)

CSS = "letters/letter_check.css"


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def _style() -> str:
    """The component's stylesheet (a static file) and the category colours (generated from reference data)."""
    return style_tag(CSS) + "<style>" + lr.highlight_css() + "</style>"


_WARM = threading.Lock()


def _warm_up() -> None:
    """Load the rules and model (a few seconds, once per kernel) while the page is read, so the first letter
    pasted is checked at typing speed rather than after a pause that looks like nothing happened."""
    with _WARM, contextlib.suppress(Exception):  # the real check says what is wrong
        check_letter("The panel considered your account.")


def similar_to(finding: Finding) -> list[str]:
    """The nearest labelled sentences behind a model flag, if the checker gave them (a `similar` field, or
    `evidence["similar"]`); an empty list otherwise."""
    found = getattr(finding, "similar", None)
    if not found:
        evidence = getattr(finding, "evidence", None)
        found = evidence.get("similar") if isinstance(evidence, dict) else None
    if isinstance(found, str):
        found = [found]
    return [str(x) for x in (found or ()) if str(x).strip()]


def similar_html(finding: Finding) -> str:
    """"Similar to: …" under a finding: the labelled sentences it resembles, shown as text."""
    items = similar_to(finding)
    if not items:
        return ""
    if len(items) == 1:
        return f'<p class="lc-similar" data-testid="similar"><b>Similar to:</b> <q>{escape(items[0])}</q></p>'
    lis = "".join(f"<li><q>{escape(x)}</q></li>" for x in items)
    return f'<div class="lc-similar" data-testid="similar"><b>Similar to:</b><ul>{lis}</ul></div>'


class _Card:
    """One finding in the list, with Accept / Dismiss and a reason box. Kept across re-checks while the
    same flag (rule and words) is still there, so a half-typed reason survives an edit elsewhere."""

    def __init__(self, owner: LetterCheck, can_respond: bool):
        self.owner = owner
        self.finding: Finding | None = None
        self.number: str = ""
        self.body = w.HTML()
        self.status = w.HTML()
        self.reason = w.Text(placeholder="Reason for dismissing (required to dismiss)",
                             layout=w.Layout(flex="1 1 auto", width="auto"))
        self.accept = w.Button(description="Accept", button_style="", icon="check",
                               tooltip="Agree with this flag: you will change the wording", layout=w.Layout(width="auto"))
        self.dismiss = w.Button(description="Dismiss", icon="times",
                                tooltip="Disagree with this flag; give the reason in the box", layout=w.Layout(width="auto"))
        self.accept.on_click(lambda _b: self.respond("accept"))
        self.dismiss.on_click(lambda _b: self.respond("dismiss"))
        self.accept.add_class("lc-accept")
        self.dismiss.add_class("lc-dismiss")
        self.reason.add_class("lc-reason")
        actions = w.HBox([self.accept, self.reason, self.dismiss], layout=w.Layout(width="100%"))
        self.box = w.VBox([self.body, actions, self.status] if can_respond else [self.body, self.status])
        self.box.add_class("lc-card")

    def show(self, text: str, finding: Finding, number: str, response) -> None:
        self.finding, self.number = finding, number
        _bg, border = lr.category_colours(finding.category)
        anchor = f'<span id="{self.owner.anchor}-card{escape(number)}"></span>'
        jump = (f' <a class="lc-jump" href="#{self.owner.anchor}-f{escape(number)}">show in letter</a>'
                if lr.has_span(finding) else "")
        self.body.value = (f'{anchor}<div data-testid="finding" data-category="'
                           f'{escape(finding.category)}" data-rule="{escape(finding.rule_id)}">'
                           f'{lr.finding_html(text, finding, number)}{similar_html(finding)}{jump}</div>')
        self.box.layout.border_left = f"6px solid {border}"
        self.show_response(response)

    def show_response(self, response) -> None:
        for c in ("lc-accepted", "lc-dismissed"):
            self.box.remove_class(c)
        if response is None:
            self.status.value = ""
            return
        self.box.add_class("lc-accepted" if response.action == "accept" else "lc-dismissed")
        mark = "✓" if response.action == "accept" else "✗"
        self.status.value = (f'<p class="lc-status" data-testid="response-status" role="status">{mark} '
                             f'{escape(lr.response_text(response))}</p>')

    def respond(self, action: str) -> None:
        message = self.owner.respond(self.finding, action, self.reason.value)
        if message:
            self.status.value = f'<p class="lc-status lc-error" role="alert">{escape(message)}</p>'
        elif action == "dismiss":
            self.reason.value = ""


class LetterCheck(w.VBox):
    """Check one letter. `case_id` / `letter_draft_id` tie the responses to a case's saved draft; without
    them (pasted text) responses are kept with no case. `debounce` is the pause after typing before the
    letter is checked again (0 checks on every change).

    Embedded in another app (`embedded=True`, e.g. the walkthrough's draft letter): the host owns the text box
    (`textarea`, checked as it is edited) and sets the case type, stage and decision date through `load`;
    the component shows what it checked against, the highlighted letter, the flags and their answers.
    `check_now=False` waits for the first `load` / `check` instead of checking at once."""

    def __init__(self, session, *, text: str = "", case_type: str = "adult", stage: str = "cg",
                 decided_on: date | None = None, case_id: int | None = None, letter_draft_id: int | None = None,
                 debounce: float = DEBOUNCE_SECONDS, show_upload: bool = True, textarea: w.Textarea | None = None,
                 embedded: bool = False, check_now: bool = True):
        self.session = session
        self.embedded = embedded
        self.case_id = case_id
        self.letter_draft_id = letter_draft_id
        if textarea is not None and text:
            textarea.value = text
        text = textarea.value if textarea is not None else text
        self._draft_sha = lr.text_sha256(text) if letter_draft_id is not None else None
        self.debounce = debounce
        self.anchor = f"lc{next(_ids)}"
        self.findings: list[Finding] = []
        self.checked_text: str | None = None
        self.check_ms: float | None = None
        self._pending = None
        self._loading = False
        self._cards: dict[tuple, _Card] = {}
        self.can_respond = session.can("respond_to_findings", case_id)
        self.book = lr.ResponseBook(self._load_mine(), case_id=case_id)

        self._make_controls(session, text, case_type, stage, decided_on, textarea)
        self.message = w.HTML()
        self.summary = w.HTML()
        self.context = w.HTML()
        self.role_note = w.HTML()
        self.letter_view = w.HTML(layout=w.Layout(max_height="80vh", overflow="auto"))
        self.letter_view.add_class("lc-letter-box")
        self.findings_box = w.VBox(layout=w.Layout(max_height="80vh", overflow="auto", border="1px solid #ccc",
                                                   padding="0.4em"))
        self.findings_box.add_class("lc-findings")
        self.earlier = w.HTML()
        self._refresh_earlier()
        self._refresh_role_note()
        self._refresh_context()

        for control in (self.case_type, self.stage, self.decided_on):
            control.observe(lambda _c: self.schedule(immediate=True), "value")
            control.observe(lambda _c: self._refresh_context(), "value")
        # A paste, an upload or a cut changes many characters at once: check it now. Typing waits for a pause.
        self.textarea.observe(lambda c: self.schedule(immediate=abs(len(c["new"]) - len(c["old"])) > PASTE_CHARS),
                              "value")
        self.upload.observe(self._on_upload, "value")

        parts = self._layout(show_upload)
        super().__init__(parts)
        self.add_class("lc-root")
        if embedded:
            self.add_class("lc-embedded")
        if not text.strip() or not check_now:  # load the model while the user finds their letter
            threading.Thread(target=_warm_up, name="letter-check-warm-up", daemon=True).start()
        if check_now:
            self.check()
        else:
            self._not_checked()

    def _make_controls(self, session, text: str, case_type: str, stage: str, decided_on: date | None,
                       textarea: w.Textarea | None) -> None:
        """The case type, stage and decision date the letter is checked against, the upload, and the text box
        (the host's own when embedded)."""
        self.case_type = w.ToggleButtons(options=[("Adult", "adult"), ("Child", "child")], value=case_type,
                                         description="Case type", tooltips=["An adult's case", "A child's case: "
                                         "checks child-friendly language too"], style={"button_width": "5em"})
        self.stage = w.ToggleButtons(options=[("Reasonable grounds", "rg"), ("Conclusive grounds", "cg")],
                                     value=stage, description="Stage", style={"button_width": "11em"})
        self.decided_on = w.DatePicker(value=decided_on or as_of(session), description="Decision date",
                                       style={"description_width": "initial"})
        self.upload = w.FileUpload(accept=".txt,.md,.docx", multiple=False, description="Upload .docx / .txt",
                                   layout=w.Layout(width="auto"))
        if textarea is None:
            textarea = w.Textarea(value=text, placeholder="Paste the draft letter here, or upload a .docx or .txt "
                                  "file. It is checked as you type.",
                                  continuous_update=True, layout=w.Layout(width="100%", height="12em"))
            textarea.add_class("lc-input")
        self.textarea = textarea

    def _layout(self, show_upload: bool) -> list:
        """The component's parts: the highlighted letter beside the flags, and (standalone) the controls."""
        embedded, session = self.embedded, self.session
        legend = w.HTML('<div class="lc-h">Colour key</div>' + lr.legend_html())
        legend_box = w.Accordion(children=[legend], titles=("Colour key: what each highlight means",),
                                 selected_index=None)
        where = "the draft above" if embedded else "the box above"
        left = w.VBox([w.HTML('<div class="lc-h">The letter, with flags highlighted</div>'
                              '<p class="lc-note">Each highlight ends with a numbered label '
                              'naming the kind of flag; the number matches the list on the right. Edit '
                              f'{where}.</p>'), self.letter_view],
                      layout=w.Layout(width="56%", padding="0 1em 0 0"))
        right = w.VBox([self.summary, legend_box, self.findings_box], layout=w.Layout(width="44%"))
        earlier_box = w.Accordion(children=[self.earlier], titles=("Your earlier responses to flags",),
                                  selected_index=None if embedded else 0)
        body = [self.message, w.HBox([left, right], layout=w.Layout(width="100%", align_items="flex-start")),
                earlier_box]
        if embedded:
            parts = [w.HTML(_style()), self.context, self.role_note, *body]
        else:
            intro = w.HTML(
                '<div class="lc-intro"><p>Paste a draft decision letter (or upload a .docx or .txt file), choose the '
                'case type, stage and decision date, and the letter is checked as you type. Each flag is '
                '<b>advice, never a verdict</b>: it says why the wording may be a problem, where that comes from, '
                'and a better wording. <b>Accept</b> a flag you agree with; <b>dismiss</b> one you do not, saying '
                'why. Your answers are kept so QA can see which flags reviewers reject.</p></div>')
            controls = w.HBox([self.case_type, self.stage, self.decided_on] + ([self.upload] if show_upload else []),
                              layout=w.Layout(flex_flow="row wrap", align_items="center"))
            controls.add_class("lc-controls")
            parts = [w.HTML(_style()), intro, self.role_note, controls,
                     w.HTML('<div class="lc-h"><label>Your letter (edit here)</label></div>'), self.textarea, *body]
        if session.can("review_finding_responses"):
            parts.append(self._qa_summary())
        return parts

    def _refresh_role_note(self) -> None:
        self.role_note.value = ("" if self.can_respond else '<p role="note">Your role can read the flags but not '
                                'record responses to them.</p>')

    def _refresh_context(self) -> None:
        if not self.embedded:
            return
        who = "a child's case (child-friendly language is checked too)" if self.case_type.value == "child" \
            else "an adult's case"
        stage = {value: label for label, value in self.stage.options}.get(self.stage.value, "")
        when = self.decided_on.value
        self.context.value = (f'<p class="lc-context" data-testid="check-context">Checked as {escape(who)}, '
                              f'{escape(stage.lower())} decision'
                              + (f' dated {escape(fmt_date(when))}' if when else "") + '. Each flag is <b>advice, '
                              'never a verdict</b>: <b>accept</b> one you agree with; <b>dismiss</b> one you do not, '
                              'saying why.</p>')

    def _not_checked(self) -> None:
        self._cancel_pending()
        self.findings, self.checked_text = [], None
        self.summary.value = ('<p class="lc-summary" role="status">Not checked yet: press <b>Check the letter</b>, '
                              'or edit the draft, to check it.</p>')
        self.letter_view.value = '<div class="lc-letter"></div>'
        self.findings_box.children = ()
        self._cards = {}

    # ---- checking ---------------------------------------------------------------------------------
    @property
    def text(self) -> str:
        return self.textarea.value

    def load(self, text: str, *, case_id: int | None = None, letter_draft_id: int | None = None,
             case_type: str | None = None, stage: str | None = None, decided_on: date | None = None,
             check: bool = True, draft_text: str | None = None) -> None:
        """Show another letter (e.g. a newly saved draft) and check it at once (or not yet: `check=False`).
        `letter_draft_id` is the saved draft whose text is `draft_text` (default: `text`): answers to flags are
        tied to that draft only while the letter checked is that text, word for word."""
        if case_id is not None and case_id != self.case_id:
            self.case_id = case_id
            self.can_respond = self.session.can("respond_to_findings", case_id)
            self.book = lr.ResponseBook(self._load_mine(), case_id=case_id)
            self._cards.clear()
            self._refresh_role_note()
            self._refresh_earlier()
        self.letter_draft_id = letter_draft_id
        self._draft_sha = (lr.text_sha256(text if draft_text is None else draft_text)
                           if letter_draft_id is not None else None)
        self._loading = True
        try:
            if case_type:
                self.case_type.value = case_type
            if stage:
                self.stage.value = stage
            if decided_on:
                self.decided_on.value = decided_on
            self.textarea.value = text
        finally:
            self._loading = False
        self._refresh_context()
        if check:
            self.check()
        else:
            self._not_checked()

    def schedule(self, immediate: bool = False) -> None:
        """Check again after `debounce` seconds without another change (at once with no event loop)."""
        if self._loading:
            return
        self._cancel_pending()
        loop = None
        with contextlib.suppress(RuntimeError):  # no loop: check at once
            loop = asyncio.get_running_loop()
        if immediate or self.debounce <= 0 or loop is None:
            self.check()
        else:
            self._pending = loop.call_later(self.debounce, self._run_pending)

    def _cancel_pending(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def _run_pending(self) -> None:
        self._pending = None
        try:
            self.check()
        except Exception as exc:  # a timer callback has nobody to tell but the page
            self.message.value = f'<div class="lc-error" role="alert">{escape(f"The check failed: {exc}")}</div>'

    def check(self) -> list[Finding]:
        self._cancel_pending()
        text = self.textarea.value
        self.message.value = ""
        if not text.strip():
            self.findings, self.checked_text = [], text
            self.summary.value = ('<p class="lc-summary">Write the draft above to check it.</p>' if self.embedded
                                  else '<p class="lc-summary">Paste or upload a letter to check it.</p>')
            self.letter_view.value = '<div class="lc-letter"></div>'
            self.findings_box.children = ()
            return []
        if _WARM.locked():  # the model is still loading in the background: wait for it rather than load it twice
            self.summary.value = '<p class="lc-summary" role="status">Loading the checker (a few seconds, once)…</p>'
        with _WARM:
            pass
        t0 = time.perf_counter()
        try:
            findings = check_letter(text, case_type=self.case_type.value, stage=self.stage.value,
                                    decided_on=self.decided_on.value)
        except LookupError as exc:  # no legal test in force on that date
            self.message.value = f'<div class="lc-error" role="alert">{escape(str(exc))}; choose a later decision date.</div>'
            return self.findings
        except Exception as exc:  # the model file missing or altered (ModelError), or a rule file broken
            self.message.value = (f'<div class="lc-error" role="alert">{escape(f"The letter could not be checked: {exc}")}'
                                  '</div>')
            return self.findings
        self.check_ms = (time.perf_counter() - t0) * 1000
        self.findings, self.checked_text = findings, text
        self._render(text, findings)
        return findings

    def _numbering(self, findings: list[Finding]) -> tuple[list[tuple[str, Finding]], dict[int, int]]:
        spans, whole = lr.split_findings(findings)
        numbers = {id(f): i + 1 for i, f in enumerate(spans)}
        labelled = [(str(numbers[id(f)]), f) for f in spans]
        labelled += [(chr(ord("A") + i) if i < 26 else f"Z{i}", f) for i, f in enumerate(whole)]
        return labelled, numbers

    def _render(self, text: str, findings: list[Finding]) -> None:
        labelled, numbers = self._numbering(findings)
        self.letter_view.value = lr.highlight_html(text, findings, anchor_prefix=self.anchor, numbers=numbers)
        n_span = len(numbers)
        n_whole = len(labelled) - n_span
        groups = lr.group_findings(findings)
        if not findings:
            head = "<b>No flags.</b> The checker found nothing to question (it can miss things: read it through)."
        else:
            head = (f"<b>{n_span} flag{'s' if n_span != 1 else ''} in the text</b>"
                    + (f" and <b>{n_whole} about the whole letter</b>" if n_whole else "")
                    + ". Each is listed below with why, its source and a better wording (scroll the list).")
        kinds = " · ".join(f"{escape(lr.category_label(c))}: {len(fs)}" for c, fs in groups)
        self.summary.value = (f'<div class="lc-summary" data-testid="check-summary" role="status"><p>{head}</p>'
                              + (f'<p class="lc-kinds">{kinds}</p>' if kinds else "")
                              + f'<p class="lc-time">Checked in {self.check_ms:.0f} ms.</p></div>')
        seen: dict[tuple, int] = {}
        cards, keep = [], {}
        for number, f in labelled:
            base = (f.rule_id, lr.excerpt(text, f))
            seen[base] = seen.get(base, 0) + 1
            key = base + (seen[base],)
            card = self._cards.get(key) or _Card(self, self.can_respond)
            card.show(text, f, number, self.book.lookup(text, f))
            keep[key] = card
            cards.append(card.box)
        self._cards = keep
        if n_whole and n_span:  # in-text flags first: their numbers match the labels in the letter
            text_head = w.HTML('<div class="lc-h">In the text, in order</div>')
            whole_head = w.HTML('<div class="lc-h">About the whole letter</div>')
            cards = [text_head] + cards[:n_span] + [whole_head] + cards[n_span:]
        self.findings_box.children = tuple(cards)

    # ---- responses ------------------------------------------------------------------------------
    def respond(self, finding: Finding | None, action: str, reason: str = "") -> str | None:
        """Record an answer to one flag on the letter as last checked. Returns a sentence when refused."""
        text = self.checked_text
        if finding is None or text is None:
            return "Check the letter first."
        if self._pending is not None or text != self.textarea.value:
            self.check()
            return "The letter changed since this flag was shown; it has been checked again. Please answer again."
        draft = self.letter_draft_id if self._draft_sha == lr.text_sha256(text) else None
        try:
            record = respond_to_finding(self.session, text, finding, action, reason, case_id=self.case_id,
                                                     letter_draft_id=draft)
        except (UserError, AccessDenied) as exc:
            return _sentence(str(exc))
        self.book.add(record)
        for card in self._cards.values():
            if card.finding is not None:
                card.show_response(self.book.lookup(text, card.finding))
        self._refresh_earlier()
        return None

    def _load_mine(self):
        try:
            return finding_responses(self.session, mine=True, case_id=self.case_id, limit=500)
        except (UserError, AccessDenied):
            return []

    def _refresh_earlier(self) -> None:
        mine = [r for r in self.book.records if r.user == self.session.user.name]
        where = f"on case {self.case_id}" if self.case_id is not None else "on any letter"
        self.earlier.value = (f'<p class="lc-small">Newest first, {escape(where)}. A change of mind is '
                              'recorded as a new answer; the latest one counts.</p>' + lr.earlier_responses_html(mine))

    def _qa_summary(self) -> w.Widget:
        out = w.HTML()

        def refresh(_=None):
            rows = lr.summarise_responses(finding_responses(self.session, limit=5000))
            out.value = ('<p class="lc-small">Every reviewer\'s latest answer to each flag, by rule; '
                         'the rules reviewers dismiss most come first.</p>' + lr.summary_html(rows))

        button = w.Button(description="Show / refresh", icon="refresh", layout=w.Layout(width="auto"))
        button.on_click(refresh)
        return w.Accordion(children=[w.VBox([button, out])],
                           titles=("For QA: which flags reviewers dismiss, and why",), selected_index=None)

    # ---- upload ---------------------------------------------------------------------------------
    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        from qa_checks.letters.reader import LetterInputError, read_letter_bytes

        item = files[0]
        name = item.get("name", "upload") if isinstance(item, dict) else getattr(item, "name", "upload")
        content = item.get("content") if isinstance(item, dict) else getattr(item, "content", b"")
        try:
            text = read_letter_bytes(name, bytes(content))
        except LetterInputError as exc:
            self.message.value = f'<div class="lc-error" role="alert">{escape(str(exc))}</div>'
            return
        finally:
            self.upload.value = ()
        self.letter_draft_id = self._draft_sha = None
        self._cancel_pending()
        self.textarea.value = text
        self.check()
        self.message.value = (f'<p role="status">Read {escape(name)} ({len(text):,} characters). '
                              'Edit it in the box; the file itself is not changed.</p>')
