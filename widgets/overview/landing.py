"""The landing page: headline figures and the apps this user can open."""
from __future__ import annotations

from html import escape
from pathlib import Path

import ipywidgets as w

from widgets.overview.figures import Overview

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
APPS = {
    "case_walkthrough": ("Case walkthrough", "Work the panel's queue, walk the indicator checklist, record decisions."),
    "letter_check": ("Letter check", "Check a draft decision letter for flawed reasoning."),
    "second_pair_of_eyes": ("Second pair of eyes", "Procedural review of another panel's decision."),
    "lead_feedback": ("Lead feedback", "Referral quality and outcomes by lead, organisation and region."),
}


def apps_html() -> str:
    items = [f"<li><a href='{escape(name)}.ipynb'>{escape(title)}</a> — {escape(text)}</li>"
             for name, (title, text) in APPS.items() if (NOTEBOOKS / f"{name}.ipynb").exists()]
    body = "".join(items) or "<li>The apps are being built; this page shows the data they will use.</li>"
    return f"<section class='wb-apps' aria-label='Apps'><h3>Apps</h3><ul>{body}</ul></section>"


def Landing(session) -> w.VBox:
    return w.VBox([Overview(session), w.HTML(apps_html())])
