"""The landing page's headline figures, as a readable table."""
from __future__ import annotations

from html import escape

import ipywidgets as w

from widgets.common.static_files import style_tag
from workbench.overview.figures import overview_figures

CSS = "overview/overview.css"

LABELS = {
    "cases": "Referrals", "open_cases": "Open cases", "children_share": "Children",
    "returned_for_errors_rate": "Returned for errors",
    "unsigned_share_of_returned": "… of which for a missing signature",
    "rg_positive_rate": "Positive reasonable-grounds decisions", "rg_decisions": "Reasonable-grounds decisions",
    "cg_decisions": "Conclusive-grounds decisions",
    "cg_positive_rate_of_referrals": "Positive conclusive grounds (share of all referrals)",
    "mean_days_to_rg": "Mean days to reasonable grounds", "mean_days_to_cg": "Mean days to conclusive grounds",
}
MIX = {"home_office": "Home Office", "police": "Police", "ngo": "NGO", "local_authority": "Local authority",
       "nca": "NCA", "gla": "GLA", "health": "Health"}


def _fmt(key: str, value) -> str:
    if value is None:
        return "–"
    if key.endswith(("_share", "_rate", "_of_returned", "_of_referrals")):
        return f"{100 * value:.1f}%"
    if key.startswith("mean_days"):
        return f"{value:.1f}"
    return f"{value:,}"


def overview_html(stats: dict) -> str:
    rows = "".join(f"<tr><th scope='row'>{escape(label)}</th><td>{escape(_fmt(key, stats.get(key)))}</td></tr>"
                   for key, label in LABELS.items())
    mix = "".join(f"<tr><th scope='row'>{escape(MIX[k])}</th><td>{100 * v:.1f}%</td></tr>"
                  for k, v in stats["referrer_mix"].items() if v)
    return (
        f"{style_tag(CSS)}"
        "<div class='wb-cols'><section aria-label='Headline figures'><h3>Headline figures</h3>"
        f"<table class='wb-figures' data-testid='headline-figures'>{rows}</table></section>"
        "<section aria-label='Who refers'><h3>Who refers (share of referrals)</h3>"
        f"<table class='wb-figures'>{mix}</table></section></div>")


def Overview(session) -> w.HTML:
    return w.HTML(overview_html(overview_figures(session)))
