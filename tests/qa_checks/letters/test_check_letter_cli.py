"""`workbench check-letter` as a drafter or a script uses it: exit codes, formats, and bad input.

In process (`workbench.cli.main`), with one subprocess smoke test of the real command."""
import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path
from unittest import mock

import docx
import pytest

import reference

LETTERS = Path(reference.__file__).parent / "letters"
FLAWED = LETTERS / "flawed" / "adult_cg_negative_2014_template.txt"
CLEAN = LETTERS / "clean" / "adult_cg_positive_labour.txt"


def run(*args, stdin: bytes | None = None):
    from workbench.cli import main

    out, err = io.StringIO(), io.StringIO()
    fake_stdin = io.TextIOWrapper(io.BytesIO(stdin or b""), encoding="utf-8")
    with mock.patch.object(sys, "stdin", fake_stdin), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        try:
            code = main(["check-letter", *map(str, args)])
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_the_installed_command_checks_a_letter_from_standard_input():
    proc = subprocess.run([sys.executable, "-m", "workbench", "check-letter", "--fast", "-"],
                          input=b"You claim that you were forced to work.\n", capture_output=True, timeout=120)
    assert proc.returncode == 1 and b"claimed-language" in proc.stdout and not proc.stderr


def test_a_clean_letter_exits_0_and_prints_nothing():
    code, out, err = run(CLEAN, "--decided-on", "2022-06-01")
    assert (code, out.strip()) == (0, ""), err


def test_a_flawed_letter_exits_1_with_path_line_col_level_category_message():
    code, out, _ = run(FLAWED)
    assert code == 1
    first = out.splitlines()[0]
    path, line, col, rest = first.split(":", 3)
    assert path == str(FLAWED) and line.isdigit() and col.isdigit()
    level, category, message = rest.strip().split(" ", 2)
    assert level in {"info", "warning", "critical"} and message.startswith("Consider")
    assert "claimed-language" in out and "trauma-dismissal" in out


def test_json_gives_offsets_into_the_decoded_text_for_each_path_as_given(tmp_path):
    text = "Dear Ms A — welcome.\n\nYou claim that you were forced to work.\n"
    f = tmp_path / "draft.md"
    f.write_text(text, encoding="utf-8")
    code, out, _ = run("--format", "json", f, CLEAN)
    assert code == 1
    results = json.loads(out)["results"]
    assert [r["path"] for r in results] == [str(f), str(CLEAN)]
    claimed = [x for x in results[0]["findings"] if x["category"] == "claimed-language"]
    assert text[claimed[0]["start"]:claimed[0]["end"]] == "You claim that"
    for key in ("category", "start", "end", "level", "message", "suggestion", "source", "rule_id", "confidence"):
        assert key in claimed[0]


def test_stdin_is_read_with_dash():
    code, out, _ = run("--format", "json", "--stage", "rg", "-",
                       stdin=b"On the balance of probabilities you are not a victim.")
    findings = json.loads(out)["results"][0]["findings"]
    assert code == 1 and json.loads(out)["results"][0]["path"] == "-"
    assert "wrong-standard-of-proof" in {x["category"] for x in findings}


def test_a_docx_letter_is_read(tmp_path):
    d = docx.Document()
    d.add_paragraph("Dear Mr B,")
    d.add_paragraph("The alleged trafficker was never charged.")
    path = tmp_path / "letter.docx"
    d.save(path)
    code, out, _ = run("--format", "json", path)
    cats = {x["category"] for x in json.loads(out)["results"][0]["findings"]}
    assert code == 1 and {"claimed-language", "prosecution-dependence"} <= cats


@pytest.mark.parametrize("name,content,problem", [
    ("empty.txt", b"", "is empty"),
    ("blank.txt", b"  \n\n", "is empty"),
    ("binary.txt", b"\x00\x01\x02binary", "binary"),
    ("latin1.txt", "café letter".encode("latin-1"), "not valid UTF-8"),
    ("broken.docx", b"PK\x03\x04 this is not really a zip", "not a readable .docx"),
    ("notzip.docx", b"plain text pretending", "not a readable .docx"),
    ("scan.pdf", b"%PDF-1.4", "PDF"),
])
def test_bad_input_gets_one_clear_line_and_exit_2(tmp_path, name, content, problem):
    path = tmp_path / name
    path.write_bytes(content)
    code, out, err = run(path)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and str(path) in err and problem in err and "Traceback" not in err


def test_a_file_over_10_mb_is_refused(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"a" * (10 * 1024 * 1024 + 1))
    code, _, err = run(path)
    assert code == 2 and "10 MB" in err and "Traceback" not in err


def test_a_missing_file_is_named_and_nothing_is_checked(tmp_path):
    code, out, err = run(CLEAN, tmp_path / "nope.txt")
    assert code == 2 and out == "" and "nope.txt: no such file" in err


def test_a_bad_option_is_a_usage_error():
    code, _, err = run("--stage", "appeal", CLEAN)
    assert code == 2 and "invalid choice" in err
