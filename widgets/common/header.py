"""The bar at the top of every app: who is signed in, their role and panel, and demo mode."""
from __future__ import annotations

from html import escape

import ipywidgets as w

from workbench.core.app import as_of, is_demo

STYLE = """
<style>
.wb-header{display:flex;gap:1.5em;align-items:baseline;flex-wrap:wrap;padding:.6em 1em;
  background:#1d3557;color:#fff;border-radius:4px;font-family:system-ui,sans-serif}
.wb-header .wb-title{font-size:1.25em;font-weight:600}
.wb-header .wb-user{font-size:1em}
.wb-demo{background:#ffd166;color:#222;padding:.15em .6em;border-radius:3px;font-weight:600}
</style>
"""


def header_html(session, app_title: str) -> str:
    u = session.user
    panel = f" · {escape(u.panel_name)} panel" if u.panel_name else ""
    demo = ""
    if is_demo(session):
        demo = (f'<span class="wb-demo" role="status">Demo data (synthetic, as of '
                f'{as_of(session):%d %B %Y})</span>')
    return (f'{STYLE}<header class="wb-header" role="banner"><span class="wb-title">{escape(app_title)}</span>'
            f'<span class="wb-user" data-testid="signed-in-user">Signed in as <b>{escape(u.display_name)}</b> '
            f'({escape(u.name)}) · {escape(u.role_label)}{panel}</span>{demo}</header>')


def Header(session, app_title: str) -> w.HTML:
    return w.HTML(header_html(session, app_title))
