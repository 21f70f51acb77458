"""workbench serve: serve notebooks/ with Voila as one signed-in user."""
from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path

from workbench.cli.commands._common import add_db
from workbench.core.errors import UserError

NAME = "serve"
HELP = "Serve the apps in notebooks/ with Voila (each at /voila/render/<name>.ipynb)"
NOTEBOOKS = Path(__file__).resolve().parents[3] / "notebooks"


def configure(p) -> None:
    add_db(p)
    p.add_argument("--port", type=int, default=8866, metavar="N", help="port on 127.0.0.1 (default 8866)")
    p.add_argument("--user", metavar="NAME", help="who is signed in (else $WORKBENCH_USER; "
                   "$JUPYTERHUB_USER always wins when deployed)")
    p.add_argument("--notebooks", metavar="DIR", default=str(NOTEBOOKS), help=argparse_hide())
    p.add_argument("--preheat", type=int, default=0, metavar="K",
                   help="keep K kernels warm per app for faster first loads (Voila preheated kernels)")


def argparse_hide():
    import argparse

    return argparse.SUPPRESS


def voila_command(notebooks: Path, port: int, preheat: int = 0) -> list[str]:
    voila = shutil.which("voila", path=str(Path(sys.executable).parent)) or shutil.which("voila")
    if voila is None:
        raise UserError("voila is not installed in this environment (run `make serve`, which installs it)")
    cmd = [voila, str(notebooks), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
           "--VoilaConfiguration.show_tracebacks=False"]
    if preheat:
        cmd += ["--preheat_kernel=True", f"--pool_size={preheat}"]
    return cmd


def run(args) -> int:
    from workbench.core.session import Session, resolve_identity
    from workbench.core.store import open_store

    if not (0 < args.port < 65536):
        raise UserError(f"--port must be between 1 and 65535, not {args.port}")
    notebooks = Path(args.notebooks)
    if not notebooks.is_dir():
        raise UserError(f"notebooks folder not found: {notebooks}")
    store = open_store(args.db)
    user = Session(store, resolve_identity(args.user)).user  # an unknown user is refused here
    store.dispose()
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", args.port)) == 0:
            raise UserError(f"port {args.port} is already in use; pick another with --port")
    env = dict(os.environ, WORKBENCH_DB=store.url, WORKBENCH_USER=user.name)
    print(f"Serving {notebooks} on http://127.0.0.1:{args.port}/ as {user.name} ({user.role_label}"
          f"{', ' + user.panel_name if user.panel_name else ''}); database {store.label}", file=sys.stderr)
    cmd = voila_command(notebooks, args.port, args.preheat)
    os.execve(cmd[0], cmd, env)  # Voila becomes this process: stopping it stops the server
    return 0
