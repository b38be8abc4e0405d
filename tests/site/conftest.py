"""Fixtures of the browser tests: the built site served on a local port, one headless Chromium
(Debian's /usr/bin/chromium driven by Playwright) with every request elsewhere blocked, and each
page visited once, its findings kept for all the tests that ask about it (the pages load in the
order of _toc.yml, each while the one before is screenshotted: see Site in _site.py).

Run after `make book`: `make site`, or `.venv/bin/python -m pytest tests/site`.
"""

import functools
import http.server
import threading
from pathlib import Path

import pytest

from _site import CHROMIUM, HTML, Site, _Quiet, built_pages, toc_files


@pytest.fixture(scope="session")
def server():
    if not (HTML / "index.html").exists():
        pytest.fail(f"{HTML} holds no built book: run `make book` first")
    handler = functools.partial(_Quiet, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def site(server):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install -y chromium`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        site = Site(server, browser, plan=[p for p in toc_files() if p in built_pages()])
        try:
            yield site
        finally:
            site.shutdown()
            browser.close()


