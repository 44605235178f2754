"""The authority page as a reader meets it in Chromium: the profile on the first screen, its markers the
comparisons table's own statements, the printed page (tables and charts, chart tables opened, no site
furniture), a 390 px phone (chart text at least 11 px, wide tables scroll in their own box) and the weight
(the vega bundle only where there is a chart; the time to the first chart is printed, not asserted)."""
from __future__ import annotations

import csv
import re
import time

import pytest
import yaml
from test_browser import CHARTS_DRAWN, axe_violations

from ladobench.core.reference import load_reference, regions
from ladobench.core.schema import load_schema

pytestmark = pytest.mark.browser

SYNTH_AUTHORITIES = 40  # enough for every comparator of Kent's to have five comparable others on some measure


@pytest.fixture(scope="module")
def base(demo, serve):
    return serve(demo.site)


@pytest.fixture(scope="module")
def synth_site(tmp_path_factory, builder, serve):
    """Synthetic returns for 40 authorities, one year: Kent has comparators with enough comparable others."""
    from benchmarks import synth

    tmp = tmp_path_factory.mktemp("profile-synth")
    root = synth.generate(tmp / "in", authorities=SYNTH_AUTHORITIES, years=1, seed=3)
    built = builder.build(root, tmp / "out")
    built.base = serve(built.site)
    return built


def _page(browser, base, path, width=1280, height=800, **context):
    ctx = browser.new_context(viewport={"width": width, "height": height}, **context)
    page = ctx.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    started = time.perf_counter()
    page.goto(base + path, wait_until="load")
    page.wait_for_function(CHARTS_DRAWN, timeout=15_000)
    page.requests, page.started = requests, started
    return ctx, page


PROFILE_CELLS = """() => {
  const table = document.querySelector('.lb-profile table');
  const heads = Array.from(table.tHead.rows[0].cells).map(c => c.textContent.trim());
  return Array.from(table.tBodies[0].rows).map(tr => {
    const out = {title: tr.cells[0].textContent.trim(), value: tr.cells[1].querySelector('strong').textContent.trim(),
                 bottom: tr.getBoundingClientRect().bottom, cells: {}};
    let col = 2;
    for (const td of Array.from(tr.cells).slice(2)) {
      const span = td.colSpan || 1;
      for (let i = 0; i < span; i++) out.cells[heads[col + i]] = {text: td.textContent.replace(/\\s+/g, ' ').trim(),
        result: td.dataset.result || '', marker: td.querySelectorAll('svg.lb-mark').length};
      col += span;
    }
    return out;
  });
}"""


def test_the_profile_is_on_the_first_screen(browser, base):
    ctx, page = _page(browser, base, "authorities/kent/")
    try:
        rows = page.evaluate(PROFILE_CELLS)
        titles = [m.title for m in load_schema().metrics if m.headline]
        assert [r["title"] for r in rows] == titles
        assert all(r["bottom"] <= 800 for r in rows), [(r["title"], r["bottom"]) for r in rows]
        by_title = {r["title"]: r for r in rows}
        assert by_title["Referrals meeting the harm threshold"]["value"] == "53.6%"  # Kent 2023-24: 782 of 1,458
        assert by_title["Substantiation rate"]["value"] == "31.3%"  # 180 of 575
        # The demo has two authorities: nothing has five comparable others, so no marker anywhere, and every
        # comparator cell says so.
        for r in rows:
            for head, c in r["cells"].items():
                assert c["text"].startswith("not compared: ") and not c["marker"] and not c["result"], (r["title"], head, c)
    finally:
        ctx.close()


def _comparator_headings(site) -> dict[tuple[str, str], str]:
    groups = yaml.safe_load((site.root / "groups.yaml").read_text(encoding="utf-8"))["groups"]
    return {("england", "england"): "England", ("neighbours", "neighbours"): "Statistical neighbours",
            **{("region", code): name for code, name in regions().items()},
            **{("group", g["id"]): g["name"] for g in groups}}


def test_every_marker_is_a_statement_of_the_comparisons_table(browser, synth_site):
    """Each profile cell against its row of the published comparisons table: a marker exactly where the table
    says higher, similar or lower at 95%, with its word; "not compared" everywhere else."""
    titles = {m.id: m.title for m in load_schema().metrics if m.headline}
    headings = _comparator_headings(synth_site)
    with open(synth_site.site / "downloads" / "comparisons.csv", encoding="utf-8", newline="") as f:
        table = [r for r in csv.DictReader(f) if r["authority"] == "kent" and r["metric"] in titles]
    assert table
    ctx, page = _page(browser, synth_site.base, "authorities/kent/")
    try:
        rows = {r["title"]: r for r in page.evaluate(PROFILE_CELLS)}
        assert all(r["bottom"] <= 800 for r in rows.values()), "with markers too, the profile fits the first screen"
        markers = 0
        for c in table:
            cell = rows[titles[c["metric"]]]["cells"][headings[(c["comparator"], c["comparator_id"])]]
            if c["result95"] in ("higher", "similar", "lower"):
                markers += 1
                assert cell["result"] == c["result95"] and cell["marker"] == 1, (c, cell)
                assert cell["text"].startswith(c["result95"]) and f"n={c['n_members']} of {c['others_total']}" in cell["text"]
            else:
                assert not cell["result"] and not cell["marker"] and cell["text"].startswith("not compared"), (c, cell)
        assert markers >= 3, "the synthetic site should give Kent some markers"
        found = {r["title"]: r for r in page.evaluate(PROFILE_CELLS)}
        assert sum(c["marker"] for r in found.values() for c in r["cells"].values()) == markers
    finally:
        ctx.close()


