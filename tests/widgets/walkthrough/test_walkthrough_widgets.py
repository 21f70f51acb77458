"""The walkthrough's components driven from Python, without a browser: the same calls the browser makes."""

import pytest
from sqlalchemy import select, update

from widgets.walkthrough.app import CaseWalkthrough
from widgets.walkthrough.case_view import evidence_html
from workbench.core.cases import open_case
from workbench.core.session import Session
from workbench.core.tables import Case, Referral
from workbench.walkthrough.actions import panel_queue

HOSTILE = "<img src=x onerror=alert(1)> and <script>alert('x')</script>"


@pytest.fixture
def env(store, monkeypatch):
    monkeypatch.setattr("workbench.walkthrough.view.warm_up", lambda: None)
    return store


def _app(store, user="chair-london"):
    return CaseWalkthrough(Session(store, user))


def test_the_queue_shows_only_the_chairs_panel_most_urgent_first(env):
    london = _app(env)
    wales = _app(env, "chair-wales")
    l_ids = {r["case_id"] for r in london.queue.widget.rows}
    w_ids = {r["case_id"] for r in wales.queue.widget.rows}
    assert l_ids and w_ids and not (l_ids & w_ids)
    rows = london.queue.widget.rows
    assert rows[0]["badges"], "the most urgent case carries a badge"


def test_queue_filters_narrow_the_rows(env):
    app = _app(env)
    app.queue._on_msg(None, {"type": "filter", "stage": "", "exploitation": "labour", "age": "adult"}, [])
    rows = app.queue.widget.rows
    assert rows and all(r["exploitation"] == "Labour exploitation" and r["age"] == "Adult" for r in rows)


def test_a_chair_of_another_panel_cannot_open_the_case(env):
    london = Session(env, "chair-london")
    # not one under review: a chair assigned as another panel's second pair of eyes may read that case (7.4.5)
    london_case = next(r.case_id for r in panel_queue(london) if not open_case(london, r.case_id).reviews)
    wales = _app(env, "chair-wales")
    wales.open(london_case)
    assert "could not be opened" in wales.status.value and "may not open a case" in wales.status.value
    assert wales.case is None and wales.case_box.layout.display == "none"


def test_opening_a_case_fills_every_part(env):
    app = _app(env)
    cid = app.queue.widget.rows[0]["case_id"]
    app.open(cid)
    assert f"data-case-id='{cid}'" in app.title.value
    assert app.checklist.widget.data["case_id"] == cid
    assert "Evidence by source" in app.case_view.evidence.value
    assert "The test in force" in app.decision.test.value
    assert "is open" in app.status.value


def test_a_hostile_narrative_is_escaped(env):
    app = _app(env)
    cid = app.queue.widget.rows[0]["case_id"]
    with env.transaction() as s:
        rid = s.scalar(select(Case.referral_id).where(Case.id == cid))
        s.execute(update(Referral).where(Referral.id == rid).values(narrative=HOSTILE, encounter_circumstances=HOSTILE))
    app.open(cid)
    html = app.case_view.referral.value
    assert "<img" not in html and "<script>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&lt;script&gt;" in html


def test_checklist_saves_each_change_and_a_reload_restores_it_exactly(env):
    app = _app(env)
    cid = app.queue.widget.rows[1]["case_id"]
    app.open(cid)
    item = app.checklist.widget.data["groups"][-1]["items"][0]
    ev = [e["id"] for e in app.checklist.widget.data["evidence"]][:1]
    r = app.checklist.save(item["id"], "present", HOSTILE, ev)
    assert r["type"] == "saved"
    r = app.checklist.save(item["id"], "absent", "second thoughts", ev)
    assert r["type"] == "saved" and r["version"] == 2
    again = _app(env)
    again.open(cid)
    saved = {i["id"]: i for g in again.checklist.widget.data["groups"] for i in g["items"]}[item["id"]]
    assert (saved["status"], saved["note"], saved["evidence"]) == ("absent", "second thoughts", ev)


def test_a_concurrent_checklist_edit_is_refused_then_resolved_without_losing_work(env):
    a, b = _app(env), _app(env, "member-london-1")
    cid = a.queue.widget.rows[2]["case_id"]
    a.open(cid)
    b.open(cid)
    iid = a.checklist.widget.data["groups"][-1]["items"][0]["id"]
    assert a.checklist.save(iid, "present", "seen by the police")["type"] == "saved"
    refused = b.checklist.save(iid, "absent", "my reading")
    assert refused["type"] == "stale" and "chair-london" in refused["message"]
    assert refused["theirs"]["status"] == "present" and refused["theirs"]["note"] == "seen by the police"
    kept = b.checklist.save(iid, "absent", "my reading", over=refused["theirs"]["version"])
    assert kept["type"] == "saved" and kept["version"] == 2
    # a now holds an old version: its next save is refused in turn, naming member-london-1
    assert "member-london-1" in a.checklist.save(iid, "unknown")["message"]


