"""workbench users: list users, roles and panels."""
from __future__ import annotations

from workbench.commands._common import add_db, add_format, cli_identity, print_json

NAME = "users"
HELP = "List users with their role and panel"


def configure(p) -> None:
    add_db(p)
    add_format(p)


def run(args) -> int:
    from sqlalchemy import select

    from workbench import audit
    from workbench.model import Panel, User
    from workbench.store import open_store

    store = open_store(args.db)
    with store.transaction() as s:
        rows = s.execute(select(User.name, User.role, Panel.name, User.display_name)
                         .outerjoin(Panel, Panel.id == User.panel_id).order_by(User.role, User.name)).all()
        audit.append(s, cli_identity(), "list", "users")
    users = [{"name": n, "role": r, "panel": p} for n, r, p, _ in rows]
    if args.format == "json":
        print_json(users)
    else:
        for (n, r, p, d) in rows:
            print(f"{n:<32} {r:<14} {p or '-':<30} {d}")
    return 0
