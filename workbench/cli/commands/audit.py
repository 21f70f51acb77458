"""workbench audit verify: check the audit log's hash chain."""
from __future__ import annotations

import sys

from workbench.cli.commands._common import add_db, cli_identity

NAME = "audit"
HELP = "Check the append-only audit log (`workbench audit verify`)"


def configure(p) -> None:
    sub = p.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    v = sub.add_parser("verify", help="exit 0 when the hash chain is intact, 1 naming the first broken entry")
    add_db(v)


def run(args) -> int:
    from workbench.admin.directory import verify_audit
    from workbench.core.session import Session
    from workbench.core.store import open_store

    report = verify_audit(Session.operator(open_store(args.db), cli_identity()))
    if report.intact:
        print(f"audit log intact: {report.entries:,} entries verified")
        return 0
    print(f"audit log broken at entry {report.broken_at}: {report.problem}", file=sys.stderr)
    return 1
