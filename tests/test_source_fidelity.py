"""The published pages say what the reports say: declared contradictions beside the figures they affect,
[u] and widened intervals on counts rebuilt from rounded percentages, [b] at a break in series, figures the
source measures differently published under its own definition, and footnotes that agree with the tables."""
from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from ladobench.returns.validate import validate
from ladobench.stats.intervals import LEVELS, wilson
from ladobench.stats.published import publish


@pytest.fixture(scope="module")
def published():
    return publish(validate())


def _page(demo, slug: str) -> tuple[str, dict[str, str]]:
    """An authority page's markdown: the body (without footnote definitions) and its footnotes by key."""
    text = html.unescape((demo.docs / "authorities" / f"{slug}.md").read_text(encoding="utf-8"))
    notes = dict(re.findall(r"^\[\^(n\d+)\]: (.*)$", text, flags=re.M))
    body = "\n".join(line for line in text.splitlines() if not line.startswith("[^"))
    return body, notes


def _said(text) -> str:
    return " ".join(str(text).split())


def _row(metrics: pd.DataFrame, slug: str, period: str, metric: str):
    return metrics[(metrics.authority == slug) & (metrics.period == period) & (metrics.metric == metric)].iloc[0]


# --- 1. contradictions declared, beside the figure they affect --------------------------------------

def test_every_kent_contradiction_is_a_footnote_on_the_figure_it_affects(demo):
    ret = next(r for r in validate().returns if r.slug == "kent" and r.period == "2023-24")
    body, notes = _page(demo, "kent")
    declared = ret.data["discrepancies"]
    assert len(declared) == 10
    for d in declared:
        key = next((k for k, t in notes.items() if t.startswith(f"Declared discrepancy: {_said(d['found'])}")), None)
        assert key, f"no footnote for {d['found']!r}"
        assert f"[^{key}]" in body, f"footnote {key} is not placed beside any figure"
    # Each section of the issue is declared with the report's section numbers.
    found = " ".join(_said(d["found"]) for d in declared)
    for needle in ("1,287", "section 5.1", "section 6.1", "an increase of 33%", "14.8%", "169 of 1,458 is 11.6%",
                   "213 of 1,458 is 14.6%", "71 of 1,458 is 4.9%", "428", "242 (section 9.4.1)", "about 587", "561",
                   "31.0%", "96.9%", "section 8.11", "section 8.9", "section 3.7"):
        assert needle in found, needle


def test_kent_threshold_conversion_states_its_undecided_referrals_beside_the_headline(demo, published):
    row = _row(published.metrics, "kent", "2023-24", "threshold_conversion")
    assert (row.numerator, row.denominator) == (782, 1458) and round(row.value, 1) == 53.6
    body, _ = _page(demo, "kent")
    headline = next(line for line in body.splitlines() if line.startswith("| [Referrals meeting the harm threshold]"))
    assert "| 53.6% |" in headline
    for needle in ("505 consultations", "782 allegations", "1,287", "171 referrals", "782 of 1,458 is 53.6%",
                   "782 is 60.8%"):
        assert needle in headline, needle
    assert round(782 / 1287 * 100, 1) == 60.8 and round(171 / 1458 * 100, 1) == 11.7


# --- 2. counts rebuilt from rounded percentages -----------------------------------------------------

def test_kent_physical_26_percent_is_unreliable_with_an_interval_spanning_the_rounding(published):
    row = _row(published.metrics, "kent", "2023-24", "harm_mix.physical")
    assert row.numerator == 379 and row.denominator == 1458 and row.reliability == "[u]"
    for level, z in LEVELS.items():
        suffix = level.replace(".", "")
        low, _ = wilson(0.255 * 1458, 1458, z)
        _, high = wilson(0.265 * 1458, 1458, z)
        exact_low, exact_high = wilson(379, 1458, z)
        assert row[f"lower{suffix}"] == pytest.approx(low * 100) and row[f"upper{suffix}"] == pytest.approx(high * 100)
        assert row[f"lower{suffix}"] < exact_low * 100 and row[f"upper{suffix}"] > exact_high * 100
    # A printed count is not rebuilt: Other (128 of 1,458) keeps its exact interval and no [u].
    other = _row(published.metrics, "kent", "2023-24", "harm_mix.other")
    assert other.reliability == "" and other.lower95 == pytest.approx(wilson(128, 1458, LEVELS["95"])[0] * 100)


def test_every_rebuilt_count_is_marked_u(published):
    m = published.metrics
    rebuilt = m[m.note.str.contains("rebuilt from a rounded published percentage") & m.status.eq("")]
    assert len(rebuilt) >= 10 and set(rebuilt.reliability) == {"[u]"}


def test_kents_page_marks_rebuilt_counts(demo):
    body, _ = _page(demo, "kent")
    assert "| Physical abuse | Physical | 379 [u] | 26% |" in body
    assert re.search(r"\| \[Category of harm: Physical\]\([^)]*\) \| 26\.0% \[u\] \| 23\.3–28\.8 \|", body)


# --- 3. breaks in series ----------------------------------------------------------------------------

def test_kents_break_in_series_is_marked_and_nothing_is_joined_across_it(demo, published):
    changes = published.changes
    kent = changes[(changes.authority == "kent") & (changes.period == "2023-24")]
    assert len(kent) and kent.previous_period.isna().all() and kent.change.isna().all()
    body, _ = _page(demo, "kent")
    assert "**Break in series [b] between 2022-23 and 2023-24:**" in body
    assert "online portal (section 3.6)" in body and "(section 8.4)" in body
    referrals = next(line for line in body.splitlines() if line.startswith("| Referrals per 10,000 children"))
    cells = [c.strip() for c in referrals.strip("|").split("|")]
    assert cells[2].endswith("[b]") and not cells[1].endswith("[b]")
    assert cells[3] == "[b] not computed: break in series"
    assert 'id="chart-trend"' not in body  # one year since the break: no line joins the years


