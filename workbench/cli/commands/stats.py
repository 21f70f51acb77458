"""workbench stats: the database's headline figures."""
from __future__ import annotations

from workbench.cli.commands._common import add_db, add_format, cli_identity, print_json

NAME = "stats"
HELP = "Print the database's headline figures (shares are fractions of 1)"


def configure(p) -> None:
    add_db(p)
    add_format(p)


def run(args) -> int:
    from workbench.core.session import Session
    from workbench.core.store import open_store
    from workbench.overview.figures import overview_figures

    store = open_store(args.db)
    stats = overview_figures(Session.operator(store, cli_identity()))
    meta = store.meta()
    stats["as_of"] = meta.get("as_of")
    stats["profile"] = meta.get("demo_profile")
    if args.format == "json":
        print_json(stats)
    else:
        for key, value in stats.items():
            if isinstance(value, dict):
                print(f"{key}:")
                for k, v in value.items():
                    print(f"  {k:<18} {v}")
            else:
                print(f"{key:<32} {value}")
    return 0
