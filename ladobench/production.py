"""What the build writes into the docs folder, in the order mkdocs reads it.

mkdocs reads the pages one at a time in the order of their paths (the top folder first, each folder's
index before its other pages), then copies every other file. So the build starts mkdocs as soon as the
metrics are computed, and a second process makes the files in that order: each page is written shortly
before mkdocs reaches it, the downloads while mkdocs works on the last pages (see feed.py, which makes
mkdocs wait for a page that is not written yet). Nothing depends on who is faster: only the time does.

plan() says which markdown pages each job makes before any is made (mkdocs must find every page when it
starts); the data files beside them are named as they are made.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .published import Published
from .reference import regions
from .render import write_if_changed
from .schema import load_schema

HOME_PAGES = ("index.md", "data-dictionary.md", "methodology.md", "authorities/index.md")


@dataclass(frozen=True)
class Job:
    kind: str  # home, downloads page, authority, groups, metrics, periods, regions or downloads
    what: str | int | None  # the authority's slug, or which piece of the downloads
    pages: tuple[str, ...]  # the markdown pages it makes


def plan(published: Published) -> list[Job]:
    """Every job, in the order mkdocs reads what they make."""
    from . import downloads

    dataset = published.dataset
    slugs = sorted({r.slug for r in dataset.returns}, key=lambda s: f"{s}.md")  # as mkdocs sorts the file names
    jobs = [Job("home", None, HOME_PAGES), Job("downloads page", None, ("downloads.md",))]  # (it counts the rows)
    jobs += [Job("authority", slug, (f"authorities/{slug}.md",)) for slug in slugs]
    jobs.append(Job("groups", None, ("groups/index.md", *(f"groups/{g['id']}.md" for g in dataset.groups))))
    jobs.append(Job("metrics", None, ("metrics/index.md", *(f"metrics/{m.id}.md" for m in load_schema().metrics))))
    jobs.append(Job("periods", None, tuple(f"periods/{p}.md" for p in published.periods)))
    jobs.append(Job("regions", None, ("regions/index.md", *(f"regions/{code}.md" for code in regions()))))
    jobs += [Job("downloads", i, ()) for i in range(len(downloads.JOBS))]
    return jobs


def pages(jobs: list[Job]) -> set[str]:
    return {page for job in jobs for page in job.pages}


def produce(published: Published, docs_dir: Path, jobs: list[Job], step=None):
    """Make and write each job's files in turn; yield (job's index, the paths it made, how many were written)
    after each, and return the seconds spent on each kind of job (and this process's memory)."""
    from . import downloads, reference_docs
    from .listings import Listings
    from .pages import authority_files, render, to_csv

    step = step or (lambda what, done=None, total=None: None)
    listings = Listings(published, render, to_csv)
    timings: dict[str, float] = {"listings": 0.0, "authority_pages": 0.0, "downloads": 0.0, "write": 0.0}
    authorities, done = sum(1 for job in jobs if job.kind == "authority"), 0
    for i, job in enumerate(jobs):
        started = time.perf_counter()
        if job.kind == "downloads":
            if job.what == 0:
                step("downloads")
            names, written = downloads.make(job.what, published, docs_dir, timings)
            yield i, names, written
            continue
        if job.kind == "authority":
            step("authority pages", done, authorities)
            files, key = authority_files(published, job.what), "authority_pages"
            done += 1
            if done == authorities:
                step("authority pages", done, authorities)
        elif job.kind == "home":
            step("home and reference pages")
            files, key = listings.home(), "listings"
            files.update(reference_docs.generate(render))
        elif job.kind == "downloads page":
            files, key = downloads.page(published, render), "listings"
        else:
            step(f"{job.kind} pages" if job.kind != "periods" else "year pages")
            files, key = getattr(listings, job.kind)(), "listings"
        made = {name for name in files if name.endswith(".md")}
        if made != set(job.pages):  # plan() and the page makers disagree: a bug, never a page left empty
            raise RuntimeError(f"the {job.kind} job made {sorted(made ^ set(job.pages))} other than planned")
        timings[key] += time.perf_counter() - started
        started = time.perf_counter()
        written = sum(write_if_changed(docs_dir / rel, content) for rel, content in sorted(files.items()))
        timings["write"] += time.perf_counter() - started
        yield i, sorted(files), written
    _memory(timings)
    return timings


def _memory(timings: dict) -> None:
    """timings["peak_rss_mb"] of this process and, on Linux, "private_mb": its memory not shared with the build
    (a forked process shares the pages it has not written)."""
    if sys.platform != "win32":
        import resource

        scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, kilobytes on Linux
        timings["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20
    try:  # Linux: the memory this process has of its own, not shared with the build it was forked from
        rollup = Path("/proc/self/smaps_rollup").read_text(encoding="ascii").splitlines()
        timings["private_mb"] = sum(int(line.split()[1]) for line in rollup if line.startswith("Private_")) / 1024
    except (OSError, ValueError, IndexError):
        pass
