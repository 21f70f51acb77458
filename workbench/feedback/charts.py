"""Altair charts of a FeedbackView, drawn only from its suppressed figures, rendered to SVG.

Charts are aggregated before they are drawn (a handful of rows each; the 5,000-row limit is never
approached, never lifted). They are rendered to SVG on the server with vl-convert, so the same picture
shows in Voila with no network (no vega from a CDN, no JavaScript) and inlines into the HTML report.
A bar whose count is under 5, or whose rate is withheld, is not drawn: the tables beside each chart say
"<5" or "withheld" there.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import altair as alt
import pandas as pd

from workbench.feedback.views import FeedbackView

SUBJECT_COLOUR = "#1d3557"
PEER_COLOUR = "#9aa5b1"
# Labels are measured when the SVG is drawn; measure with a wide, common font so no label is clipped when
# the viewer's sans-serif is wider than the one measured (DejaVu Sans is the default sans on Linux).
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"


def _colour(subject: str, peer: str) -> alt.Color:
    return alt.Color("who:N", title=None, scale=alt.Scale(domain=[subject, peer], range=[SUBJECT_COLOUR, PEER_COLOUR]),
                     legend=alt.Legend(orient="top", labelLimit=380))


def _names(view: FeedbackView) -> tuple[str, str]:
    return view.title, "Peer group"


def _config(chart):
    return (chart.configure(font=FONT).configure_view(stroke=None)
            .configure_axis(labelFontSize=11, titleFontSize=11, grid=True, gridColor="#eee")
            .configure_legend(labelFontSize=11))


def score_chart(view: FeedbackView) -> alt.Chart:
    s, p = _names(view)
    rows = [{"band": b["band"], "who": who, "share": share}
            for b in view.score_bands for who, share in ((s, b["subject_share"]), (p, b["peer_share"]))
            if share is not None]
    df = pd.DataFrame(rows or [{"band": view.score_bands[0]["band"], "who": s, "share": None}])
    order = [b["band"] for b in view.score_bands]
    return _config(alt.Chart(df, title="Quality score: share of referrals in each band").mark_bar().encode(
        x=alt.X("band:N", sort=order, title="score", axis=alt.Axis(labelAngle=0), scale=alt.Scale(domain=order)),
        xOffset=alt.XOffset("who:N", sort=[s, p]),
        y=alt.Y("share:Q", title="share of referrals", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=_colour(s, p)).properties(width=340, height=200))


def trend_chart(view: FeedbackView) -> alt.Chart:
    s, p = _names(view)
    vol = pd.DataFrame([{"quarter": q["quarter"], "referrals": q["referrals_value"]} for q in view.quarters
                        if q["referrals_value"] is not None] or [{"quarter": "", "referrals": None}])
    score = pd.DataFrame([{"quarter": q["quarter"], "who": who, "score": v} for q in view.quarters
                          for who, v in ((s, q["mean_score"]), (p, q["peer_mean_score"])) if v is not None]
                         or [{"quarter": "", "who": s, "score": None}])
    order = [q["quarter"] for q in view.quarters]
    bars = alt.Chart(vol, title="Referrals per quarter").mark_bar(color=SUBJECT_COLOUR).encode(
        x=alt.X("quarter:N", sort=order, title=None, axis=alt.Axis(labelAngle=0), scale=alt.Scale(domain=order)),
        y=alt.Y("referrals:Q", title="referrals")).properties(width=300, height=180)
    title = "Mean quality score per quarter"
    if score["score"].isna().all():
        title = alt.Title(title, subtitle="withheld: fewer than 10 referrals in each quarter")
    lines = alt.Chart(score, title=title).mark_line(point=True).encode(
        x=alt.X("quarter:N", sort=order, title=None, axis=alt.Axis(labelAngle=0), scale=alt.Scale(domain=order)),
        y=alt.Y("score:Q", title="mean score", scale=alt.Scale(domain=[0, 100])),
        color=_colour(s, p)).properties(width=300, height=180)
    return _config(alt.hconcat(bars, lines))


def criteria_chart(view: FeedbackView) -> alt.Chart:
    s, p = _names(view)
    rows = [{"criterion": c["label"], "who": who, "share": v} for c in view.criteria
            for who, v in ((s, c["subject_share"]), (p, c["peer_share"])) if v is not None]
    df = pd.DataFrame(rows or [{"criterion": "", "who": s, "share": None}])
    order = [c["label"] for c in view.criteria]
    return _config(alt.Chart(df, title="Criteria most often missed: share of referrals").mark_bar().encode(
        y=alt.Y("criterion:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        yOffset=alt.YOffset("who:N", sort=[s, p]),
        x=alt.X("share:Q", title="share of referrals missing it", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=_colour(s, p)).properties(width=320, height=max(60, 34 * max(1, len(order)))))


def outcomes_chart(view: FeedbackView) -> alt.Chart:
    s, p = _names(view)
    keys = ("would_be_returned", "returned", "rg_positive", "cg_positive")
    rows = [{"measure": m.label, "who": who, "share": v} for m in view.metrics if m.key in keys
            for who, v in ((s, m.subject_value), (p, m.peer_value)) if v is not None]
    df = pd.DataFrame(rows or [{"measure": "", "who": s, "share": None}])
    order = [m.label for m in view.metrics if m.key in keys]
    return _config(alt.Chart(df, title="Returns and outcomes").mark_bar().encode(
        y=alt.Y("measure:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        yOffset=alt.YOffset("who:N", sort=[s, p]),
        x=alt.X("share:Q", title="share", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=_colour(s, p)).properties(width=320, height=150))


CHARTS = {"scores": score_chart, "trend": trend_chart, "criteria": criteria_chart, "outcomes": outcomes_chart}


_POOL: ThreadPoolExecutor | None = None


def to_svg(chart) -> str:
    import vl_convert as vlc

    # The specs are built here from known columns; schema validation would only cost time.
    return vlc.vegalite_to_svg(chart.to_dict(validate=False))


def charts_svg(view: FeedbackView) -> dict[str, str]:
    """All four charts as SVG text. vl-convert releases the GIL, so they render side by side."""
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=len(CHARTS), thread_name_prefix="feedback-svg")
    names = list(CHARTS)
    svgs = _POOL.map(lambda name: to_svg(CHARTS[name](view)), names)
    return dict(zip(names, svgs))
