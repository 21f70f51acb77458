"""workbench feedback-report: one lead's referral quality and outcomes beside their peer group, as a
self-contained HTML file (charts inlined, no network needed, prints on A4)."""
from __future__ import annotations

import sys

from workbench.cli.commands._common import add_db, cli_identity

NAME = "feedback-report"
HELP = "Write a lead's feedback report (self-contained HTML) to --out"


def configure(p) -> None:
    p.add_argument("--lead", required=True, metavar="ID", help="the lead's id as `workbench leads` lists it "
                   "(e.g. SSL-00042; the number alone also works)")
    add_db(p)
    p.add_argument("--out", required=True, metavar="FILE.html", help="where to write the report")


def run(args) -> int:
    from workbench.core import audit
    from workbench.core.store import open_store
    from workbench.feedback.report import build_lead_report

    store = open_store(args.db)
    try:
        path, code = build_lead_report(store, args.lead, args.out,
                                       record=lambda s, c, t: audit.append(
                                           s, cli_identity(), "export", "feedback_report", None,
                                           {"leads": [c], "target": t}))
    finally:
        store.dispose()
    print(f"Wrote the feedback report for {code} to {path}", file=sys.stderr)
    return 0
