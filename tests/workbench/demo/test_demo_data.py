"""The demo generator: reproducible, calibrated to the review's 2013 figures, with varied quality."""
import json
import re
import sqlite3

import pytest

from workbench.cli.main import main
from workbench.core.store import create_store
from workbench.demo.build import build_demo


def _dump(path):
    con = sqlite3.connect(path)
    out = {t: con.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
           for t in ("referrals", "cases", "decisions", "evidence_items", "indicator_assessments", "letter_drafts",
                     "review_requests", "qa_reviews", "leads", "users")}
    con.close()
    return out


def test_same_seed_same_data_and_another_seed_differs(tmp_path):
    for name, seed in (("a", 11), ("b", 11), ("c", 12)):
        store = create_store(tmp_path / f"{name}.db")
        build_demo(store, cases=300, seed=seed, quiet=True)
        store.dispose()
    a, b, c = (_dump(tmp_path / f"{n}.db") for n in "abc")
    assert a == b
    assert a["referrals"] != c["referrals"]


@pytest.mark.slow
def test_a_20000_case_2013_database_matches_the_reviews_figures(tmp_path, capsys):
    db = tmp_path / "demo20k.db"
    assert main(["demo", "--db", str(db), "--cases", "20000", "--profile", "2013", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["stats", "--db", str(db), "--format", "json"]) == 0
    stats = json.loads(capsys.readouterr().out)

    def close(key, want, tol=0.02):
        return abs(stats[key] - want) <= tol

    assert stats["cases"] == 20000
    assert close("children_share", 0.22)
    for kind, share in {"home_office": .42, "police": .25, "ngo": .21, "local_authority": .09, "nca": .02,
                        "gla": .01}.items():
        assert abs(stats["referrer_mix"][kind] - share) <= 0.02, kind
    assert close("returned_for_errors_rate", 0.09)
    assert close("unsigned_share_of_returned", 0.64)
    assert close("rg_positive_rate", 0.74)
    assert close("cg_positive_rate_of_referrals", 0.45)
    assert abs(stats["mean_days_to_rg"] - 7) <= 1.5
    assert abs(stats["mean_days_to_cg"] - 56) <= 8


def test_leads_differ_in_referral_quality(demo_db_file):
    con = sqlite3.connect(demo_db_file)
    per_lead = con.execute("""SELECT lead_id, AVG(CASE WHEN narrative IS NULL OR LENGTH(narrative) < 120
                              THEN 1.0 ELSE 0.0 END), COUNT(*) FROM referrals GROUP BY lead_id HAVING COUNT(*) >= 5""")
    thin = [share for _, share, _ in per_lead]
    assert min(thin) < 0.2 and max(thin) > 0.8  # some thorough leads, some tick-box only


def test_some_letter_drafts_carry_seeded_flaws_as_ground_truth(demo_db_file):
    con = sqlite3.connect(demo_db_file)
    flawed = [json.loads(f) for (f,) in con.execute("SELECT seeded_flaws FROM letter_drafts WHERE seeded_flaws IS NOT NULL")]
    total = con.execute("SELECT COUNT(*) FROM letter_drafts").fetchone()[0]
    assert 0.05 < len(flawed) / total < 0.4
    assert {c for f in flawed for c in f} >= {"claimed-language", "corroboration-demand", "trauma-dismissal"}


def test_demo_refuses_to_overwrite_and_leaves_nothing_half_written(tmp_path, capsys):
    db = tmp_path / "x.db"
    db.write_bytes(b"keep me")
    assert main(["demo", "--db", str(db), "--cases", "50", "--quiet"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert db.read_bytes() == b"keep me"
    assert not list(tmp_path.glob("*.building*"))


def test_no_demo_text_shows_an_unfilled_placeholder(demo_db_file):
    con = sqlite3.connect(demo_db_file)
    texts = [("referrals", "narrative"), ("referrals", "encounter_circumstances"), ("evidence_items", "summary"),
             ("decisions", "reasons"), ("letter_drafts", "text")]
    for table, column in texts:
        for (value,) in con.execute(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL"):
            assert not re.search(r"\{[A-Za-z_]+\}", value), f"{table}.{column}: {value[:120]}"
