"""The append-only, hash-chained audit log.

Each entry's hash covers its own content and the previous entry's hash, so altering or removing
any row breaks the chain from that row on. There is no update or delete path: the ORM refuses
one, and the database refuses one through triggers (SQLite and PostgreSQL).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session as OrmSession

from workbench.core.clock import utcnow
from workbench.core.tables import AuditEntry

GENESIS = "0" * 64


def _jsonable(detail: dict | None) -> dict:
    return json.loads(json.dumps(detail or {}, default=str, sort_keys=True))


def entry_hash(entry_id: int, at: datetime, user: str, action: str, record_type: str,
               record_id: str | None, detail: dict, prev_hash: str) -> str:
    body = json.dumps(
        [entry_id, at.isoformat(timespec="microseconds"), user, action, record_type, record_id, detail, prev_hash],
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append(session: OrmSession, user: str, action: str, record_type: str, record_id=None,
           detail: dict | None = None, at: datetime | None = None) -> AuditEntry:
    """Add one entry in the caller's transaction (it commits or rolls back with the change it records)."""
    last = session.execute(select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    entry_id, prev = (last.id + 1, last.hash) if last else (1, GENESIS)
    at = at or utcnow()
    rid = None if record_id is None else str(record_id)
    detail = _jsonable(detail)
    entry = AuditEntry(id=entry_id, at=at, user=user, action=action, record_type=record_type, record_id=rid,
                       detail=detail, prev_hash=prev,
                       hash=entry_hash(entry_id, at, user, action, record_type, rid, detail, prev))
    session.add(entry)
    session.flush()
    return entry


@dataclass
class ChainReport:
    entries: int
    broken_at: int | None = None  # id of the first entry that does not verify
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify(session: OrmSession) -> ChainReport:
    prev, expected_id, count = GENESIS, 1, 0
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=2000)).scalars()
    for e in rows:
        count += 1
        if e.id != expected_id:
            return ChainReport(count, e.id, f"entry {expected_id} is missing (next entry found is {e.id})")
        if e.prev_hash != prev:
            return ChainReport(count, e.id, f"entry {e.id} does not follow entry {e.id - 1}: "
                                            "the previous entry was altered or removed")
        if entry_hash(e.id, e.at, e.user, e.action, e.record_type, e.record_id, e.detail, e.prev_hash) != e.hash:
            return ChainReport(count, e.id, f"entry {e.id} ({e.action} {e.record_type} {e.record_id or ''} by "
                                            f"{e.user} at {e.at:%Y-%m-%d %H:%M:%S}) was altered after it was written")
        prev, expected_id = e.hash, e.id + 1
    return ChainReport(count)


@event.listens_for(OrmSession, "before_flush")
def _refuse_audit_changes(session, _ctx, _instances):
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise PermissionError("the audit log is append-only: entries cannot be changed or deleted")


_SQLITE_GUARDS = [
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
]
_POSTGRES_GUARDS = [
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
]


def install_guards(engine) -> None:
    guards = {"sqlite": _SQLITE_GUARDS, "postgresql": _POSTGRES_GUARDS}.get(engine.dialect.name, [])
    with engine.begin() as conn:
        for stmt in guards:
            conn.execute(text(stmt))
