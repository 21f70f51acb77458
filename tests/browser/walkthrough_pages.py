"""Driving the case walkthrough in a page (shared by the browser tests and the benchmark)."""
from browser_pages import open_app

NOTEBOOK = "case_walkthrough.ipynb"


def open_walkthrough(page, base, timeout=60_000):
    open_app(page, base, NOTEBOOK, "Your panel's queue", timeout=timeout)
    page.locator("[data-testid=queue][data-ready] .wbq-open").first.wait_for(timeout=timeout)
    return page


def queue_ids(page) -> list[str]:
    more = page.locator(".wbq-more")
    while more.is_visible():
        more.click()
    return page.locator(".wbq-open").evaluate_all("els => els.map(e => e.dataset.caseId)")


def open_case(page, case_id, timeout=20_000):
    btn = page.locator(f".wbq-open[data-case-id='{case_id}']")
    more = page.locator(".wbq-more")
    while btn.count() == 0 and more.is_visible():
        more.click()
    btn.click()
    wait_case(page, case_id, timeout)


def wait_case(page, case_id, timeout=20_000):
    page.locator(f"[data-testid=checklist][data-ready='{case_id}']").wait_for(timeout=timeout)
    page.locator(f"[data-testid=case-title][data-case-id='{case_id}']").wait_for(timeout=timeout)


def item(page, indicator_id):
    return page.locator(f".wbc-item[data-indicator='{indicator_id}']")


def mark(page, indicator_id, status, timeout=10_000):
    row = item(page, indicator_id)
    if row.count() == 0 or not row.is_visible():
        page.get_by_role("button", name="Open all groups").click()
    row.locator(f"input[value={status}]").check()
    return row


def wait_saved(page, indicator_id, timeout=10_000):
    page.locator(f".wbc-item[data-indicator='{indicator_id}'][data-state=saved]").wait_for(timeout=timeout)
