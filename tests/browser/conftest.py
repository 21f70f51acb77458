"""Real Chromium (Debian's) driven by Playwright against a real `workbench serve` (Voila) process.

Fixtures:
- `serve(db, user)`: start `workbench serve --db DB --user USER` on a free port; returns its base URL.
  Stopped by its own PID at the end of the test.
- `browser`: one headless Chromium per test session.
- `page`: a fresh page that fails the test on any JavaScript dialog (hostile text must run nothing).
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-gpu", "--no-sandbox", "--disable-quic"]
WORKBENCH = str(Path(sys.executable).parent / "workbench")

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(base: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"workbench serve exited with {proc.returncode}: {proc.stderr.read().decode()}")
        try:
            with urllib.request.urlopen(f"{base}/voila/static/voila.js", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"Voila did not start at {base} within {timeout}s")


@pytest.fixture
def serve():
    procs = []

    def start(db, user: str, *extra: str) -> str:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in ("JUPYTERHUB_USER", "WORKBENCH_USER")}
        proc = subprocess.Popen([WORKBENCH, "serve", "--db", str(db), "--user", user, "--port", str(port), *extra],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        procs.append(proc)
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, proc)
        return base

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed for the browser tests: sudo apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs
    yield pg
    context.close()
    assert not dialogs, f"a JavaScript dialog opened: {dialogs}"
