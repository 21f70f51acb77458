"""Bad input gets one clear line on stderr and exit code 2, never a traceback, and writes nothing.

Run in process (`workbench.cli.main`), with one subprocess smoke test of the installed command."""
import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest

from workbench.cli import main

WORKBENCH = str(Path(sys.executable).parent / "workbench")
IDENTITY = ("JUPYTERHUB_USER", "WORKBENCH_USER", "WORKBENCH_DB")


def run(*args, env=None):
    """The command as a user would run it, in this process: exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    clean = {k: v for k, v in os.environ.items() if k not in IDENTITY}
    with mock.patch.dict(os.environ, {**clean, **(env or {})}, clear=True), \
            contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's own usage errors
            code = exc.code
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def test_the_installed_command_reports_a_missing_database(tmp_path):
    r = subprocess.run([WORKBENCH, "stats", "--db", str(tmp_path / "nope.db")], capture_output=True, text=True,
                       timeout=120, env={"PATH": "/usr/bin:/bin"})
    assert r.returncode == 2 and "database file not found" in r.stderr and "Traceback" not in r.stderr


def assert_clean_error(result, *needles):
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    assert len(lines) <= 3, result.stderr
    for n in needles:
        assert n in result.stderr


def test_missing_database(tmp_path):
    assert_clean_error(run("stats", "--db", str(tmp_path / "nope.db")), "database file not found", "nope.db")
    assert not (tmp_path / "nope.db").exists()


def test_corrupt_database(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database" * 100)
    assert_clean_error(run("stats", "--db", str(bad)), "bad.db")
    assert bad.read_bytes() == b"this is not a database" * 100


def test_a_database_that_is_not_a_workbench_database(tmp_path):
    import sqlite3
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    assert_clean_error(run("users", "--db", str(other)), "not a workbench database")


def test_unknown_user_is_refused(demo_db_file):
    assert_clean_error(run("serve", "--db", str(demo_db_file), "--user", "nobody", "--port", "8998"),
                       "unknown user 'nobody'")


def test_jupyterhub_user_wins_over_the_command_line(demo_db_file):
    r = run("serve", "--db", str(demo_db_file), "--user", "chair-london", "--port", "8997",
            env={"JUPYTERHUB_USER": "intruder"})
    assert_clean_error(r, "unknown user 'intruder'")


def test_no_user_at_all(demo_db_file):
    assert_clean_error(run("serve", "--db", str(demo_db_file), "--port", "8996"), "no user given")


@pytest.mark.parametrize("args", [("stats", "--format", "xml"), ("demo", "--cases", "many"), ("frobnicate",),
                                  ("demo", "--profile", "1999")])
def test_bad_flags(args):
    r = run(*args)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "usage:" in r.stderr


def test_unreadable_roles_file_names_the_file(tmp_path):
    from workbench.core.errors import UserError
    from workbench.core.policy import load_policy
    f = tmp_path / "roles.yaml"
    f.write_text("roles:\n  panel_chair:\n    permissions:\n      fly: all\n")
    with pytest.raises(UserError) as exc:
        load_policy(f)
    assert "roles.yaml" in str(exc.value) and "unknown action 'fly'" in str(exc.value)


def test_users_json_lists_every_role(demo_db_file):
    import json
    r = run("users", "--db", str(demo_db_file), "--format", "json")
    users = json.loads(r.stdout)
    assert {u["role"] for u in users} == {"panel_chair", "panel_member", "qa_reviewer", "trainer", "case_manager",
                                          "admin"}
    assert all(set(u) == {"name", "role", "panel"} for u in users)


def test_a_bad_reference_file_is_one_line_naming_the_file_and_entry(tmp_path, demo_db_file, monkeypatch):
    import qa_checks.legal_tests as lt
    bad = tmp_path / "legal_tests.yaml"
    bad.write_text("tests:\n  - stage: rg\n    wording: [not, text]\n", encoding="utf-8")
    monkeypatch.setattr(lt, "_PATH", bad)
    lt._load.cache_clear()
    letter = tmp_path / "letter.txt"
    letter.write_text("Dear Ms A,\nWe have decided on the balance of probabilities.\n", encoding="utf-8")
    try:
        r = run("check-letter", "--decided-on", "2016-01-01", "--no-model", str(letter))
    finally:
        lt._load.cache_clear()
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "legal_tests.yaml" in r.stderr
