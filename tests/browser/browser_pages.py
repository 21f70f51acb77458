"""Helpers for driving the apps in a page."""
import os
from pathlib import Path


def open_app(page, base: str, notebook: str, wait_text: str, timeout: float = 60_000):
    """Open an app and wait for its own text (never for networkidle: the template asks a CDN for icons)."""
    page.goto(f"{base}/voila/render/{notebook}", wait_until="domcontentloaded", timeout=timeout)
    page.get_by_text(wait_text).first.wait_for(timeout=timeout)
    return page


ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS_ENV = "WORKBENCH_SCREENSHOTS"


def screenshot_dir() -> Path:
    """Where screenshots go: $WORKBENCH_SCREENSHOTS (relative to the repository; `make screenshots` sets it to
    `docs`), else the git-ignored build/screenshots, so an ordinary test run leaves the tree clean."""
    folder = Path(os.environ.get(SCREENSHOTS_ENV) or "build/screenshots")
    return folder if folder.is_absolute() else ROOT / folder


def screenshot(page, name: str, **kw) -> Path:
    path = screenshot_dir() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), **kw)
    return path
