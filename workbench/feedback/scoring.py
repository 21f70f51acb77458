"""Stored referral quality scores: `qa_checks.feedback.referrals.check_referral` run once per referral and kept.

Checking one referral takes about 0.15 ms, so 200,000 take half a minute of CPU: far too slow for a
dashboard. `score_all(store)` checks every referral (in worker processes when there are several CPUs) and
writes one `ReferralQuality` row per referral: the score, whether it would be returned for errors, the
criteria that applied and were not met, when, and which criteria version.
`workbench demo` calls it after building the data; `stale_count(store)` says how many rows were scored
with other criteria than the ones in reference/ now (re-run `score_all` then).
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime

from sqlalchemy import delete, func, insert, select

from workbench.core.store import Store
from workbench.core.tables import Lead, Referral, ReferralQuality
from workbench.feedback.referral_records import check_record

CHUNK = 1000      # referrals per piece of work sent to a worker process
POOL_FROM = 8000  # fewer referrals than this are checked in this process: a pool costs more than it saves
# Referral columns the checks read (the flat referral_dict names).
REFERRAL_COLUMNS = (
    "id", "reference", "received_on", "identifier_role", "person_pseudonym", "person_name", "date_of_birth",
    "age_band", "gender", "nationality", "is_child", "age_disputed", "consent_given", "consent_signed",
    "exploitation_primary", "exploitation_secondary", "indicators", "narrative", "narrative_redacted",
    "encounter_location", "encounter_organisation", "encounter_circumstances", "found_in_situ",
    "offence_location", "exploitation_location", "detention", "detention_endorsed_on",
    "potential_victims_identified",
)
LEAD_COLUMNS = ("code", "organisation", "organisation_type", "region", "location")


def criteria_version() -> str:
    """'<criteria file version>:<hash of the criteria and cue files>' — changes whenever either changes."""
    import yaml

    from qa_checks.feedback.referrals import CRITERIA_FILE, CUES_FILE, load_criteria  # noqa: F401

    digest = hashlib.sha256()
    version = "1"
    for path in (CRITERIA_FILE, CUES_FILE):
        data = path.read_bytes()
        digest.update(data)
        if path == CRITERIA_FILE:
            version = str((yaml.safe_load(data) or {}).get("version", 1))
    return f"{version}:{digest.hexdigest()[:12]}"


def _query(ids: list[int] | None):
    cols = [Referral.__table__.c[c] for c in REFERRAL_COLUMNS] + [Lead.__table__.c[c].label(f"lead_{c}")
                                                                   for c in LEAD_COLUMNS]
    q = select(*cols).join(Lead, Lead.id == Referral.lead_id).order_by(Referral.id)
    if ids is not None:
        q = q.where(Referral.id.in_(ids))
    return q


_N_REFERRAL = len(REFERRAL_COLUMNS)


def _record(row: tuple) -> tuple[int, dict]:
    """(referral id, nested check record) from one row of `_query` (referral columns, then lead columns)."""
    flat = dict(zip(REFERRAL_COLUMNS, row))
    lead = dict(zip(LEAD_COLUMNS, row[_N_REFERRAL:]))
    return flat["id"], check_record(flat, lead)


def _score_rows(rows: list[tuple]) -> list[tuple[int, int, bool, list[str]]]:
    """Check the referrals of some `_query` rows (in a worker process, or in this one)."""
    from qa_checks.feedback.referrals import check_referral

    out = []
    for row in rows:
        referral_id, record = _record(row)
        # trusted: check_record built the record from the store, so it has the schema's shape.
        r = check_referral(record, path=f"referral {referral_id}", trusted=True)
        failed = [cid for cid, b in r.breakdown.items() if b.applicable and not b.passed]
        out.append((referral_id, r.score, r.would_be_returned, failed))
    return out


def _row_chunks(store: Store, ids: list[int] | None = None):
    """The rows of `_query` as plain tuples, CHUNK at a time (small to send to a worker)."""
    with store.engine.connect() as conn:
        result = conn.execute(_query(ids))
        while True:
            rows = result.fetchmany(CHUNK)
            if not rows:
                return
            yield [tuple(r) for r in rows]


# A worker process's own connection to the database (one engine per process, made after the fork).
_WORKER_STORES: dict[str, Store] = {}


def _score_range(url: str, lo: int, hi: int, ids: list[int] | None) -> list[tuple[int, int, bool, list[str]]]:
    """In a worker: read the referrals with lo <= id <= hi (and in `ids`, when given) and check them."""
    store = _WORKER_STORES.get(url)
    if store is None:
        store = _WORKER_STORES[url] = Store(url)
    q = _query(ids).where(Referral.id.between(lo, hi))
    with store.engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(q)]
    return _score_rows(rows)


def _workers_can_read(store: Store) -> bool:
    """Whether a worker process can open the database itself (not an in-memory SQLite database)."""
    url = store.engine.url
    return not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))


def _id_ranges(store: Store, ids: list[int] | None):
    """(first id, last id) of each CHUNK of the referrals `_query` reads, in id order."""
    q = select(Referral.id).join(Lead, Lead.id == Referral.lead_id).order_by(Referral.id)
    if ids is not None:
        q = q.where(Referral.id.in_(ids))
    with store.engine.connect() as conn:
        found = list(conn.execute(q).scalars())
    return [(found[k], found[min(k + CHUNK, len(found)) - 1]) for k in range(0, len(found), CHUNK)]


def _records(store: Store, ids: list[int] | None = None):
    """(referral id, nested check record) for every referral (or those in `ids`), in id order."""
    for rows in _row_chunks(store, ids):
        yield from (_record(row) for row in rows)


def _workers(requested: int | None, n: int) -> int:
    if requested is not None:
        return max(1, requested)
    if n < POOL_FROM:
        return 1  # a pool costs more than it saves on a small database
    return max(1, min(os.cpu_count() or 1, 8))


def _warm_up() -> None:
    """Load and index the reference data once here, so forked workers start with it (and a broken
    reference file is reported from this process)."""
    from qa_checks.feedback.referrals import (
        _cue_group,
        load_criteria,
        load_narrative_cues,
    )
    from qa_checks.walkthrough.indicators import all_indicators

    load_criteria()
    for element in load_narrative_cues().elements.values():
        _cue_group(element.cues)
    for ind in all_indicators().values():
        _cue_group(ind.cues)


def score_all(store: Store, *, workers: int | None = None, quiet: bool = True, ids: list[int] | None = None) -> dict:
    """Check every referral (or only `ids`) and replace their stored quality rows, in one transaction.

    Returns {"referrals", "seconds", "workers", "criteria_version"}.
    """
    t0 = time.perf_counter()
    version = criteria_version()
    with store.read() as s:
        q = select(func.count(Referral.id))
        total = s.scalar(q if ids is None else q.where(Referral.id.in_(ids)))
    n_workers = _workers(workers, total)
    results: list[tuple[int, int, bool, list[str]]] = []
    done = 0

    def progress():
        if not quiet:
            print(f"\r  scoring referrals: {done:,}/{total:,}", end="", file=sys.stderr, flush=True)

    if n_workers == 1:
        for rows in _row_chunks(store, ids):
            results.extend(_score_rows(rows))
            done += len(rows)
            progress()
    else:
        # fork: workers inherit the loaded criteria, cue index and indicator catalogue. Each worker reads its
        # own ranges of referrals (reading and decoding rows costs about a quarter as much as checking them,
        # and would otherwise all fall on this process); an in-memory database is read here and its rows
        # sent out instead. Results come back in id order.
        ctx = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
        if ctx is not None:
            _warm_up()
        with ProcessPoolExecutor(max_workers=n_workers, mp_context=ctx) as pool:
            if _workers_can_read(store):
                futures = [pool.submit(_score_range, store.url, lo, hi, ids) for lo, hi in _id_ranges(store, ids)]
            else:
                futures = [pool.submit(_score_rows, rows) for rows in _row_chunks(store, ids)]
            for future in futures:
                part = future.result()
                results.extend(part)
                done += len(part)
                progress()
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [{"referral_id": rid, "score": score, "would_be_returned": back, "failed_criteria": failed,
             "checked_at": now, "criteria_version": version} for rid, score, back, failed in results]
    with store.engine.begin() as conn:
        if ids is None:
            conn.execute(delete(ReferralQuality))
        else:
            conn.execute(delete(ReferralQuality).where(ReferralQuality.referral_id.in_(ids)))
        for k in range(0, len(rows), 5000):
            conn.execute(insert(ReferralQuality), rows[k:k + 5000])
    seconds = round(time.perf_counter() - t0, 2)
    if not quiet:
        print(f"\r  scoring referrals: done in {seconds}s ({n_workers} worker{'s' if n_workers > 1 else ''})"
              + " " * 10, file=sys.stderr)
    return {"referrals": len(rows), "seconds": seconds, "workers": n_workers, "criteria_version": version}


def stale_count(store: Store) -> int:
    """Referrals with no stored score, or one computed with other criteria than today's."""
    version = criteria_version()
    with store.read() as s:
        total = s.scalar(select(func.count(Referral.id)))
        current = s.scalar(select(func.count(ReferralQuality.referral_id))
                           .where(ReferralQuality.criteria_version == version))
    return int(total - current)
