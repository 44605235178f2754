"""mkdocs runs while a second process makes the pages (production.py, feed.py): it reads each page only once
it is written, whatever the speed of either, and a page maker that fails publishes nothing."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from ladobench import paths, production
from ladobench.build import MKDOCS_YML, build
from ladobench.published import publish
from ladobench.validate import validate

from test_reproducible import tree

needs_fork = pytest.mark.usefixtures("forking")  # (conftest.py)


def _late(real, fail_at: str | None = None, hold_at: str | None = None, flag: Path | None = None):
    """production.produce, raising before the job of the page fail_at, or holding that of hold_at until the
    file flag exists."""
    def produce(published, docs_dir, jobs, step=None):
        items = real(published, docs_dir, jobs, step)
        done = -1
        while True:
            upcoming = jobs[done + 1].pages if done + 1 < len(jobs) else ()
            if fail_at in upcoming:
                raise RuntimeError(f"the page maker broke before {fail_at}")
            if hold_at in upcoming:
                waited = time.monotonic()
                while not flag.exists() and time.monotonic() - waited < 60:
                    time.sleep(0.01)
            try:
                item = next(items)
            except StopIteration as stop:
                return stop.value
            done = item[0]
            yield item

    return produce


def test_the_pages_are_made_in_the_order_mkdocs_reads_them(demo, tmp_path):
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    config = load_config(str(MKDOCS_YML), docs_dir=str(demo.docs), site_dir=str(tmp_path / "site"))
    order = [f.src_uri for f in get_files(config).documentation_pages()]
    jobs = production.plan(publish(validate(), None))
    job_of = {page: i for i, job in enumerate(jobs) for page in job.pages}
    needed = [job_of[page] for page in order if page in job_of]
    assert len(needed) == len(job_of)  # mkdocs finds every planned page
    first_needed = list(dict.fromkeys(needed))
    assert first_needed == sorted(first_needed) == list(range(len(first_needed)))  # the jobs in the order mkdocs needs them
    assert jobs[-1].kind == "downloads"  # the data files last: mkdocs copies them after the last page


@needs_fork
def test_a_page_mkdocs_reaches_before_it_is_made_is_waited_for(demo, tmp_path, monkeypatch):
    from ladobench.feed import Feed

    # Kent's page is made only once mkdocs has asked for it: mkdocs must wait, then read the real page.
    asked, real_pre_page = tmp_path / "asked", Feed.on_pre_page

    def on_pre_page(self, page, config, files):
        if page.file.src_uri == "authorities/kent.md":
            asked.touch()
        return real_pre_page(self, page, config, files)

    monkeypatch.setattr(Feed, "on_pre_page", on_pre_page)
    monkeypatch.setattr(production, "produce", _late(production.produce, hold_at="authorities/kent.md", flag=asked))
    progress = build(root=paths.AUTHORITIES_DIR, site_dir=tmp_path / "site", docs_dir=tmp_path / "docs", quiet=True)
    assert progress.forked and progress.timings["mkdocs_waited"] > 0
    assert tree(tmp_path / "site") == tree(demo.site)
    assert "1,458" in (tmp_path / "site" / "authorities" / "kent" / "index.html").read_text(encoding="utf-8")


@needs_fork
def test_a_page_maker_that_fails_leaves_the_site_intact(builder, tmp_path, monkeypatch):
    built = builder.build(paths.AUTHORITIES_DIR, tmp_path)
    site_before = tree(built.site)
    (built.docs / "authorities" / "kent.md").unlink()  # a new page: mkdocs starts with an empty stand-in for it
    monkeypatch.setattr(production, "produce", _late(production.produce, fail_at="authorities/kent.md"))
    with pytest.raises(RuntimeError, match="broke before authorities/kent.md"):
        build(root=paths.AUTHORITIES_DIR, site_dir=built.site, docs_dir=built.docs, quiet=True)
    assert tree(built.site) == site_before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs", "site"]  # no half-built site beside it
    assert not (built.docs / "authorities" / "kent.md").exists()  # no empty page left for `mkdocs serve`


def test_an_authority_taken_out_leaves_the_site_and_its_data_files(builder, tmp_path):
    root = builder.copy(tmp_path)
    built = builder.build(root, tmp_path / "out")
    charts = sorted(p.name for p in (built.docs / "authorities" / "data").glob("gloucestershire-*.csv"))
    assert charts and (built.site / "authorities" / "gloucestershire" / "index.html").exists()
    shutil.rmtree(root / "gloucestershire")
    build(root=root, site_dir=built.site, docs_dir=built.docs, quiet=True)
    for folder in (built.docs / "authorities", built.site / "authorities"):
        assert not list(folder.rglob("gloucestershire*")), folder
    assert (built.site / "authorities" / "kent" / "index.html").exists()
    assert "Gloucestershire" not in (built.site / "authorities" / "index.html").read_text(encoding="utf-8")


def test_half_written_files_go_and_files_mkdocs_leaves_out_stay(builder, tmp_path):
    # A page maker writes each file as .<name>.tmp, then renames it: a stopped build may leave one, which
    # the next build removes; a file mkdocs leaves out (a dot file) is not taken for a stale data file.
    built = builder.build(paths.AUTHORITIES_DIR, tmp_path)
    data = built.docs / "authorities" / "data"
    half_written, note = data / ".kent-trend.csv.tmp", data / ".notes"
    half_written.write_text("period,value\n", encoding="utf-8")
    note.write_text("kept by hand\n", encoding="utf-8")
    build(root=paths.AUTHORITIES_DIR, site_dir=built.site, docs_dir=built.docs, quiet=True)
    assert not half_written.exists()
    assert note.read_text(encoding="utf-8") == "kept by hand\n"
    assert not (built.site / "authorities" / "data" / ".notes").exists()


def test_a_build_that_fails_before_mkdocs_leaves_no_empty_page(builder, tmp_path, monkeypatch):
    from ladobench import build as building

    built = builder.build(paths.AUTHORITIES_DIR, tmp_path)
    site_before = tree(built.site)
    (built.docs / "authorities" / "kent.md").unlink()

    def fails(docs_dir):
        raise OSError("no space left on the device")

    monkeypatch.setattr(building, "vendor_assets", fails)
    # (and Kent's page is never made before the failure)
    monkeypatch.setattr(production, "produce", _late(production.produce, hold_at="authorities/kent.md", flag=tmp_path / "never"))
    with pytest.raises(OSError, match="no space"):
        build(root=paths.AUTHORITIES_DIR, site_dir=built.site, docs_dir=built.docs, quiet=True)
    kent = built.docs / "authorities" / "kent.md"
    assert not kent.exists()  # not left empty for a later `mkdocs serve`
    assert tree(built.site) == site_before
