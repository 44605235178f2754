"""The build in five steps: validate → metrics → pages → downloads → mkdocs; the new site replaces the old only when every step worked."""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from ladobench.core import paths
from ladobench.core.problems import InputError, Problem


class Progress:
    """Stage and count on stderr during long builds; silent when quiet or under CI."""

    def __init__(self, quiet: bool):
        self.quiet = quiet or bool(os.environ.get("CI"))
        self.started = time.perf_counter()
        self.timings: dict[str, float] = {}
        self._last = self.started

    def stage(self, name: str, detail: str = ""):
        now = time.perf_counter()
        self._last = now
        if not self.quiet:
            print(f"[{now - self.started:6.1f}s] {name}{': ' + detail if detail else ''}", file=sys.stderr, flush=True)

    def done(self, name: str):
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self._last
        self._last = now

    def step(self, what: str, done: int | None = None, total: int | None = None):
        """A step or a count inside a stage; counts at most every 2 seconds, and the last one."""
        now = time.perf_counter()
        if self.quiet or (total is not None and done < total and now - self._shown < 2):
            return
        self._shown = now
        count = f": {done}/{total}" if total is not None else ""
        print(f"[{now - self.started:6.1f}s]   {what}{count}", file=sys.stderr, flush=True)

    _shown = 0.0


def previous_metrics(site_dir: Path) -> list[dict] | None:
    """The metrics of the site published now, if any, to mark what this build revises."""
    import json

    path = Path(site_dir) / "downloads" / "metrics.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def build(root: Path = paths.AUTHORITIES_DIR, site_dir: Path = paths.SITE_DIR, docs_dir: Path = paths.SITE_SRC,
          quiet: bool = False) -> Progress:
    """Validate every return, then publish the site; raise InputError (nothing written) on any error."""
    from ladobench.core.memory import gc_paused
    from ladobench.publish import downloads
    from ladobench.returns.validate import validate
    from ladobench.site import mkdocs, pages
    from ladobench.stats.audit import audit_files, check
    from ladobench.stats.published import publish

    progress = Progress(quiet)
    progress.stage("validating", paths.display(root))
    dataset = validate(root)  # 1. read and validate every return
    progress.done("validate")
    for warning in dataset.warnings:
        print("warning: " + warning.format(), file=sys.stderr)
    if dataset.errors:
        raise InputError(dataset.errors)
    progress.stage("computing metrics", f"{len(dataset.returns)} returns from {len(dataset.authorities)} authorities")
    with gc_paused():  # millions of objects that all live until the pages are written
        published = publish(dataset, previous_metrics(site_dir))  # 2. metrics, comparisons, disclosure control
        progress.done("metrics")
        progress.stage("making pages")
        files = pages.generate(published, progress.step)  # 3. the pages
        progress.done("pages")
        progress.step("downloads")
        files.update(downloads.generate(published))  # 4. the open data
        progress.done("downloads")
        audit_files(published, files, published.audit)  # 4b. nothing published lets a reader recover a [c]
        progress.step(f"disclosure audit: {published.audit.summary()}")
        check(published.audit)
        progress.done("audit")
    epoch = mkdocs.source_date_epoch(published.periods)
    nav = pages.nav(published)  # the generated pages in mkdocs's nav, so their tab is highlighted
    del published, dataset
    progress.stage("writing the docs folder", "and, on a first build, bundling the chart library")
    written, removed = mkdocs.write_docs(docs_dir, files)
    del files
    progress.done("write")
    progress.step(f"{written} files changed, {removed} removed")
    progress.stage("mkdocs build")
    mkdocs.mkdocs_build(docs_dir, site_dir, epoch, nav)  # 5. the site, swapped in only if it all worked
    progress.done("mkdocs")
    progress.stage("done", f"site in {paths.display(site_dir)}")
    return progress


def serve(root: Path, port: int, site_dir: Path = paths.SITE_DIR, docs_dir: Path = paths.SITE_SRC) -> None:
    """Build, then serve the built site on this machine only, saying where; Ctrl+C stops it."""
    import functools
    import http.server

    build(root, site_dir, docs_dir)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site_dir))
    handler.log_message = lambda *args: None  # (a line per request would bury the address)
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as err:
        raise InputError([Problem("site_build", "--port", None, "", f"port {port}: {err.strerror}", "a free port",
                                  f"Stop what is using port {port}, or give another: --port {port + 1}.")]) from None
    print(f"Serving the site at http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C to stop)", flush=True)
    with server:
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