PRINT_STATE = """() => ({
  tables: Array.from(document.querySelectorAll('.lb-table-alt table')).map(t =>
    t.checkVisibility({contentVisibilityAuto: true}) ? t.getBoundingClientRect().height : 0),
  furniture: ['.md-header', '.md-tabs', '.md-sidebar--primary', '.md-sidebar--secondary', '.md-footer', '.md-search']
    .map(s => document.querySelector(s)).filter(e => e && e.getBoundingClientRect().height > 0 &&
      getComputedStyle(e).display !== 'none').map(e => e.className),
  charts: Array.from(document.querySelectorAll('.lb-chart svg')).map(s => s.getBoundingClientRect().height),
})"""


def test_the_printed_authority_page(browser, base, artifacts):
    ctx, page = _page(browser, base, "authorities/kent/")
    try:
        page.emulate_media(media="print")  # ladobench.js opens the chart tables when print media starts to match
        page.wait_for_function("document.querySelectorAll('.lb-table-alt:not([open])').length === 0", timeout=5_000)
        state = page.evaluate(PRINT_STATE)
        assert state["tables"] and all(h > 20 for h in state["tables"]), state["tables"]
        # and should no script run first, the stylesheet alone prints a closed one's table
        page.evaluate("document.querySelectorAll('.lb-table-alt').forEach(d => d.open = false)")
        state = page.evaluate(PRINT_STATE)
        assert state["tables"] and all(h > 20 for h in state["tables"]), state["tables"]
        assert not state["furniture"], state["furniture"]
        assert state["charts"] and all(h > 20 for h in state["charts"]), state["charts"]
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")  # what a browser's Print does first
        assert page.evaluate("document.querySelectorAll('details:not([open])').length") == 0
        pdf = page.pdf(format="A4")
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        print(f"\nKent printed: {pages} A4 pages ({len(pdf) // 1024} KB PDF)")
        (artifacts / "authority-print.pdf").write_bytes(pdf)
        assert 3 <= pages <= 20, pages  # 34 before the print stylesheet
        page.evaluate("window.dispatchEvent(new Event('afterprint'))")
        assert page.evaluate("document.querySelectorAll('.lb-table-alt[open]').length") == 0
    finally:
        ctx.close()


CHART_TEXT = """() => Array.from(document.querySelectorAll('.lb-chart svg')).flatMap(svg => {
  const scale = svg.getBoundingClientRect().width / (svg.width.baseVal.value || 1);
  return Array.from(svg.querySelectorAll('text')).filter(t => t.textContent.trim()).map(t =>
    ({text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * scale}));
})"""

OVERFLOW = """() => ({
  page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  clipped: Array.from(document.querySelectorAll('article table')).filter(t => t.getClientRects().length).flatMap(t => {
    let box = t.parentElement;
    while (box && box !== document.body) {
      const o = getComputedStyle(box).overflowX;
      if (o === 'auto' || o === 'scroll') break;
      if (o === 'hidden' || o === 'clip') return [t.tHead ? t.tHead.textContent.trim().slice(0, 60) + ' (clipped)' : 'table'];
      box = box.parentElement;
    }
    const wide = t.getBoundingClientRect().width > (box && box !== document.body ? box.clientWidth : innerWidth) + 1;
    return wide && (!box || box === document.body) ? [(t.tHead ? t.tHead.textContent.trim().slice(0, 60) : 'table') + ' (no scroll box)'] : [];
  }),
})"""


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("path", ["authorities/kent/", "metrics/threshold_conversion/", "regions/E12000008/"])
def test_phone_and_desktop_widths(browser, base, artifacts, width, path):
    ctx, page = _page(browser, base, path, width=width, height=844 if width == 390 else 800)
    try:
        if page.locator("details.lb-table-alt").count():
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        text = page.evaluate(CHART_TEXT)
        if path.startswith("authorities"):
            assert text
        small = [t for t in text if t["px"] < 11]
        assert not small, small[:5]
        state = page.evaluate(OVERFLOW)
        assert state["page"] <= 0, f"the page scrolls sideways by {state['page']} px"
        assert not state["clipped"], state["clipped"]
        if path.startswith("authorities"):
            name = f"authority-{width}"
            page.screenshot(path=str(artifacts / f"{name}-top.png"))
            page.locator(".lb-figure").first.screenshot(path=str(artifacts / f"{name}-chart.png"))
    finally:
        ctx.close()


def test_vega_only_where_there_are_charts(browser, base):
    for path in ("", "methodology/", "authorities/", "downloads/"):
        ctx, page = _page(browser, base, path)
        try:
            page.wait_for_load_state("networkidle")
            assert page.locator(".lb-chart").count() == 0
            assert not [u for u in page.requests if "vega" in u], path
        finally:
            ctx.close()
    ctx, page = _page(browser, base, "authorities/kent/")
    try:
        page.wait_for_function("document.querySelector('.lb-chart svg')")
        first = time.perf_counter() - page.started
        assert [u for u in page.requests if u.endswith("assets/vendor/vega.js")]
        print(f"\nKent: first chart painted {first:.2f} s after navigation")
    finally:
        ctx.close()


def test_a_region_name_is_known():  # the headings the marker test maps comparators to
    assert regions().get(load_reference().loc["kent", "region_code"]) == "South East"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_profile_with_markers_passes_axe(browser, synth_site, scheme):
    ctx, page = _page(browser, synth_site.base, "authorities/kent/", color_scheme=scheme)
    try:
        assert page.locator(".lb-profile svg.lb-mark").count() > 3
        violations = axe_violations(page)
        assert not violations, violations
    finally:
        ctx.close()
