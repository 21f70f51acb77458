"""Starting an app: open the Session, show the header, build the body, and turn any problem into a
sentence on the page rather than a traceback."""
from __future__ import annotations

from html import escape

import ipywidgets as w
from IPython.display import display

from widgets.common.header import Header
from workbench.core.errors import UserError


def error_box(message: str) -> w.HTML:
    return w.HTML(f'<div role="alert" style="border-left:4px solid #c1121f;background:#fdecea;padding:.6em 1em;'
                  f'font-family:system-ui,sans-serif">{escape(message)}</div>')


def run_app(title: str, build) -> None:
    """`build(session)` returns the app's body widget."""
    from workbench.core.app import current_session

    try:
        session = current_session()
    except UserError as exc:
        display(error_box(f"The workbench could not start: {exc}"))
        return
    display(Header(session, title))
    try:
        display(build(session))
    except UserError as exc:
        display(error_box(str(exc)))
