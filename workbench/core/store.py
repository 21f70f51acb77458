"""Opening a workbench database: a SQLite file by default (WAL, foreign keys on), or any SQLAlchemy URL.

Every save is one transaction (`Store.transaction`). Nothing here is SQLite-only; the SQLite
pragmas are applied only when the dialect is SQLite.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, select
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import sessionmaker

from workbench.core.errors import UserError
from workbench.core.tables import Base, Meta

SCHEMA_VERSION = "1"
DEFAULT_DB = Path("data") / "demo.db"


def database_url(db: str | os.PathLike | None) -> str:
    """`--db` may be a file path or a SQLAlchemy URL; default: $WORKBENCH_DB, else data/demo.db."""
    db = db if db is not None else os.environ.get("WORKBENCH_DB") or DEFAULT_DB
    text = str(db)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def _sqlite_path(url: str) -> Path | None:
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///"):])
    return None


def _set_sqlite_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


class Store:
    def __init__(self, url: str):
        self.url = url
        self.engine = create_engine(url, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _set_sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def label(self) -> str:
        path = _sqlite_path(self.url)
        return str(path) if path else self.engine.url.render_as_string(hide_password=True)

    def create_schema(self) -> None:
        Base.metadata.create_all(self.engine)
        from workbench.core import audit  # the append-only guards are DDL too
        audit.install_guards(self.engine)
        with self.transaction() as s:
            if s.get(Meta, "schema_version") is None:
                s.add(Meta(key="schema_version", value=SCHEMA_VERSION))

    @contextmanager
    def transaction(self):
        """One unit of work: commit on success, roll back everything on any error."""
        session: OrmSession = self._sessions()
        try:
            with session.begin():
                yield session
        finally:
            session.close()

    @contextmanager
    def read(self):
        session: OrmSession = self._sessions()
        try:
            yield session
        finally:
            session.close()  # ends the read transaction; loaded values stay readable

    def meta(self) -> dict[str, str]:
        with self.read() as s:
            return {m.key: m.value for m in s.scalars(select(Meta))}

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(db: str | os.PathLike | None = None) -> Store:
    """Open an existing workbench database, or say clearly why it cannot be opened."""
    url = database_url(db)
    path = _sqlite_path(url)
    if path is not None:
        if not path.exists():
            raise UserError(f"database file not found: {path} (build one with `workbench demo --db {path}`)")
        if path.is_dir():
            raise UserError(f"database path is a folder, not a file: {path}")
    store = Store(url)
    try:
        tables = set(inspect(store.engine).get_table_names())
    except (DatabaseError, OperationalError) as exc:
        store.dispose()
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise UserError(f"cannot open database {store.label}: {reason}") from None
    missing = {"cases", "referrals", "audit_log", "users", "meta"} - tables
    if missing:
        store.dispose()
        raise UserError(f"{store.label} is not a workbench database (missing tables: {', '.join(sorted(missing))}); "
                        "build one with `workbench demo`")
    return store


def create_store(db: str | os.PathLike | None = None) -> Store:
    """A new, empty database with the schema (the file's folder is created if needed)."""
    url = database_url(db)
    path = _sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    store = Store(url)
    store.create_schema()
    return store
