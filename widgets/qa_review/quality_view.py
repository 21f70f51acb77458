"""Quality over time: how often reviews find a failing, per deciding panel and per checklist item, by
quarter; and agreement between two reviewers of the same decision (Cohen's kappa per item).

Charts are Altair specs over frames already aggregated in pandas (workbench.qa_review.quality), rendered to
SVG with vl-convert on the server, so they show in Voila with no network and no JavaScript."""
from __future__ import annotations

from html import escape

import altair as alt
import ipywidgets as w
import pandas as pd

from qa_checks.qa_review import procedure
from workbench.qa_review import quality as rq
from workbench.qa_review.actions import review_findings


def heatmap(df: pd.DataFrame, row: str, row_title: str, title: str, col: str = "quarter",
            col_title: str = "Quarter reviewed") -> alt.Chart:
    data = df.assign(text=[("<5" if s else f"{100 * v:.0f}%") for s, v in zip(df["suppressed"], df["share"].fillna(0))],
                     fill=df["share"].fillna(0))  # a suppressed cell is drawn grey, not dropped
    order = [rq.short(i.id) for i in procedure.load_checklist()] if row == "item_label" else None
    base = alt.Chart(data, title=title).encode(
        x=alt.X(f"{col}:O", title=col_title, axis=alt.Axis(labelAngle=-30 if col != "quarter" else 0)),
        y=alt.Y(f"{row}:N", title=row_title, sort=order),
        tooltip=[alt.Tooltip(f"{row}:N", title=row_title), alt.Tooltip(f"{col}:O", title=col_title),
                 alt.Tooltip("label:N", title="Failing")])
    cells = base.mark_rect(stroke="#fff").encode(
        color=alt.condition("datum.suppressed", alt.value("#d4d4d4"),
                            alt.Color("fill:Q", title="Share failing", scale=alt.Scale(scheme="oranges",
                                                                                         domain=[0, 1]),
                                      legend=alt.Legend(format="%"))))
    text = base.mark_text(fontSize=11).encode(
        text="text:N", color=alt.condition("datum.fill > 0.6", alt.value("white"), alt.value("#222")))
    return (cells + text).properties(width=alt.Step(56), height=alt.Step(24))


def svg(chart: alt.Chart) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_dict())


def agreement_html(rows: list[rq.Agreement]) -> str:
    if not rows:
        return ("<p>No decision has yet been reviewed twice by two different reviewers, so agreement cannot be "
                "measured.</p>")
    body = []
    for a in rows:
        kappa = f"{a.kappa:.2f}" if a.kappa is not None else "—"
        pct = f"{a.percent_agreed:.0f}%" if a.pairs >= rq.MIN_COUNT else "—"
        pairs = a.pairs if a.pairs >= rq.MIN_COUNT else rq.SUPPRESSED
        body.append(f"<tr><td>{escape(rq.short(a.item))}</td><td class='spe-num'>{escape(str(pairs))}</td>"
                    f"<td class='spe-num'>{pct}</td><td class='spe-num'><b>{kappa}</b></td>"
                    f"<td>{escape(a.note)}</td></tr>")
    return ("<table class='spe-kappa' data-testid='agreement-table'><tr><th>Checklist item</th><th>Pairs</th>"
            f"<th>Agreed</th><th>Cohen's kappa</th><th>Strength</th></tr>{''.join(body)}</table>"
            "<p class='spe-muted'>Kappa is agreement beyond chance (1 = perfect, 0 = no better than chance). An item "
            "almost always answered the same way can agree often yet have a low kappa: read it beside the share "
            "agreed. Items with low kappa are the ones to discuss at the next chairs' calibration meeting.</p>")


class ReviewQuality:
    def __init__(self, session):
        self.session = session
        self.widget = w.VBox([w.HTML("<p class='spe'>Loading…</p>")])
        self.widget.add_class("spe-quality")
        self.loaded = False

    def load(self) -> None:
        if self.loaded:
            return
        self.loaded = True
        df = rq.frame(review_findings(self.session))
        if df.empty:
            self.widget.children = [w.HTML("<div class='spe'><p>No reviews have been completed yet.</p></div>")]
            return
        reviews = df[~df["sample"]]["qa_review_id"].nunique()
        intro = w.HTML(
            "<div class='spe'><h3>How often reviews find a procedural failing</h3>"
            f"<p>From {reviews:,} completed reviews (the standing entry of each; agreement-sample reviews are "
            "counted only in the agreement table). A grey cell marked &lt;5 had fewer than 5 reviews, or 1 to 4 "
            "failings, and shows no figure; an empty cell had no reviews.</p></div>")
        panel_chart = w.HTML(svg(heatmap(rq.by_panel(df), "panel", "Deciding panel",
                                         "Reviews sent back for a procedural failing, by deciding panel")))
        panel_chart.add_class("spe-chart-panel")
        item_chart = w.HTML(svg(heatmap(rq.by_item(df), "item_label", "Checklist item",
                                        "Reviews finding each checklist item failing")))
        item_chart.add_class("spe-chart-item")
        panel_item = w.HTML(svg(heatmap(rq.by_panel_item(df), "item_label", "Checklist item",
                                        "Whole period: each item failing, by deciding panel", col="panel",
                                        col_title="Deciding panel")))
        agreement = w.HTML("<div class='spe'><h3>Agreement between reviewers</h3><p>Where a decision was reviewed "
                           "twice, independently, by two chairs of other panels: how often they gave the same "
                           "answer per item.</p>" + agreement_html(rq.agreement(df)) + "</div>")
        self.widget.children = [intro, panel_chart, item_chart, panel_item, agreement]
