"""The bar at the top of every app: who is signed in, their role and panel, and demo mode."""
from __future__ import annotations

from html import escape

import ipywidgets as w

from widgets.common.static_files import style_tag
from workbench.core.app import as_of, is_demo

CSS = "common/workbench.css"  # the header brings the shared classes to every app


def header_html(session, app_title: str) -> str:
    u = session.user
    panel = f" · {escape(u.panel_name)} panel" if u.panel_name else ""
    demo = ""
    if is_demo(session):
        demo = (f'<span class="wb-demo" role="status">Demo data (synthetic, as of '
                f'{as_of(session):%d %B %Y})</span>')
    return (f'{style_tag(CSS)}<header class="wb-header" role="banner">'
            f'<span class="wb-title">{escape(app_title)}</span>'
            f'<span class="wb-user" data-testid="signed-in-user">Signed in as <b>{escape(u.display_name)}</b> '
            f'({escape(u.name)}) · {escape(u.role_label)}{panel}</span>{demo}</header>')


def Header(session, app_title: str) -> w.HTML:
    return w.HTML(header_html(session, app_title))
