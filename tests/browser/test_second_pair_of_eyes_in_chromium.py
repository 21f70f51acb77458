"""The second pair of eyes in real Chromium against `workbench serve` (Voila): a chair of another panel
reviews a decision, finds one procedural failing, and the deciding chair then sees the case back in
their queue, flagged."""
from datetime import date
from pathlib import Path

import pytest
from browser_pages import open_app, screenshot
from sqlalchemy import select

from workbench.core.session import Session
from workbench.core.store import open_store
from workbench.core.tables import Case, Decision, Panel
from workbench.qa_review import view as review
from workbench.qa_review.actions import assign_reviewer, request_review, review_request
from workbench.walkthrough.actions import panel_queue

pytestmark = pytest.mark.browser
NOTEBOOK = "second_pair_of_eyes.ipynb"
HOSTILE = "<img src=x onerror=alert(1)> The support provider's report <b>was not</b> considered."
FAILING = "evidence_considered"


def _request_review(db) -> dict:
    """A London CG decision under review, assigned to reviewer-wales; and the pre-assessment the app will show."""
    store = open_store(db)
    try:
        with store.read() as s:
            london = s.scalar(select(Panel.id).where(Panel.name == "London"))
            d = s.scalars(select(Decision).join(Case).where(Case.panel_id == london, Case.closed.is_(True),
                                                           Decision.stage == "cg", Decision.outcome == "negative")
                          .order_by(Decision.id)).first()
        manager = Session(store, "case-manager")
        rr = request_review(manager, d.case_id, d.id, "legal representative", HOSTILE, date(2013, 12, 18))
        assign_reviewer(manager, rr, "reviewer-wales", date(2013, 12, 19))
        view = review.open_review(Session(store, "reviewer-wales"), rr)
        return {"rr": rr, "case_id": d.case_id, "reference": view.case.reference,
                "pre": {f.category: f.evidence["status"] for f in view.findings}}
    finally:
        store.dispose()


def _item(page, item_id):
    return page.locator(f".spe-item-{item_id}")


def test_a_reviewer_records_one_failing_and_the_deciding_chair_sees_the_case_back(serve, page, demo_db):
    case = _request_review(demo_db)
    base = serve(demo_db, "reviewer-wales")
    open_app(page, base, NOTEBOOK, "Reviews assigned to you")
    assert "QA reviewer" in page.locator("[data-testid=signed-in-user]").inner_text()
    page.get_by_role("button", name=f"Review {case['reference']}").click()
    page.get_by_text("Procedural checklist").wait_for(timeout=60_000)

    # The request's text is shown literally: nothing in it runs or renders as markup.
    assert page.get_by_text("<img src=x onerror=alert(1)>", exact=False).count() >= 1
    assert page.locator("img[src=x]").count() == 0
    assert page.locator("[data-testid=evidence-at-decision]").is_visible()
    assert page.locator("[data-testid=letter-text]").count() == 1

    # Exactly one failing item: the evidence item; any other pre-assessed failing is overridden with a note.
    for item_id, pre in case["pre"].items():
        if item_id == FAILING:
            _item(page, item_id).get_by_role("button", name="Failing", exact=True).click()
            _item(page, item_id).locator("textarea").fill("The support provider's report was not before the panel.")
        elif pre == "fail":
            _item(page, item_id).get_by_role("button", name="Met", exact=True).click()
            _item(page, item_id).locator("textarea").fill("Read in context, this was done.")
    page.get_by_text("Suggested outcome: Procedural failing").wait_for(timeout=10_000)
    page.locator(".spe-notes textarea").fill("Please reconsider with the support provider's report.")
    page.get_by_text(f"Review of {case['reference']}").evaluate("e => e.scrollIntoView()")
    screenshot(page, "second_pair_of_eyes.png")
    page.get_by_role("button", name="Record review").click()
    # recording reopens the review, which runs the letter checker again: slow on a busy machine
    page.get_by_text("has been sent back to the London panel with 1 failing item").wait_for(timeout=90_000)
    page.get_by_text("Review history").wait_for(timeout=10_000)
    page.set_viewport_size({"width": 1400, "height": 3600})  # Voila scrolls inside the page: show it all
    page.get_by_text("Review history").evaluate("e => e.scrollIntoView()")
    screenshot(page, "second_pair_of_eyes_recorded.png")
    page.set_viewport_size({"width": 1400, "height": 1000})

    page.get_by_role("tab", name="Quality over time").click()
    page.get_by_text("Agreement between reviewers").wait_for(timeout=60_000)
    assert page.locator(".spe-quality svg").count() >= 3
    assert page.locator("[data-testid=agreement-table]").is_visible()
    screenshot(page, "second_pair_of_eyes_quality_small.png")

    # What was stored: one failing item, the notes, and the case back with its panel.
    store = open_store(demo_db)
    try:
        standing = review_request(Session(store, "reviewer-wales"), case["rr"]).standing
        assert standing.outcome == "procedural_failing"
        assert [k for k, v in standing.items.items() if v["status"] == "fail"] == [FAILING]
        rows = {r.case_id: r for r in panel_queue(Session(store, "chair-london"), as_of=date(2013, 12, 31))}
        assert rows[case["case_id"]].stage == "referred_back"
        assert "sent back by review" in rows[case["case_id"]].badges
    finally:
        store.dispose()

    # The deciding chair's own app shows it in their queue, flagged.
    if (Path(__file__).resolve().parents[2] / "notebooks" / "case_walkthrough.ipynb").exists():
        from walkthrough_pages import open_walkthrough, queue_ids

        chair_base = serve(demo_db, "chair-london")
        open_walkthrough(page, chair_base)
        assert str(case["case_id"]) in queue_ids(page)
        row = page.locator(f".wbq-open[data-case-id='{case['case_id']}']").locator("xpath=ancestor::tr[1]")
        assert "sent back by review" in row.inner_text().lower()
