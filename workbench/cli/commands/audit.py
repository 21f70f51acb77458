"""workbench audit verify: check the audit log's hash chain."""
from __future__ import annotations

import sys

from workbench.commands._common import add_db

NAME = "audit"
HELP = "Check the append-only audit log (`workbench audit verify`)"


def configure(p) -> None:
    sub = p.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    v = sub.add_parser("verify", help="exit 0 when the hash chain is intact, 1 naming the first broken entry")
    add_db(v)


def run(args) -> int:
    from workbench import audit
    from workbench.store import open_store

    store = open_store(args.db)
    with store.read() as s:
        report = audit.verify(s)
    if report.intact:
        print(f"audit log intact: {report.entries:,} entries verified")
        return 0
    print(f"audit log broken at entry {report.broken_at}: {report.problem}", file=sys.stderr)
    return 1
