"""A lead's feedback as HTML: the sections the dashboard shows, and a self-contained report file.

`view_html(view, svgs)` is the body both the dashboard and the report use, so they cannot differ.
`report_html(view)` is one HTML document: charts inlined as SVG, no script, no external link, print CSS
(A4, tables kept whole, colours kept). `write_report` writes it to a temporary file beside the target and
renames it into place, so a failed export leaves nothing half-written.
"""
from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterable
from datetime import date
from html import escape
from pathlib import Path

from workbench.core.errors import UserError
from workbench.feedback.actions import lead_feedback, record_feedback_export
from workbench.feedback.charts import charts_svg
from workbench.feedback.views import MIN_BASE, MIN_COUNT, FeedbackView

CSS = """
.wb-fb{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1b1b1b;max-width:1150px}
.wb-fb h2{margin:.2em 0 0;font-size:1.45em}
.wb-fb h3{margin:1.2em 0 .4em;font-size:1.1em;border-bottom:1px solid #d7dde4;padding-bottom:.2em}
.wb-fb .wb-sub{color:#444;margin:.2em 0 .6em}
.wb-fb .wb-peer{display:inline-block;background:#eef2f6;border-radius:3px;padding:.15em .5em;font-size:.92em}
.wb-fb table{border-collapse:collapse;margin:.3em 0 .8em;font-size:.93em}
.wb-fb th,.wb-fb td{padding:.28em .8em .28em 0;text-align:left;vertical-align:top}
.wb-fb thead th{border-bottom:2px solid #1d3557;font-weight:600}
.wb-fb tbody tr+tr td,.wb-fb tbody tr+tr th{border-top:1px solid #eceff3}
.wb-fb td.n,.wb-fb th.n{text-align:right;font-variant-numeric:tabular-nums}
.wb-fb td.n{white-space:nowrap}
.wb-fb td.t{color:#555;font-size:.92em}
.wb-fb th.n.you,.wb-fb th.n{padding-left:1.2em}
.wb-fb td.you{font-weight:600}
.wb-fb .wb-note{color:#555;font-size:.86em}
.wb-fb .wb-grid{display:flex;flex-wrap:wrap;gap:1.2em 2.5em;align-items:flex-start}
.wb-fb .wb-grid>section{flex:1 1 420px;min-width:0;overflow-x:auto}
.wb-fb figure{margin:.2em 0}
.wb-fb figure svg{max-width:100%;height:auto}
.wb-fb .wb-rule{font-size:.86em;color:#444;background:#f7f7f4;border-left:3px solid #ffd166;padding:.4em .8em}
"""
PRINT_CSS = """
@page{size:A4;margin:14mm}
@media print{
 body{margin:0}
 .wb-fb{max-width:none;font-size:10.5pt}
 .wb-fb section,.wb-fb table,.wb-fb figure{break-inside:avoid;page-break-inside:avoid}
 .wb-fb h3{break-after:avoid;page-break-after:avoid}
 .wb-fb .wb-grid{display:block}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""
RULE = (f"Counts under {MIN_COUNT} are shown as “&lt;{MIN_COUNT}”; rates, means and medians over fewer than "
        f"{MIN_BASE} referrals are “withheld”, and a rate whose count (or remainder) is under {MIN_COUNT} is shown "
        "only as a bound. No referred person is named or described.")


def _table(head: Iterable[str], rows: Iterable[Iterable[str]], numeric_from: int = 1, testid: str = "",
           text_from: int | None = None) -> str:
    """Row label, then figures (right-aligned; the subject's column bold), then optional text columns."""
    head = list(head)
    text_from = len(head) if text_from is None else text_from

    def cls(k: int) -> str:
        if k >= text_from or k < numeric_from:
            return "t"
        return "n you" if k == numeric_from else "n"

    th = "".join(f"<th scope='col' class='{cls(k) if k else ''}'>{escape(h)}</th>" for k, h in enumerate(head))
    body = []
    for r in rows:
        cells = list(r)
        tds = [f"<th scope='row'>{escape(cells[0])}</th>"]
        for k, c in enumerate(cells[1:], start=1):
            tds.append(f"<td class='{cls(k)}'>{escape(str(c))}</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    tid = f" data-testid='{escape(testid)}'" if testid else ""
    return f"<table{tid}><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _svg(svg: str) -> str:
    # vl-convert's SVG carries a fixed width/height; keep the viewBox so it scales and prints.
    return re.sub(r"^<svg ", "<svg role='img' ", svg.strip(), count=1)


def view_html(view: FeedbackView, svgs: dict[str, str] | None = None) -> str:
    svgs = svgs if svgs is not None else charts_svg(view)
    you, peer = "This " + view.kind if view.kind != "lead" else "This lead", "Peer group"
    as_of = f" · data to {view.as_of:%d %B %Y}" if isinstance(view.as_of, date) else ""
    head = (f"<h2 data-testid='fb-title'>{escape(view.title)}</h2>"
            f"<p class='wb-sub'>{escape(view.subtitle)}{escape(as_of)}</p>"
            f"<p><span class='wb-peer'>Peer group: {escape(view.peer_label)}</span></p>")
    volume = _table(["", you, peer], [("Referrals", str(view.referrals), str(view.peer_referrals)),
                                      ("Leads", "–" if view.kind == "lead" else str(view.leads),
                                       str(view.peer_leads))], testid="fb-volume")
    metrics = _table(["", you, peer, "what it counts"], [(m.label, m.subject, m.peer, m.note) for m in view.metrics],
                     testid="fb-metrics", text_from=3)

    def both(count, share):
        return count if share in ("none", "withheld") else f"{count} ({share})"

    bands = _table(["Score", f"{you}: referrals (share)", "Peer group"],
                   [(b["band"], both(b["subject_count"], b["subject_text"]), both(b["peer_count"], b["peer_text"]))
                    for b in view.score_bands], testid="fb-bands")
    quarters = _table(["Quarter", f"{you}: referrals", "mean score", "Peer group: referrals", "mean score"],
                      [(q["quarter"], q["referrals"], q["mean_score_text"], q["peer_referrals"],
                        q["peer_mean_score_text"]) for q in view.quarters], testid="fb-quarters")
    crit_rows = [(c["label"], both(c["subject_count"], c["subject_text"]), c["peer_text"]) for c in view.criteria]
    criteria = (_table(["Criterion", f"{you}: referrals missing it (share)", "Peer group: share"], crit_rows,
                       testid="fb-criteria") if crit_rows else "<p>No criterion was missed.</p>")
    reason_rows = [(r["label"], both(r["subject_count"], r["subject_text"]), both(r["peer_count"], r["peer_text"]))
                   for r in view.return_reasons]
    reasons = (_table(["Reason for return", f"{you}: returns (share)", "Peer group"], reason_rows,
                      testid="fb-reasons")
               if reason_rows else "<p>No referral was returned for errors.</p>")
    notes = "".join(f"<p class='wb-note'>{escape(n)}</p>" for n in view.notes)
    fig = lambda k, alt_text: (f"<figure aria-label='{escape(alt_text)}'>{_svg(svgs[k])}</figure>"  # noqa: E731
                               if k in svgs else "")
    return (
        f"<div class='wb-fb' data-testid='feedback-view'>{head}{notes}"
        f"<h3>Volume and headline figures</h3>{volume}{metrics}"
        f"<div class='wb-grid'><section><h3>Returns and outcomes</h3>{fig('outcomes', 'Returns and outcomes')}"
        f"{reasons}</section>"
        f"<section><h3>Quality score</h3>{fig('scores', 'Score distribution')}{bands}</section></div>"
        f"<h3>Trend by quarter</h3>{fig('trend', 'Referrals and mean score per quarter')}{quarters}"
        f"<h3>Criteria most often missed</h3>{fig('criteria', 'Criteria most often missed')}{criteria}"
        f"<p class='wb-rule'>{RULE}</p></div>")


def report_html(view: FeedbackView, svgs: dict[str, str] | None = None) -> str:
    title = f"Referral feedback: {view.title}"
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{escape(title)}</title>"
            f"<style>body{{margin:1.5em}}{CSS}{PRINT_CSS}</style></head><body>"
            "<p class='wb-note' style='font-family:system-ui,sans-serif'>NRM Workbench · feedback on referral "
            "quality and outcomes (review of the NRM, 5.4.3)</p>"
            f"{view_html(view, svgs)}</body></html>")


def write_report(view: FeedbackView, out: str | os.PathLike, svgs: dict[str, str] | None = None) -> Path:
    """Write the report atomically: a temporary file beside `out`, renamed into place when complete."""
    target = Path(out).expanduser()
    if target.is_dir():
        raise UserError(f"--out is a folder, not a file: {target}")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"cannot write {target}: the folder {folder} does not exist")
    html = report_html(view, svgs)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise UserError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(html)
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise UserError(f"cannot write {target}: {exc.strerror or exc}") from None
        raise
    return target


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "report"


