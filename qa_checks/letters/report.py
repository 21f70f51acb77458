"""Findings as the CLI prints them: `path:line:col: level category message`, or one JSON object."""
from __future__ import annotations

import json
from typing import Any

from qa_checks.finding import Finding, Level
from qa_checks.letters.text import line_col

JSON_FIELDS = ("category", "start", "end", "level", "message", "suggestion", "source", "rule_id", "confidence",
               "raised_by")


def finding_json(f: Finding) -> dict[str, Any]:
    d = {k: getattr(f, k) for k in JSON_FIELDS}
    d["level"] = Level(f.level).value
    d["confidence"] = round(float(f.confidence), 3)
    if "similar" in f.evidence:  # model flags: the two nearest labelled corpus sentences of that category
        d["similar"] = list(f.evidence["similar"])
    return d


def as_json(results: list[tuple[str, str, list[Finding]]]) -> str:
    """``results``: (path as given, text, findings) per input."""
    return json.dumps({"results": [{"path": path, "findings": [finding_json(f) for f in fs]}
                                   for path, _text, fs in results]}, indent=2, ensure_ascii=False)


def as_text(results: list[tuple[str, str, list[Finding]]]) -> str:
    lines = []
    for path, text, fs in results:
        for f in fs:
            line, col = line_col(text, f.start or 0)
            who = f" [model {f.confidence:.2f}]" if f.raised_by == "model" else ""
            lines.append(f"{path}:{line}:{col}: {Level(f.level).value} {f.category} {f.message}{who}")
    return "\n".join(lines)
