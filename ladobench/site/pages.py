"""Every generated page of the site and the data files of its charts, as {path under site_src: content}."""
from __future__ import annotations

from functools import cache

from ladobench.core.schema import load_schema
from ladobench.publish import downloads
from ladobench.publish.tables import csv_text as to_csv
from ladobench.site import authority_page, compare_page, listings, reference_docs
from ladobench.site.render import environment
from ladobench.site.urls import region_page
from ladobench.stats.published import Published


@cache
def env():
    environment_ = environment()
    environment_.globals["region_page"] = region_page
    environment_.globals["SYMBOLS"] = {s.symbol: f"{s.meaning}: {s.definition}" for s in load_schema().symbols.values()}
    return environment_


def render(template: str, **context) -> str:
    return env().get_template(template).render(**context)


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
    """Every generated file: {path under the docs folder: content}. step(what, done, total), if given, hears how
    far the pages have got (build.Progress.step)."""
    step = step or (lambda what, done=None, total=None: None)
    pages: dict[str, str | bytes] = {}
    slugs = authority_slugs(published)
    for i, slug in enumerate(slugs):
        step("authority pages", i, len(slugs))
        pages.update(authority_files(published, slug))
    step("authority pages", len(slugs), len(slugs))
    step("region, peer group, metric and year pages")
    pages.update(listings.generate(published, render, to_csv))
    pages.update(reference_docs.generate(render, published.audit))
    pages.update(compare_page.files(published, render))
    pages["downloads.md"] = render("downloads.md.j2", files=downloads.files(), rows=downloads.row_counts(published),
                                  spec=downloads.spec(), as_at=downloads.as_at(published.periods))
    return pages


def nav(published: Published) -> dict[str, list]:
    """The generated pages under the sections of mkdocs.yml's nav: {folder: entries after the folder's index}."""
    return listings.Listings(published, render, to_csv).nav()
