"""Helpers for driving the apps in a page."""


def open_app(page, base: str, notebook: str, wait_text: str, timeout: float = 60_000):
    """Open an app and wait for its own text (never for networkidle: the template asks a CDN for icons)."""
    page.goto(f"{base}/voila/render/{notebook}", wait_until="domcontentloaded", timeout=timeout)
    page.get_by_text(wait_text).first.wait_for(timeout=timeout)
    return page
