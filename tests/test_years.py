"""Pages across authorities in every year, the site's addresses, page titles, the active tab and how the site is
served: a site built from returns of three years (the demo plus the comparability fixtures: 2022-23 to 2024-25 and a calendar 2023) and
the demo (two years)."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from test_comparability import with_fixtures

from ladobench.core.reference import regions
from ladobench.core.schema import load_schema

REPO = Path(__file__).resolve().parent.parent
SITE_NAME = "LADO benchmarks"


@pytest.fixture(scope="module")
def three_years(tmp_path_factory, builder):
    tmp = tmp_path_factory.mktemp("years")
    root = with_fixtures(tmp, builder, like_kent=False)
    site = builder.build(root, tmp)
    site.periods = sorted(p.name for p in (site.site / "periods").iterdir() if p.is_dir())
    site.groups = [g["id"] for g in yaml.safe_load((root / "groups.yaml").read_text(encoding="utf-8"))["groups"]]
    return site


def _url(rel: str) -> str:
    """The address a page's file is served at: a/b/index.html -> /a/b/."""
    return "/" + rel.removesuffix("index.html")


def _year_page(base: str, period: str, latest: str) -> str:
    return f"{base}/index.html" if period == latest else f"{base}-{period}/index.html"


def _families(site) -> dict[str, list[str]]:
    """Every page that exists once per year, as the folder of its latest year's page."""
    return {"region": [f"regions/{name.lower().replace(' ', '-')}" for name in regions().values()],
            "group": [f"groups/{g}" for g in site.groups],
            "metric": [f"metrics/{m.id}" for m in load_schema().metrics]}


def _years_line(html, page: Path):
    nav = html(page).find("nav", cls="ladobench-years")
    assert nav is not None, f"{page} has no line of year links"
    return nav


def test_every_region_group_metric_and_status_page_exists_for_every_year_and_links_to_the_others(three_years, html):
    site, periods = three_years.site, three_years.periods
    assert periods == ["2022-23", "2023", "2023-24", "2024-25"]  # Devon reports by calendar year
    latest = periods[-1]
    pages = {base: {p: _year_page(base, p, latest) for p in periods} for bases in _families(three_years).values()
             for base in bases}
    pages["periods"] = {p: f"periods/{p}/index.html" for p in periods}
    assert len(pages) == 9 + len(three_years.groups) + len(load_schema().metrics) + 1
    for base, by_year in pages.items():
        for period, rel in by_year.items():
            assert (site / rel).is_file(), f"no {base} page for {period}: {rel}"
            line = _years_line(html, site / rel)
            current = [n for n in line.iter() if n.attrs.get("aria-current") == "page"]
            assert [n.text() for n in current] == [period], (rel, line.text())
            assert line.text() == "Year: " + " · ".join(periods), rel
            targets = {}
            for a in line.iter("a"):
                path = urlsplit(urljoin(_url(rel), a.attrs["href"])).path.lstrip("/")
                targets[a.text()] = path + "index.html"
            assert targets == {p: r for p, r in by_year.items() if p != period}, (rel, targets)
            # The line is near the top: right after the page's heading.
            article = html(site / rel).find("article")
            first = [n for n in article.children if getattr(n, "tag", None) not in (None, "a")]
            assert [n.tag for n in first[:2]] == ["h1", "nav"], rel


def test_the_year_pages_have_no_broken_link(three_years, html):
    site, broken = three_years.site, []
    for folder in ("regions", "groups", "metrics", "periods"):
        for page in (site / folder).rglob("index.html"):
            rel = page.relative_to(site).as_posix()
            for node in html(page).iter():
                for attr in ("href", "src"):
                    value = node.attrs.get(attr)
                    if not value or value.startswith("#") or urlsplit(value).scheme or urlsplit(value).netloc:
                        continue
                    target = site / urlsplit(urljoin(_url(rel), value)).path.lstrip("/")
                    if not (target.is_file() or (target / "index.html").is_file()):
                        broken.append((rel, value))
    assert not broken, broken[:20]


# --- regions by name ------------------------------------------------------------------------------

def test_regions_live_at_their_names(demo, html):
    names = {n.lower().replace(" ", "-") for n in regions().values()}
    assert {"south-east", "yorkshire-and-the-humber", "east-of-england", "london"} <= names
    for name in names:
        assert (demo.site / "regions" / name / "index.html").is_file(), name
        assert (demo.site / "regions" / f"{name}-2022-23" / "index.html").is_file(), name
    assert not list((demo.site / "regions").glob("E12*")), "a region page still at its ONS code"
    leaks = [p.relative_to(demo.site).as_posix() for p in demo.site.rglob("*.html")
             if re.search(r'href="[^"]*E12\d{6}', p.read_text(encoding="utf-8"))]
    assert not leaks, leaks[:10]


def test_kent_says_its_region_with_a_link_to_the_region_by_name(demo, html):
    article = html(demo.site / "authorities/kent/index.html").find("article")
    links = [a.attrs["href"] for a in article.iter("a") if a.text() == "South East"]
    assert links and links[0] == "../../regions/south-east/", links


