"""The same input gives the same bytes; an unchanged rebuild touches nothing; a failing build changes
nothing; the command line reports bad input as located messages, never a traceback."""
from __future__ import annotations

import gzip
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ladobench.build import build
from ladobench.core.problems import InputError

REPO = Path(__file__).resolve().parent.parent
AUTHORITIES = REPO / "authorities"
NEGATIVE = ("  referrals: 1458\n", "  referrals: -1458\n")


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def break_return(root: Path) -> Path:
    target = root / "kent" / "2023-24.yaml"
    text = target.read_text(encoding="utf-8")
    assert NEGATIVE[0] in text
    target.write_text(text.replace(*NEGATIVE), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def again(builder, tmp_path_factory):
    """A second build of the committed input into other folders (the first is the session's demo)."""
    return builder.build(AUTHORITIES, tmp_path_factory.mktemp("again"))


def test_two_builds_are_byte_identical(demo, again):
    first, second = tree(demo.site), tree(again.site)
    assert {"sitemap.xml", "sitemap.xml.gz", "index.html", "search/search_index.json",
            "downloads/metrics.csv", "assets/vendor/vega.js"} <= set(first)
    assert sorted(first) == sorted(second)
    differ = [name for name in first if first[name] != second[name]]
    assert not differ, differ[:20]
    assert len(first) > 200


def test_the_build_is_dated_by_its_data(again):
    # The latest year is 2023-24, so the build is dated 31 March 2024 whatever the clock says.
    epoch = int(datetime(2024, 3, 31, tzinfo=UTC).timestamp())
    raw = (again.site / "sitemap.xml.gz").read_bytes()
    assert int.from_bytes(raw[4:8], "little") == epoch  # the gzip header's MTIME
    assert gzip.decompress(raw) == (again.site / "sitemap.xml").read_bytes()


def test_an_unchanged_rebuild_rewrites_no_page(again, demo):
    before = stamps(again.docs)
    build(root=AUTHORITIES, site_dir=again.site, docs_dir=again.docs, quiet=True)
    after = stamps(again.docs)
    assert sorted(before) == sorted(after)
    rewritten = [name for name in before if before[name] != after[name]]
    assert not rewritten, rewritten[:20]
    assert len(before) > 150
    assert tree(again.site) == tree(demo.site)


def test_an_invalid_return_leaves_the_site_intact(again, builder, tmp_path):
    site_before, docs_before = tree(again.site), stamps(again.docs)
    root = builder.copy(tmp_path)
    break_return(root)
    with pytest.raises(InputError) as err:
        build(root=root, site_dir=again.site, docs_dir=again.docs, quiet=True)
    rules = {p.rule for p in err.value.problems}
    assert "negative_count" in rules
    assert tree(again.site) == site_before
    assert stamps(again.docs) == docs_before  # validation failed before anything was written
    assert sorted(p.name for p in again.site.parent.iterdir()) == ["docs", "site"]


def test_a_failing_mkdocs_build_leaves_the_site_intact(again):
    site_before = tree(again.site)
    broken = again.docs / "broken-link.md"
    broken.write_text("# Broken\n\nSee [nowhere](nowhere.md).\n", encoding="utf-8")
    try:
        with pytest.raises(InputError) as err:
            build(root=AUTHORITIES, site_dir=again.site, docs_dir=again.docs, quiet=True)
    finally:
        broken.unlink()
    problem = err.value.problems[0]
    assert problem.rule == "site_build" and "nowhere.md" in problem.format()
    assert "previous site is unchanged" in problem.format()
    assert tree(again.site) == site_before
    # the temporary site mkdocs wrote into is gone, and no old copy is left beside the site
    assert sorted(p.name for p in again.site.parent.iterdir()) == ["docs", "site"]


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], capture_output=True, text=True,
                           cwd=REPO, env=env, timeout=300)


def test_cli_build_with_an_invalid_return_exits_1_with_a_located_message(builder, tmp_path):
    root = builder.copy(tmp_path)
    break_return(root)
    done = _cli("--root", str(root), "build", "--site-dir", str(tmp_path / "site"), "--docs-dir", str(tmp_path / "docs"))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    lines = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert lines, done.stderr
    assert any(line.startswith("error: authorities/kent/2023-24.yaml:14 funnel.referrals: found -1,458")
               and line.endswith("[negative_count]") for line in lines), lines
    assert not (tmp_path / "site").exists() and not (tmp_path / "docs").exists()


def test_cli_build_writes_the_same_site(demo, tmp_path):
    done = _cli("--root", str(AUTHORITIES), "build", "--site-dir", str(tmp_path / "site"), "--docs-dir",
                str(tmp_path / "docs"), "--quiet")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert tree(tmp_path / "site") == tree(demo.site)


def test_cli_build_shows_each_stage_and_how_far_it_has_got(tmp_path):
    done = _cli("--root", str(AUTHORITIES), "build", "--site-dir", str(tmp_path / "site"), "--docs-dir", str(tmp_path / "docs"))
    assert done.returncode == 0, done.stderr
    shown = [line.split("] ", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("[")]
    for expected in ("computing metrics: 3 returns from 2 authorities", "authority pages: 2/2", "downloads"):
        assert expected in shown, shown
    assert "mkdocs build" in shown and "making pages" in shown
    assert shown[0].startswith("validating") and shown[-1].startswith("done: site in")
    quiet = _cli("--root", str(AUTHORITIES), "build", "--site-dir", str(tmp_path / "site2"), "--docs-dir",
                 str(tmp_path / "docs2"), "--quiet")
    assert quiet.returncode == 0 and not [line for line in quiet.stderr.splitlines() if line.startswith("[")]
