import shutil
from pathlib import Path

import pytest

from workbench.core.store import create_store, open_store
from workbench.demo.build import build_demo

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory) -> Path:
    """A small 2013-profile demo database, built once per test run; never written to directly."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    store = create_store(path)
    build_demo(store, cases=800, seed=7, profile="2013", quiet=True)
    store.dispose()
    return path


@pytest.fixture
def demo_db(demo_db_file, tmp_path) -> Path:
    """A private copy of the demo database a test may change."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_db_file, path)
    return path


@pytest.fixture
def store(demo_db):
    s = open_store(demo_db)
    yield s
    s.dispose()
