"""Print the whole book to _build/pdf/book.pdf, offline (``make pdf``).

1. Build the book as one HTML page (Jupyter Book's ``singlehtml`` builder, into
   ``_build/singlehtml``) from the website's ``_config.yml`` and ``_toc.yml``. Like the website,
   it renders the notebooks' stored outputs and executes nothing (``make nbval`` checks that
   those outputs are what the code prints today). It shares the website's parsed pages
   (``_build/.doctrees``): after ``make book``'s website build, Sphinx reads nothing again and
   only writes the one page.
2. Serve that page on a local port and open it in the Chromium that the browser tests drive
   (Debian's ``/usr/bin/chromium``, through Playwright), with every request elsewhere blocked;
   wait until MathJax has typeset every formula and every image has loaded.
3. Add a table of contents (the parts and pages of ``_toc.yml``, each a link to its page),
   start every page of the book on a new sheet, and print to A4 with page numbers and a PDF
   outline (bookmarks: every heading, so a PDF reader's sidebar is a full contents).
4. Copy the PDF into the website (``_build/html/book.pdf``, linked from the first page) when
   the website has been built.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from book._ext.equation_index import toc_docnames  # noqa: E402

OUT = ROOT / "_build" / "pdf"
PDF = OUT / "book.pdf"
SINGLE = ROOT / "_build" / "singlehtml"
HTML = ROOT / "_build" / "html"
TOC = ROOT / "_toc.yml"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Pages only the website has (none at present).
WEBSITE_ONLY: set[str] = set()


def build_singlehtml() -> Path:
    """Build the one-page HTML book; return its page."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    # No --all: the environment the website's build has just pickled is reused when the
    # configuration is the same (book/_ext/singlehtml_nodes.py is in both builds for that).
    cmd = [str(jupyter_book), "build", str(ROOT), "--builder", "singlehtml", "-W", "-n", "--keep-going"]
    subprocess.run(cmd, cwd=ROOT, check=True)
    # Sphinx writes the one page at the root document's path (book/intro.html) but makes its
    # links to _static/ and _images/ relative to the output's root: serve a copy from there.
    page = SINGLE / "_print.html"
    shutil.copyfile(SINGLE / (toc_docnames(ROOT)[0] + ".html"), page)
    return page


