"""CSS and JavaScript live in widgets/<journey>/static/, read once through widgets.common.static_files."""
import re
from pathlib import Path

import pytest

from widgets.common import static_files as sf

WIDGETS = Path(sf.__file__).resolve().parents[1]


def python_files():
    return sorted(p for p in WIDGETS.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_stylesheet_is_written_inside_python():
    allowed = {WIDGETS / "common" / "static_files.py"}
    offenders = []
    for path in python_files():
        text = path.read_text(encoding="utf-8")
        # a <style> element made of literal CSS: `<style>` followed by a selector and a rule
        if path not in allowed and re.search(r"<style>\s*[.#a-z][^<{]*\{", text):
            offenders.append(str(path.relative_to(WIDGETS)))
    assert offenders == []


def test_every_static_file_named_in_the_code_exists_and_every_static_file_is_used():
    named = set()
    for path in python_files():
        text = path.read_text(encoding="utf-8")
        named |= set(re.findall(r'"([a-z_]+/[a-z_]+\.(?:css|js))"', text))
        named |= {f"{j}/{n}" for j, n in re.findall(r'static_path\("([a-z_]+)", "([a-z_.]+)"\)', text)}
    assert named, "the widgets name their static files"
    for ref in named:
        assert sf.static_text(ref).strip(), ref
    on_disk = {f"{p.parent.parent.name}/{p.name}" for p in WIDGETS.glob("*/static/*") if p.suffix in (".css", ".js")}
    assert on_disk - named == set(), "a static file nobody loads"


def test_a_file_is_read_once_and_a_style_tag_holds_the_files_in_order():
    sf.static_text.cache_clear()
    first = sf.static_text("common/workbench.css")
    assert sf.static_text("common/workbench.css") is first
    assert sf.static_text.cache_info().hits >= 1
    tag = sf.style_tag("common/workbench.css", "letters/letter_check.css")
    assert tag.startswith("<style>") and tag.endswith("</style>")
    assert tag.index(".wb-header") < tag.index(".lc-root")


@pytest.mark.parametrize("ref", ["workbench.css", "common/../common/workbench.css", "common/.hidden"])
def test_a_static_file_is_named_journey_slash_file(ref):
    with pytest.raises(ValueError):
        sf.static_text(ref)
