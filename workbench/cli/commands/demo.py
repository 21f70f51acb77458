"""workbench demo: build a reproducible demo database."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from workbench.cli.commands._common import add_db
from workbench.core.errors import UserError

NAME = "demo"
HELP = "Build a reproducible demo database (same seed, same data)"


def configure(p) -> None:
    add_db(p)
    p.add_argument("--cases", type=int, default=2000, metavar="N", help="number of referrals (default 2000)")
    p.add_argument("--seed", type=int, default=2014, metavar="S", help="random seed (default 2014)")
    p.add_argument("--profile", choices=("2013", "2024"), default="2013",
                   help="calibrate to the review's 2013 figures or the recent 2024 shape (default 2013)")
    p.add_argument("--force", action="store_true", help="replace an existing database file")
    p.add_argument("--quiet", action="store_true", help="no progress output")


def run(args) -> int:
    from workbench.core.store import create_store, database_url
    from workbench.demo.build import build_demo

    if args.cases < 1:
        raise UserError(f"--cases must be at least 1, not {args.cases}")
    url = database_url(args.db)
    if not url.startswith("sqlite:///"):
        store = create_store(url)  # a server database: build in place (it must be empty)
        summary = build_demo(store, cases=args.cases, seed=args.seed, profile=args.profile, quiet=args.quiet)
        store.dispose()
    else:
        target = Path(url[len("sqlite:///"):])
        if target.exists() and not args.force:
            raise UserError(f"{target} already exists; pass --force to replace it")
        # Build beside the target and move it into place only when complete: nothing half-written.
        tmp = target.with_name(target.name + ".building")
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
        try:
            store = create_store(tmp)
            summary = build_demo(store, cases=args.cases, seed=args.seed, profile=args.profile, quiet=args.quiet)
            store.dispose()
            os.replace(tmp, target)
        except BaseException:
            for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
                leftover.unlink(missing_ok=True)
            raise
        for stale in (Path(f"{target}-wal"), Path(f"{target}-shm")):
            stale.unlink(missing_ok=True)
        url = str(target)
    print(f"Built {summary['cases']:,} demo cases (profile {summary['profile']}, seed {summary['seed']}, "
          f"as of {summary['as_of']}) in {summary['seconds']}s: {url}", file=sys.stderr)
    return 0
