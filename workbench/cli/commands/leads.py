"""workbench leads: list Slavery Safeguarding Leads with their organisation, region and referral count."""
from __future__ import annotations

from workbench.cli.commands._common import add_db, add_format, cli_identity, print_json

NAME = "leads"
HELP = "List leads (id, organisation, type, region, referrals); counts under 5 are shown as \"<5\""


def configure(p) -> None:
    add_db(p)
    add_format(p)


def run(args) -> int:
    from workbench.core.session import Session
    from workbench.core.store import open_store
    from workbench.feedback.actions import list_leads
    from workbench.feedback.views import TYPE_LABELS

    store = open_store(args.db)
    try:
        leads = list_leads(Session.operator(store, cli_identity()))
    finally:
        store.dispose()
    if args.format == "json":
        print_json(leads)
    else:
        print(f"{'id':<11} {'referrals':>9}  {'type':<16} {'region':<26} organisation")
        for l in leads:
            kind = TYPE_LABELS.get(l["organisation_type"], l["organisation_type"])
            print(f"{l['id']:<11} {str(l['referrals']):>9}  {kind:<16} "
                  f"{l['region']:<26} {l['organisation']}")
    return 0