def parts_and_pages(toc_path: Path) -> list[dict]:
    """[{caption, numbered, docs: [docname, ...]}, ...] in reading order; the root first."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))

    def files(entries):
        out = []
        for entry in entries or []:
            if "file" in entry:
                out.append(str(Path(entry["file"]).with_suffix("")))
            out += files(entry.get("sections"))
        return out

    parts = [{"caption": None, "numbered": False, "docs": [str(Path(toc["root"]).with_suffix(""))]}]
    for part in toc.get("parts", []) or []:
        parts.append({"caption": part.get("caption"), "numbered": bool(part.get("numbered")),
                      "docs": files(part.get("chapters"))})
    if toc.get("chapters"):
        parts.append({"caption": None, "numbered": False, "docs": files(toc["chapters"])})
    return parts


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


# Waits for MathJax to have typeset everything and for images and fonts to have loaded.
SETTLE = r"""
async () => {
  if (document.querySelector('script[src*="mathjax" i]')) {
    const t0 = Date.now();
    while (!(window.MathJax && window.MathJax.startup && window.MathJax.startup.promise)) {
      if (Date.now() - t0 > 60000) throw new Error('MathJax did not start within 60 s');
      await new Promise(r => setTimeout(r, 50));
    }
    await window.MathJax.startup.promise;
    if (window.MathJax.typesetPromise) await window.MathJax.typesetPromise();
  }
  await Promise.all(Array.from(document.images).map(img => {
    img.loading = 'eager';
    return img.complete ? null : new Promise(r => { img.onload = img.onerror = r; });
  }));
  await document.fonts.ready;
}
"""

# The print layout: only the book's text, each page of the book on a new sheet, a contents page.
PRINT_CSS = r"""
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
@media print {
  .bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .header-article, .bd-footer,
  .bd-footer-article, .bd-footer-content, .prev-next-area, .headerlink, .theme-switch-button,
  .search-button, #pst-back-to-top, .skip-link, .bd-header-announcement, .copybtn,
  .sidebar-toggle { display: none !important; }
  .bd-main, .bd-content, .bd-article-container, .bd-article, .bd-page-width {
    max-width: 100% !important; width: 100% !important; padding: 0 !important; margin: 0 !important; }
  html { font-size: 10.5pt; }
  .pdf-break { break-before: page; }
  #jb-print-docs-body { display: none !important; }
  .bd-main .bd-content .bd-article h1.pdf-title { display: block !important; }
  #pdf-contents h2 { font-size: 2em; margin-bottom: 1em; }
  h1.pdf-title { margin-top: 35vh !important; text-align: center; font-size: 2.6em; }
  #pdf-contents { break-after: page; }
  #pdf-contents li { list-style: none; margin: 0.15em 0; }
  #pdf-contents ul { padding-left: 0; }
  #pdf-contents a { color: inherit; text-decoration: none; }
  #pdf-contents .part { font-weight: bold; margin-top: 0.9em; }
  img, figure, .cell_input, .cell_output { break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; }
}
"""

# Marks the start of every page of the book (Sphinx's singlehtml anchors "document-<docname>")
# and inserts the contents after the first page. Returns the anchors it found, in order.
LAYOUT = r"""
(parts) => {
  const style = document.createElement('style');
  style.textContent = window.__PRINT_CSS;
  document.head.appendChild(style);
  const anchorOf = doc => document.getElementById('document-' + doc);
  const titleOf = doc => {
    const anchor = anchorOf(doc);
    if (!anchor) return null;
    const section = anchor.nextElementSibling && anchor.nextElementSibling.matches('section')
      ? anchor.nextElementSibling : anchor.parentElement.querySelector('section');
    const heading = section ? section.querySelector('h1, h2, h3') : null;
    return heading ? heading.textContent.replace(/[#¶]\s*$/, '').trim() : null;
  };
  // Links within the book become links within the PDF; links to other files of the local
  // server (downloads, sources) would lead nowhere from a PDF, so they become plain text.
  for (const a of document.querySelectorAll('a[href]')) {
    const url = new URL(a.href, document.baseURI);
    if (url.origin !== location.origin) continue;
    if (url.hash && (url.pathname === location.pathname || url.pathname.endsWith('.html'))) {
      a.setAttribute('href', url.hash);
    } else {
      a.removeAttribute('href');
    }
  }
  const found = [];
  for (const part of parts) {
    for (const doc of part.docs) {
      const anchor = anchorOf(doc);
      if (!anchor) continue;
      found.push(doc);
      (anchor.nextElementSibling || anchor).classList.add('pdf-break');
    }
  }
  // The contents, after the first page of the book.
  let nav = document.getElementById('pdf-contents');
  if (nav) nav.remove();
  nav = document.createElement('nav');
  nav.id = 'pdf-contents';
  nav.className = 'pdf-break';
  const h = document.createElement('h2');  // under the book's title in the PDF's outline
  h.textContent = 'Contents';
  nav.appendChild(h);
  const ul = document.createElement('ul');
  for (const part of parts) {
    if (part.caption) {
      const li = document.createElement('li');
      li.className = 'part';
      li.textContent = part.caption;
      ul.appendChild(li);
    }
    for (const doc of part.docs) {
      if (doc === parts[0].docs[0]) continue;
      const title = titleOf(doc);
      if (!title) continue;
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = '#document-' + doc;
      const t = document.createElement('span');
      t.textContent = title;
      a.append(t);
      li.appendChild(a);
      ul.appendChild(li);
    }
  }
  nav.appendChild(ul);
  // The book's title alone on the first sheet, then the contents, then the first page's text.
  const article = document.querySelector('article.bd-article') || document.body;
  const bookTitle = article.querySelector('section h1');
  if (bookTitle) {
    bookTitle.classList.add('pdf-title');
    bookTitle.parentNode.insertBefore(nav, bookTitle.nextSibling);
  } else {
    article.prepend(nav);
  }
  return found.map(doc => [doc, titleOf(doc)]);
}
"""

FOOTER = (
    '<div style="font-size:8pt;width:100%;text-align:center;color:#555;">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def print_pdf(page_path: Path, toc_path: Path, dest: Path) -> int:
    """Print the one-page book at ``page_path`` to ``dest``; return the number of sheets."""
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    handler = functools.partial(_Quiet, directory=str(SINGLE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    parts = parts_and_pages(toc_path)
    blocked = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync"],
            )
            try:
                context = browser.new_context(viewport={"width": 1100, "height": 1400}, service_workers="block")

                def route(r):
                    if r.request.url.startswith(base):
                        r.continue_()
                    else:
                        blocked.append(r.request.url)
                        r.abort()

                context.route("**/*", route)
                page = context.new_page()
                errors = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                t0 = time.perf_counter()
                page.goto(base + page_path.relative_to(SINGLE).as_posix(), wait_until="load", timeout=300_000)
                page.evaluate(SETTLE)
                print(f"loaded and typeset in {time.perf_counter() - t0:.0f} s", flush=True)
                page.emulate_media(media="print")
                page.evaluate("css => { window.__PRINT_CSS = css; }", PRINT_CSS)
                page.evaluate(LAYOUT, parts)
                page.evaluate(SETTLE)
                page.pdf(
                    path=str(dest), format="A4", print_background=True, display_header_footer=True,
                    header_template="<span></span>", footer_template=FOOTER, outline=True, tagged=True,
                    prefer_css_page_size=True,
                )
                print(f"printed in {time.perf_counter() - t0:.0f} s", flush=True)
                if errors:
                    raise RuntimeError("the page raised errors: " + "; ".join(errors))
            finally:
                browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    if blocked:
        raise RuntimeError("the book requested pages outside itself: " + ", ".join(sorted(set(blocked))))
    return len(PdfReader(str(dest)).pages)


def main():
    t0 = time.perf_counter()
    if "--no-build" in sys.argv[1:]:  # print the one-page book built before, again
        page = SINGLE / "_print.html"
        shutil.copyfile(SINGLE / (toc_docnames(ROOT)[0] + ".html"), page)
    else:
        page = build_singlehtml()
    t1 = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    sheets = print_pdf(page, TOC, PDF)
    t2 = time.perf_counter()
    print(f"wrote {PDF.relative_to(ROOT)}: {sheets} pages ({PDF.stat().st_size / 1e6:.1f} MB); "
          f"one-page HTML build {t1 - t0:.0f} s, printing {t2 - t1:.0f} s")
    if (HTML / "index.html").is_file():
        shutil.copy2(PDF, HTML / PDF.name)
        print(f"copied it to {(HTML / PDF.name).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
