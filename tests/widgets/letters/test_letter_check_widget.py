"""The LetterCheck widget without a browser: it checks, highlights, keeps responses, re-checks after a pause
in typing, reads uploads, and the notebook renders through nbclient."""
from __future__ import annotations

import asyncio
import io
import os
from datetime import date
from pathlib import Path

import pytest

from workbench.core.session import Session
from workbench.letters.actions import finding_responses
from workbench.walkthrough.actions import save_letter

ROOT = Path(__file__).resolve().parents[3]

# Written for these tests, not taken from the corpus.
LETTER = (
    "Dear Ms Test,\n\n"
    "You claim that you were kept in a house and made to clean for two years. <script>alert(1)</script>\n"
    "The panel notes there is no external corroboration of your account.\n"
    "You have not received any counselling, so there is no evidence of trauma.\n\n"
    "Yours sincerely,\nThe Panel\n"
)


@pytest.fixture
def chair(store):
    return Session(store, "chair-london")


def LetterCheck(*args, **kw):
    from widgets.letters.letter_check import LetterCheck as LC
    return LC(*args, **kw)


def run_in_own_loop(coroutine_function):
    """Run with an event loop like the kernel's; in a thread, since Playwright's sync API (browser tests in
    the same run) leaves a loop running in this one."""
    import threading
    errors = []

    def target():
        try:
            asyncio.run(coroutine_function())
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    t = threading.Thread(target=target)
    t.start()
    t.join(30)
    if errors:
        raise errors[0]


def cards(lc):
    return [c for c in lc._cards.values()]


def card_for(lc, category):
    return next(c for c in lc._cards.values() if c.finding.category == category)


def test_a_letter_is_checked_highlighted_and_listed(chair):
    lc = LetterCheck(chair, text=LETTER, decided_on=date(2013, 11, 1))
    cats = {f.category for f in lc.findings}
    assert {"claimed-language", "corroboration-demand", "trauma-dismissal"} <= cats
    assert "&lt;script&gt;" in lc.letter_view.value and "<script>" not in lc.letter_view.value
    assert "flags in the text" in lc.summary.value
    assert len(lc._cards) == len(lc.findings)
    body = card_for(lc, "claimed-language").body.value
    assert "Why:" in body and "Try instead:" in body and "Source:" in body and "raised by a rule" in body


def test_dismissing_needs_a_reason_and_is_kept_for_the_next_visit(chair, store):
    lc = LetterCheck(chair, text=LETTER)
    card = card_for(lc, "claimed-language")
    card.respond("dismiss")
    assert "Say why you are dismissing" in card.status.value
    assert finding_responses(chair, mine=True) == []
    card.reason.value = "It repeats the referral's own words."
    card.respond("dismiss")
    assert "Dismissed by chair-london" in card.status.value and card.reason.value == ""
    assert "It repeats the referral" in lc.earlier.value
    # a new page: the same letter pasted again shows the answer on the flag and in the earlier list
    again = LetterCheck(Session(store, "chair-london"), text=LETTER)
    assert "Dismissed by chair-london" in card_for(again, "claimed-language").status.value
    assert "It repeats the referral" in again.earlier.value
    assert card_for(again, "trauma-dismissal").status.value == ""


def test_an_answer_follows_its_flag_when_the_letter_is_edited_elsewhere(chair):
    lc = LetterCheck(chair, text=LETTER, debounce=0)
    card = card_for(lc, "trauma-dismissal")
    card.respond("accept")
    card.reason.value = "half-typed"
    lc.textarea.value = "Reference 123.\n" + LETTER
    moved = card_for(lc, "trauma-dismissal")
    assert moved is card and card.reason.value == "half-typed"  # the same card, kept across the re-check
    assert "Accepted by chair-london" in card.status.value


def test_an_answer_to_a_flag_on_text_changed_since_is_refused_and_the_letter_rechecked(chair):
    lc = LetterCheck(chair, text=LETTER, debounce=0.4)
    card = card_for(lc, "claimed-language")
    lc.textarea.value = LETTER.replace("You claim that", "You told us that")  # no event loop: checked at once
    message = lc.respond(card.finding, "accept")
    assert message is None or "changed" in message
    assert "claimed-language" not in {f.category for f in lc.findings}


def test_typing_rechecks_once_after_a_pause(chair):
    lc = LetterCheck(chair, text="", debounce=0.3)
    calls = []
    original = lc.check
    lc.check = lambda: calls.append(1) or original()

    async def type_letter():
        for i in range(1, 21):
            lc.textarea.value = LETTER[: i * 5]
            await asyncio.sleep(0.01)
        assert calls == []  # still typing
        await asyncio.sleep(0.8)

    run_in_own_loop(type_letter)
    assert calls == [1]
    assert lc.checked_text == LETTER[:100]


def test_a_paste_is_checked_at_once_without_waiting_for_the_pause(chair):
    lc = LetterCheck(chair, text="", debounce=5)

    async def paste():
        lc.textarea.value = LETTER

    run_in_own_loop(paste)
    assert lc.checked_text == LETTER and lc.findings


def test_changing_the_stage_or_case_type_rechecks_at_once(chair):
    lc = LetterCheck(chair, text=LETTER + "\nThe panel applies the balance of probabilities.\n", debounce=5)
    assert not {"child-readability", "standard-of-proof-missing"} & {f.category for f in lc.findings}
    lc.case_type.value = "child"
    assert "child-readability" in {f.category for f in lc.findings}
    lc.stage.value = "rg"  # balance of probabilities at the reasonable-grounds stage
    assert {"wrong-standard-of-proof", "standard-of-proof-missing"} <= {f.category for f in lc.findings}