def test_the_home_and_region_index_list_each_region_once_as_its_own_item(demo, html):
    home = html(demo.site / "index.html").find("article")
    items = [li for li in home.iter("li") if any(a.attrs.get("href", "").startswith("regions/") for a in li.iter("a"))]
    assert len(items) == 9, [li.text()[:80] for li in items]
    assert items[7].text() == "South East: 1 of 19 authorities submitted for 2023-24"
    assert items[7].find("a").attrs["href"] == "regions/south-east/"
    index = html(demo.site / "regions/index.html").find("article")
    hrefs = [a.attrs["href"] for a in index.iter("a") if a.text() in regions().values()]
    assert hrefs == [f"{n.lower().replace(' ', '-')}/" for n in regions().values()]


# --- titles and the active tab --------------------------------------------------------------------

def test_every_page_has_its_own_meaningful_title(demo, html):
    titles = {}
    for page in sorted(demo.site.rglob("*.html")):
        rel = page.relative_to(demo.site).as_posix()
        if rel == "404.html":
            continue
        title = html(page).find("title").text()
        titles.setdefault(title, []).append(rel)
    assert titles.pop(SITE_NAME) == ["index.html"]  # the home page: the site's name once
    assert not [t for t in titles if not t.endswith(f" - {SITE_NAME}") or t.startswith(SITE_NAME)], list(titles)[:10]
    same = {t: rels for t, rels in titles.items() if len(rels) > 1}
    assert not same, same
    assert "South East: region figures 2022-23 - LADO benchmarks" in titles
    assert "Substantiation rate, 2022-23 - LADO benchmarks" in titles
    assert "Substantiation rate, 2023-24 - LADO benchmarks" in titles


ACTIVE_TAB = {
    "authorities/kent/index.html": "Authorities",
    "authorities/gloucestershire/index.html": "Authorities",
    "periods/2022-23/index.html": "Authorities",
    "regions/south-east/index.html": "Regions",
    "regions/south-west-2022-23/index.html": "Regions",
    "groups/kent-lancashire-peer-review/index.html": "Peer groups",
    "metrics/substantiation_rate/index.html": "Metrics",
    "metrics/harm_mix.physical-2022-23/index.html": "Metrics",
    "metrics/index.html": "Metrics",
    "index.html": "Home",
    "methodology/index.html": "Methodology",
}


@pytest.mark.parametrize("rel", ACTIVE_TAB)
def test_a_generated_page_highlights_its_tab(demo, html, rel):
    tabs = html(demo.site / rel).find("nav", cls="md-tabs")
    active = tabs.find_all("li", cls="md-tabs__item--active")
    assert [li.text() for li in active] == [ACTIVE_TAB[rel]], rel


def test_the_sidebar_stays_small(demo, html):
    """navigation.prune: a page carries the branch of the nav it is in, not every generated page of the site."""
    def sidebar(rel):
        nav = html(demo.site / rel).find("nav", cls="md-nav--primary")
        return [urlsplit(urljoin(_url(rel), a.attrs["href"])).path for a in nav.iter("a") if a.attrs.get("href")]

    metric = sidebar("metrics/substantiation_rate/index.html")
    assert "/metrics/substantiation_rate-2022-23/" in metric and "/metrics/harm_mix.physical/" in metric
    assert "/metrics/harm_mix.physical-2022-23/" not in metric  # another metric's years: pruned
    assert "/authorities/kent/" not in metric
    kent = sidebar("authorities/kent/index.html")
    assert "/periods/2022-23/" not in kent
    assert not [u for u in kent if u.startswith("/metrics/") and u != "/metrics/"]


def test_authorities_are_listed_by_region_in_the_sidebar(three_years, html):
    """An authority's page lists its own region's authorities; another region shows as one link (to its first)."""
    def sidebar(rel):
        nav = html(three_years.site / rel).find("nav", cls="md-nav--primary")
        return {a.text(): urlsplit(urljoin(_url(rel), a.attrs["href"])).path for a in nav.iter("a") if a.attrs.get("href")}

    devon = sidebar("authorities/devon/index.html")
    assert {"Cornwall", "Devon", "Gloucestershire", "Plymouth", "Somerset", "Swindon"} <= set(devon)
    assert "Kent" not in devon and devon["South East"] == "/authorities/kent/"
    kent = sidebar("authorities/kent/index.html")
    assert "Kent" in kent and "Swindon" not in kent and "Devon" not in kent


# --- serving ----------------------------------------------------------------------------------------

def test_the_readme_sends_readers_to_serve_not_to_the_files_on_disk():
    """Pages are folders (use_directory_urls): opened from disk a link shows a folder listing and search fails, so the
    README says to use `build.py serve` and never to open site/index.html."""
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["use_directory_urls"] is True
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert "build.py serve` builds it and serves it at the address it prints" in readme
    assert "open that address, not the files in `site/`" in readme
    assert not re.search(r"open(ing)? `?site/index\.html", readme, re.I)
    assert "opened from disk (`file://`), links lead to folder listings and search does not work" in readme
    assert "`regions/south-east/`" in readme and "`regions/south-east-2022-23/`" in readme


def test_a_year_without_a_chart_says_why(demo):
    # South West's only return is Gloucestershire 2022-23: its 2023-24 page had a "Charts" heading with nothing under it.
    page = (demo.docs / "regions" / "south-west.md").read_text(encoding="utf-8")
    charts = page.split("## Charts")[1].split("\n## ")[0]
    assert "No chart for 2023-24: no authority in South West has a return for 2023-24" in charts
    assert "lb-chart" not in charts
    earlier = (demo.docs / "regions" / "south-west-2022-23.md").read_text(encoding="utf-8")
    assert "No chart for" not in earlier and "lb-chart" in earlier.split("## Charts")[1]
