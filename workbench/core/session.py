"""The Session: one signed-in user, and the one place permissions are checked.

Permissions are data (reference/roles.yaml, workbench.core.policy) and are checked here only. Journey
actions live with their journey (workbench/<journey>/actions.py) and call `require` and `audit` inside one
`transaction`, so adding a journey never edits the guard. Every case read and every write appends to the
audit log in the same transaction as the change it records.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import select

from workbench.core import audit
from workbench.core.errors import AccessDenied, UserError
from workbench.core.policy import OPERATOR, Policy, default_policy
from workbench.core.store import Store
from workbench.core.tables import (
    Case,
    Decision,
    ReviewRequest,
    User,
)

IDENTITY_ENV = ("JUPYTERHUB_USER", "WORKBENCH_USER")


@dataclass(frozen=True)
class SignedInUser:
    name: str
    display_name: str
    role: str
    role_label: str
    panel_id: int | None
    panel_name: str | None


def resolve_identity(cli_user: str | None = None) -> str:
    """JupyterHub's user when deployed, else --user, else $WORKBENCH_USER."""
    hub = os.environ.get("JUPYTERHUB_USER")
    name = hub or cli_user or os.environ.get("WORKBENCH_USER")
    if not name:
        raise UserError("no user given: pass --user NAME or set WORKBENCH_USER (JUPYTERHUB_USER when deployed)")
    return name


class Session:
    def __init__(self, store: Store, user_name: str, policy: Policy | None = None):
        self.store = store
        self.policy = policy or default_policy()
        with store.read() as s:
            u = s.scalar(select(User).where(User.name == user_name))
            if u is None:
                raise UserError(f"unknown user {user_name!r}: not in {store.label} "
                                "(list users with `workbench users`)")
            panel_name = u.panel.name if u.panel else None
            self.user = SignedInUser(u.name, u.display_name, u.role, self.policy.labels.get(u.role, u.role),
                                     u.panel_id, panel_name)

    @classmethod
    def operator(cls, store: Store, name: str, policy: Policy | None = None) -> Session:
        """The person running a command on the server (`cli:<login>`): the role `operator`, checked and
        audited by the same guard as everyone else, though not a user of the apps."""
        self = cls.__new__(cls)
        self.store, self.policy = store, policy or default_policy()
        self.user = SignedInUser(name, name, OPERATOR, self.policy.labels.get(OPERATOR, OPERATOR), None, None)
        return self

    # ---- permissions -------------------------------------------------------------------------
    def can(self, action: str, case_id: int | None = None) -> bool:
        scopes = self.policy.scopes(self.user.role, action)
        if not scopes:
            return False
        if case_id is None or "all" in scopes:
            return True
        with self.store.read() as s:
            return self.in_scope(s, scopes, case_id)

    def in_scope(self, s, scopes, case_id: int) -> bool:
        if "all" in scopes:
            return True
        panel_id = s.scalar(select(Case.panel_id).where(Case.id == case_id))
        if "own_panel" in scopes and panel_id is not None and panel_id == self.user.panel_id:
            return True
        if "assigned_review" in scopes:
            return self._assigned_reviewer(s, case_id, panel_id)
        return False

    def _assigned_reviewer(self, s, case_id: int, panel_id: int | None) -> bool:
        """A reviewer sees a case only while a review of it is assigned to them, and never a case of
        their own panel or a decision they wrote (7.4.5)."""
        if panel_id is not None and panel_id == self.user.panel_id:
            return False
        q = (select(ReviewRequest.id).join(Decision, Decision.id == ReviewRequest.decision_id)
             .where(ReviewRequest.case_id == case_id, ReviewRequest.reviewer == self.user.name,
                    Decision.author != self.user.name))
        return s.scalar(q.limit(1)) is not None

    def require(self, s, action: str, case_id: int | None = None) -> None:
        """Raise AccessDenied, naming the user, role and action, unless the policy allows it here."""
        scopes = self.policy.scopes(self.user.role, action)
        allowed = bool(scopes) and (case_id is None or self.in_scope(s, scopes, case_id))
        if not allowed:
            what = self.policy.actions[action].lower()
            where = f" on case {case_id}" if case_id is not None else ""
            raise AccessDenied(f"{self.user.name} ({self.user.role_label}) may not {what}{where}")

    def audit(self, s, action: str, record_type: str, record_id=None, detail: dict | None = None) -> None:
        """Append to the hash-chained audit log, in the caller's transaction."""
        audit.append(s, self.user.name, action, record_type, record_id, detail)

    def transaction(self):
        """One unit of work: commit on success, roll back everything on any error."""
        return self.store.transaction()

    def read(self):
        return self.store.read()