"""The panel chair's case walkthrough in real Chromium against `workbench serve` (Voila)."""

import pytest
from browser_pages import screenshot
from sqlalchemy import select, update
from walkthrough_pages import (
    item,
    mark,
    open_case,
    open_walkthrough,
    queue_ids,
    wait_case,
    wait_saved,
)

from workbench.core.app import as_of
from workbench.core.cases import open_case as case_record
from workbench.core.session import Session
from workbench.core.store import open_store
from workbench.core.tables import Case, Referral
from workbench.walkthrough import view as wt
from workbench.walkthrough.actions import panel_queue, save_assessment

pytestmark = pytest.mark.browser
HOSTILE = "<img src=x onerror=alert(1)> <script>alert('narrative')</script>"


def _london_case(db, pred=lambda c: True):
    """A London case from the chair's queue (the Session decides what the chair sees)."""
    store = open_store(db)
    try:
        chair = Session(store, "chair-london")
        d = as_of(chair)
        for row in panel_queue(chair, as_of=d)[:50]:
            c = case_record(chair, row.case_id, as_of=d)
            if pred(c):
                return c
    finally:
        store.dispose()
    pytest.skip("no suitable London case")


def _last_unassessed_item(page):
    page.get_by_role("button", name="Open all groups").click()
    return page.locator(".wbc-item[data-state=new]").last.get_attribute("data-indicator")


def test_a_chair_marks_indicators_records_a_decision_and_finds_it_all_after_reload(serve, page, demo_db):
    case = _london_case(demo_db, lambda c: wt.next_stage(c) == "rg" and any(e.received_on for e in c.evidence))
    base = serve(demo_db, "chair-london")
    open_walkthrough(page, base)
    screenshot(page, "case_walkthrough_queue.png")
    open_case(page, case.id)
    page.get_by_role("button", name="Open all groups").click()
    ids = page.locator(".wbc-item[data-state=new]").evaluate_all("els => els.map(e => e.dataset.indicator)")
    first, second = ids[-1], ids[-2]
    mark(page, first, "present")
    wait_saved(page, first)
    mark(page, second, "absent")
    wait_saved(page, second)
    row = item(page, first)
    row.locator("summary").click()
    row.get_by_label("Note", exact=True).fill("Seen by the police at the address.")
    page.wait_for_timeout(1200)  # saved within a second of the last keystroke, without a button
    wait_saved(page, first)

    page.locator("[data-testid=case-title]").scroll_into_view_if_needed()
    page.evaluate("document.querySelector('[data-testid=case-title]').scrollIntoView({block: 'start'})")
    screenshot(page, "case_walkthrough.png")

    ev = next(e for e in case.evidence if e.received_on)
    assert page.get_by_role("button", name="Reasonable grounds").get_attribute("aria-pressed") in ("true", None)
    page.get_by_role("button", name="Reasonable grounds").click()
    page.get_by_role("button", name="Positive").click()
    select = page.locator("select[multiple]")
    select.select_option(label=wt.evidence_label(ev))
    source = wt.SOURCE_LABELS[ev.source].lower()
    reasons = f"The {source} evidence (#{ev.id}) is consistent with the account; reasonable grounds are met."
    page.get_by_placeholder("Say what evidence was considered").fill(reasons)
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("Recorded: Reasonable grounds: Positive").wait_for(timeout=15_000)
    page.evaluate("[...document.querySelectorAll('[role=status]')].filter(e => e.textContent.startsWith("
                  "'Recorded:')).pop().scrollIntoView({block: 'end'})")
    screenshot(page, "case_walkthrough_decision.png")

    page.reload(wait_until="domcontentloaded")
    page.locator("[data-testid=queue][data-ready] .wbq-open").first.wait_for(timeout=60_000)
    open_case(page, case.id)
    page.get_by_role("button", name="Open all groups").click()
    assert item(page, first).locator("input[value=present]").is_checked()
    assert item(page, second).locator("input[value=absent]").is_checked()
    assert "Seen by the police at the address." in item(page, first).locator("summary").inner_text()
    decisions = page.locator("[data-testid=decisions]").inner_text()
    assert reasons in decisions and "chair-london" in decisions


def test_a_chair_of_another_panel_does_not_see_the_case(serve, page, demo_db):
    case = _london_case(demo_db)
    base = serve(demo_db, "chair-wales")
    open_walkthrough(page, base)
    assert "Wales panel" in page.locator("[data-testid=signed-in-user]").inner_text()
    ids = queue_ids(page)
    assert ids and str(case.id) not in ids
    assert page.get_by_text(case.reference).count() == 0


def test_a_hostile_narrative_runs_nothing_and_shows_literally(serve, page, demo_db):
    case = _london_case(demo_db)
    store = open_store(demo_db)
    with store.transaction() as s:
        rid = s.scalar(select(Case.referral_id).where(Case.id == case.id))
        s.execute(update(Referral).where(Referral.id == rid).values(narrative=HOSTILE,
                                                                    encounter_circumstances=HOSTILE))
    save_assessment(Session(store, "chair-london"), case.id, case.referral["indicators"][0] if case.referral["indicators"]
                                                   else "uk.general.no-money-of-own", "present", note=HOSTILE,
                                                   expected_version=case.assessments.get(
                                                       case.referral["indicators"][0]).version
                                                   if case.referral["indicators"] and case.referral["indicators"][0]
                                                   in case.assessments else None)
    store.dispose()
    base = serve(demo_db, "chair-london")
    page.add_init_script("window.__injected = 0; document.addEventListener('DOMContentLoaded', () => {});")
    open_walkthrough(page, base)
    open_case(page, case.id)
    narrative = page.locator("[data-testid=narrative]")
    assert narrative.inner_text().strip() == HOSTILE
    assert narrative.locator("img, script").count() == 0
    assert page.locator("[data-testid=encounter] img, [data-testid=encounter] script").count() == 0
    assert page.locator("img[src=x]").count() == 0
    page.get_by_role("button", name="Open all groups").click()
    assert page.locator(".wbc-item summary", has_text="<img src=x").count() >= 1
    assert page.locator(".wbc-item img").count() == 0
    page.wait_for_timeout(500)
    assert page.dialogs == []


