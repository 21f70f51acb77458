import sqlite3
from datetime import date

import pytest

from workbench.cli.main import main
from workbench.core.cases import open_case
from workbench.core.session import Session
from workbench.walkthrough.actions import panel_queue, save_assessment


def _some_activity(store):
    chair = Session(store, "chair-london")
    rows = panel_queue(chair, as_of=date(2013, 12, 31))
    open_case(chair, rows[0].case_id)
    save_assessment(chair, rows[0].case_id, "uk.general.isolated", "present", expected_version=None)


def test_every_case_read_and_write_is_in_the_audit_log(store):
    from sqlalchemy import select

    from workbench.core.tables import AuditEntry
    with store.read() as s:
        before = s.query(AuditEntry).count()
    _some_activity(store)
    with store.read() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.id > before).order_by(AuditEntry.id)).all()
    assert [(e.user, e.action, e.record_type) for e in entries] == [
        ("chair-london", "list", "queue"), ("chair-london", "read", "case"),
        ("chair-london", "save", "indicator_assessment")]


def test_verify_passes_on_an_intact_log(store, demo_db, capsys):
    _some_activity(store)
    assert main(["audit", "verify", "--db", str(demo_db)]) == 0
    assert "intact" in capsys.readouterr().out


def test_the_log_cannot_be_updated_or_deleted_through_the_database(store, demo_db):
    _some_activity(store)
    con = sqlite3.connect(demo_db)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("UPDATE audit_log SET user = 'someone-else' WHERE id = 2")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("DELETE FROM audit_log WHERE id = 2")
    con.close()


def _tamper(path, sql):
    """What someone with the file and the will to hide a read would do: drop the guard, then edit."""
    con = sqlite3.connect(path)
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("DROP TRIGGER audit_log_no_delete")
    con.execute(sql)
    con.commit()
    con.close()


def test_verify_names_the_first_altered_entry(store, demo_db, capsys):
    _some_activity(store)
    store.dispose()
    _tamper(demo_db, "UPDATE audit_log SET user = 'someone-else' WHERE id = 3")
    assert main(["audit", "verify", "--db", str(demo_db)]) == 1
    err = capsys.readouterr().err
    assert "entry 3" in err and "altered" in err


def test_verify_names_a_removed_entry(store, demo_db, capsys):
    _some_activity(store)
    store.dispose()
    _tamper(demo_db, "DELETE FROM audit_log WHERE id = 2")
    assert main(["audit", "verify", "--db", str(demo_db)]) == 1
    assert "entry 2 is missing" in capsys.readouterr().err


def test_verify_detects_a_rewritten_hash(store, demo_db, capsys):
    _some_activity(store)
    store.dispose()
    # Change the stored hash's first digit to a different one (a forger covering an edit to entry 3).
    _tamper(demo_db, "UPDATE audit_log SET hash = (CASE WHEN substr(hash, 1, 1) = '0' THEN '1' ELSE '0' END)"
                     " || substr(hash, 2) WHERE id = 3")
    assert main(["audit", "verify", "--db", str(demo_db)]) == 1
    assert "broken at entry" in capsys.readouterr().err
