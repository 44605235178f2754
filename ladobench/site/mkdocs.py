"""The site's files on disk and mkdocs: write the generated pages beside the hand-written ones, then build."""
from __future__ import annotations

import contextlib
import errno
import importlib.metadata
import logging
import os
import re
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from ladobench.core import paths
from ladobench.core.problems import InputError, Problem
from ladobench.site.render import write_if_changed

GENERATED = ("authorities", "regions", "groups", "metrics", "periods", "downloads", "compare", "assets/vendor")
GENERATED_FILES = ("index.md", "methodology.md", "data-dictionary.md", "downloads.md")


def vendor_assets(docs_dir: Path) -> None:
    """The vega bundle the charts need, generated offline by vl-convert, cached by its version."""
    import vl_convert

    version = importlib.metadata.version("vl-convert-python")
    target = docs_dir / "assets" / "vendor" / "vega.js"
    stamp = f"/* vega, vega-lite and vega-embed bundled by vl-convert-python {version} */\n"
    if target.exists() and target.read_text(encoding="utf-8")[: len(stamp)] == stamp:
        return
    cached = paths.STATIC_PAGES / "assets" / "vendor" / "vega.js"
    if cached != target and cached.exists() and cached.read_text(encoding="utf-8")[: len(stamp)] == stamp:
        write_if_changed(target, cached.read_bytes())
        return
    write_if_changed(target, stamp + vl_convert.javascript_bundle())


def write_pages(docs_dir: Path, files: dict[str, str | bytes]) -> tuple[int, int]:
    """Write the generated files that changed and remove the generated ones this build did not make (an authority
    or a year taken out, a half-written .<name>.tmp a stopped build left). Returns (written, removed)."""
    written = sum(write_if_changed(docs_dir / rel, content) for rel, content in sorted(files.items()))
    removed = 0
    for folder in GENERATED:
        base = docs_dir / folder
        if not base.is_dir() or folder == "assets/vendor":
            continue
        for f in sorted(base.rglob("*")):
            if f.is_file() and f.relative_to(docs_dir).as_posix() not in files:
                f.unlink()
                removed += 1
    return written, removed


def copy_static(docs_dir: Path) -> None:
    """For a build outside the repo's site_src (tests, benchmarks): the hand-written pages and assets."""
    if docs_dir.resolve() == paths.STATIC_PAGES.resolve():
        return
    for f in sorted(paths.STATIC_PAGES.rglob("*")):
        rel = f.relative_to(paths.STATIC_PAGES).as_posix()
        if f.is_file() and not rel.startswith(GENERATED) and rel not in GENERATED_FILES and not rel.endswith(".gitignore"):
            write_if_changed(docs_dir / rel, f.read_bytes())


def source_date_epoch(periods: list[str]) -> int:
    """Builds are dated by their data (the end of the latest year), so the same input gives the same bytes."""
    if not periods:
        return 0
    end = int(periods[-1][:4]) + 1
    return int(datetime(end, 3, 31, tzinfo=UTC).timestamp())


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


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def remove_stale(site_dir: Path) -> list[Path]:
    """Remove the temporary sites (site.<pid>.<random>/) of builds that were stopped (kill -9, power cut) before
    they swapped theirs in; a build still running (its process is alive) keeps its own. Folders named any other
    way (site.old, a copy someone made) are never touched. Returns what was removed."""
    pattern = re.compile(rf"^{re.escape(site_dir.name)}\.(\d+)\.[A-Za-z0-9_]{{8}}$")
    removed = []
    for entry in sorted(site_dir.parent.iterdir()) if site_dir.parent.is_dir() else []:
        m = pattern.match(entry.name)
        if m and entry.is_dir() and not entry.is_symlink() and int(m.group(1)) != os.getpid() \
                and not _running(int(m.group(1))):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def no_space(err: BaseException, folder: Path) -> InputError | None:
    """A full disk, said as a message (the caller leaves the published site as it was)."""
    if not isinstance(err, OSError) or err.errno != errno.ENOSPC:
        return None
    where = paths.display(folder)
    return InputError([Problem("site_build", where, None, "", f"no space left on {where}",
                               "room for the new site beside the old one (about as much again)",
                               "Free some space on that disk and build again; the previous site is unchanged.",
                               severity="error")])


def full_nav(generated: dict[str, list] | None) -> list | None:
    """mkdocs.yml's nav with the generated pages listed under their sections: a section written there as one
    `Title: folder/index.md` becomes `Title: [folder/index.md, ...generated[folder]]`. With navigation.indexes the
    index stays the tab's page; a generated page in the nav gets its tab highlighted (Material marks the active tab
    only for pages in the nav), and navigation.prune keeps each page's HTML to the branch it is in."""
    if not generated:
        return None
    import yaml

    nav = []
    for entry in yaml.safe_load(paths.MKDOCS_YML.read_text(encoding="utf-8"))["nav"]:
        (title, target), = entry.items() if isinstance(entry, dict) else ((None, entry),)
        folder = target.removesuffix("/index.md") if isinstance(target, str) and target.endswith("/index.md") else None
        if folder in generated:
            nav.append({title: [target, *generated[folder]]})
        else:
            nav.append(entry)
    return nav


def mkdocs_build(docs_dir: Path, site_dir: Path, epoch: int, nav: dict[str, list] | None = None) -> None:
    """mkdocs build --strict into a temporary folder; the old site is replaced only if it succeeds. nav: the
    generated pages of each section ({folder: nav entries}, pages.nav), added to mkdocs.yml's nav."""
    from mkdocs.commands.build import build as mk_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(site_dir)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f"{site_dir.name}.{os.getpid()}.", dir=site_dir.parent))
    except OSError as err:
        raise no_space(err, site_dir.parent) or err from None
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp's 0700 would keep a web server running as another user out of the site
    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        with _env(SOURCE_DATE_EPOCH=epoch):
            extra = {"nav": full_nav(nav)} if nav else {}
            config = load_config(str(paths.MKDOCS_YML), docs_dir=str(docs_dir.resolve()), site_dir=str(tmp), strict=True,
                                 **extra)
            mk_build(config)
    except BaseException as err:
        shutil.rmtree(tmp, ignore_errors=True)
        full = no_space(err, site_dir.parent)
        if full:
            raise full from None
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


def write_docs(docs_dir: Path, files: dict[str, str | bytes]) -> tuple[int, int]:
    """The hand-written pages, the chart library and the generated files in the docs folder: (written, removed)."""
    try:
        copy_static(docs_dir)
        vendor_assets(docs_dir)
        return write_pages(docs_dir, files)
    except OSError as err:
        raise no_space(err, docs_dir) or err from None
