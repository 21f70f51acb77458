"""Stored referral quality scores: `qa_checks.referrals.check_referral` run once per referral and kept.

Checking one referral takes about 1.5 ms (mostly the narrative cue searches), so 200,000 take minutes:
far too slow for a dashboard. `score_all(store)` checks every referral (in worker processes when there
are several CPUs) and writes one `ReferralQuality` row per referral: the score, whether it would be
returned for errors, the criteria that applied and were not met, when, and which criteria version.
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
from datetime import datetime, timezone

from sqlalchemy import delete, func, insert, select

from workbench.model import Lead, Referral, ReferralQuality
from workbench.referral_records import check_record
from workbench.store import Store

CHUNK = 2000
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
    from qa_checks.referrals import CRITERIA_FILE, CUES_FILE, load_criteria  # noqa: F401
    import yaml

    digest = hashlib.sha256()
    version = "1"
    for path in (CRITERIA_FILE, CUES_FILE):
        data = path.read_bytes()
        digest.update(data)
        if path == CRITERIA_FILE:
            version = str((yaml.safe_load(data) or {}).get("version", 1))
    return f"{version}:{digest.hexdigest()[:12]}"


def _score_chunk(records: list[tuple[int, dict]]) -> list[tuple[int, int, bool, list[str]]]:
    from qa_checks.referrals import check_referral

    out = []
    for referral_id, record in records:
        r = check_referral(record, path=f"referral {referral_id}")
        failed = [cid for cid, b in r.breakdown.items() if b.applicable and not b.passed]
        out.append((referral_id, r.score, r.would_be_returned, failed))
    return out


def _records(store: Store, ids: list[int] | None = None):
    """(referral id, nested check record) for every referral (or those in `ids`), in id order."""
    cols = [Referral.__table__.c[c] for c in REFERRAL_COLUMNS] + [Lead.__table__.c[c].label(f"lead_{c}")
                                                                   for c in LEAD_COLUMNS]
    q = select(*cols).join(Lead, Lead.id == Referral.lead_id).order_by(Referral.id)
    if ids is not None:
        q = q.where(Referral.id.in_(ids))
    with store.engine.connect() as conn:
        for row in conn.execute(q).mappings():
            flat = {c: row[c] for c in REFERRAL_COLUMNS}
            lead = {c: row[f"lead_{c}"] for c in LEAD_COLUMNS}
            yield flat["id"], check_record(flat, lead)


def _workers(requested: int | None, n: int) -> int:
    if requested is not None:
        return max(1, requested)
    if n < 4 * CHUNK:
        return 1  # a pool costs more than it saves on a small database
    return max(1, min(os.cpu_count() or 1, 8))


def score_all(store: Store, *, workers: int | None = None, quiet: bool = True, ids: list[int] | None = None) -> dict:
    """Check every referral (or only `ids`) and replace their stored quality rows, in one transaction.

    Returns {"referrals", "seconds", "workers", "criteria_version"}.
    """
    t0 = time.perf_counter()
    version = criteria_version()
    records = list(_records(store, ids))
    chunks = [records[k:k + CHUNK] for k in range(0, len(records), CHUNK)]
    n_workers = _workers(workers, len(records))
    results: list[tuple[int, int, bool, list[str]]] = []
    done = 0

    def progress():
        if not quiet:
            print(f"\r  scoring referrals: {done:,}/{len(records):,}", end="", file=sys.stderr, flush=True)

    if n_workers == 1:
        for chunk in chunks:
            results.extend(_score_chunk(chunk))
            done += len(chunk)
            progress()
    else:
        # fork: workers inherit the loaded criteria and indicator catalogue; they never touch the database.
        ctx = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
        with ProcessPoolExecutor(max_workers=n_workers, mp_context=ctx) as pool:
            for part in pool.map(_score_chunk, chunks):
                results.extend(part)
                done += len(part)
                progress()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
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
