"""Helpers of the browser tests (see conftest.py): pages, expected URLs, the visiting browser."""

from __future__ import annotations

import base64
import functools
import http.server
import os
from dataclasses import dataclass, field
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


def full_page_png(page, path: Path):
    """A full-page PNG screenshot; Chromium's fast PNG encoder (`optimizeForSpeed`) makes the
    long chapter pages (30,000 pixels tall and more) about a third quicker than Playwright's own."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        cdp = page.context.new_cdp_session(page)
        try:
            size = cdp.send("Page.getLayoutMetrics")["cssContentSize"]
            clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
            shot = cdp.send(
                "Page.captureScreenshot",
                {"format": "png", "captureBeyondViewport": True, "optimizeForSpeed": True, "clip": clip},
            )
        finally:
            cdp.detach()
        path.write_bytes(base64.b64decode(shot["data"]))
    except Exception:  # an older Chromium without these parameters: Playwright's way
        page.screenshot(path=str(path), full_page=True)


class Site:
    """One browser, one context, each page loaded once and remembered."""

    def __init__(self, base: str, browser):
        self.base = base
        self.browser = browser
        self.context = self._context()
        self.current = None
        self._visits = {}

    def _context(self, viewport=VIEWPORT, **kwargs):
        context = self.browser.new_context(viewport=viewport, service_workers="block", **kwargs)
        context.route("**/*", self._route)
        return context

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.base):
            route.continue_()
        else:
            if self.current is not None:
                self.current.blocked.append(url)
            route.abort()

    def open(self, context, url: str, visit: Visit):
        page = context.new_page()
        self.current = visit
        page.on("console", lambda m: visit.console.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: visit.console.append(f"uncaught: {e}"))
        page.on(
            "requestfailed",
            lambda r: visit.failed.append(f"{r.url} ({r.failure})") if r.url.startswith(self.base) else None,
        )
        page.on("response", lambda r: visit.failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)
        page.goto(url, wait_until="load")
        page.evaluate(SETTLE)
        return page

    def visit(self, docname: str) -> Visit:
        if docname not in self._visits:
            visit = Visit(docname, self.base + docname + ".html")
            page = self.open(self.context, visit.url, visit)
            try:
                visit.facts = page.evaluate(COLLECT)
                full_page_png(page, screenshot_path(docname))
            finally:
                page.close()
                self.current = None
            self._visits[docname] = visit
        return self._visits[docname]

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
            self.current = None
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


