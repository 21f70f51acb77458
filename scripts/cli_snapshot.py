"""Write every CLI command's JSON output for one demo database and the shipped letters and referrals
into a folder, so two versions of the code can be compared byte for byte:

    python scripts/cli_snapshot.py /tmp/before   # on the old code
    python scripts/cli_snapshot.py /tmp/after    # on the new code
    diff -r /tmp/before /tmp/after               # nothing printed = behaviour unchanged

Used for the journey-layout refactor (issue 9); the database is rebuilt from a fixed seed each time.
"""
from __future__ import annotations

import glob
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKBENCH = [sys.executable, "-m", "workbench"]


def run(out: Path, name: str, *args: str) -> None:
    proc = subprocess.run([*WORKBENCH, *args], capture_output=True, text=True, cwd=ROOT)
    (out / f"{name}.out").write_text(f"exit {proc.returncode}\n{proc.stdout}{proc.stderr}")


def main(out_dir: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    db = str(out / "snapshot.db")
    for profile in ("2013", "2024"):
        subprocess.run([*WORKBENCH, "demo", "--db", db, "--cases", "1500", "--seed", "7", "--profile", profile,
                        "--force"], check=True, capture_output=True, cwd=ROOT)
        run(out, f"stats-{profile}", "stats", "--db", db, "--format", "json")
        run(out, f"users-{profile}", "users", "--db", db, "--format", "json")
        run(out, f"leads-{profile}", "leads", "--db", db, "--format", "json")
        run(out, f"audit-{profile}", "audit", "verify", "--db", db)
    letters = sorted(glob.glob(str(ROOT / "reference/letters/clean/*.txt"))
                     + glob.glob(str(ROOT / "reference/letters/flawed/*.txt")))
    run(out, "check-letter-rules", "check-letter", "--format", "json", "--no-model", *letters)
    referrals = sorted(glob.glob(str(ROOT / "reference/examples/referrals/*.json")))
    run(out, "check-referral", "check-referral", "--format", "json", *referrals)
    Path(db).unlink()


if __name__ == "__main__":
    main(sys.argv[1])
