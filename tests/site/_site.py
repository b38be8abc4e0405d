"""Helpers of the browser tests (see conftest.py): pages, expected URLs, the visiting browser."""

from __future__ import annotations

import base64
import functools
import http.server
import os
import re
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from _project import ROOT, load_yaml, toc_files

HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SPECIAL = {"index", "search", "genindex", "py-modindex"}  # Sphinx's own pages, not chapters
VIEWPORT = {"width": 1280, "height": 900}


def built_pages() -> list[str]:
    """The docnames of the content pages in _build/html (book/intro, book/01_...)."""
    if not HTML.is_dir():
        return []
    pages = []
    for path in sorted(HTML.rglob("*.html")):
        rel = path.relative_to(HTML)
        if rel.parts[0].startswith("_"):
            continue  # _static, _sources, _images
        name = rel.with_suffix("").as_posix()
        if name not in SPECIAL:
            pages.append(name)
    return pages


def is_notebook(docname: str) -> bool:
    return (ROOT / (docname + ".ipynb")).exists()


def colab_url(docname: str) -> str:
    repo = load_yaml("_config.yml")["repository"]
    org_repo = repo["url"].rstrip("/").removesuffix(".git").removeprefix("https://github.com/")
    path = "/".join(p for p in (repo.get("path_to_book", "").strip("/"), docname + ".ipynb") if p)
    return f"https://colab.research.google.com/github/{org_repo}/blob/{repo['branch']}/{path}"


def screenshot_path(docname: str, mode: str = "") -> Path:
    return SHOTS / mode / (docname.replace("/", "-").removeprefix("book-") + ".png")


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key == "id" or (key == "name" and tag == "a"):
                self.ids.add(value)


@functools.lru_cache(maxsize=None)
def static_ids(path: Path) -> frozenset:
    parser = _Ids()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return frozenset(parser.ids)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".ipynb": "application/json"}

    def log_message(self, *args):
        pass


@dataclass
class Visit:
    """What one page showed: everything a test may ask about, collected in one load."""

    docname: str
    url: str
    blocked: list = field(default_factory=list)  # requests to anywhere but the local server
    failed: list = field(default_factory=list)  # failed requests and HTTP errors
    console: list = field(default_factory=list)  # console errors and uncaught exceptions
    facts: dict = field(default_factory=dict)  # what the page's DOM said (see COLLECT)


# Runs in the page once it has loaded, MathJax has typeset and the images have settled.
COLLECT = r"""
() => {
  const SKIP = new Set(['SCRIPT', 'STYLE', 'PRE', 'CODE', 'KBD', 'SAMP', 'TEXTAREA', 'NOSCRIPT',
                        'TEMPLATE', 'MJX-CONTAINER', 'SVG']);
  const rawMath = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      for (let el = node.parentElement; el; el = el.parentElement) {
        if (SKIP.has(el.tagName.toUpperCase()) || el.classList.contains('highlight')) {
          return NodeFilter.FILTER_REJECT;
        }
      }
      return NodeFilter.FILTER_ACCEPT;
    }
  });
  const pattern = /\$|\\\(|\\\[/;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const t = n.textContent;
    const m = t.search(pattern);
    if (m >= 0) rawMath.push(t.slice(Math.max(0, m - 40), m + 40).replace(/\s+/g, ' '));
  }
  const images = Array.from(document.images).map(img => ({
    src: img.currentSrc || img.src, alt: img.getAttribute('alt'),
    loaded: img.complete && img.naturalWidth > 0,
  }));
  const links = Array.from(document.querySelectorAll('a[href]')).map(a => ({
    href: a.href, raw: a.getAttribute('href'), text: a.textContent.trim().slice(0, 60),
  }));
  const ids = Array.from(document.querySelectorAll('[id], a[name]')).map(e => e.id || e.getAttribute('name'));
  const download = Array.from(document.querySelectorAll('a.btn-download-source-button')).map(a => a.href);
  return {rawMath, images, links, ids, download, mathjax: !!(window.MathJax && window.MathJax.startup),
          theme: document.documentElement.dataset.theme,
          background: getComputedStyle(document.body).backgroundColor};
}
"""