def write_batch(data, lead_ids: list[int], folder: str | os.PathLike,
                progress: Callable[[int, int, str], None] | None = None) -> list[Path]:
    """One report per lead into `folder`; `progress(done, total, lead_code)` after each."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for k, lead_id in enumerate(lead_ids, start=1):
        view = data.view("lead", lead_id)
        code = view.title.removeprefix("Lead ").strip()
        out.append(write_report(view, folder / f"feedback-{safe_name(code)}.html"))
        if progress:
            progress(k, len(lead_ids), code)
    return out


def check_target(out: str | os.PathLike) -> Path:
    """Fail before any work if the report could not be written there."""
    target = Path(out).expanduser()
    if target.is_dir():
        raise UserError(f"--out is a folder, not a file: {target}")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"cannot write {target}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise UserError(f"cannot write {target}: no permission to write in {folder}")
    return target


def find_lead(s, lead: str | int):
    """The Lead row for a code (SSL-00042, any case) or a number id, or a UserError."""
    from sqlalchemy import func, select

    from workbench.core.tables import Lead

    text = str(lead).strip()
    row = s.scalar(select(Lead).where(func.upper(Lead.code) == text.upper()))
    if row is None and text.isdigit():
        row = s.get(Lead, int(text))
    if row is None:
        raise UserError(f"no lead {text!r} in this database (list leads with `workbench leads`)")
    return row


def build_lead_report(store, lead: str | int, out: str | os.PathLike, *, record=None, session=None
                      ) -> tuple[Path, str]:
    """Write one lead's report, reading only that lead's peer group. `session` (a workbench Session) checks
    the export permission and loads the data; without it (the command line) `record(s, code, target)` is
    called in the read's transaction to audit it. Returns (path, lead code)."""
    from workbench.feedback.data import load_frame
    from workbench.feedback.views import FeedbackData

    target = check_target(out)
    with store.read() as s:
        row = find_lead(s, lead)
        code, scope = row.code, {"organisation_type": row.organisation_type, "region": row.region}
        lead_id = row.id
    meta = store.meta()
    as_of = date.fromisoformat(meta["as_of"]) if meta.get("as_of") else None
    if session is not None:
        record_feedback_export(session, [code], str(target))
        frame = lead_feedback(session, scopes=[scope])
    else:
        with store.transaction() as s:
            frame = load_frame(s, scopes=[scope])
            if record:
                record(s, code, str(target))
    data = FeedbackData(frame, as_of=as_of)
    if data.lead_row(lead_id) is None:
        raise UserError(f"lead {code} has no referrals in this database, so there is nothing to report")
    return write_report(data.view("lead", lead_id), target), code
