"""`workbench check-referral` as a lead or trainer runs it: exit codes, JSON shape, and one clear line on
bad input naming the file, line or field."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.cli.main import main

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "reference" / "examples" / "referrals"


def run(capsys, *args):
    code = main(["check-referral", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def referral(name):
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def test_a_good_referral_exits_0_and_prints_its_score(capsys):
    code, out, err = run(capsys, EXAMPLES / "adult_thorough.json")
    assert code == 0 and err == ""
    assert "score 100/100" in out and "would not be returned" in out
    assert "1 referral checked; 0 would be returned" in out


def test_any_returned_referral_exits_1_and_says_why(capsys):
    code, out, _ = run(capsys, EXAMPLES / "adult_thorough.json", EXAMPLES / "adult_unsigned.json")
    assert code == 1
    assert "WOULD BE RETURNED for errors (consent.signed)" in out
    assert "consent_signed" in out and "why:" in out


def test_json_output_has_exactly_the_documented_shape(capsys):
    code, out, _ = run(capsys, "--format", "json", *sorted(EXAMPLES.glob("*.json")))
    assert code == 1
    data = json.loads(out)
    assert set(data) == {"results"} and len(data["results"]) == 5
    for r in data["results"]:
        assert set(r) == {"path", "score", "would_be_returned", "findings"}
        assert isinstance(r["score"], int) and 0 <= r["score"] <= 100
        for f in r["findings"]:
            assert set(f) == {"criterion", "level", "field", "message"}
            assert f["level"] in ("info", "warning", "critical") and f["field"]
    by_path = {Path(r["path"]).name: r for r in data["results"]}
    assert by_path["adult_thorough.json"]["findings"] == []
    assert by_path["detention_unendorsed.json"]["would_be_returned"] is True
    crit = {f["criterion"] for f in by_path["tick_box_only.json"]["findings"]}
    assert "narrative.present" in crit and "indicators.explained" in crit


def test_a_list_file_gives_one_result_per_referral_named_file_hash_n(capsys, tmp_path):
    f = tmp_path / "batch.json"
    f.write_text(json.dumps([referral("adult_thorough"), referral("child"), referral("adult_unsigned")]))
    code, out, _ = run(capsys, "--format", "json", f)
    assert code == 1
    paths = [r["path"] for r in json.loads(out)["results"]]
    assert paths == [f"{f}#1", f"{f}#2", f"{f}#3"]


def test_malformed_json_names_the_file_and_line(capsys, tmp_path):
    f = tmp_path / "broken.json"
    f.write_text('{\n  "id": "x",\n  "lead": {"id": "L1",}\n}\n')
    code, out, err = run(capsys, EXAMPLES / "adult_thorough.json", f)
    assert code == 2 and out == ""  # nothing half-written
    assert str(f) in err and "line 3" in err and err.count("\n") == 1


def test_missing_required_keys_name_the_file_and_every_field(capsys, tmp_path):
    rec = referral("adult_thorough")
    del rec["received_on"], rec["person"]["is_child"]
    good = referral("adult_thorough")
    f = tmp_path / "two.json"
    f.write_text(json.dumps([good, rec]))
    code, out, err = run(capsys, "--format", "json", f)
    assert code == 2 and out == ""
    assert f"{f}#2: field 'received_on': missing required field" in err
    assert f"{f}#2: field 'person.is_child': missing required field" in err
    assert "#1" not in err


def test_a_missing_file_and_an_empty_list_are_input_errors(capsys, tmp_path):
    empty = tmp_path / "empty.json"
    empty.write_text("[]")
    code, _, err = run(capsys, tmp_path / "nope.json", empty)
    assert code == 2
    assert "nope.json: no such file" in err and "empty list" in err


def test_the_installed_command_runs_end_to_end():
    exe = Path(sys.executable).with_name("workbench")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "workbench"]
    p = subprocess.run(cmd + ["check-referral", "--format", "json", str(EXAMPLES / "tick_box_only.json")],
                       capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["results"][0]["score"] < 40


@pytest.mark.parametrize("bad", ['"just a string"', "42"])
def test_a_file_that_is_not_a_referral_object(capsys, tmp_path, bad):
    f = tmp_path / "odd.json"
    f.write_text(bad)
    code, _, err = run(capsys, f)
    assert code == 2 and "must be a JSON object" in err
