"""Time as the workbench records and shows it: naive UTC timestamps in the database, and one way of
writing a date for people (GOV.UK style, no leading zero: "5 Jan 2014", "5 Jan 2014 14:03")."""
from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Now in UTC without tzinfo: how every recorded timestamp is stored."""
    return datetime.now(UTC).replace(tzinfo=None)


def fmt_date(d: date | datetime | None) -> str:
    """A date (or timestamp) as people read it; an em dash when there is none."""
    if d is None:
        return "—"
    if isinstance(d, datetime):
        return f"{d.day} {d:%b %Y %H:%M}"
    return f"{d.day} {d:%b %Y}"
