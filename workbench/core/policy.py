"""Roles and their permissions, read from reference/roles.yaml and validated on load."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

import reference
from workbench.core.errors import UserError
from workbench.core.tables import ROLES

SCOPES = ("all", "own_panel", "assigned_review")
OPERATOR = "operator"  # the command line's own role: never a user of the apps, so not in ROLES
ROLES_FILE = Path(reference.__file__).parent / "roles.yaml"


@dataclass(frozen=True)
class Policy:
    actions: dict[str, str]  # action -> description
    roles: dict[str, dict[str, frozenset[str]]]  # role -> action -> scopes
    labels: dict[str, str]

    def scopes(self, role: str, action: str) -> frozenset[str]:
        if action not in self.actions:
            raise ValueError(f"unknown action {action!r}")
        return self.roles.get(role, {}).get(action, frozenset())


def load_policy(path: Path | None = None) -> Policy:
    path = Path(path or ROLES_FILE)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise UserError(f"cannot read roles file {path}: {str(exc).splitlines()[0]}") from None
    problems: list[str] = []
    actions = dict((data or {}).get("actions") or {})
    roles: dict[str, dict[str, frozenset[str]]] = {}
    labels: dict[str, str] = {}
    for role, spec in ((data or {}).get("roles") or {}).items():
        if role not in (*ROLES, OPERATOR):
            problems.append(f"role {role!r} is not one of {', '.join((*ROLES, OPERATOR))}")
            continue
        labels[role] = (spec or {}).get("label", role)
        perms = {}
        for action, scope in ((spec or {}).get("permissions") or {}).items():
            scopes = frozenset([scope] if isinstance(scope, str) else scope or [])
            if action not in actions:
                problems.append(f"role {role}: unknown action {action!r}")
            bad = scopes - set(SCOPES)
            if bad:
                problems.append(f"role {role}, action {action}: unknown scope {', '.join(sorted(bad))}")
            perms[action] = scopes
        roles[role] = perms
    missing = {*ROLES, OPERATOR} - set(roles)
    if missing:
        problems.append(f"no entry for role(s) {', '.join(sorted(missing))}")
    if problems:
        raise UserError(f"{path}: " + "; ".join(problems))
    return Policy(actions, roles, labels)


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    return load_policy()
