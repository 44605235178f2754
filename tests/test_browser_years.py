"""Moving between years in Chromium: the year line under the heading of a region, group, metric and submissions
page leads to the same page in the other year, and back, with the year shown marked and the page title following."""
from __future__ import annotations

import pytest
from test_browser import CHARTS_DRAWN

pytestmark = pytest.mark.browser

ARGS = dict(viewport={"width": 1280, "height": 900})


@pytest.fixture(scope="module")
def base(demo, serve):
    return serve(demo.site)


@pytest.mark.parametrize("path", ["regions/south-west/", "groups/gloucestershire-swindon-cornwall-peer-review/",
                                  "metrics/substantiation_rate/", "periods/2023-24/"])
def test_the_year_line_moves_between_years(browser, base, path):
    ctx = browser.new_context(**ARGS)
    page = ctx.new_page()
    try:
        page.goto(base + path, wait_until="networkidle")
        line = page.locator("nav.ladobench-years")
        assert line.locator("[aria-current=page]").inner_text() == "2023-24"
        assert "2023-24" in page.title()
        line.get_by_role("link", name="2022-23").click()
        page.wait_for_load_state("networkidle")
        assert page.url.rstrip("/").endswith("2022-23"), page.url
        assert "2022-23" in page.title()
        assert page.locator("nav.ladobench-years [aria-current=page]").inner_text() == "2022-23"
        page.wait_for_function(CHARTS_DRAWN, timeout=15_000)
        # And back to the latest year, by its link on the earlier year's page.
        page.locator("nav.ladobench-years").get_by_role("link", name="2023-24").click()
        page.wait_for_load_state("networkidle")
        assert page.url == base + path
        assert "2023-24" in page.title()
    finally:
        ctx.close()
