"""What a Voila app needs to start: the store and the signed-in user's Session, from the environment
`workbench serve` sets (WORKBENCH_DB, WORKBENCH_USER; JUPYTERHUB_USER wins when deployed)."""
from __future__ import annotations

from datetime import date
from functools import lru_cache

from workbench.core.session import Session, resolve_identity
from workbench.core.store import Store, open_store


@lru_cache(maxsize=1)
def _store() -> Store:
    return open_store(None)


def current_session() -> Session:
    return Session(_store(), resolve_identity(None))


def as_of(session: Session) -> date:
    """Demo data is frozen at its 'as of' date, so its clocks read from then; real data reads today."""
    value = session.store.meta().get("as_of")
    return date.fromisoformat(value) if value else date.today()


def is_demo(session: Session) -> bool:
    return "demo_profile" in session.store.meta()
