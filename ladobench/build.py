"""The build: validate → metrics → pages → mkdocs, swapping the new site in only when every stage worked."""
from __future__ import annotations

import contextlib
import gc
import importlib.metadata
import logging
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from . import paths
from .problems import InputError, Problem
from .render import write_if_changed

GENERATED = ("authorities", "regions", "groups", "metrics", "periods", "downloads", "assets/vendor")
GENERATED_FILES = ("index.md", "methodology.md", "data-dictionary.md", "downloads.md")
MKDOCS_YML = paths.ROOT / "mkdocs.yml"


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
    forked: bool | None = None  # whether a second process made the pages and downloads


def vendor_assets(docs_dir: Path) -> None:
    """The vega bundle the charts need, generated offline by vl-convert, cached by its version."""
    import vl_convert

    version = importlib.metadata.version("vl-convert-python")
    target = docs_dir / "assets" / "vendor" / "vega.js"
    stamp = f"/* vega, vega-lite and vega-embed bundled by vl-convert-python {version} */\n"
    if target.exists() and target.read_text(encoding="utf-8")[: len(stamp)] == stamp:
        return
    cached = paths.SITE_SRC / "assets" / "vendor" / "vega.js"
    if cached != target and cached.exists() and cached.read_text(encoding="utf-8")[: len(stamp)] == stamp:
        write_if_changed(target, cached.read_bytes())
        return
    write_if_changed(target, stamp + vl_convert.javascript_bundle())


def prune(docs_dir: Path, pages: set[str]) -> int:
    """Before a build: remove the generated pages it will not make (an authority or a year taken out), and any
    half-written file a stopped build left (.<name>.tmp). Returns how many. (Feed removes the other files
    the build did not make, once it knows which it made.)"""
    removed = 0
    for folder in GENERATED:
        base = docs_dir / folder
        if not base.is_dir() or folder == "assets/vendor":
            continue
        for f in sorted(base.rglob("*")):
            stale = f.suffix == ".md" and f.relative_to(docs_dir).as_posix() not in pages
            if f.is_file() and (stale or (f.name.startswith(".") and f.name.endswith(".tmp"))):
                f.unlink()
                removed += 1
    return removed


def stand_ins(docs_dir: Path, pages: set[str]) -> list[Path]:
    """An empty file for each new page, so that mkdocs finds it when it starts; it is written before mkdocs reads it."""
    made = []
    for rel in sorted(pages):
        path = docs_dir / rel
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
            made.append(path)
    return made


def _unstand(paths_: list[Path]) -> None:
    """After a failed build: the stand-ins not yet written, so that a later `mkdocs serve` shows no empty page."""
    for path in paths_:
        if path.exists() and not path.stat().st_size:
            path.unlink()


def copy_static(docs_dir: Path) -> None:
    """For a build outside the repo's site_src (tests, benchmarks): the hand-written pages and assets."""
    if docs_dir.resolve() == paths.SITE_SRC.resolve():
        return
    for f in sorted(paths.SITE_SRC.rglob("*")):
        rel = f.relative_to(paths.SITE_SRC).as_posix()
        if f.is_file() and not rel.startswith(GENERATED) and rel not in GENERATED_FILES and not rel.endswith(".gitignore"):
            write_if_changed(docs_dir / rel, f.read_bytes())


def source_date_epoch(periods: list[str]) -> int:
    """Builds are dated by their data (the end of the latest year), so the same input gives the same bytes."""
    if not periods:
        return 0
    end = int(periods[-1][:4]) + 1
    return int(datetime(end, 3, 31, tzinfo=timezone.utc).timestamp())


