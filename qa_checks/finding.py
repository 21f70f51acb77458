"""The one Finding type every check returns (letter, referral, procedure, data).

A Finding is advice to a person, never a verdict: it says what was seen, where,
why it matters (with its source) and what might be better.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from dataclasses import field as _field
from enum import Enum
from typing import Any


class Level(str, Enum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Most serious first: sort findings by `Level(f.level).rank` (critical 0, warning 1, info 2)."""
        return _RANK[self]


_RANK = {Level.CRITICAL: 0, Level.WARNING: 1, Level.INFO: 2}


@dataclass(frozen=True)
class Finding:
    rule_id: str
    category: str
    level: Level
    message: str
    # Where: a character span into the text as given (start, end) and/or a field name.
    start: int | None = None
    end: int | None = None
    field: str | None = None
    confidence: float = 1.0
    rationale: str = ""
    source: str = ""
    suggestion: str = ""
    # Who raised it: "rule" or "model" (letter checks), or the check's name.
    raised_by: str = "rule"
    # Anything a check wants to show as evidence (e.g. dates from the record).
    evidence: dict[str, Any] = _field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["level"] = Level(self.level).value
        return d
