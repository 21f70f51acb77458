"""Shared plumbing for the data files in `reference/`: where they live, how a YAML file is read,
and the one error raised when any of them is wrong.

Loaders validate lazily (as pandera does with ``lazy=True``): they collect every problem in every
file and raise once, so a person fixing the data sees the whole list, not one error per run.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

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


def _entry_name(data: Any, loc: tuple) -> tuple[str, str]:
    """Split a pydantic error location into (entry, field), naming list entries by their id when they have one."""
    node, entry, i = data, "header", 0
    for i, part in enumerate(loc):
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            item = node[part]
            ident = item.get("id") if isinstance(item, dict) else None
            entry = f"{'.'.join(str(p) for p in loc[:i])} #{part + 1}" + (f" ({ident})" if ident else "")
            node = item
            continue
        node = node.get(part) if isinstance(node, dict) else None
    rest = [str(p) for p in loc if not isinstance(p, int)] if entry == "header" else [
        str(p) for p in loc[i:] if not isinstance(p, int)]
    return entry, ".".join(rest) or "(whole entry)"


def validate(data: Any, schema: type[S], path: Path | str, problems: list[Problem]) -> S | None:
    """Validate one file's parsed YAML against its schema; on failure append one problem per error
    (file, entry, field: message) and return None, so a loader can report every file at once."""
    shown = display_path(Path(path))
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            entry, fld = _entry_name(data, tuple(err["loc"]))
            problems.append((shown, entry, f"{fld}: {err['msg']}"))
        return None


def load(path: Path, schema: type[S]) -> S:
    """Read and validate one reference file, raising ReferenceDataError with every problem in it."""
    problems: list[Problem] = []
    data = read_yaml(path, problems)
    result = validate(data, schema, path, problems) if not problems else None
    if problems or result is None:
        raise ReferenceDataError(problems, display_path(path))
    return result
