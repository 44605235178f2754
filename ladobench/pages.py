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


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _column_cells(values: list) -> list:
    """[_cell(v) for v in values], faster for a column of one kind (millions of cells in the downloads)."""
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if kinds == {float}:
        finite = [v for v in values if v is not None and v == v]  # (v != v: NaN)
        if all(-1e11 < v < 1e11 for v in finite):
            # The text csv writes for round(v, 4) (its repr), made in one step: both round the exact binary
            # value half to even to 4 places, and below 1e11 the shortest repr of that is its digits.
            return ["" if v is None or v != v else s + "0" if (s := ("%.4f" % v).rstrip("0"))[-1] == "." else s
                    for v in values]
        return ["" if v is None or v != v else round(v, 4) for v in values]
    if kinds <= {int}:
        return ["" if v is None else v for v in values]
    if kinds == {str}:
        return ["" if v is None else "'" + v if v[:1] in _FORMULA else v for v in values]
    return [_cell(v) for v in values]


def to_csv_columns(cells: dict[str, list], columns: list[str]) -> str:
    """to_csv of the rows these columns make up (a column missing from cells is empty), column by column."""
    n = len(next(iter(cells.values()), []))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(zip(*[_column_cells(cells[c]) if c in cells else [""] * n for c in columns]))
    return out.getvalue()


def to_csv(rows: list[dict], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue()


def authority_files(published: Published, slug: str) -> dict[str, str]:
    """One authority's page and the CSV files of its charts."""
    pages = {}
    ctx = authority_page.context(published, slug)
    pages[f"authorities/{slug}.md"] = render("authority.md.j2", **ctx)
    for key, chart in ctx["charts"].items():
        pages[f"authorities/data/{slug}-{key}.csv"] = to_csv(chart["rows"], [k for k in chart["rows"][0] if k != "highlight"])
    for section in ctx["sections"]:
        if section["chart"]:
            rows = section["chart"]["rows"]
            pages[f"authorities/data/{slug}-{section['key']}.csv"] = to_csv(rows, [k for k in rows[0] if k != "highlight"])
    return pages


def authority_slugs(published: Published) -> list[str]:
    return sorted({r.slug for r in published.dataset.returns})


def generate(published: Published, step=None) -> dict[str, str | bytes]:
    """Every generated file at once, in this process. (The build makes them in another process, in the order
    mkdocs reads them, while mkdocs runs: production.produce.) step(what, done, total), if given, hears how far
    the pages have got (build.Progress.step)."""
    step = step or (lambda what, done=None, total=None: None)
    pages: dict[str, str | bytes] = {}
    slugs = authority_slugs(published)
    for i, slug in enumerate(slugs):
        step("authority pages", i, len(slugs))
        pages.update(authority_files(published, slug))
    step("authority pages", len(slugs), len(slugs))
    step("region, peer group, metric and year pages")
    pages.update(listings.generate(published, render, to_csv))
    pages.update(reference_docs.generate(render))
    step("downloads")
    pages.update(downloads.generate(published, render))
    return pages
