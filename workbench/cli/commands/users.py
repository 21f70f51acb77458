"""workbench users: list users, roles and panels."""
from __future__ import annotations

from workbench.cli.commands._common import add_db, add_format, cli_identity, print_json

NAME = "users"
HELP = "List users with their role and panel"


def configure(p) -> None:
    add_db(p)
    add_format(p)


def run(args) -> int:
    from workbench.admin.directory import list_users
    from workbench.core.session import Session
    from workbench.core.store import open_store

    rows = list_users(Session.operator(open_store(args.db), cli_identity()))
    if args.format == "json":
        print_json([{k: r[k] for k in ("name", "role", "panel")} for r in rows])
    else:
        for r in rows:
            print(f"{r['name']:<32} {r['role']:<14} {r['panel'] or '-':<30} {r['display_name']}")
    return 0
