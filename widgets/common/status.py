"""The one-line messages every app shows: what it is doing, what was done, what was refused. Styled by the
shared classes in common/static/workbench.css (loaded with the header)."""
from __future__ import annotations

from html import escape

KINDS = ("status", "ok", "alert")


def app_status(text: str, kind: str = "status") -> str:
    """The app's status line (`data-testid=app-status`); `kind` is status, ok or alert."""
    if kind not in KINDS:
        raise ValueError(f"kind is one of {KINDS}, not {kind!r}")
    role = "alert" if kind == "alert" else "status"
    return (f"<div role='{role}' aria-live='polite' data-testid='app-status' class='wb-app-status wb-{kind}'>"
            f"{escape(text)}</div>")


def saved(text: str) -> str:
    return f"<span role='status' class='wb-saved'>{escape(text)}</span>"


def refused(text: str) -> str:
    return f"<span role='alert' class='wb-refused'>{escape(text)}</span>"


def alert_box(text: str, pre: bool = False) -> str:
    return f"<div role='alert' class='wb-alert-box{' wb-pre' if pre else ''}'>{escape(text)}</div>"


def ok_box(text: str) -> str:
    return f"<div role='status' class='wb-ok-box'>{escape(text)}</div>"
