"""The README's command-line synopsis is the parsers' own: add a flag and this fails until the README says so."""
import re
from pathlib import Path

from workbench.cli.synopsis import synopsis

README = Path(__file__).resolve().parents[3] / "README.md"


def test_the_readme_synopsis_matches_the_parsers():
    text = README.read_text(encoding="utf-8")
    block = re.search(r"## Command line\n+```sh\n(.*?)\n```", text, re.S)
    assert block, "README.md has no ```sh block under '## Command line'"
    assert block.group(1).strip() == synopsis(), (
        "README's synopsis is out of date: paste the output of `python -m workbench.cli.synopsis`")
