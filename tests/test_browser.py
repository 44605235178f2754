"""Every page type in Chromium over HTTP: charts drawn, no console or page errors, no request to any
other host, tables present, no serious or critical axe-core violation, sortable tables. Full-page
screenshots go to tests/artifacts/ for a person to look at."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_site import PAGE_TYPES

pytestmark = pytest.mark.browser

AXE_SCRIPT = (Path(__import__("axe_playwright_python").__file__).parent / "axe.min.js").read_text(encoding="utf-8")
# No axe rule is disabled.
AXE_OPTIONS = {"resultTypes": ["violations"]}

CHARTS_DRAWN = """() => Array.from(document.querySelectorAll('.lb-chart')).every(el =>
    el.querySelector('svg') !== null || el.textContent.includes('could not be drawn'))"""

CHART_REPORT = """() => Array.from(document.querySelectorAll('.lb-chart')).map(el => {
    const spec = JSON.parse(document.getElementById(el.dataset.spec).textContent);
    return {id: el.id, svg: el.querySelectorAll('svg').length,
            marks: el.querySelectorAll('svg g.role-mark > *').length,
            rows: spec.datasets.table.length,
            failed: el.textContent.includes('could not be drawn')};
})"""


@pytest.fixture(scope="module")
def base(demo, serve):
    return serve(demo.site)


def open_page(browser, base, path, watch, **context):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, **context)
    page = ctx.new_page()
    seen = watch(page, base)
    page.goto(base + path, wait_until="networkidle")
    page.wait_for_function(CHARTS_DRAWN, timeout=15_000)
    return ctx, page, seen


# Material fades its tabs in one after another; a tab caught half-faded fails the contrast rule although it settles
# at full contrast, so axe runs once no transition or animation is still playing.
SETTLED = "() => document.getAnimations().every(a => a.playState !== 'running')"


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    page.wait_for_function(SETTLED, timeout=10_000)
    page.add_script_tag(content=AXE_SCRIPT)
    result = page.evaluate(f"axe.run(document, {json.dumps(AXE_OPTIONS)})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [" ".join(n["target"]) for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in impacts]


def url_of(rel: str) -> str:
    return rel[: -len("index.html")] if rel.endswith("index.html") else rel


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_page_type_in_the_browser(browser, base, watch, artifacts, kind):
    ctx, page, seen = open_page(browser, base, url_of(PAGE_TYPES[kind]), watch)
    try:
        charts = page.evaluate(CHART_REPORT)
        for chart in charts:
            assert not chart["failed"], chart
            assert chart["svg"] == 1 and chart["marks"] >= chart["rows"], chart
        if kind in ("authority", "region", "group", "metric"):
            assert charts, f"the {kind} page drew no chart"
        assert page.locator("article table").count() > 0
        assert page.locator("article table").first.is_visible()
        page.screenshot(path=str(artifacts / f"{kind.replace(' ', '-')}.png"), full_page=True)
        violations = axe_violations(page)
        assert not violations, json.dumps(violations, indent=1)
        assert not seen.errors, seen.errors
        assert not seen.console_errors, seen.console_errors
        assert not seen.foreign_requests, seen.foreign_requests
        assert not seen.dialogs
    finally:
        ctx.close()


@pytest.mark.parametrize("kind", ["gloucestershire", *PAGE_TYPES])
def test_every_page_type_in_dark_mode_passes_axe(browser, base, watch, artifacts, kind):
    """The slate (dark) palette too, on every page type: Material picks it from prefers-color-scheme."""
    path = "authorities/gloucestershire/" if kind == "gloucestershire" else url_of(PAGE_TYPES[kind])
    ctx, page, seen = open_page(browser, base, path, watch, color_scheme="dark")
    try:
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
        page.screenshot(path=str(artifacts / f"{kind.replace(' ', '-')}-dark.png"), full_page=False)
        violations = axe_violations(page)
        assert not violations, json.dumps(violations, indent=1)
        assert not seen.errors and not seen.console_errors and not seen.foreign_requests
    finally:
        ctx.close()


def _column(table, index: int) -> list[str]:
    # the cell's own text without footnote markers, as the sort sees it
    return table.locator("tbody tr").evaluate_all(
        f"""rows => rows.map(r => {{ const c = r.cells[{index}].cloneNode(true);
                c.querySelectorAll('sup').forEach(s => s.remove()); return c.textContent.trim(); }})""")


def _numbers(values: list[str]) -> list[float]:
    out = []
    for v in values:
        try:
            out.append(float(v.replace(",", "").rstrip("%")))
        except ValueError:
            pass
    return out


def test_clicking_a_header_sorts_the_rows(browser, base, watch):
    ctx, page, seen = open_page(browser, base, "authorities/kent/", watch)
    try:
        # The funnel table: its counts carry footnote markers, which must not change the order.
        table = page.locator("article table", has=page.locator("th", has_text="Kent's term")).first
        header = table.locator("thead th", has_text="2023-24")
        before = _column(table, 2)
        assert before[:2] == ["1,330", "1,458"]
        header.click()
        assert header.get_attribute("aria-sort") == "ascending"
        up = _column(table, 2)
        assert sorted(up) == sorted(before)
        nums = _numbers(up)
        assert nums == sorted(nums) and len(nums) == 6, up
        assert up[:6] == ["275", "505", "575", "782", "1,330", "1,458"], up
        assert up[-2:] in (["[x]", "[x]"],), up  # symbols after numbers
        header.click()
        assert header.get_attribute("aria-sort") == "descending"
        down = _numbers(_column(table, 2))
        assert down == sorted(down, reverse=True), down
        # text columns sort too, and the keyboard works (Enter on a focused header)
        stage = table.locator("thead th", has_text="Stage")
        stage.focus()
        page.keyboard.press("Enter")
        assert stage.get_attribute("aria-sort") == "ascending"
        assert header.get_attribute("aria-sort") == "none"
        labels = _column(table, 0)
        assert labels == sorted(labels, key=str.lower), labels
        assert not seen.errors and not seen.console_errors
    finally:
        ctx.close()


def test_sorting_a_multi_row_table_on_the_home_page(browser, base, watch):
    ctx, page, seen = open_page(browser, base, "", watch)
    try:
        table = page.locator("article table", has=page.locator("th", has_text="Region")).first
        header = table.locator("thead th", has_text="Authority")
        header.click()
        assert _column(table, 0) == ["Gloucestershire", "Kent"]
        header.click()
        assert _column(table, 0) == ["Kent", "Gloucestershire"]
        assert not seen.errors and not seen.console_errors
    finally:
        ctx.close()
