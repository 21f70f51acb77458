"""Roles and their permissions, read from reference/roles.yaml through its schema and validated on load."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from qa_checks.reference_data import REFERENCE_DIR, Problem, ReferenceDataError, Schema, display_path, listify, read
from workbench.core.errors import UserError
from workbench.core.tables import ROLES

SCOPES = ("all", "own_panel", "assigned_review")
OPERATOR = "operator"  # the command line's own role: never a user of the apps, so not in ROLES
ROLES_FILE = REFERENCE_DIR / "roles.yaml"

Scope = Literal["all", "own_panel", "assigned_review"]


class RoleSpec(Schema):
    """One role: its label, what it is, and action -> scope (one scope or a list of them)."""

    label: str | None = None
    description: str | None = None
    permissions: dict[str, Annotated[list[Scope], BeforeValidator(listify)]] = {}


class RolesFile(Schema):
    """reference/roles.yaml."""

    version: Annotated[int, Field(strict=True, ge=1)] = 1
    actions: dict[str, str] = {}
    roles: dict[str, RoleSpec] = {}


class PolicyError(ReferenceDataError, UserError):
    """roles.yaml is wrong. A ReferenceDataError like every reference file's, and a UserError so the command
    line and the Session's callers, which catch UserError, report it as one line."""

    def __str__(self) -> str:
        return self.one_line()


@dataclass(frozen=True)
class Policy:
    actions: dict[str, str]  # action -> description
    roles: dict[str, dict[str, frozenset[str]]]  # role -> action -> scopes
    labels: dict[str, str]

    def scopes(self, role: str, action: str) -> frozenset[str]:
        if action not in self.actions:
            raise ValueError(f"unknown action {action!r}")
        return self.roles.get(role, {}).get(action, frozenset())


def _cross_problems(shown: str, raw: object, problems: list[Problem]) -> None:
    """Roles the workbench knows, actions the file declares, an entry for every role. Read from the raw file
    so that these are reported together with any schema problems."""
    raw = raw if isinstance(raw, dict) else {}
    actions = raw.get("actions") if isinstance(raw.get("actions"), dict) else {}
    roles = raw.get("roles") if isinstance(raw.get("roles"), dict) else {}
    known = (*ROLES, OPERATOR)
    if not actions:
        problems.append((shown, "header", "actions: missing or empty (list every action with what it allows)"))
    for role, spec in roles.items():
        if role not in known:
            problems.append((shown, f"roles.{role}", f"(whole entry): role {role!r} is not one of {', '.join(known)}"))
        perms = spec.get("permissions") if isinstance(spec, dict) else None
        for action in perms if isinstance(perms, dict) else ():
            if action not in actions:
                problems.append((shown, f"roles.{role}", f"permissions.{action}: unknown action {action!r} "
                                 "(not listed under actions)"))
    missing = set(known) - set(roles)
    if missing:
        problems.append((shown, "header", f"roles: no entry for role(s) {', '.join(sorted(missing))}"))


def load_policy(path: Path | None = None) -> Policy:
    """The roles file as a Policy; PolicyError (a ReferenceDataError) lists every problem at once."""
    path = Path(path or ROLES_FILE)
    problems: list[Problem] = []
    raw, data = read(path, RolesFile, problems)
    if raw is not None:
        _cross_problems(display_path(path), raw, problems)
    if problems or data is None:
        raise PolicyError(problems, display_path(path))
    roles = {role: {action: frozenset(scopes) for action, scopes in spec.permissions.items()}
             for role, spec in data.roles.items()}
    labels = {role: spec.label or role for role, spec in data.roles.items()}
    return Policy(dict(data.actions), roles, labels)


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    return load_policy()