def test_an_uploaded_docx_is_read_with_the_clis_reader_and_a_bad_file_gets_a_sentence(chair):
    import docx

    lc = LetterCheck(chair)
    doc = docx.Document()
    for line in LETTER.splitlines():
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    lc._on_upload({"new": ({"name": "draft.docx", "content": memoryview(buf.getvalue())},)})
    assert lc.textarea.value.startswith("Dear Ms Test,") and "Read draft.docx" in lc.message.value
    assert any(f.category == "claimed-language" for f in lc.findings)
    lc._on_upload({"new": ({"name": "scan.pdf", "content": memoryview(b"%PDF-1.4")},)})
    assert "a PDF cannot be read" in lc.message.value and lc.textarea.value.startswith("Dear Ms Test,")


def test_a_trainer_sees_the_flags_but_no_accept_or_dismiss(store):
    lc = LetterCheck(Session(store, "trainer"), text=LETTER)
    assert lc.findings and not lc.can_respond
    assert all(len(c.box.children) == 2 for c in cards(lc))


def test_an_embedded_check_on_a_case_draft_ties_answers_to_the_draft(chair, store):
    from sqlalchemy import select

    from workbench.core.tables import Case, LetterDraft, Panel
    with store.read() as s:
        pid = s.scalar(select(Panel.id).where(Panel.name == "London"))
        case_id = s.scalars(select(Case.id).where(Case.panel_id == pid).order_by(Case.id)).first()
        versions = s.scalars(select(LetterDraft.version).where(LetterDraft.case_id == case_id)).all()
    draft = save_letter(chair, case_id, LETTER, based_on_version=max(versions) if versions else None)
    lc = LetterCheck(chair, text=LETTER, case_id=case_id, letter_draft_id=draft.id, stage="rg",
                     decided_on=date(2013, 6, 1))
    card_for(lc, "corroboration-demand").respond("accept")
    rec = finding_responses(chair, mine=True)[0]
    assert (rec.case_id, rec.letter_draft_id) == (case_id, draft.id)
    lc.load(LETTER + "\nEdited.", case_id=case_id)  # no longer the saved draft
    card_for(lc, "trauma-dismissal").respond("accept")
    assert finding_responses(chair, mine=True)[0].letter_draft_id is None


def test_a_model_flag_shows_the_sentences_it_is_similar_to_as_text(chair, monkeypatch):
    import dataclasses

    from qa_checks.finding import Finding, Level

    hostile = "You claimed it <img src=x onerror=alert(1)> happened."
    plain = Finding("model.claimed-language", "claimed-language", Level.WARNING, "Reads as doubting the account.",
                    start=0, end=10, raised_by="model", confidence=0.8)
    with_evidence = dataclasses.replace(plain, rule_id="model.a", evidence={"similar": [hostile, "You allege it."]})
    with_field = type("F", (), {**{f.name: getattr(plain, f.name) for f in dataclasses.fields(plain)},
                                "rule_id": "model.b", "similar": ["You say it took place."]})()
    monkeypatch.setattr("widgets.letters.letter_check.check_letter",
                        lambda *a, **k: [plain, with_evidence, with_field])
    lc = LetterCheck(chair, text="You claim this happened, and more words.")
    bodies = {c.finding.rule_id: c.body.value for c in cards(lc)}
    assert "Similar to" not in bodies["model.claimed-language"]  # none given: nothing shown, no error
    assert "Similar to:" in bodies["model.a"] and "You allege it." in bodies["model.a"]
    assert "&lt;img src=x" in bodies["model.a"] and "<img" not in bodies["model.a"]
    assert "Similar to:" in bodies["model.b"] and "You say it took place." in bodies["model.b"]


def test_embedded_on_a_hosts_text_box_it_shows_no_box_of_its_own_and_waits_to_be_asked(chair):
    import ipywidgets as w

    box = w.Textarea(value=LETTER)
    lc = LetterCheck(chair, textarea=box, embedded=True, check_now=False, stage="rg", decided_on=date(2013, 6, 1))
    assert lc.textarea is box and lc.findings == [] and "Not checked yet" in lc.summary.value

    def descendants(widget):
        for child in getattr(widget, "children", ()):
            yield child
            yield from descendants(child)

    assert box not in list(descendants(lc)) and lc.upload not in list(descendants(lc))
    assert "reasonable grounds decision dated 1 Jun 2013" in lc.context.value
    lc.check()
    assert "claimed-language" in {f.category for f in lc.findings}
    box.value = "The panel considered everything you told us."  # no event loop: re-checked at once
    assert lc.findings == [] or "claimed-language" not in {f.category for f in lc.findings}


def test_a_qa_reviewer_can_see_what_reviewers_dismiss(store, chair):
    lc = LetterCheck(chair, text=LETTER)
    card = card_for(lc, "claimed-language")
    card.reason.value = "Standard phrase in our template."
    card.respond("dismiss")
    qa = LetterCheck(Session(store, "reviewer-wales"))
    panel = qa.children[-1]
    button, out = panel.children[0].children
    button.click()
    assert "Standard phrase in our template." in out.value and "claimed-language" in out.value


def test_the_notebook_renders_the_app(demo_db):
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    nb = nbformat.read(ROOT / "notebooks" / "letter_check.ipynb", as_version=4)
    env = {"WORKBENCH_DB": str(demo_db), "WORKBENCH_USER": "chair-london"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    os.environ.pop("JUPYTERHUB_USER", None)
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True,
                       resources={"metadata": {"path": str(ROOT)}}).execute()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    outputs = [o for cell in nb.cells for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    state = str(nb.metadata["widgets"])
    assert "Letter check" in state and "Your letter (edit here)" in state and "Paste the draft letter here" in state
