"""The compare page: its data files (compare/data/<year>/<metric>.json) hold exactly the published metrics, keep suppressed
values suppressed and say why a value is not comparable; in Chromium a reader picks authorities, the address keeps
the choice, and values that count differently stand apart with the reason.

Built from the committed authorities with the comparability fixtures (tests/fixtures/comparability/) and six
authorities counting as Kent does: in 2023-24 Kent and Surrey count contacts the same way, Cornwall counts them with
referrals, Somerset does not say, Swindon gives no contacts and has suppressed outcome shares."""
from __future__ import annotations

import json
import shutil

import pytest
import test_comparability
from test_browser import axe_violations

from ladobench.core.reference import load_reference
from ladobench.core.schema import load_schema

MEASURE = "contacts_rate"
YEAR = "2023-24"
THREE = ["kent", "surrey", "somerset"]


@pytest.fixture(scope="module")
def site(tmp_path_factory, builder):
    tmp = tmp_path_factory.mktemp("compare")
    root = builder.copy(tmp)
    for folder in test_comparability.FIXTURES.iterdir():
        if folder.is_dir():
            shutil.copytree(folder, root / folder.name)
    test_comparability._like_kent(root)
    built = builder.build(root, tmp)
    built.metrics = json.loads((built.site / "downloads" / "metrics.json").read_text(encoding="utf-8"))
    built.data = {}
    for path in sorted((built.site / "compare" / "data").glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert path.relative_to(built.site / "compare" / "data").as_posix() == f"{data['period']}/{data['metric']}.json"
        built.data[(data["period"], data["metric"])] = data
    return built


def rows_of(site, period: str) -> dict[tuple[str, str], dict]:
    """{(metric, authority): the row as a dict, its texts resolved} for one year."""
    out = {}
    for (year, metric), data in site.data.items():
        if year != period:
            continue
        for slug, cells in data["values"].items():
            row = dict(zip(data["columns"], cells))
            for column in ("key", "key_words", "reason", "note"):
                row[column] = data["texts"][row[column]]
            out[(metric, slug)] = row
    return out


# --- the data files ---------------------------------------------------------------------------

def test_every_value_is_the_published_one(site):
    compared = {m.id for m in load_schema().metrics if m.compare}
    published = {(r["period"], r["metric"], r["authority"]): r for r in site.metrics if r["metric"] in compared}
    periods = {r["period"] for r in site.metrics}
    assert set(site.data) == {(p, m) for p in periods for m in compared}  # a file for every year and measure
    seen = set()
    for period in periods:
        for (metric, slug), row in rows_of(site, period).items():
            assert metric in compared, metric  # workload and completeness measures are not compared
            want = published[(period, metric, slug)]
            for column in ("value", "lower95", "upper95", "numerator", "denominator", "status", "reliability", "revised"):
                assert row[column] == (want[column] if want[column] is not None else ("" if column in (
                    "status", "reliability", "revised") else None)), (period, metric, slug, column)
            assert row["note"] == (want["note"] or "")
            seen.add((period, metric, slug))
    assert seen == set(published)  # and every published value of a compared measure is there
    # the seeds: Kent 2023-24 782 of 1,458 met the threshold (53.6%); Gloucestershire 2022-23 155 of 401 (38.7%)
    kent = rows_of(site, "2023-24")[("threshold_conversion", "kent")]
    assert (kent["numerator"], kent["denominator"], round(kent["value"], 1)) == (782, 1458, 53.6)
    glos = rows_of(site, "2022-23")[("substantiation_rate", "gloucestershire")]
    assert (glos["numerator"], glos["denominator"], round(glos["value"], 1)) == (155, 401, 38.7)


def test_suppressed_values_stay_suppressed(site):
    hidden = [r for r in site.metrics if r["status"] == "[c]"]
    assert hidden, "the fixtures should publish at least one suppressed value"
    for r in hidden:
        row = rows_of(site, r["period"]).get((r["metric"], r["authority"]))
        if row is None:
            continue
        assert row["status"] == "[c]" and not row["comparable"]
        assert row["value"] is row["lower95"] is row["upper95"] is row["numerator"] is None, row
    swindon = rows_of(site, "2023-24")[("outcome_share.unsubstantiated", "swindon")]
    assert swindon["status"] == "[c]" and swindon["numerator"] is None
    # the number behind a [c] is nowhere in the file: neither the count nor the share
    assert not any(r["status"] == "[c]" and r["value"] is not None for r in rows_of(site, "2023-24").values())


def test_why_a_value_is_not_comparable_is_in_the_file(site):
    rows = rows_of(site, YEAR)
    for (metric, slug), row in rows.items():
        if not row["status"] and not row["comparable"]:
            assert row["reason"].startswith("not comparable: "), (metric, slug, row["reason"])
        if row["comparable"]:
            assert row["key"] and row["key_words"] and not row["reason"], (metric, slug)
            assert len(row["key"].split("|")) == len(row["key_words"].split("|"))  # the page pairs them part by part
    kent, surrey, cornwall, somerset = (rows[(MEASURE, s)] for s in ("kent", "surrey", "cornwall", "somerset"))
    assert somerset["value"] is not None and not somerset["comparable"]
    assert "does not say whether its contacts include referrals" in somerset["reason"]
    assert kent["comparable"] and surrey["comparable"] and kent["key"] == surrey["key"]
    assert cornwall["comparable"] and cornwall["key"] != kent["key"]
    assert "with referrals" in cornwall["key_words"] and "apart from referrals" in kent["key_words"]


def test_the_page_offers_every_authority_and_set(site, html):
    page = html(site.site / "compare" / "index.html")
    tabs = [a.text() for a in page.find_all("a", "md-tabs__link")]
    assert "Compare" in tabs
    with_returns = {p.name for p in site.root.iterdir() if p.is_dir()}
    boxes = {i.attrs["value"] for i in page.find_all("input") if i.attrs.get("name") == "a"}
    assert boxes == with_returns
    labels = {lab.attrs["for"] for lab in page.find_all("label")}
    assert all(f"lb-a-{slug}" in labels for slug in boxes)  # each box has its label
    options = {o.text(): o.attrs["data-members"].split() for o in page.find_all("option") if "data-members" in o.attrs}
    neighbours = [n for n in load_reference().loc["kent", "neighbour_list"] if n in with_returns]
    assert options["Kent and its statistical neighbours (5 of 11 with a return)"] == ["kent", *neighbours]
    assert neighbours == ["east-sussex", "devon", "west-sussex", "somerset"]
    metrics = [o.attrs["value"] for o in page.find("select").find_all("option")]
    assert metrics == [m.id for m in load_schema().metrics if m.compare]
    without_js = page.find("noscript").text()
    assert "downloads" in without_js and "metrics.csv" in without_js
    assert any(s.attrs.get("src") == "../assets/compare.js" for s in page.find_all("script"))


# --- in the browser ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def base(site, serve):
    return serve(site.site)


def open_compare(browser, base, watch, query="", width=1280, **context):
    ctx = browser.new_context(viewport={"width": width, "height": 900}, **context)
    page = ctx.new_page()
    seen = watch(page, base)
    page.goto(base + "compare/" + query, wait_until="networkidle")
    return ctx, page, seen


def grids(page) -> dict[str, list[list[str]]]:
    """Each table of the result by its caption, rows of cell texts."""
    return page.eval_on_selector_all("#lb-compare-out table", """ts => Object.fromEntries(ts.map(t =>
        [t.caption.textContent, Array.from(t.rows).map(r => Array.from(r.cells).map(c => c.textContent))]))""")


def items(page, which: str) -> dict[str, str]:
    """The authorities shown apart ("apart") or without a value ("missing"): {name: what follows it}."""
    return dict(page.eval_on_selector_all(f"#lb-compare-{which} li", """lis => lis.map(li =>
        [li.querySelector('strong').textContent, li.textContent.slice(li.querySelector('strong').textContent.length)])"""))


def checked(page) -> list[str]:
    return sorted(page.eval_on_selector_all('input[name="a"]:checked', "bs => bs.map(b => b.value)"))


def text_of(row: dict, decimals: int = 1) -> tuple[str, str]:
    return f"{row['value']:,.{decimals}f}", f"{row['lower95']:,.{decimals}f} to {row['upper95']:,.{decimals}f}"


@pytest.mark.browser
def test_pick_three_and_the_address_keeps_them(browser, base, watch, site, artifacts):
    ctx, page, seen = open_compare(browser, base, watch)
    try:
        page.select_option("#lb-compare-metric", MEASURE)
        page.select_option("#lb-compare-year", YEAR)
        page.check("#lb-a-kent")
        page.check("#lb-a-surrey")
        page.focus("#lb-a-somerset")  # by keyboard
        page.keyboard.press("Space")
        page.wait_for_selector("#lb-compare-out table")
        assert checked(page) == sorted(THREE)
        assert page.url.endswith(f"compare/?a={','.join(THREE)}&m={MEASURE}&y={YEAR}"), page.url
        rows = rows_of(site, YEAR)
        before = grids(page)
        compared = before[f"Compared: Initial contacts per 10,000 children, {YEAR}"]
        assert [r[:3] for r in compared[1:]] == [["Kent", *text_of(rows[(MEASURE, "kent")])],
                                                 ["Surrey", *text_of(rows[(MEASURE, "surrey")])]]
        assert compared[1][3:] == ["1,330", "355,390"]  # Kent's 1,330 enquiries, children aged 0-17
        assert list(before) == [f"Compared: Initial contacts per 10,000 children, {YEAR}"]
        value, interval = text_of(rows[(MEASURE, "somerset")])
        assert items(page, "apart") == {"Somerset": f": {value} (95% interval {interval}) — not comparable: does not say "
                                                    "whether its contacts include referrals"}
        assert page.locator("#lb-compare-out svg circle").count() == 2  # the chart draws the compared two only

        page.reload(wait_until="networkidle")
        page.wait_for_selector("#lb-compare-out table")
        assert checked(page) == sorted(THREE)
        assert page.input_value("#lb-compare-metric") == MEASURE and page.input_value("#lb-compare-year") == YEAR
        assert grids(page) == before and list(items(page, "apart")) == ["Somerset"]
        assert not seen.errors and not seen.console_errors and not seen.foreign_requests
    finally:
        ctx.close()
    # the same address in a fresh browser (a peer reviewer's) shows the same
    ctx, page, seen = open_compare(browser, base, watch, f"?a={','.join(THREE)}&m={MEASURE}&y={YEAR}")
    try:
        page.wait_for_selector("#lb-compare-out table")
        assert grids(page) == before and list(items(page, "apart")) == ["Somerset"]
    finally:
        ctx.close()


@pytest.mark.browser
def test_counting_differently_stands_apart_with_the_reason(browser, base, watch, site):
    query = f"?a=kent,cornwall,surrey,swindon,plymouth,devon&m={MEASURE}&y={YEAR}"
    ctx, page, seen = open_compare(browser, base, watch, query)
    try:
        page.wait_for_selector("#lb-compare-out table")
        tables = grids(page)
        compared = tables[f"Compared: Initial contacts per 10,000 children, {YEAR}"]
        assert [r[0] for r in compared[1:]] == ["Kent", "Surrey"]
        apart = items(page, "apart")
        assert list(apart) == ["Cornwall"]
        assert apart["Cornwall"].endswith(" — counts differently: counts contacts with referrals "
                                          "(the values compared above: counts contacts apart from referrals)")
        missing = items(page, "missing")
        assert missing["Swindon"].startswith(" — [x] not available")
        assert missing["Plymouth"] == f" — no return for {YEAR}" and missing["Devon"] == f" — no return for {YEAR}"
        # a suppressed share stays [c], with no number
        page.select_option("#lb-compare-metric", "outcome_share.unsubstantiated")
        page.wait_for_function("""() => document.querySelector('#lb-compare-out h2').textContent.startsWith(
            document.querySelector('#lb-compare-metric').selectedOptions[0].textContent)""")
        missing = items(page, "missing")
        assert missing["Swindon"].startswith(" — [c] confidential"), missing
        assert page.locator("#lb-compare-out").inner_text().count("Swindon") == 1  # no number of Swindon's anywhere
        # a declared discrepancy goes with the value: Kent's 782 of 1,458 (53.6%)
        page.select_option("#lb-compare-metric", "threshold_conversion")
        page.wait_for_selector("#lb-compare-notes")
        kent = grids(page)[f"Compared: Referrals meeting the harm threshold, {YEAR}"][1]
        assert kent[0] == "Kent" and kent[1] == "53.6%" and kent[3:] == ["782", "1,458"], kent
        assert items(page, "notes")["Kent"].startswith(": declared discrepancy: 505 consultations")
        assert not seen.errors and not seen.console_errors and not seen.foreign_requests
    finally:
        ctx.close()


@pytest.mark.browser
def test_without_javascript_the_page_says_where_the_tables_are(browser, base, watch):
    ctx, page, seen = open_compare(browser, base, watch, f"?a=kent&m={MEASURE}&y={YEAR}", java_script_enabled=False)
    try:
        assert page.locator("noscript").count() == 1
        assert "metrics.csv" in page.inner_text("article") and page.is_hidden("#lb-compare")
        page.click("article a[href='../downloads/']")
        assert page.url.endswith("/downloads/")
    finally:
        ctx.close()


@pytest.mark.browser
def test_start_from_a_set(browser, base, watch):
    ctx, page, seen = open_compare(browser, base, watch, f"?m={MEASURE}&y={YEAR}")
    try:
        page.select_option("#lb-compare-set", label="Kent and its statistical neighbours (5 of 11 with a return)")
        page.click("#lb-compare-only")
        page.wait_for_selector("#lb-compare-out table")
        assert checked(page) == sorted(["kent", "east-sussex", "devon", "west-sussex", "somerset"])
        assert "a=kent,east-sussex,devon,west-sussex,somerset&" in page.url
        page.click("#lb-compare-clear")
        assert checked(page) == [] and "a=" not in page.url
        page.fill("#lb-compare-find", "sus")  # find by name among many
        visible = page.eval_on_selector_all('input[name="a"]', "bs => bs.filter(b => b.offsetParent).map(b => b.value)")
        assert visible == ["east-sussex", "west-sussex"]
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
        assert checked(page) == ["east-sussex"] and "a=east-sussex&" in page.url
        assert not seen.errors and not seen.console_errors
    finally:
        ctx.close()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_axe_and_screenshots(browser, base, watch, artifacts, scheme, width):
    query = f"?a=kent,surrey,somerset,cornwall,swindon&m={MEASURE}&y={YEAR}"
    ctx, page, seen = open_compare(browser, base, watch, query, width=width, color_scheme=scheme)
    try:
        page.wait_for_selector("#lb-compare-out table")
        page.screenshot(path=str(artifacts / f"compare-{width}-{scheme}.png"), full_page=True)
        violations = axe_violations(page)
        assert not violations, json.dumps(violations, indent=1)
        # nothing wider than the screen, and the chart is drawn at its size: 13 px text is 13 px
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        scale = page.evaluate("""() => { const s = document.querySelector('#lb-compare-out svg');
            return s.getBoundingClientRect().width / s.viewBox.baseVal.width; }""")
        font = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#lb-compare-out svg text')).fontSize)")
        assert font * scale >= 11, (font, scale)
        assert not seen.errors and not seen.console_errors and not seen.foreign_requests
    finally:
        ctx.close()