def test_a_concurrent_edit_is_refused_with_a_message_and_the_users_input_kept(serve, browser, page, demo_db):
    case = _london_case(demo_db)
    chair_base = serve(demo_db, "chair-london")
    member_base = serve(demo_db, "member-london-1")
    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    open_walkthrough(page, chair_base)
    open_walkthrough(other, member_base)
    open_case(page, case.id)
    open_case(other, case.id)
    iid = _last_unassessed_item(page)
    other.get_by_role("button", name="Open all groups").click()
    mark(page, iid, "present")
    wait_saved(page, iid)
    mark(other, iid, "absent")
    alert = item(other, iid).locator(".wbc-stale[role=alert]")
    alert.wait_for(timeout=10_000)
    text = alert.inner_text()
    assert "Not saved" in text and "chair-london" in text and "present" in text
    assert item(other, iid).locator("input[value=absent]").is_checked()  # their input stays on screen
    item(other, iid).scroll_into_view_if_needed()
    screenshot(other, "case_walkthrough_refused.png")
    other.get_by_role("button", name="Keep mine (save it over theirs)").click()
    wait_saved(other, iid)
    other.context.close()


def test_the_walkthrough_works_from_the_keyboard_and_labels_its_controls(serve, page, demo_db):
    base = serve(demo_db, "chair-london")
    open_walkthrough(page, base)
    for label in ("Stage", "Exploitation type", "Adult or child"):
        assert page.get_by_label(label, exact=True).count() == 1
    first = page.locator(".wbq-open").first
    case_id = first.get_attribute("data-case-id")
    first.focus()
    page.keyboard.press("Enter")
    wait_case(page, case_id)
    for label in ("Reasons", "Evidence considered", "Decided on", "Draft letter", "Ask whom", "For what"):
        assert page.get_by_label(label, exact=True).count() >= 1, label
    group = page.locator("details.wbc-group > summary").nth(1)
    group.focus()
    page.keyboard.press("Enter")  # opens the group
    row = page.locator("details.wbc-group").nth(1).locator(".wbc-item").first
    row.locator("input[value=unknown]").focus()
    page.keyboard.press("Space")
    page.locator(f".wbc-item[data-indicator='{row.get_attribute('data-indicator')}'][data-state=saved]").wait_for(
        timeout=10_000)


LETTER = """Dear Ms Example,

Reasonable grounds decision

You claim that you were made to work in a car wash for no pay. <img src=x onerror=alert('letter')>
There is no external corroboration of your account.
You only mentioned the debt at your second interview, which undermines your credibility.

Yours sincerely,
The Panel
"""


def test_the_draft_letter_is_checked_with_the_shared_letter_check_and_answers_are_kept(serve, page, demo_db):
    case = _london_case(demo_db, lambda c: wt.next_stage(c) == "rg")
    base = serve(demo_db, "chair-london")
    open_walkthrough(page, base)
    open_case(page, case.id)
    page.get_by_label("Draft letter", exact=True).fill(LETTER)
    page.get_by_role("button", name="Save as a new version").click()
    page.get_by_text("Saved as version").wait_for(timeout=15_000)
    page.get_by_role("button", name="Check the letter").click()
    section = page.locator(".wbl-check")
    view = section.locator("[data-testid=highlighted-letter]")
    view.locator("mark.lc-c-claimed-language").first.wait_for(timeout=60_000)
    assert "<img src=x onerror=" in view.inner_text() and view.locator("img").count() == 0
    assert "reasonable grounds decision" in section.locator("[data-testid=check-context]").inner_text()

    claimed = section.locator(".lc-card", has=page.locator("[data-category=claimed-language]")).first
    claimed.locator(".lc-reason input").fill("The letter repeats the referral's words here.")
    claimed.locator(".lc-dismiss").click()
    claimed.get_by_text("Dismissed by chair-london").wait_for(timeout=15_000)
    corroboration = section.locator(".lc-card", has=page.locator("[data-category=corroboration-demand]")).first
    corroboration.locator(".lc-accept").click()
    corroboration.get_by_text("Accepted by chair-london").wait_for(timeout=15_000)

    page.set_viewport_size({"width": 1400, "height": 1700})  # the draft, then the checker across the page
    section.locator(".lc-findings").evaluate("e => e.scrollTop = 0")
    page.get_by_role("heading", name="Draft letter", exact=True).evaluate("e => e.scrollIntoView({block: 'start'})")
    screenshot(page, "case_walkthrough_letter.png")
    page.set_viewport_size({"width": 1400, "height": 1000})

    store = open_store(demo_db)
    try:
        from workbench.letters.actions import finding_responses

        chair = Session(store, "chair-london")
        answers = finding_responses(chair, mine=True, case_id=case.id)
        draft = case_record(chair, case.id, as_of=as_of(chair)).latest_letter
    finally:
        store.dispose()
    assert {(a.action, a.letter_draft_id, a.case_id) for a in answers} == {("dismiss", draft.id, case.id),
                                                                          ("accept", draft.id, case.id)}
    assert page.dialogs == []
