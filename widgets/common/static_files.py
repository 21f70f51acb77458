"""CSS and JavaScript live in files, `widgets/<journey>/static/`, never in Python strings.

`static_path("walkthrough", "queue.js")` is a file's path (what anywidget's `_esm` / `_css` take);
`style_tag("common/workbench.css", "letters/letter_check.css")` is a `<style>` element holding those files,
for the HTML widgets of ipywidgets. Each file is read once per process and cached.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

WIDGETS = Path(__file__).resolve().parents[1]


def static_path(journey: str, name: str) -> Path:
    return WIDGETS / journey / "static" / name


@cache
def static_text(ref: str) -> str:
    """The text of `<journey>/<file>` from that journey's static folder."""
    journey, _, name = ref.partition("/")
    if not name or "/" in name or name.startswith("."):
        raise ValueError(f"a static file is named '<journey>/<file>', not {ref!r}")
    return static_path(journey, name).read_text(encoding="utf-8")


@cache
def style_tag(*refs: str) -> str:
    """One `<style>` element with the named CSS files, in order."""
    return "<style>\n" + "\n".join(static_text(r) for r in refs) + "\n</style>"