# --- 4. measured differently: the source's own definition, never compared ---------------------------

def test_gloucestershire_same_day_and_extraction_figures_are_not_compared(demo, published):
    cmp = published.comparisons
    for metric in ("decision_within_1_day", "ongoing_share"):
        rows = cmp[(cmp.authority == "gloucestershire") & (cmp.metric == metric)]
        assert len(rows) and not rows.comparable.any() and rows.reason.str.startswith("not comparable: measures").all()
    assert _row(published.metrics, "gloucestershire", "2022-23", "decision_within_1_day").value == 90
    body, _ = _page(demo, "gloucestershire")
    assert "as the source measures it: decided on the same day" in body
    assert "Ongoing at year end, as the source measures it: open when the data was taken" in body


def test_gloucestershire_substantiation_says_401_is_derived_and_the_outcome_the_employers(demo, published):
    row = _row(published.metrics, "gloucestershire", "2022-23", "substantiation_rate")
    assert (row.numerator, row.denominator) == (155, 401) and round(row.value, 1) == 38.7
    body, _ = _page(demo, "gloucestershire")
    headline = next(line for line in body.splitlines() if line.startswith("| [Substantiation rate]"))
    assert "| 38.7% |" in headline
    for needle in ("26% of the 597", "derived", "adopts", "section 5.2", "155 of the derived 401"):
        assert needle in headline, needle


# --- 5. footnotes agree with the published tables ---------------------------------------------------

PAIR = re.compile(r"(\d[\d,]*(?:\.\d+)?)% \((\d[\d,]*) of (\d[\d,]*)\)|(\d[\d,]*) of (\d[\d,]*) is (\d[\d,]*(?:\.\d+)?)%")
PERCENT = re.compile(r"(\d[\d,]*(?:\.\d+)?)%")


def _num(text: str) -> float:
    return float(text.replace(",", ""))


def footnote_problems(notes: dict[str, str], published_values: set[float]) -> list[str]:
    """Footnote numbers that disagree with their own counts, or cite as published a value that is not."""
    problems = []
    for key, text in notes.items():
        for m in PAIR.finditer(text):
            pct, a, b = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(6), m.group(4), m.group(5))
            decimals = len(pct.split(".")[1]) if "." in pct else 0
            if round(_num(a) / _num(b) * 100, decimals) != _num(pct):
                problems.append(f"{key}: {m.group(0)} is {_num(a) / _num(b) * 100:.2f}%")
        for sentence in re.split(r"(?<=[.;])\s", text):
            if "publish" not in sentence:
                continue
            for pct in PERCENT.findall(sentence):
                if "." in pct and round(_num(pct), 1) not in published_values:
                    problems.append(f"{key}: cites {pct}% as published; the tables publish no such value")
    return problems


@pytest.mark.parametrize("slug", ["kent", "gloucestershire"])
def test_no_footnote_number_disagrees_with_the_published_tables(demo, published, slug):
    m = published.metrics
    values = {round(v, 1) for v in m[(m.authority == slug) & m.status.eq("")].value.dropna()}
    _, notes = _page(demo, slug)
    assert notes
    assert footnote_problems(notes, values) == []


def test_the_footnote_check_catches_the_old_slips(published):
    m = published.metrics
    values = {round(v, 1) for v in m[(m.authority == "gloucestershire") & m.status.eq("")].value.dropna()}
    old = {"n5": "Declared discrepancy: 62% (section 6.3); 579 of 968 is 59.8%. The return keeps the counts; "
                 "the published share is computed from them (59.8%).",
           "n8": "The published social care share is 25.8% (250 of 968)."}
    found = footnote_problems(old, values)
    assert any(p.startswith("n5: cites 59.8%") for p in found) and any(p.startswith("n8: cites 25.8%") for p in found)
    assert footnote_problems({"x": "1,287 referrals: 782 of 1,287 is 61.8%"}, values) == ["x: 782 of 1,287 is 61.8% is 60.76%"]


def test_a_definition_on_a_field_the_return_lacks_is_refused(tmp_path, capsys):
    import shutil

    from ladobench.cli import main
    from tests.conftest import AUTHORITIES_DIR

    root = tmp_path / "authorities"
    shutil.copytree(AUTHORITIES_DIR, root)
    path = root / "gloucestershire" / "2022-23.yaml"
    path.write_text(path.read_text().replace("  funnel.ongoing_at_year_end: >-\n    open when", "  funnel.ongoing_at_end: >-\n    open when"))
    assert main(["--root", str(root), "validate"]) == 1
    err = capsys.readouterr().err
    assert "measured_as.funnel.ongoing_at_end: found a definition on 'funnel.ongoing_at_end'" in err


def test_a_printed_timeliness_percentage_is_as_exact_as_its_rounding(published):
    # Gloucestershire's 90% of 968 contacts: the count behind it is anything from 89.5% to 90.5% of 968.
    row = _row(published.metrics, "gloucestershire", "2022-23", "decision_within_1_day")
    assert row.value == 90 and row.reliability == "[u]"
    assert row.lower95 == pytest.approx(wilson(0.895 * 968, 968, LEVELS["95"])[0] * 100)
    assert row.upper95 == pytest.approx(wilson(0.905 * 968, 968, LEVELS["95"])[1] * 100)
