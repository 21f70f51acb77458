"""Starting an app: open the Session, show the header, build the body, and turn any problem into a
sentence on the page rather than a traceback."""
from __future__ import annotations

from html import escape

import ipywidgets as w
from IPython.display import display

from widgets.common.header import Header
from widgets.common.static_files import style_tag
from workbench.core.errors import UserError


def error_box(message: str) -> w.HTML:
    return w.HTML(f'{style_tag("common/workbench.css")}<div role="alert" class="wb-alert-box">{escape(message)}</div>')


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