def test_a_decision_needs_reasons_that_refer_to_evidence_and_moves_the_case_on(env):
    app = _app(env)
    app.queue._on_msg(None, {"type": "filter", "stage": "information_received", "exploitation": "", "age": ""}, [])
    cid = app.queue.widget.rows[0]["case_id"]
    app.open(cid)
    form = app.decision
    form.reasons.value = "The panel considered the account and finds it credible overall."
    form._record()
    assert "Choose the evidence" in form.status.value
    first = form.evidence.options[0]
    form.evidence.value = (first[1],)
    source = first[0].split(":")[0].split(" ", 1)[1].lower()
    form.reasons.value = f"The {source} evidence (#{first[1]}) is consistent with the account given."
    form._record()
    assert "Recorded:" in form.status.value, form.status.value
    assert app.case.decisions and app.case.decisions[-1].reasons.startswith("The ")
    assert "moved on" in app.status.value and app.case.stage in ("decided", "reconsidered")


def test_a_stale_letter_save_keeps_the_users_text_and_shows_theirs(env):
    a, b = _app(env), _app(env, "member-london-1")
    cid = a.queue.widget.rows[3]["case_id"]
    a.open(cid)
    b.open(cid)
    a.letter.text.value = "Dear person, version from the chair."
    assert a.letter._save()
    b.letter.text.value = "Dear person, the member's version."
    assert not b.letter._save()
    assert "chair-london" in b.letter.status.value
    assert b.letter.text.value == "Dear person, the member's version."
    assert "version from the chair" in b.letter.theirs.value
    b.letter._keep_mine()
    assert "Saved as version" in b.letter.status.value


def test_the_draft_is_checked_by_the_shared_letter_check_with_the_cases_context(env):
    from widgets.letters.letter_check import LetterCheck

    app = _app(env)
    app.open(app.queue.widget.rows[0]["case_id"])
    letter = app.letter
    assert isinstance(letter.checker, LetterCheck) and letter.checker.textarea is letter.text
    assert letter.checker.findings == [] and "Not checked yet" in letter.checker.summary.value  # opening is fast
    letter.text.value = "You claimed to be a victim. We find on the balance of probabilities that you are not."
    findings = letter._check()
    assert "claimed-language" in {f.category for f in findings}
    lc = letter.checker
    assert lc.case_id == app.case.id and lc.stage.value == app.decision.stage.value
    assert lc.case_type.value == ("child" if app.case.referral["is_child"] else "adult")
    assert lc.decided_on.value == app.decision.decided_on.value
    assert "advice, never a verdict" in lc.context.value and "flags in the text" in lc.summary.value
    other = "rg" if app.decision.stage.value == "cg" else "cg"
    app.decision.stage.value = other  # the decision form's stage is the letter's stage
    assert lc.stage.value == other


def test_answers_to_flags_in_the_walkthrough_are_kept_with_the_case_and_the_saved_draft(env):
    from workbench.letters.actions import finding_responses

    app = _app(env)
    cid = app.queue.widget.rows[4]["case_id"]
    app.open(cid)
    letter = app.letter
    letter.text.value = "Dear person,\nYou claim that you were forced to work. There is no corroboration of it.\n"
    assert letter._save()
    letter._check()
    card = next(c for c in letter.checker._cards.values() if c.finding.category == "claimed-language")
    card.respond("dismiss")
    assert "Say why you are dismissing" in card.status.value
    card.reason.value = "Quoting the referral."
    card.respond("dismiss")
    assert "Dismissed by chair-london" in card.status.value
    chair = Session(env, "chair-london")
    rec = finding_responses(chair, mine=True, case_id=cid)[0]
    assert (rec.case_id, rec.letter_draft_id, rec.action) == (cid, letter.draft_id, "dismiss")
    # edited and not saved: the answer is kept with the case, not with a draft it does not match
    letter.text.value += "Edited.\n"
    card = next(c for c in letter.checker._cards.values() if c.finding.category == "claimed-language")
    card.respond("accept")
    rec = finding_responses(chair, mine=True, case_id=cid)[0]
    assert (rec.case_id, rec.letter_draft_id, rec.action) == (cid, None, "accept")
    # the same answers show in the letter check app's component on that case
    again = _app(env)
    again.open(cid)
    assert "Quoting the referral." in again.letter.checker.earlier.value


def test_evidence_requests_are_recorded_and_shown_as_outstanding(env):
    app = _app(env)
    cid = app.queue.widget.rows[0]["case_id"]
    app.open(cid)
    app.case_view.source.value = "medical"
    app.case_view.what.value = "GP records <b>since</b> arrival"
    app.case_view._request()
    assert "recorded" in app.case_view.status.value
    assert "GP records &lt;b&gt;since&lt;/b&gt; arrival" in app.case_view.evidence.value
    assert "Requested, not yet received" in evidence_html(app.case)
    app.case_view.what.value = ""
    app.case_view._request()
    assert "Not recorded" in app.case_view.status.value


def test_an_unexpected_failure_is_a_sentence_not_a_traceback(env, monkeypatch):
    app = _app(env)
    app.open(app.queue.widget.rows[0]["case_id"])
    iid = app.checklist.widget.data["groups"][0]["items"][0]["id"]

    def broken(*a, **k):
        raise OSError("disk I/O error")

    monkeypatch.setattr("widgets.walkthrough.checklist.save_assessment", broken)
    result = app.checklist.save(iid, "present")
    assert result["type"] == "error"
    assert result["message"].startswith("Could not save this indicator: OSError: disk I/O error.")
    assert "Nothing was saved half-way" in result["message"]