SETTLE = r"""
async () => {
  // Never wait forever: a page that has not settled in 30 s fails its test instead.
  const limit = new Promise((_, reject) =>
    setTimeout(() => reject(new Error('the page did not settle within 30 s')), 30000));
  const settle = (async () => {
  if (document.querySelector('script[src*="mathjax" i]')) {
    const t0 = Date.now();
    while (!(window.MathJax && window.MathJax.startup && window.MathJax.startup.promise)) {
      if (Date.now() - t0 > 20000) throw new Error('MathJax did not start within 20 s');
      await new Promise(r => setTimeout(r, 25));
    }
    await window.MathJax.startup.promise;
  }
  await Promise.all(Array.from(document.images).map(img => {
    img.loading = 'eager';
    return img.complete ? null : new Promise(r => { img.onload = img.onerror = r; });
  }));
  })();
  await Promise.race([settle, limit]);
}
"""


SHOT_SCALE = 0.5  # full pages at half scale, 640 px wide: the layout of every page at a glance


def full_page_png(page, path: Path, scale: float = SHOT_SCALE):
    """A full-page PNG screenshot at ``scale``; Chromium's fast PNG encoder (`optimizeForSpeed`)
    makes the long chapter pages (30,000 pixels tall and more) about a third quicker than
    Playwright's own, and half scale (a quarter of the pixels) halves that again: chapter 8,
    45,587 CSS pixels tall, took 2.0 to 2.7 s at half scale against 4.9 to 7.2 s at full scale
    on a loaded 2-core machine. The explorers' screenshots stay at full scale."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        cdp = page.context.new_cdp_session(page)
        try:
            size = cdp.send("Page.getLayoutMetrics")["cssContentSize"]
            clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": scale}
            shot = cdp.send(
                "Page.captureScreenshot",
                {"format": "png", "captureBeyondViewport": True, "optimizeForSpeed": True, "clip": clip},
            )
        finally:
            cdp.detach()
        path.write_bytes(base64.b64decode(shot["data"]))
    except Exception:  # an older Chromium without these parameters: Playwright's way
        page.screenshot(path=str(path), full_page=True, scale="css")


class Site:
    """One browser, one context, each page visited once and remembered.

    A visit loads the page, lets it settle, collects its facts (COLLECT) and takes its
    full-page screenshot. Pages are asked for in the order of ``plan`` (the book's pages): while
    one page is being screenshotted, the next one of the plan already loads in its own tab, so
    that the browser keeps both cores busy. Tests that work with a live page (the explorers)
    ask for ``page(docname)``: the page is visited at its first load and kept open for them.
    """

    def __init__(self, base: str, browser, plan=()):
        self.base = base
        self.browser = browser
        self.plan = list(plan)
        self.context = self._context()
        self._visits = {}  # docname -> Visit, as the page showed itself when it loaded
        self._ahead = {}  # docname -> (page, Visit): loading ahead of its visit
        self._live = {}  # docname -> (page, Visit): kept open by page()
        self._owners = {}  # page -> the Visit its blocked requests are recorded in

    def _context(self, viewport=VIEWPORT, **kwargs):
        context = self.browser.new_context(viewport=viewport, service_workers="block", **kwargs)
        # Every request that does not go to the local server is aborted and recorded; those
        # to the local server are not routed (they go on without a round trip to Python).
        context.route(re.compile("^(?!" + re.escape(self.base) + ")"), self._block)
        return context

    def _block(self, route):
        try:
            visit = self._owners.get(route.request.frame.page)
        except Exception:  # a request of no page (a worker): blocked all the same
            visit = None
        if visit is not None:
            visit.blocked.append(route.request.url)
        route.abort()

    def start(self, context, url: str, visit: Visit):
        """A new tab that has begun to load ``url`` (the server has answered); see finish()."""
        page = context.new_page()
        self._owners[page] = visit
        page.on("console", lambda m: visit.console.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: visit.console.append(f"uncaught: {e}"))
        page.on(
            "requestfailed",
            lambda r: visit.failed.append(f"{r.url} ({r.failure})") if r.url.startswith(self.base) else None,
        )
        page.on("response", lambda r: visit.failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)
        page.goto(url, wait_until="commit")
        return page

    def finish(self, page):
        """Wait until a page from start() has loaded, MathJax has typeset and its images are in."""
        page.wait_for_load_state("load")
        page.evaluate(SETTLE)
        return page

    def open(self, context, url: str, visit: Visit):
        return self.finish(self.start(context, url, visit))

    def close(self, page):
        self._owners.pop(page, None)
        page.close()

    def _load(self, docname: str):
        """The page of docname and its record, loaded (or loading ahead) in the main context."""
        if docname in self._ahead:
            page, visit = self._ahead.pop(docname)
        else:
            visit = Visit(docname, self.base + docname + ".html")
            page = self.start(self.context, visit.url, visit)
        if docname in self.plan:  # the next page of the plan loads while this one is visited
            later = self.plan[self.plan.index(docname) + 1 :]
            following = next((d for d in later if d not in self._visits and d not in self._live), None)
            if following is not None and following not in self._ahead:
                ahead = Visit(following, self.base + following + ".html")
                self._ahead[following] = (self.start(self.context, ahead.url, ahead), ahead)
        return self.finish(page), visit

    def _record(self, page, visit: Visit):
        """Collect the page's facts and its screenshot, and remember what it showed so far."""
        visit.facts = page.evaluate(COLLECT)
        full_page_png(page, screenshot_path(visit.docname))
        self._visits[visit.docname] = replace(
            visit, blocked=list(visit.blocked), failed=list(visit.failed), console=list(visit.console)
        )

    def visit(self, docname: str) -> Visit:
        if docname not in self._visits:
            page, visit = self._load(docname)
            try:
                self._record(page, visit)
            finally:
                self.close(page)
        return self._visits[docname]

    def page(self, docname: str):
        """A live page of docname and the record of its requests and errors, kept open until
        release(docname): visited at its first load if it was not visited before."""
        if docname not in self._live:
            page, visit = self._load(docname)
            if docname not in self._visits:
                self._record(page, visit)
            self._live[docname] = (page, visit)
        return self._live[docname]

    def release(self, docname: str):
        if docname in self._live:
            self.close(self._live.pop(docname)[0])

    def shutdown(self):
        for page, _ in list(self._ahead.values()) + list(self._live.values()):
            self.close(page)
        self._ahead.clear()
        self._live.clear()

    def dark(self, docname: str):
        """The page opened by a reader whose system prefers dark, after choosing dark mode."""
        context = self._context(color_scheme="dark")
        try:
            visit = Visit(docname, self.base + docname + ".html")
            page = self.open(context, visit.url, visit)
            page.locator("button.theme-switch-button").first.click()  # light -> dark
            page.wait_for_function("document.documentElement.dataset.theme === 'dark'", timeout=5000)
            page.evaluate(SETTLE)
            visit.facts = page.evaluate(COLLECT)
            full_page_png(page, screenshot_path(docname, "dark"))
            self.close(page)
            return visit
        finally:
            context.close()

    def target_ids(self, url: str) -> frozenset | None:
        """The ids of the page a same-site URL points at; None if no such file."""
        path = unquote(urlsplit(url).path)
        rel = path[len(urlsplit(self.base).path) :]
        file = HTML / rel
        if rel == "" or rel.endswith("/"):
            file = file / "index.html"
        if not file.is_file():
            return None
        if file.suffix != ".html":
            return frozenset()
        return static_ids(file)


