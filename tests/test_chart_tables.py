"""Charts show their table: what an authority page's charts draw is read back from the built site (the chart's spec, its
data table, its CSV and the line under it) and checked against the seed returns.

- a breakdown chart draws every category of the table it illustrates, or names it under the chart with why;
- the counting-funnel chart stacks only stages that lie inside one another;
- counts are whole numbers; tooltips name a bar by what it is (Stage, Category), never "Area";
- a metric page draws a funnel plot with OHID's limits once 5 comparable authorities have values, and says so in one
  line when fewer do."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ladobench.stats.funnel_limits import LEVELS, proportion_limits


def _specs(raw: str) -> dict[str, dict]:
    return {m.group(1): json.loads(m.group(2)) for m in
            re.finditer(r'<script type="application/json" id="([^"]+)-spec">(.*?)</script>', raw, re.S)}


def _figure(page, chart_id: str):
    """(the figure's caption text, the chart data table's rows as text) of one chart on a parsed page."""
    div = next(n for n in page.iter("div") if n.attrs.get("id") == chart_id)
    figure = div.parent
    caption = figure.find("figcaption").text()
    siblings = [c for c in figure.parent.children if not isinstance(c, str)]
    details = next(c for c in siblings[siblings.index(figure):] if c.tag == "details")
    return caption, details.find("table").grid()


def _csv(demo, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO((demo.site / "authorities/data" / name).read_text(encoding="utf-8"))))


def _table_labels(slug: str, period: str, dimension: str, index: int) -> list[str]:
    from tests.conftest import AUTHORITIES_DIR

    data = yaml.safe_load((AUTHORITIES_DIR / slug / f"{period}.yaml").read_text())
    return [r["label"] for r in data["breakdowns"][dimension][index]["rows"]]


@pytest.mark.parametrize("slug, period, dimension, index", [
    ("kent", "2023-24", "outcome", 0), ("kent", "2023-24", "final_outcome", 0),
    ("gloucestershire", "2022-23", "outcome", 0), ("gloucestershire", "2022-23", "final_outcome", 1),
])
def test_a_breakdown_chart_draws_every_category_or_says_which_it_leaves_out(demo, html, slug, period, dimension, index):
    page = html(demo.site / "authorities" / slug / "index.html")
    caption, grid = _figure(page, f"chart-{dimension}")
    drawn = {row["label"] for row in _csv(demo, f"{slug}-{dimension}.csv")}
    assert drawn == {row[0] for row in grid[1:]}  # the chart's CSV and its data table are the same rows
    for label in _table_labels(slug, period, dimension, index):
        assert label in drawn or label in caption, f"{label!r} neither drawn nor named under the chart"


def test_the_outcome_charts_draw_substantiated(demo):
    kent = {r["label"]: r for r in _csv(demo, "kent-outcome.csv")}
    assert kent["Substantiated"]["count"] == "180"
    assert float(kent["Substantiated"]["value"]) == pytest.approx(180 / 575 * 100, abs=1e-3)  # of 575 concluded
    glos = {r["label"]: r for r in _csv(demo, "gloucestershire-outcome.csv")}
    assert glos["Substantiated/Founded"]["count"] == "155"
    secondary = {r["label"]: r for r in _csv(demo, "gloucestershire-final_outcome.csv")}
    # Table 2 of section 6.11, of the 579 that met the threshold: No further action 33.3%, Ongoing 29.7%.
    assert round(float(secondary["No Further Action"]["value"]), 1) == 33.3
    assert round(float(secondary["Ongoing"]["value"]), 1) == 29.7


def test_the_stage_chart_stacks_only_nested_stages(demo, html):
    kent = html(demo.site / "authorities/kent/index.html")
    caption, grid = _figure(kent, "chart-funnel")
    assert grid == [["Stage", "Count"], ["Referrals", "1,458"], ["Met harm threshold", "782"]]
    # Kent's 1,330 enquiries are a stream apart from its 1,458 referrals: not drawn as a stage before them, but named.
    assert "Initial contacts 1,330" in caption and "separate from referrals" in caption
    assert "Below threshold 505" in caption
    glos = html(demo.site / "authorities/gloucestershire/index.html")
    caption, grid = _figure(glos, "chart-funnel")
    # Gloucestershire counts contacts and referrals together: its 968 contacts hold the 579 that met the threshold.
    assert grid == [["Stage", "Count"], ["Initial contacts", "968"], ["Met harm threshold", "579"]]
    assert "Below threshold 341" in caption


def test_counts_are_whole_numbers_and_tooltips_name_what_a_bar_is(demo, html):
    for slug in ("kent", "gloucestershire"):
        raw = (demo.site / "authorities" / slug / "index.html").read_text(encoding="utf-8")
        specs = _specs(raw)
        stage = specs["chart-funnel"]
        assert all(isinstance(r["value"], int) for r in stage["datasets"]["table"])
        tooltip = (stage.get("layer") or [stage])[0]["encoding"]["tooltip"]
        assert [t["title"] for t in tooltip] == ["Stage", "Count"] and tooltip[1]["format"] == ",.0f"
        for key in ("chart-outcome", "chart-final_outcome"):
            bar = specs[key]["layer"][0] if "layer" in specs[key] else specs[key]
            assert bar["encoding"]["tooltip"][0]["title"] == "Category"
        assert '"title":"Area"' not in raw
        page = html(demo.site / "authorities" / slug / "index.html")
        for details in page.find_all("details", cls="lb-table-alt"):
            grid = details.find("table").grid()
            for col, head in enumerate(grid[0]):
                if head == "Count":
                    assert all(re.fullmatch(r"[\d,]*", row[col]) for row in grid[1:]), (slug, grid)


def test_a_metric_page_without_5_comparable_authorities_says_so_and_draws_no_funnel(demo, html):
    raw = (demo.site / "metrics/substantiation_rate/index.html").read_text(encoding="utf-8")
    assert "chart-metric-funnel" not in raw
    text = html(demo.site / "metrics/substantiation_rate/index.html").text()
    assert re.search(r"No funnel plot for \d{4}-\d{2}: (no authority has|only one authority has|only [234] authorities "
                     r"have) a value counting the same way; a funnel plot needs at least 5\.", text)


def test_the_methodology_names_the_funnel_method_it_uses(demo, html):
    text = html(demo.site / "methodology/index.html").text()
    assert "PHEindicatormethods" in text and "inverted Wilson score limits" in text and "exact Poisson limits" in text
    assert "Spiegelhalter" not in text


@pytest.fixture(scope="module")
def synthetic(builder, tmp_path_factory):
    """Twenty synthetic authorities over two years (benchmarks/synth.py), built once."""
    from benchmarks import synth

    tmp = tmp_path_factory.mktemp("synth-funnel")
    synth.main(["--out", str(tmp), "--authorities", "20", "--years", "2", "--seed", "7"])
    for tiny in ("city-of-london", "isles-of-scilly"):  # (their counts of 1 to 5 are the disclosure tests' business)
        path = tmp / "authorities" / tiny
        if path.exists():
            import shutil
            shutil.rmtree(path)
    return builder.build(tmp / "authorities", tmp)


def test_a_funnel_plot_with_ohids_limits_on_a_metric_page(synthetic, html):
    raw = (synthetic.site / "metrics/substantiation_rate/index.html").read_text(encoding="utf-8")
    spec = _specs(raw)["chart-metric-funnel"]
    points = spec["datasets"]["table"]
    assert len(points) >= 5
    text = html(synthetic.site / "metrics/substantiation_rate/index.html").text()
    assert f"{len(points)} authorities counting the same way, 2024-25" in text
    rows = list(csv.DictReader(io.StringIO((synthetic.site / "metrics/data/substantiation_rate-chart-metric-funnel.csv")
                                           .read_text(encoding="utf-8"))))
    assert [r["label"] for r in rows] == [p["label"] for p in points]
    assert all(re.fullmatch(r"\d+", r["numerator"]) and re.fullmatch(r"\d+", r["denominator"]) for r in rows)
    pooled = sum(int(r["numerator"]) for r in rows) / sum(int(r["denominator"]) for r in rows)
    lines = spec["layer"][0]["data"]["values"]
    for line in lines[::37]:
        level, side = line["limit"], line["side"]
        lower, upper = proportion_limits(pooled, [line["denominator"]], LEVELS[level])
        assert line["value"] == pytest.approx(float((lower if side == "lower" else upper)[0]) * 100, abs=1e-3)
    # every point's place against the limits, as the table gives it, is the one its own denominator's limits give
    for r in rows:
        lo, hi = proportion_limits(pooled, [int(r["denominator"])], LEVELS["99.8%"])
        value = int(r["numerator"]) / int(r["denominator"])
        assert ("99.8%" in r["position"]) == (not lo[0] <= value <= hi[0])
    tooltip = spec["layer"][1]["encoding"]["tooltip"]
    assert [t["title"] for t in tooltip][0] == "Authority"
    # The caption's count is the table's: as many authorities outside the 99.8% limits as rows the CSV places there.
    outside = sum("99.8%" in r["position"] for r in rows)
    said = (f"{outside} of the {len(rows)} authorities lie outside the 99.8% control limits" if outside
            else f"all {len(rows)} authorities lie within the 99.8% control limits")
    assert f"Substantiation rate, 2024-25: {said}" in text


def test_a_rate_funnel_plot_on_a_metric_page(synthetic):
    raw = (synthetic.site / "metrics/referrals_rate/index.html").read_text(encoding="utf-8")
    spec = _specs(raw)["chart-metric-funnel"]
    assert len(spec["datasets"]["table"]) >= 5
    assert spec["layer"][0]["encoding"]["x"]["title"].lower().startswith("children")
    assert {(v["limit"], v["side"]) for v in spec["layer"][0]["data"]["values"]} == {
        ("95%", "lower"), ("95%", "upper"), ("99.8%", "lower"), ("99.8%", "upper")}


# --- invariants over made-up tables --------------------------------------------------------------

class _Plan:
    def __init__(self, rows):
        self.rows = rows

    def row(self, dimension, table, row):
        return (dimension, table, row) in self.rows

    def total(self, dimension, table):
        return False


@given(st.lists(st.tuples(st.integers(0, 400), st.booleans(), st.booleans()), min_size=1, max_size=12))
@settings(max_examples=60, deadline=None)
def test_every_category_is_drawn_or_named_with_why(cells):
    """Whatever the table holds (counts, percentages only, blanks, withheld cells), each of its categories is a bar or
    is named in the line under the chart; a drawn share is its count over the base."""
    from ladobench.core.model import Return
    from ladobench.site.table_charts import share_rows

    rows, hidden = [], set()
    for i, (count, as_percent, withheld) in enumerate(cells):
        row = {"label": f"Category {chr(65 + i)}"}  # (no label inside another)
        if count and as_percent:
            row["percent"] = round(count / 10, 1)
        elif count:
            row["count"] = count
        rows.append(row)
        if withheld:
            hidden.add(("outcome", 0, i))
    ret = Return("x", "2023-24", "x.yaml", {"funnel": {"concluded": 4000},
                                            "breakdowns": {"outcome": [{"base": "concluded", "rows": rows}]}})
    drawn = share_rows(ret, "outcome", _Plan(hidden))
    if drawn is None:
        return
    by_label = {r["label"]: r for r in drawn["rows"]}
    for i, row in enumerate(rows):
        assert row["label"] in by_label or row["label"] in drawn["left_out"]
        if row["label"] in by_label and "count" in row:
            assert by_label[row["label"]]["value"] == pytest.approx(row["count"] / 4000 * 100)
            assert ("outcome", 0, i) not in hidden
