"""Every generated page and data file of the site, as {path under site_src: content}."""
from __future__ import annotations

import csv
import io
import math
from functools import lru_cache

from . import authority_page, downloads, listings, reference_docs
from .published import Published
from .render import environment
from .schema import load_schema


@lru_cache(maxsize=None)
def env():
    environment_ = environment()
    environment_.globals["SYMBOLS"] = {s.symbol: f"{s.meaning}: {s.definition}" for s in load_schema().symbols.values()}
    return environment_


def render(template: str, **context) -> str:
    return env().get_template(template).render(**context)


def _cell(value):
    """A CSV cell; text that a spreadsheet would run as a formula gets a leading quote (OWASP)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv_columns(cells: dict[str, list], columns: list[str]) -> str:
    """to_csv of the rows these columns make up (a column missing from cells is empty), column by column."""
    n = len(next(iter(cells.values()), []))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(zip(*[[_cell(v) for v in cells[c]] if c in cells else [""] * n for c in columns]))
    return out.getvalue()


def to_csv(rows: list[dict], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue()


def generate(published: Published, step=None, with_downloads: bool = True) -> dict[str, str | bytes]:
    """step(what, done, total), if given, hears how far the pages have got (build.Progress.step).

    with_downloads=False leaves out the downloads (downloads.write makes them; the build runs it in the background).
    """
    step = step or (lambda what, done=None, total=None: None)
    pages: dict[str, str | bytes] = {}
    slugs = sorted({r.slug for r in published.dataset.returns})
    for i, slug in enumerate(slugs):
        step("authority pages", i, len(slugs))
        ctx = authority_page.context(published, slug)
        pages[f"authorities/{slug}.md"] = render("authority.md.j2", **ctx)
        for key, chart in ctx["charts"].items():
            pages[f"authorities/data/{slug}-{key}.csv"] = to_csv(chart["rows"], [k for k in chart["rows"][0] if k != "highlight"])
        for section in ctx["sections"]:
            if section["chart"]:
                rows = section["chart"]["rows"]
                pages[f"authorities/data/{slug}-{section['key']}.csv"] = to_csv(rows, [k for k in rows[0] if k != "highlight"])
    step("authority pages", len(slugs), len(slugs))
    step("region, peer group, metric and year pages")
    pages.update(listings.generate(published, render, to_csv))
    pages.update(reference_docs.generate(render))
    if with_downloads:
        step("downloads")
        pages.update(downloads.generate(published, render))
    return pages