@contextlib.contextmanager
def _env(**values):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update({k: str(v) for k, v in values.items()})
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def mkdocs_build(docs_dir: Path, site_dir: Path, epoch: int, plugins: dict | None = None) -> None:
    """mkdocs build --strict into a temporary folder; the old site is replaced only if it succeeds.
    plugins: more plugins, by name, beside those of mkdocs.yml (the build's feed.Feed)."""
    from mkdocs.commands.build import build as mk_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{site_dir.name}.", dir=site_dir.parent))
    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        with _env(SOURCE_DATE_EPOCH=epoch):
            config = load_config(str(MKDOCS_YML), docs_dir=str(docs_dir.resolve()), site_dir=str(tmp), strict=True)
            for name, plugin in (plugins or {}).items():
                config.plugins[name] = plugin
            mk_build(config)
    except BaseException as err:
        shutil.rmtree(tmp, ignore_errors=True)
        if not isinstance(err, (MkDocsException, SystemExit)):
            raise
        detail = "; ".join(handler.messages[:5]) or str(err)
        raise InputError([Problem("site_build", "mkdocs.yml", None, "", f"mkdocs could not build the site ({detail})",
                                  "a site with no broken links", "Nothing was published; the previous site is unchanged.",
                                  severity="error")]) from None
    finally:
        logger.removeHandler(handler)
    old = site_dir.with_name(site_dir.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if site_dir.exists():
        site_dir.rename(old)
    tmp.rename(site_dir)
    shutil.rmtree(old, ignore_errors=True)


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
    from .reading import start

    progress = Progress(quiet)
    progress.stage("validating", str(root))
    started = start(root)  # with a lot to read, a second process starts on the files while this one imports
    progress.done("validate")
    from . import downloads, production
    from .background import Stream
    from .published import publish
    from .validate import gc_paused, validate

    progress.done("imports")
    dataset = validate(root, started=started)
    progress.done("validate")
    for warning in dataset.warnings:
        print("warning: " + warning.format(), file=sys.stderr)
    if dataset.errors:
        raise InputError(dataset.errors)
    progress.stage("computing metrics", f"{len(dataset.returns)} returns from {len(dataset.authorities)} authorities")
    with gc_paused():  # millions of objects that all live until the pages are written
        published = publish(dataset, previous_metrics(site_dir))
        progress.done("metrics")
        # mkdocs starts now; a second process makes the pages in the order mkdocs reads them (production.py),
        # and mkdocs waits for any it reaches first (feed.py).
        jobs = production.plan(published)
        planned = production.pages(jobs)
        removed = prune(docs_dir, planned)
        new_pages = stand_ins(docs_dir, planned)
        epoch = source_date_epoch(published.periods)
        try:
            stream = Stream(production.produce, published, docs_dir, jobs, progress.step)
        except BaseException:
            _unstand(new_pages)
            raise
    del published, dataset  # (the other process has its copy)
    try:
        with stream:
            copy_static(docs_dir)
            vendor_assets(docs_dir)
            progress.done("handover")
            progress.stage("mkdocs build", "while the pages are made" + ("" if stream.forked else " (in this process)"))
            from .feed import Feed

            feed = Feed(stream, jobs, tuple(f for f in GENERATED if f != "assets/vendor"), downloads.names(), progress.step)
            gc.freeze()  # what is left lives on (modules, caches): mkdocs' own collections need not scan it again and again
            try:
                mkdocs_build(docs_dir, site_dir, epoch, {"ladobench-feed": feed})
            finally:
                gc.unfreeze()
    except BaseException:
        _unstand(new_pages)  # (the other process is stopped by now: it writes nothing more)
        raise
    progress.done("mkdocs")
    progress.timings["mkdocs_waited"] = feed.waited
    progress.timings.update({f"worker_{k}": v for k, v in feed.value.items()})  # for the benchmark
    progress.forked = stream.forked
    progress.step(f"{feed.written} files changed, {removed + feed.removed} removed")
    progress.stage("done", f"site in {paths.display(site_dir)}")
    return progress


def serve(root: Path, port: int) -> None:
    """Build, then preview with mkdocs' own server (it reloads when a page is rewritten)."""
    build(root)
    from mkdocs.commands.serve import serve as mk_serve

    mk_serve(config_file=str(MKDOCS_YML), dev_addr=f"127.0.0.1:{port}", livereload=True)
