"""Shared fixtures for the site tests: one demo build per session, a tiny HTML tree, a local HTTP
server and a Chromium browser.

Every build goes into pytest's tmp dirs (never the repo's site/ or site_src/)."""
from __future__ import annotations

import functools
import http.server
import shutil
import threading
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parent.parent
AUTHORITIES_DIR = REPO / "authorities"
ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


# --- building ---------------------------------------------------------------------------------

def build_site(root: Path, dest: Path) -> SimpleNamespace:
    """Build authorities at root into dest/site via dest/docs; raises InputError on bad input."""
    from ladobench.build import build

    site, docs = dest / "site", dest / "docs"
    build(root=root, site_dir=site, docs_dir=docs, quiet=True)
    return SimpleNamespace(root=root, site=site, docs=docs)


def copy_tree(tmp: Path) -> Path:
    root = tmp / "authorities"
    shutil.copytree(AUTHORITIES_DIR, root)
    return root


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> SimpleNamespace:
    """The committed authorities/ built once for the whole session; tests only read it."""
    return build_site(AUTHORITIES_DIR, tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def builder():
    """build_site(root, dest) and copy_tree(tmp) for tests that need their own build."""
    return SimpleNamespace(build=build_site, copy=copy_tree)


# --- reading HTML -----------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    """An element of a parsed page: tag, attrs, children (Nodes and strings), parent."""

    __slots__ = ("tag", "attrs", "children", "parent", "line")

    def __init__(self, tag: str, attrs: dict, parent: Node | None, line: int = 0):
        self.tag, self.attrs, self.children, self.parent, self.line = tag, attrs, [], parent, line

    def iter(self, tag: str | None = None):
        for child in self.children:
            if isinstance(child, Node):
                if tag is None or child.tag == tag:
                    yield child
                yield from child.iter(tag)

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        return [n for n in self.iter(tag) if cls is None or cls in n.classes]

    def find(self, tag: str | None = None, cls: str | None = None) -> Node | None:
        return next(iter(self.find_all(tag, cls)), None)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def text(self, skip=("script", "style", "sup")) -> str:
        """Visible text, whitespace collapsed; footnote markers (sup) and scripts left out."""
        parts = []

        def walk(node):
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                elif child.tag not in skip:
                    walk(child)

        walk(self)
        return " ".join("".join(parts).split())

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def rows(self) -> list[list[Node]]:
        """For a table: every row as its list of cells (th and td), header first."""
        return [[c for c in tr.children if isinstance(c, Node) and c.tag in ("th", "td")] for tr in self.iter("tr")]

    def grid(self) -> list[list[str]]:
        return [[c.text() for c in row] for row in self.rows()]

    def __repr__(self):
        return f"<{self.tag} {self.attrs}>"


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.current, self.getpos()[0])
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.current, self.getpos()[0])
        self.current.children.append(node)

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse_html(text: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


@pytest.fixture(scope="session")
def html():
    """html(path or text) -> Node: the parsed page."""

    @functools.lru_cache(maxsize=512)
    def parse(source) -> Node:
        text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
        return parse_html(text)

    return parse


# --- serving and browsing ---------------------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def serve():
    """serve(directory) -> base URL (http://127.0.0.1:<free port>/), stopped at the end of the session."""
    servers = []

    def start(directory: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through Playwright, no network beyond what the pages ask for."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR


class PageWatch:
    """Everything a page did that a test may object to: console errors, uncaught errors,
    requests, dialogs (accepted at once so a test never hangs on one)."""

    def __init__(self, page, base: str):
        self.page, self.base = page, base
        self.console, self.errors, self.requests, self.dialogs = [], [], [], []
        page.on("console", lambda m: self.console.append((m.type, m.text)))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("dialog", self._dialog)

    def _dialog(self, dialog):
        self.dialogs.append((dialog.type, dialog.message))
        dialog.dismiss()

    @property
    def console_errors(self) -> list[str]:
        return [text for kind, text in self.console if kind == "error"]

    @property
    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if not (u.startswith(self.base) or u.startswith(("data:", "blob:", "about:")))]


@pytest.fixture
def watch():
    """watch(page, base) -> PageWatch."""
    return PageWatch
