"""Demo databases for the benchmarks, built once per run and shared (a 20,000-case database is used by
several apps' benchmarks)."""
import time

import pytest

from workbench.core.store import create_store
from workbench.demo.build import build_demo


@pytest.fixture(scope="session")
def demo_db_of(tmp_path_factory):
    """demo_db_of(cases) -> (path, seconds it took to build); the same size is built only once."""
    built: dict[int, tuple] = {}

    def get(cases: int):
        if cases not in built:
            path = tmp_path_factory.mktemp(f"bench{cases}") / f"demo{cases}.db"
            store = create_store(path)
            t0 = time.perf_counter()
            build_demo(store, cases=cases, seed=2014, profile="2013", quiet=True)
            store.dispose()
            built[cases] = (path, time.perf_counter() - t0)
            print(f"\n[bench] built a {cases:,}-case 2013-profile demo database in {built[cases][1]:.1f} s")
        return built[cases]

    return get
