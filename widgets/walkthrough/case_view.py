"""The case as the chair reads it: the referral (narrative, lead, how and where encountered, consent),
the evidence by source with dates, what was requested and not yet received, and a form to record a new
request. Every text from the database is escaped: a hostile narrative shows literally."""
from __future__ import annotations

from datetime import date
from html import escape

import ipywidgets as w

from widgets.common.status import refused, saved
from workbench.core.errors import UserError
from workbench.walkthrough import view as wt
from workbench.walkthrough.actions import request_evidence


def _facts_html(case) -> str:
    rows = "".join(f"<tr><th scope='row'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in wt.referral_facts(case))
    return f"<table class='wbv-facts'>{rows}</table>"


def referral_html(case) -> str:
    r = case.referral
    badges = "".join(f"<span class='wbv-badge'>{escape(b)}</span>" for b in case.badges)
    circ = r.get("encounter_circumstances") if case.identity_shown else None
    circ_html = (f"<h4>How the person was encountered</h4><div class='wbv-text' data-testid='encounter'>"
                 f"{escape(circ)}</div>") if circ else ""
    return (f"<section class='wbv' aria-label='Referral'><h3>Referral</h3>"
            f"<div>{badges}</div>{_facts_html(case)}"
            f"<h4>Narrative</h4><div class='wbv-text' data-testid='narrative'>{escape(wt.narrative_text(case))}</div>"
            f"{circ_html}</section>")


def evidence_html(case) -> str:
    groups = wt.evidence_by_source(case)
    if not groups:
        body = "<p class='wbv-muted'>No evidence has been requested or received yet.</p>"
    else:
        body = ""
        for g in groups:
            rows = "".join(
                f"<tr><td>#{e.id}</td><td>{escape(e.description)}</td><td>{escape(wt.fmt_date(e.requested_on))}"
                f"{' by ' + escape(e.requested_by) if e.requested_by else ''}</td>"
                + (f"<td>{escape(wt.fmt_date(e.received_on))}</td><td>{escape(e.summary or '')}</td>" if e.received_on
                   else "<td class='wbv-out'>Not yet received</td><td></td>") + "</tr>"
                for e in g.items)
            body += (f"<table class='wbv-ev'><caption>{escape(g.label)}</caption><thead><tr><th scope='col'>Item</th>"
                     "<th scope='col'>What</th><th scope='col'>Requested</th><th scope='col'>Received</th>"
                     f"<th scope='col'>Summary</th></tr></thead><tbody>{rows}</tbody></table>")
    out = case.outstanding_evidence
    if out:
        items = "".join(f"<li>{escape(wt.SOURCE_LABELS.get(e.source, e.source))}: {escape(e.description)} "
                        f"(requested {escape(wt.fmt_date(e.requested_on))}, "
                        f"{(case.clock.as_of - e.requested_on).days} days ago)</li>" for e in out)
        outstanding = f"<h4>Requested, not yet received</h4><ul data-testid='outstanding'>{items}</ul>"
    else:
        outstanding = "<h4>Requested, not yet received</h4><p class='wbv-muted'>Nothing outstanding.</p>"
    return (f"<section class='wbv' aria-label='Evidence'><h3>Evidence by source</h3>{body}"
            f"{outstanding}</section>")


class CaseView:
    """Referral, evidence and the request form; `show(case)` fills it for one case."""

    def __init__(self, session, as_of: date, on_changed=None):
        self.session, self.as_of, self.on_changed = session, as_of, on_changed
        self.case = None
        self.referral = w.HTML()
        self.evidence = w.HTML()
        self.source = w.Dropdown(options=[(v, k) for k, v in wt.SOURCE_LABELS.items()], value="police",
                                 description="Ask whom", style={"description_width": "8em"})
        self.what = w.Text(description="For what", placeholder="e.g. GP records since arrival",
                           style={"description_width": "8em"}, layout=w.Layout(width="95%"))
        self.ask = w.Button(description="Record the request", tooltip="Record a new request for information",
                            layout=w.Layout(width="auto"))
        self.status = w.HTML()
        self.ask.on_click(self._request)
        form = w.VBox([w.HTML("<h4 class='wb-h4'>Record a new request for information</h4>"), self.source,
                       self.what, w.HBox([self.ask, self.status])])
        self.widget = w.VBox([self.referral, self.evidence, form], layout=w.Layout(width="100%"))

    def show(self, case) -> None:
        self.case = case
        self.referral.value = referral_html(case)
        self.evidence.value = evidence_html(case)
        self.status.value = ""
        self.what.value = ""

    def _request(self, _btn=None) -> None:
        if self.case is None:
            return
        self.status.value = "<span role='status'>Recording…</span>"
        try:
            e = request_evidence(self.session, self.case.id, self.source.value, self.what.value,
                                              requested_on=self.as_of)
        except UserError as exc:
            self.status.value = refused(f"Not recorded: {exc}.")
            return
        except Exception as exc:  # noqa: BLE001
            self.status.value = refused(wt.unexpected(exc, "record the request"))
            return
        self.what.value = ""
        msg = f"Request #{e.id} to {wt.SOURCE_LABELS[e.source]} recorded."
        if self.on_changed:
            self.on_changed(self.case.id)  # reloads the case (and this view) through the Session
        self.status.value = saved(msg)
