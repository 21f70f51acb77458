"""The letter check in real Chromium: paste a flawed letter, see the flags in place and beside it, dismiss
one with a reason, reload and find the answer kept; markup in a letter is shown as text and runs nothing."""

import pytest
from browser_pages import open_app, screenshot

pytestmark = pytest.mark.browser

# Written for this test (not from the corpus): several kinds of flawed reasoning, plus hostile markup.
LETTER = """Dear Mr Example,

Reasonable grounds decision

You claim that you were brought to the UK to work in a nail bar and that your wages were kept from you.
<script>window.__pwned = "script"; alert("script ran")</script>
There is no external corroboration of your account, and you could not give the address of the nail bar.
You have not received any counselling, so there is no evidence of trauma.
<img src=x onerror="window.__pwned='img';alert('img ran')">
The police have not charged anyone, so the panel cannot be satisfied that you were exploited.
You only mentioned the debt at your second interview, which undermines your credibility.

Yours sincerely,
The Panel
"""


def paste(page, text: str) -> None:
    box = page.locator(".lc-input textarea")
    box.fill(text)


def test_paste_flag_dismiss_with_a_reason_and_find_it_kept_after_a_reload(serve, page, demo_db):
    base = serve(demo_db, "chair-london")
    open_app(page, base, "letter_check.ipynb", "Your letter (edit here)")
    paste(page, LETTER)
    page.locator("[data-testid=highlighted-letter] mark").first.wait_for(timeout=30_000)
    page.get_by_text("flags in the text").first.wait_for(timeout=30_000)

    # the flags, in place and beside the letter
    view = page.locator("[data-testid=highlighted-letter]")
    assert view.locator("mark.lc-c-claimed-language").count() >= 1
    assert view.locator("mark.lc-c-trauma-dismissal").count() >= 1
    assert "1 · Claim / allegation wording" in view.inner_text()
    claimed = page.locator(".lc-card", has=page.locator("[data-category=claimed-language]")).first
    text = claimed.inner_text()
    assert "Why:" in text and "Try instead:" in text and "Source:" in text and "raised by a rule" in text

    # markup in the letter is text: shown literally, nothing ran
    assert '<script>window.__pwned = "script"' in view.inner_text()
    assert "<img src=x onerror=" in view.inner_text()
    assert view.locator("script, img").count() == 0
    assert page.evaluate("window.__pwned") is None

    # dismiss one flag: a reason is asked for, then kept
    claimed.locator(".lc-dismiss").click()
    claimed.get_by_text("Say why you are dismissing").wait_for(timeout=15_000)
    claimed.locator(".lc-reason input").fill("The letter quotes the referral form here.")
    claimed.locator(".lc-dismiss").click()
    claimed.get_by_text("Dismissed by chair-london").wait_for(timeout=15_000)
    trauma = page.locator(".lc-card", has=page.locator("[data-category=trauma-dismissal]")).first
    trauma.locator(".lc-accept").click()
    trauma.get_by_text("Accepted by chair-london").wait_for(timeout=15_000)
    page.set_viewport_size({"width": 1400, "height": 2100})  # Voila scrolls inside the page: show it all
    page.locator(".lc-findings").evaluate("e => e.scrollTop = 0")
    screenshot(page, "letter_check.png", full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})

    # a fresh page: the answers are in "your earlier responses"; the same letter shows them on its flags
    open_app(page, base, "letter_check.ipynb", "Your letter (edit here)")
    earlier = page.locator("[data-testid=earlier-responses]")
    earlier.wait_for(timeout=30_000)
    rows = earlier.inner_text()
    assert "The letter quotes the referral form here." in rows and "Dismissed" in rows and "Accepted" in rows
    assert "You claim that" in rows
    paste(page, LETTER)
    again = page.locator(".lc-card", has=page.locator("[data-category=claimed-language]")).first
    again.get_by_text("Dismissed by chair-london").wait_for(timeout=30_000)
    assert page.evaluate("window.__pwned") is None


def test_edits_are_rechecked_as_the_text_changes(serve, page, demo_db_file):
    base = serve(demo_db_file, "trainer")  # a role that may read flags but not answer them: writes nothing
    open_app(page, base, "letter_check.ipynb", "Your letter (edit here)")
    page.get_by_text("can read the flags but not record responses").wait_for(timeout=30_000)
    box = page.locator(".lc-input textarea")
    box.fill("The panel notes there is no external corroboration of your account.")
    page.locator("mark.lc-c-corroboration-demand").wait_for(timeout=30_000)
    box.press("End")
    box.type(" You claim that you were forced to work.", delay=15)
    page.locator("mark.lc-c-claimed-language").wait_for(timeout=30_000)
    assert page.locator(".lc-dismiss").count() == 0
    box.fill("The panel considered everything you told us.")
    page.locator("mark.lc-c-corroboration-demand").wait_for(state="detached", timeout=30_000)
    assert page.locator("[data-testid=highlighted-letter] mark").count() == 0
