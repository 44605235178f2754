"""Metrics from the committed returns: the figures peer reviewers compare, with honest uncertainty."""
import csv
import io
import json
import math

import pandas as pd
import pytest

from ladobench.returns.validate import validate
from ladobench.stats.compare import comparisons
from ladobench.stats.metrics import compute
from ladobench.stats.published import publish


@pytest.fixture(scope="module")
def dataset():
    return validate()


@pytest.fixture(scope="module")
def metrics(dataset):
    return compute(dataset.returns, dataset.authorities)


def row(metrics, slug, period, metric):
    found = metrics[(metrics.authority == slug) & (metrics.period == period) & (metrics.metric == metric)]
    assert len(found) == 1, (slug, period, metric)
    return found.iloc[0]


def wilson(x, n, z):
    """Wilson score interval written out independently of ladobench.stats.intervals."""
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (centre - half) * 100, (centre + half) * 100


def byar(o, pop, z, per=10_000):
    lower = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    return lower / pop * per, upper / pop * per


def test_kent_threshold_conversion_is_782_of_1458(metrics):
    r = row(metrics, "kent", "2023-24", "threshold_conversion")
    assert (r.numerator, r.denominator) == (782, 1458)
    assert round(r.value, 1) == 53.6
    lo, hi = wilson(782, 1458, 1.959963984540054)
    assert (r.lower95, r.upper95) == pytest.approx((lo, hi), abs=1e-9)
    assert (round(r.lower95, 2), round(r.upper95, 2)) == (51.07, 56.18)
    lo, hi = wilson(782, 1458, 3.090232306167813)
    assert (r.lower998, r.upper998) == pytest.approx((lo, hi), abs=1e-9)


def test_kent_allegations_per_10000_children(metrics):
    r = row(metrics, "kent", "2023-24", "allegations_rate")
    assert (r.numerator, r.denominator) == (782, 355_390)
    assert round(r.value, 1) == 22.0
    assert (r.lower95, r.upper95) == pytest.approx(byar(782, 355_390, 1.959963984540054), abs=1e-9)
    assert (round(r.lower95, 2), round(r.upper95, 2)) == (20.49, 23.60)


def test_gloucestershire_substantiation_is_155_of_401(metrics):
    r = row(metrics, "gloucestershire", "2022-23", "substantiation_rate")
    assert (r.numerator, r.denominator) == (155, 401)
    assert round(r.value, 1) == 38.7
    assert (r.lower95, r.upper95) == pytest.approx(wilson(155, 401, 1.959963984540054), abs=1e-9)
    assert (round(r.lower95, 2), round(r.upper95, 2)) == (34.02, 43.51)


def test_kent_substantiation_uses_its_180_of_575(metrics):
    r = row(metrics, "kent", "2023-24", "substantiation_rate")
    assert (r.numerator, r.denominator) == (180, 575)
    assert round(r.value, 1) == 31.3


def test_kent_has_no_neglect_category_so_neglect_is_not_comparable_never_zero(metrics):
    r = row(metrics, "kent", "2023-24", "harm_mix.neglect")
    assert r.status == "[x]" and math.isnan(r.value)
    assert "no equivalent of Neglect" in r.note
    glos = row(metrics, "gloucestershire", "2022-23", "harm_mix.neglect")
    assert (glos.numerator, glos.denominator, round(glos.value, 1)) == (223, 968, 23.0)


def test_gloucestershire_counts_contacts_and_referrals_together_so_conversion_is_not_available(metrics):
    r = row(metrics, "gloucestershire", "2022-23", "threshold_conversion")
    assert r.status == "[x]" and "Referrals is not available" in r.note


def test_kent_wider_workforce_makes_social_care_not_comparable(metrics):
    r = row(metrics, "kent", "2023-24", "sector_mix.social_care")
    assert r.status == "[x]" and "Wider workforce" in r.note


def test_kent_percentages_are_rebuilt_into_counts_and_say_so(metrics):
    r = row(metrics, "kent", "2023-24", "outcome_share.unsubstantiated")
    # 28.3% + 11.7% of 575 concluded: 163 + 67
    assert r.numerator == 230 and round(r.value, 1) == 40.0
    assert "published percentage" in r.note


def test_declared_discrepancy_travels_with_the_metric(metrics):
    r = row(metrics, "gloucestershire", "2022-23", "allegations_rate")
    assert "declared discrepancy" in r.note and "597" in r.note


def test_published_metrics_suppress_gloucestershire_malicious_4_and_its_secondary(dataset):
    published = publish(dataset)
    shown = published.metrics
    malicious = row(shown, "gloucestershire", "2022-23", "outcome_share.malicious")
    assert malicious.status == "[c]" and math.isnan(malicious.value) and math.isnan(malicious.numerator)
    # With only malicious hidden, 401 - (155 + 138 + 87 + 17) would give it away: the next smallest goes too.
    assert row(shown, "gloucestershire", "2022-23", "outcome_share.false").status == "[c]"
    assert row(shown, "gloucestershire", "2022-23", "substantiation_rate").status == ""
    # The true counts stay in the unpublished computation.
    raw = compute(dataset.returns, dataset.authorities)
    assert row(raw, "gloucestershire", "2022-23", "outcome_share.malicious").numerator == 4


