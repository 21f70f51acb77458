"""`make serve`'s landing page renders the signed-in user and the demo data's figures in Chromium."""
from pathlib import Path

import pytest
from browser_pages import open_app, screenshot

pytestmark = pytest.mark.browser


def test_landing_shows_the_signed_in_user_and_headline_figures(serve, page, demo_db_file):
    base = serve(demo_db_file, "chair-london")
    open_app(page, base, "index.ipynb", "Headline figures")
    header = page.locator("[data-testid=signed-in-user]").inner_text()
    assert "chair-london" in header and "Panel chair" in header and "London panel" in header
    assert page.get_by_text("Demo data (synthetic").count() == 1
    figures = page.locator("[data-testid=headline-figures]").inner_text()
    assert "Referrals\t800" in figures or "Referrals 800" in figures.replace("\t", " ")
    assert "Children" in figures and "22.0%" in figures
    screenshot(page, "landing.png", full_page=True)


def test_an_unknown_user_is_refused_before_anything_is_served(demo_db_file, tmp_path):
    import subprocess
    import sys

    result = subprocess.run([str(Path(sys.executable).parent / "workbench"), "serve", "--db", str(demo_db_file),
                             "--user", "mallory", "--port", "8999"], capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 2
    assert "unknown user 'mallory'" in result.stderr
    assert "Traceback" not in result.stderr
