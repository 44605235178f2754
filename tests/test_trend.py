"""Trend tests checked against independent computations and a published example."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from ladobench.stats.trend import linear_trend, linear_trend_rates, year_on_year


def _armitage_by_hand(r, n):
    # Armitage (1955) as set out in Altman, Practical Statistics for Medical Research:
    # x-bar is the n-weighted mean score, chi2 = (sum r x - R x-bar)^2 / (p q (sum n x^2 - N x-bar^2)).
    x = list(range(1, len(r) + 1))
    big_r, big_n = sum(r), sum(n)
    p = big_r / big_n
    xbar = sum(ni * xi for ni, xi in zip(n, x)) / big_n
    num = (sum(ri * xi for ri, xi in zip(r, x)) - big_r * xbar) ** 2
    den = p * (1 - p) * (sum(ni * xi * xi for ni, xi in zip(n, x)) - big_n * xbar**2)
    return num / den


def test_increasing_series():
    res = linear_trend([100, 150, 200, 250], [1000] * 4)
    assert res["direction"] == "increasing"
    assert res["p_value"] < 0.05
    assert res["points"] == 4
    assert res["chi2"] == pytest.approx(_armitage_by_hand([100, 150, 200, 250], [1000] * 4), rel=1e-12)


def test_decreasing_series():
    res = linear_trend([250, 200, 150, 100], [1000] * 4)
    assert res["direction"] == "decreasing"
    assert res["p_value"] < 0.05


def test_flat_series():
    res = linear_trend([100, 101, 99, 100, 100], [1000] * 5)
    assert res["direction"] == "no significant change"
    assert res["p_value"] >= 0.05
    assert res["points"] == 5


def test_two_points_is_not_enough():
    assert linear_trend([100, 200], [1000, 1000]) is None
    assert linear_trend_rates([100, 200], [1e5, 1e5]) is None
    assert linear_trend([1, 2, 3], [10, 10, 10], min_points=4) is None


def test_matches_published_r_example():
    # R's ?prop.trend.test example (Peter Dalgaard): smokers/patients gives
    # X-squared = 8.2249, df = 1, p-value = 0.004132.
    res = linear_trend([83, 90, 129, 70], [86, 93, 136, 82])
    assert round(res["chi2"], 4) == 8.2249
    assert round(res["p_value"], 6) == 0.004132
    assert res["direction"] == "decreasing"


@pytest.mark.parametrize(
    "r, n",
    [([100, 150, 200, 250], [1000] * 4), ([12, 30, 25, 41, 38], [90, 140, 120, 160, 150])],
)
def test_chi2_matches_statsmodels_linear_by_linear(r, n):
    ct = pytest.importorskip("statsmodels.stats.contingency_tables")
    table = np.column_stack([np.array(n) - np.array(r), r])
    z = ct.Table(table).test_ordinal_association(
        row_scores=np.arange(1, len(r) + 1), col_scores=np.array([0, 1])
    ).zscore
    # Linear-by-linear M^2 = (N - 1) r^2; Armitage's statistic is N r^2.
    big_n = sum(n)
    assert linear_trend(r, n)["chi2"] == pytest.approx(z**2 * big_n / (big_n - 1), rel=1e-9)
    assert linear_trend(r, n)["chi2"] == pytest.approx(_armitage_by_hand(r, n), rel=1e-12)


def test_only_last_five_points_used():
    tail_r, tail_n = [30, 32, 35, 40, 44], [100] * 5
    full = linear_trend([90, 2] + tail_r, [100, 100] + tail_n)
    assert full == linear_trend(tail_r, tail_n)
    assert full["points"] == 5


def test_missing_period_keeps_its_time_slot():
    res = linear_trend([100, None, 200, 250, 300], [1000, 1000, 1000, float("nan"), 1000])
    assert res["points"] == 3
    # Scores 1, 3, 5 (not 1, 2, 3): by hand with those scores.
    r, n, x = [100, 200, 300], [1000] * 3, [1, 3, 5]
    p = sum(r) / sum(n)
    t = sum(xi * (ri - ni * p) for xi, ri, ni in zip(x, r, n))
    v = p * (1 - p) * (sum(ni * xi * xi for ni, xi in zip(n, x)) - sum(ni * xi for ni, xi in zip(n, x)) ** 2 / sum(n))
    assert res["chi2"] == pytest.approx(t * t / v, rel=1e-12)


def test_no_events_is_no_change():
    res = linear_trend([0, 0, 0], [10, 20, 30])
    assert res == {"chi2": 0.0, "p_value": 1.0, "direction": "no significant change", "points": 3}
    assert linear_trend_rates([0, 0, 0], [1e5] * 3)["direction"] == "no significant change"


def test_rejects_impossible_counts():
    with pytest.raises(ValueError):
        linear_trend([5, 11, 3], [10, 10, 10])
    with pytest.raises(ValueError):
        linear_trend_rates([5, -1, 3], [10, 10, 10])


# --- rates -----------------------------------------------------------------


def _poisson_score_by_hand(o, pop):
    x = range(1, len(o) + 1)
    total, ptot = sum(o), sum(pop)
    e = [total * p / ptot for p in pop]
    u = sum(xi * (oi - ei) for xi, oi, ei in zip(x, o, e))
    v = sum(xi * xi * ei for xi, ei in zip(x, e)) - sum(xi * ei for xi, ei in zip(x, e)) ** 2 / total
    return u * u / v


def test_rates_increasing_and_flat():
    pops = [355_390, 356_000, 357_500, 359_000, 360_100]
    up = linear_trend_rates([500, 580, 650, 720, 782], pops)
    assert up["direction"] == "increasing" and up["p_value"] < 0.05 and up["points"] == 5
    assert up["chi2"] == pytest.approx(_poisson_score_by_hand([500, 580, 650, 720, 782], pops), rel=1e-12)
    flat = linear_trend_rates([700, 702, 699, 705, 701], pops)
    assert flat["direction"] == "no significant change"
    down = linear_trend_rates([782, 720, 650, 580, 500], pops)
    assert down["direction"] == "decreasing"


def test_rates_match_statsmodels_poisson_score_test():
    sm = pytest.importorskip("statsmodels.api")
    o = np.array([30.0, 41, 38, 55])
    pop = np.array([90_000.0, 95_000, 100_000, 102_000])
    null = sm.GLM(o, np.ones((4, 1)), family=sm.families.Poisson(), offset=np.log(pop)).fit()
    score = null.score_test(exog_extra=np.arange(1.0, 5.0)[:, None])
    res = linear_trend_rates(o, pop)
    assert res["chi2"] == pytest.approx(float(score.statistic[0]), rel=1e-9)
    assert res["p_value"] == pytest.approx(float(score.pvalue[0]), rel=1e-9)


def test_rate_trend_ignores_constant_population_scaling():
    a = linear_trend_rates([10, 20, 30], [1000, 1000, 1000])
    b = linear_trend_rates([10, 20, 30], [5, 5, 5])
    assert a["chi2"] == pytest.approx(b["chi2"], rel=1e-12)


# --- properties ------------------------------------------------------------

series = st.integers(min_value=3, max_value=5).flatmap(
    lambda k: st.lists(
        st.integers(min_value=1, max_value=2000).flatmap(
            lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
        ),
        min_size=k,
        max_size=k,
    )
)


@given(series)
def test_reversing_time_flips_direction(pairs):
    r = [a for a, _ in pairs]
    n = [b for _, b in pairs]
    fwd = linear_trend(r, n)
    back = linear_trend(r[::-1], n[::-1])
    assert fwd["chi2"] == pytest.approx(back["chi2"], rel=1e-9, abs=1e-12)
    flip = {"increasing": "decreasing", "decreasing": "increasing"}
    if fwd["p_value"] < 0.01:
        assert back["direction"] == flip[fwd["direction"]]
    assert 0.0 <= fwd["p_value"] <= 1.0
    assert fwd["p_value"] == pytest.approx(stats.chi2.sf(fwd["chi2"], 1))


# --- year on year ----------------------------------------------------------


def test_year_on_year():
    assert year_on_year(782, 700) == {
        "absolute_change": 82.0,
        "percentage_change": pytest.approx(82 / 700 * 100),
    }
    assert year_on_year(50.0, 0) == {"absolute_change": 50.0, "percentage_change": None}
    assert year_on_year(None, 10) == {"absolute_change": None, "percentage_change": None}
    assert year_on_year(10, float("nan")) == {"absolute_change": None, "percentage_change": None}
    res = year_on_year(0.45, 0.5)
    assert res["absolute_change"] == pytest.approx(-0.05)
    assert res["percentage_change"] == pytest.approx(-10.0)
    assert not math.isnan(res["percentage_change"])


# --- the plain-float implementation is numpy's, bit for bit -------------------


def _numpy_recent(a, b):
    a, b = np.asarray(a, dtype="float64").ravel()[-5:], np.asarray(b, dtype="float64").ravel()[-5:]
    x = np.arange(1, len(a) + 1, dtype="float64")
    usable = ~np.isnan(a) & ~np.isnan(b) & (b > 0)
    return x[usable], a[usable], b[usable]


def _numpy_linear_trend(r, n):
    """linear_trend as it was written with numpy arrays (until November 2026)."""
    from ladobench.stats.trend import _result

    x, r, n = _numpy_recent(r, n)
    if len(x) < 3:
        return None
    big_n = n.sum()
    p = r.sum() / big_n
    t = float(np.sum(x * (r - n * p)))
    var = p * (1 - p) * (np.sum(n * x * x) - np.sum(n * x) ** 2 / big_n)
    return _result(t, float(var), len(x), 0.05)


def _numpy_linear_trend_rates(o, pop):
    from ladobench.stats.trend import _result

    x, o, pop = _numpy_recent(o, pop)
    if len(x) < 3:
        return None
    total = o.sum()
    if total == 0:
        return _result(0.0, 0.0, len(x), 0.05)
    e = total * pop / pop.sum()
    t = float(np.sum(x * (o - e)))
    var = np.sum(x * x * e) - np.sum(x * e) ** 2 / total
    return _result(t, float(var), len(x), 0.05)


_periods = st.lists(st.tuples(st.integers(0, 5000) | st.floats(0, 1e4) | st.just(float("nan")),
                              st.integers(0, 20000) | st.floats(0, 1e6)), min_size=0, max_size=8)


@settings(max_examples=500, deadline=None)
@given(_periods)
def test_trends_are_numpys_bit_for_bit(pairs):
    r = [a for a, _ in pairs]
    n = [max(a, b) if a == a else b for a, b in pairs]  # a proportion's numerator never exceeds its denominator
    assert linear_trend(r, n) == _numpy_linear_trend(r, n)
    pops = [b for _, b in pairs]
    assert linear_trend_rates(r, pops) == _numpy_linear_trend_rates(r, pops)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(-1e9, 1e9), max_size=5))
def test_small_sums_are_numpys(values):
    from ladobench.stats.trend import _sum

    assert _sum(values) == float(np.sum(np.array(values, dtype="float64")))
