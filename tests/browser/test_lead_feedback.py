"""The trainer's dashboard in real Chromium against `workbench serve`, with every request off this machine
refused (the charts must draw offline): choose a lead, switch, change to an organisation, export a
report and a batch; no referred person's name anywhere on the page."""

import pytest
from browser_pages import open_app, screenshot
from sqlalchemy import select

from workbench.feedback.data import leads_frame

pytestmark = pytest.mark.browser
NOTEBOOK = "lead_feedback.ipynb"


def _offline(page):
    external = []

    def route(r):
        url = r.request.url
        if url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:", "file:")):
            return r.continue_()
        external.append(url)
        return r.abort()

    page.route("**/*", route)
    return external


def _title(page) -> str:
    return page.locator("[data-testid=fb-title]").inner_text()


def test_a_trainer_sees_a_lead_beside_its_peers_and_can_switch_and_export(serve, page, demo_db_file, tmp_path,
                                                                           monkeypatch):
    from workbench.core.store import open_store
    from workbench.core.tables import Referral

    monkeypatch.setenv("WORKBENCH_EXPORTS", str(tmp_path / "exports"))
    base = serve(demo_db_file, "trainer")
    external = _offline(page)
    open_app(page, base, NOTEBOOK, "Volume and headline figures", timeout=120_000)
    assert "Trainer" in page.locator("[data-testid=signed-in-user]").inner_text()
    first = _title(page)
    assert first.startswith("Lead SSL-")
    view = page.locator("[data-testid=feedback-view]")
    assert view.locator("svg").count() >= 4          # the charts, drawn on the server, shown offline
    assert "Peer group:" in view.inner_text()

    # Switch lead: the view follows.
    page.locator(".widget-dropdown select").select_option(index=5)
    page.wait_for_function("t => document.querySelector('[data-testid=fb-title]').innerText !== t", arg=first)
    second = _title(page)
    assert second.startswith("Lead SSL-") and second != first

    # Export this lead's report: a download link holding one HTML file.
    page.get_by_role("button", name="Export this lead's report (HTML)").click()
    link = page.locator("[data-testid=report-download]")
    link.wait_for(timeout=30_000)
    assert link.get_attribute("href").startswith("data:text/html;base64,")
    with page.expect_download() as dl:
        link.click()
    saved = tmp_path / "downloaded.html"
    dl.value.save_as(saved)
    assert second in saved.read_text(encoding="utf-8")

    # An organisation, and a batch of reports for it with progress.
    page.get_by_role("button", name="Organisation", exact=True).click()
    page.wait_for_function("t => document.querySelector('[data-testid=fb-title]').innerText !== t", arg=second)
    assert not _title(page).startswith("Lead ")
    page.get_by_role("button", name="Export reports for every lead in this organisation").click()
    page.locator("[data-testid=batch-done]").wait_for(timeout=120_000)
    written = list((tmp_path / "exports").rglob("feedback-SSL-*.html"))
    assert written and f"{len(written)} report" in page.locator("[data-testid=batch-done]").inner_text()

    # Back to a lead — the busiest, for the picture in the docs.
    store = open_store(demo_db_file)
    with store.read() as s:
        names = [n for n in s.scalars(select(Referral.person_name)) if n]
        busiest = leads_frame(s).sort_values("referrals").iloc[-1]
    store.dispose()
    page.get_by_role("button", name="Lead", exact=True).click()
    page.wait_for_function("() => document.querySelector('[data-testid=fb-title]').innerText.startsWith('Lead ')")
    label = f"{busiest.lead_code} · {busiest.organisation} · {busiest.region}"
    page.locator(".widget-dropdown select").select_option(label=label)
    page.wait_for_function("t => document.querySelector('[data-testid=fb-title]').innerText === t",
                           arg=f"Lead {busiest.lead_code}")

    text = page.locator("body").inner_text()
    assert not [n for n in names if n in text]
    assert not [u for u in external if "/voila/" in u or "vega" in u], external
    height = page.evaluate("() => document.querySelector('[data-testid=feedback-view]').getBoundingClientRect().bottom")
    page.set_viewport_size({"width": 1400, "height": int(height) + 40})
    screenshot(page, "lead_feedback.png", full_page=True)


def test_the_exported_report_opens_offline_and_prints(page, demo_db_file, tmp_path):
    """The report file as a lead receives it: opened from disk with every network request refused."""
    from workbench.cli.main import main

    out = tmp_path / "report.html"
    assert main(["feedback-report", "--lead", "SSL-00001", "--db", str(demo_db_file), "--out", str(out)]) == 0
    external = _offline(page)
    page.goto(out.as_uri())
    page.get_by_text("Criteria most often missed").first.wait_for()
    assert page.locator("svg").count() >= 4 and not external
    assert page.locator("figure svg").first.bounding_box()["width"] > 200
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF" and len(pdf) > 10_000
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1100, "height": 2400})
    screenshot(page, "lead_feedback_report.png", full_page=True)


def test_a_panel_chair_is_told_they_may_not_see_lead_feedback(serve, page, demo_db_file):
    base = serve(demo_db_file, "chair-london")
    open_app(page, base, NOTEBOOK, "may not", timeout=120_000)
    assert page.locator("[data-testid=feedback-view]").count() == 0
    assert page.get_by_role("alert").first.inner_text().startswith("chair-london")
