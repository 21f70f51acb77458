"""Foundation figures: 100,000-case demo generation (target < 60 s) and loading one panel's queue
from that database (target < 100 ms median). Run with `make bench`; the figures are printed."""
import statistics
from datetime import date

import pytest

from workbench.core.session import Session
from workbench.core.store import open_store
from workbench.walkthrough.actions import panel_queue

CASES = 100_000


@pytest.fixture(scope="module")
def big_db(demo_db_of):
    path, seconds = demo_db_of(CASES)
    print(f"\n[bench] demo generation: {CASES:,} cases in {seconds:.1f} s (target < 60 s)")
    return path, seconds


def test_demo_generation_100k(big_db):
    _, seconds = big_db
    assert seconds > 0  # the figure is printed above; the target is judged from it, not asserted


def test_panel_queue_load(big_db, benchmark):
    path, _ = big_db
    store = open_store(path)
    chair = Session(store, "chair-london")  # the busiest panel
    rows = benchmark(lambda: panel_queue(chair, as_of=date(2013, 12, 31)))
    times = benchmark.stats.stats.data if benchmark.stats else []
    median_ms = 1000 * statistics.median(times) if times else float("nan")
    print(f"\n[bench] queue load for {chair.user.panel_name}: {len(rows):,} open cases, "
          f"median {median_ms:.1f} ms (target < 100 ms)")
