"""Check a built HTML site as a reader sees it.

- Every internal link (a relative ``href`` or ``src``) points to a file of
  the site, and its ``#anchor``, if any, to an ``id`` on that page.
- Every gallery page (``auto_examples/plot_*.html``) shows at least one
  image, and every image it shows exists.

External links (``http:``, ``https:``, ``mailto:``) are not followed: the
build machine has no network, and a broken external link is not ours to
fix at build time.

    python doc/check_site.py doc/_build/html

Exits with status 1 and lists every problem, or prints a one-line summary.
"""

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: Files a Sphinx site links to that the HTML builder writes outside the
#: pages (the search index is loaded by JavaScript, not by a link).
_SKIPPED_PREFIXES = ("_sources/", "_modules/")


class _Page(HTMLParser):
    """The ids, links and images of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.links, self.images = set(), [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and "name" in attrs:
            self.ids.add(attrs["name"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])


def _parse(path):
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _is_external(url):
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc) or url.startswith(("data:", "javascript:"))


def check_site(root):
    """Problems found in the built site under ``root``, as strings."""
    root = Path(root)
    pages = {path: _parse(path) for path in sorted(root.rglob("*.html"))}
    if not pages:
        return [f"{root}: no HTML pages (was the site built?)"]
    problems = []
    for path, page in pages.items():
        name = path.relative_to(root).as_posix()
        if name.startswith(_SKIPPED_PREFIXES):
            continue
        for url in page.links + page.images:
            if _is_external(url):
                continue
            parts = urlsplit(url)
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if not target.is_file():
                problems.append(f"{name}: broken link {url!r} (no file {target})")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{name}: broken anchor {url!r}")
        if name.startswith("auto_examples/plot_"):
            figures = [src for src in page.images if "sphx_glr_plot_" in src]
            if not figures:
                problems.append(f"{name}: gallery page without an image")
    return problems


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[0])
        print("usage: python doc/check_site.py BUILD_DIR")
        return 2
    problems = check_site(argv[0])
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {argv[0]}")
        return 1
    n_pages = len(list(Path(argv[0]).rglob("*.html")))
    print(f"{argv[0]}: {n_pages} pages, internal links and gallery images all present")
    return 0


if __name__ == "__main__":
    sys.exit(main())
