"""`workbench leads` and `workbench feedback-report` as a trainer runs them: JSON shape, suppression,
a self-contained report, and one clear line (exit 2, nothing written) on bad input."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from workbench.cli.main import main
from workbench.core.store import open_store
from workbench.core.tables import Referral


def run(capsys, *args):
    code = main([*map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def leads_json(capsys, db):
    code, out, err = run(capsys, "leads", "--db", db, "--format", "json")
    assert code == 0 and err == ""
    return json.loads(out)


def test_leads_json_lists_every_lead_with_the_named_keys(capsys, demo_db_file):
    leads = leads_json(capsys, demo_db_file)
    assert len(leads) >= 40
    for l in leads:
        assert list(l) == ["id", "organisation", "organisation_type", "region", "referrals"]
        assert isinstance(l["id"], str) and re.fullmatch(r"SSL-\d{5}", l["id"])
        assert isinstance(l["organisation"], str) and isinstance(l["region"], str)


def test_leads_json_shows_counts_under_five_as_less_than_five(capsys, demo_db_file):
    leads = leads_json(capsys, demo_db_file)
    assert any(l["referrals"] == "<5" for l in leads)
    for l in leads:
        assert l["referrals"] == "<5" or (type(l["referrals"]) is int and l["referrals"] >= 5)
    store = open_store(demo_db_file)
    with store.read() as s:
        total = len(s.scalars(select(Referral.id)).all())
    store.dispose()
    shown = sum(l["referrals"] for l in leads if l["referrals"] != "<5")
    assert shown <= total


def test_leads_text_is_a_table(capsys, demo_db_file):
    code, out, _ = run(capsys, "leads", "--db", demo_db_file)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["id", "referrals"] and len(lines) > 40
    assert not any(re.search(r"\s[0-4]\s", line[:22]) for line in lines[1:])


def test_feedback_report_writes_one_self_contained_html_file(capsys, demo_db_file, tmp_path):
    lead = max(leads_json(capsys, demo_db_file), key=lambda l: l["referrals"] if l["referrals"] != "<5" else 0)
    out_file = tmp_path / "report.html"
    code, out, err = run(capsys, "feedback-report", "--lead", lead["id"], "--db", demo_db_file, "--out", out_file)
    assert code == 0, err
    assert f"Wrote the feedback report for {lead['id']}" in err
    html = out_file.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and f"Lead {lead['id']}" in html
    assert html.count("<svg") >= 4                    # charts inlined
    assert "<script" not in html                      # nothing to run, nothing to fetch
    assert not re.search(r"""(src|href)\s*=\s*['"]?https?:""", html)
    assert "<link" not in html and "@import" not in html
    assert "@media print" in html and "@page" in html
    assert list(tmp_path.iterdir()) == [out_file]     # no temporary file left beside it


def test_feedback_report_accepts_the_number_id_too(capsys, demo_db_file, tmp_path):
    code, _, err = run(capsys, "feedback-report", "--lead", "1", "--db", demo_db_file, "--out", tmp_path / "r.html")
    assert code == 0, err and (tmp_path / "r.html").exists()


@pytest.mark.parametrize("lead", ["SSL-99999", "nobody", "0"])
def test_an_unknown_lead_is_one_line_exit_2_and_nothing_written(capsys, demo_db_file, tmp_path, lead):
    target = tmp_path / "r.html"
    target.write_text("the previous report")
    code, out, err = run(capsys, "feedback-report", "--lead", lead, "--db", demo_db_file, "--out", target)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "no lead" in err and "workbench leads" in err
    assert target.read_text() == "the previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]


def test_a_bad_out_path_is_one_line_exit_2(capsys, demo_db_file, tmp_path):
    code, _, err = run(capsys, "feedback-report", "--lead", "1", "--db", demo_db_file,
                       "--out", tmp_path / "missing" / "r.html")
    assert code == 2 and "does not exist" in err and err.count("\n") == 1
    code, _, err = run(capsys, "feedback-report", "--lead", "1", "--db", demo_db_file, "--out", tmp_path)
    assert code == 2 and "is a folder" in err


def test_a_missing_database_is_one_line_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, "feedback-report", "--lead", "1", "--db", tmp_path / "none.db",
                       "--out", tmp_path / "r.html")
    assert code == 2 and "database file not found" in err
    code, _, err = run(capsys, "leads", "--db", tmp_path / "none.db", "--format", "json")
    assert code == 2 and "database file not found" in err
    assert not (tmp_path / "r.html").exists()


def test_the_export_is_in_the_audit_log(capsys, demo_db, tmp_path):
    from workbench.core.tables import AuditEntry

    code, _, _ = run(capsys, "feedback-report", "--lead", "1", "--db", demo_db, "--out", tmp_path / "r.html")
    assert code == 0
    store = open_store(demo_db)
    with store.read() as s:
        last = s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
    store.dispose()
    assert last and last[-1].record_type == "feedback_report" and last[-1].detail["leads"] == ["SSL-00001"]