def test_too_few_areas_to_compare_is_said_not_guessed(dataset, metrics):
    cmp = comparisons(metrics, dataset.groups)
    kent = cmp[(cmp.authority == "kent") & (cmp.period == "2023-24") & (cmp.metric == "threshold_conversion")]
    assert set(kent.comparator) == {"region", "england", "neighbours", "group"}
    assert kent.result95.isna().all() and kent.comparator_value.isna().all()
    assert (kent.note == "no comparable other authority").all() and (kent.n_members == 0).all()
    assert kent["rank"].isna().all()


def test_england_pools_the_others_not_the_authority_itself(dataset, metrics):
    """2022-23: Kent and Gloucestershire both give concluded cases; each is compared with the other alone (leave one
    out), the pool named by its count, and with 1 other there is no higher or lower."""
    from ladobench.stats.metrics import PER

    assert row(metrics, "gloucestershire", "2022-23", "substantiation_rate").numerator == 155
    cmp = comparisons(metrics, dataset.groups)
    kent, glos = (row(metrics, s, "2022-23", "concluded_rate") for s in ("kent", "gloucestershire"))
    england = cmp[(cmp.period == "2022-23") & (cmp.metric == "concluded_rate") & (cmp.comparator == "england")]
    assert england.authority.tolist() == ["gloucestershire", "kent"]
    assert england.comparator_value.tolist() == [kent.numerator / kent.denominator * PER, glos.numerator / glos.denominator * PER]
    assert england.members.tolist() == ["kent", "gloucestershire"] and england.n_members.tolist() == [1, 1]
    assert england.areas.tolist() == [2, 2] and england.others_total.tolist() == [152, 152]
    assert england.comparator_name.tolist() == ["1 of 152 other authorities in England"] * 2
    assert england.result95.isna().all() and england.note.str.startswith("fewer than 5 comparable others").all()
    # Kent's region has no other authority with a return: no pool, and that is said.
    region = cmp[(cmp.authority == "kent") & (cmp.period == "2022-23") & (cmp.metric == "concluded_rate")
                 & (cmp.comparator == "region")].iloc[0]
    assert pd.isna(region.comparator_value) and region.areas == 1 and region.n_members == 0
    assert region.note == "no comparable other authority" and region.comparator_name == "South East (0 of 18 others)"
    # A rate only Gloucestershire gives: Kent's [x] is compared with nothing.
    only = cmp[(cmp.period == "2022-23") & (cmp.metric == "allegations_rate") & (cmp.comparator == "england")
               & (cmp.authority == "kent")].iloc[0]
    assert not only.comparable and only.reason == "no value to compare" or pd.isna(only.comparator_value)
    assert pd.isna(only.comparator_value) and pd.isna(only.result95)


def test_no_year_on_year_change_across_kents_break_in_series(dataset):
    # Kent's 2023-24 return declares a break (portal-only referrals from April 2023, section 3.6; physical
    # intervention split from physical abuse, section 8.4): 1,270 -> 1,458 is not published as a change.
    published = publish(dataset)
    change = published.changes
    r = change[(change.authority == "kent") & (change.metric == "referrals_rate") & (change.period == "2023-24")].iloc[0]
    assert r.previous_period is None and pd.isna(r.change) and r.trend is None
    assert "portal" in next(x for x in dataset.returns if x.slug == "kent" and x.period == "2023-24").data["counting"]["series_break"]


def test_downloads_carry_the_tidy_table_as_csv_and_json(dataset):
    from ladobench.publish import downloads
    files = downloads.generate(publish(dataset))
    rows = list(csv.DictReader(io.StringIO(files["downloads/metrics.csv"])))
    kent = next(r for r in rows if r["authority"] == "kent" and r["period"] == "2023-24" and r["metric"] == "threshold_conversion")
    assert (kent["numerator"], kent["denominator"]) == ("782", "1458")  # whole counts are integers, never 782.0
    assert round(float(kent["value"]), 1) == 53.6 and kent["lower95"] and kent["upper998"]
    data = json.loads(files["downloads/metrics.json"])
    glos = next(r for r in data if r["authority"] == "gloucestershire" and r["metric"] == "substantiation_rate")
    assert glos["numerator"] == 155 and glos["denominator"] == 401 and type(glos["numerator"]) is int
    malicious = next(r for r in data if r["authority"] == "gloucestershire" and r["metric"] == "outcome_share.malicious")
    assert malicious["status"] == "[c]" and malicious["numerator"] is None
