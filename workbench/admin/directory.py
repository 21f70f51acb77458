"""The administrator's reads: the user directory and the audit chain's integrity."""
from __future__ import annotations

from sqlalchemy import select

from workbench.core import audit
from workbench.core.session import Session
from workbench.core.tables import Panel, User


def list_users(session: Session) -> list[dict]:
    """Every user: name, role, panel and display name, by role then name."""
    with session.store.transaction() as s:
        session.require(s, "list_users")
        rows = user_directory(s)
        session.audit(s, "list", "users")
        return rows


def verify_audit(session: Session) -> audit.ChainReport:
    with session.store.read() as s:
        session.require(s, "verify_audit")
        return audit.verify(s)


def user_directory(s) -> list[dict]:
    """Every user with role, panel and display name, ordered by role then name."""
    rows = s.execute(select(User.name, User.role, Panel.name, User.display_name)
                     .outerjoin(Panel, Panel.id == User.panel_id).order_by(User.role, User.name)).all()
    return [{"name": n, "role": r, "panel": p, "display_name": d} for n, r, p, d in rows]
