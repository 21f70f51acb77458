"""Shared plumbing for the data files in `reference/`: where they live, how a YAML file is read,
and the one error raised when any of them is wrong.

Loaders validate lazily (as pandera does with ``lazy=True``): they collect every problem in every
file and raise once, so a person fixing the data sees the whole list, not one error per run.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

import reference

REFERENCE_DIR = Path(reference.__file__).resolve().parent

Problem = tuple[str, str, str]  # (file, entry, problem)
S = TypeVar("S", bound="Schema")


class ReferenceDataError(ValueError):
    """One or more reference files are unreadable or hold a bad entry.

    ``problems`` lists every problem found, each as ``(file, entry, problem)``: the file's path
    (relative to the reference folder when it is inside it), the entry's id or its position
    (``"entry #3"``, or ``"header"`` for the file's own fields), and what is wrong.
    """

    def __init__(self, problems: list[Problem], what: str = "reference data"):
        self.problems: list[Problem] = list(problems)
        n = len(self.problems)
        shown = self.problems[:20]
        lines = [f"{n} problem{'s' if n != 1 else ''} in {what}:"]
        lines += [f"  {f}: {e}: {p}" for f, e, p in shown]
        if n > len(shown):
            lines.append(f"  ... and {n - len(shown)} more (see .problems)")
        super().__init__("\n".join(lines))

    def one_line(self) -> str:
        """All problems on one line, for a command line's single stderr line."""
        return "; ".join(f"{f}: {e}: {p}" for f, e, p in self.problems)


def display_path(path: Path) -> str:
    """A path as people should see it in a message."""
    path = Path(path)
    try:
        return str(Path("reference") / path.resolve().relative_to(REFERENCE_DIR))
    except ValueError:
        return str(path)


def read_yaml(path: Path, problems: list[Problem]) -> Any | None:
    """Read one YAML file; on failure append a problem naming the line and return None."""
    shown = display_path(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append((shown, "file", f"cannot be read ({exc.__class__.__name__}: {exc})"))
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "file"
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append((shown, where, f"is not valid YAML: {what}"))
        return None


class Schema(BaseModel):
    """Base for every reference file's pydantic schema: unknown keys are mistakes, not extensions."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def entry_label(key: str, index: int, item: Any) -> str:
    """How problems name the ``index``-th (0-based) entry of the list ``key``: "entries #3 (ilo.al.1.3)"."""
    ident = item.get("id") if isinstance(item, dict) else None
    return f"{key} #{index + 1}" + (f" ({ident})" if isinstance(ident, (str, int)) and ident != "" else "")


def _field(parts: tuple[int | str, ...]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) and out else (f".{p}" if out else str(p))
    return out


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{pattern!r} is not a valid regular expression ({exc})") from None
    return pattern


def _cue(cue: str) -> str:
    c = cue.strip()
    if not c or c == "*":
        raise ValueError(f"cue {cue!r} must be a word or phrase")
    if c != c.lower():
        raise ValueError(f"cue {cue!r} must be lower case (narratives are matched in lower case)")
    if c.startswith("* ") or c.endswith(" *"):
        raise ValueError(f"cue {cue!r} must not start or end with a lone '*'")
    return c


# Field types the schemas share.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]  # a non-empty string
Version = Annotated[int, Field(strict=True, ge=1)]                             # a whole number from 1
Regex = Annotated[str, AfterValidator(_compiles)]                              # a Python regular expression
# A cue (qa_checks.walkthrough.indicators.cue_pattern): lower case words, `word*`, a lone `*` inside.
Cue = Annotated[str, AfterValidator(_cue)]


def _entry_name(data: Any, loc: tuple[int | str, ...]) -> tuple[str, str]:
    """Split a pydantic error location into (entry, field).

    The entry is the first list item on the path ("entries #3 (ilo.al.1.3)", named by its id when it has
    one), or the item of a top-level mapping of mappings ("roles.trainer", "classifications.adult"), or
    "header" for the file's own fields. The field is the rest of the path ("cues[2]", "applies_to.age").
    """
    top = data.get(loc[0]) if isinstance(data, dict) and loc and isinstance(loc[0], str) else None
    if (len(loc) >= 2 and isinstance(top, dict) and not isinstance(loc[1], int)
            and isinstance(top.get(loc[1]), dict)):
        return f"{loc[0]}.{loc[1]}", _field(loc[2:]) or "(whole entry)"
    node = data
    for i, part in enumerate(loc):
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            key = ".".join(str(p) for p in loc[:i]) or "entry"
            return entry_label(key, part, node[part]), _field(loc[i + 1:]) or "(whole entry)"
        node = node.get(part) if isinstance(node, dict) else None
    return "header", _field(loc) or "(whole file)"


def _message(err: Any) -> str:
    """A pydantic error in words a person editing the YAML file can act on."""
    kind, given = err["type"], err.get("input")
    shown = repr(given) if len(repr(given)) <= 60 else repr(given)[:57] + "..."
    if kind == "missing":
        return "missing required field"
    if kind == "extra_forbidden":
        return "unknown field (a typo, or a field this file does not have)"
    if kind == "literal_error":
        return f"unknown value {shown} (expected {err['ctx']['expected']})"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be a mapping, not {shown}"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    return f"{err['msg']} (got {shown})"


def validate(data: Any, schema: type[S], path: Path | str, problems: list[Problem]) -> S | None:
    """Validate one file's parsed YAML against its schema; on failure append one problem per error
    (file, entry, "field: message") and return None, so a loader can report every file at once."""
    shown = display_path(Path(path))
    if data is None:
        problems.append((shown, "file", "is empty"))
        return None
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            entry, fld = _entry_name(data, tuple(err["loc"]))
            problems.append((shown, entry, f"{fld}: {_message(err)}"))
        return None


def read(path: Path, schema: type[S], problems: list[Problem]) -> tuple[Any, S | None]:
    """Read and validate one file, appending its problems: (the parsed YAML, the model or None)."""
    before = len(problems)
    data = read_yaml(path, problems)
    if len(problems) > before:
        return None, None
    return data, validate(data, schema, path, problems)


def entries(raw: Any, key: str) -> list[tuple[str, dict[str, Any]]]:
    """The mapping entries of the list ``raw[key]`` in the raw YAML, with their labels, for cross-entry checks
    that run whether or not the schema passed (so they are reported together with its problems)."""
    items = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(items, list):
        return []
    return [(entry_label(key, n, item), item) for n, item in enumerate(items) if isinstance(item, dict)]


def duplicates(shown: str, key: str, raw: Any, problems: list[Problem], field: str = "id") -> None:
    """Append a problem for every entry of the list ``raw[key]`` whose ``field`` repeats an earlier entry's."""
    first: dict[Any, str] = {}
    for label, item in entries(raw, key):
        value = item.get(field)
        if value is None or not isinstance(value, (str, int)):
            continue
        if value in first:
            problems.append((shown, label, f"{field}: duplicate id {value!r} (also {first[value]})"))
        first.setdefault(value, label)


def listify(value: Any) -> Any:
    """For fields that take one value or a list: a single value becomes a one-item list."""
    return [value] if value is not None and not isinstance(value, (list, tuple)) else value


def check(problems: list[Problem], what: str) -> None:
    """Raise ReferenceDataError when any problem was found."""
    if problems:
        raise ReferenceDataError(problems, what)


def load(path: Path, schema: type[S]) -> S:
    """Read and validate one reference file, raising ReferenceDataError with every problem in it."""
    problems: list[Problem] = []
    _, result = read(path, schema, problems)
    if problems or result is None:
        raise ReferenceDataError(problems, display_path(path))
    return result
