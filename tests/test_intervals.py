"""Intervals and comparisons checked against independently computed reference values."""

import math
import pathlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from ladobench.stats.intervals import (
    LEVELS,
    Z95,
    Z998,
    compare,
    compare_many,
    poisson_rate,
    wilson,
)

# --- reference values ------------------------------------------------------
# Wilson limits below were computed with statsmodels 0.15
# proportion_confint(x, n, alpha, method="wilson") and agree with
# scipy.stats.binomtest(x, n).proportion_ci(1 - alpha, method="wilson");
# alpha = 0.05 and 0.002. They are re-derived in-test from the closed form.
KENT_CONV = (782, 1458)  # Kent 2023-24 threshold conversion, 53.6%
KENT_CONV_95 = (0.5107, 0.5618)
KENT_CONV_998 = (0.4959, 0.5763)
GLOS_SUBST = (155, 401)  # Gloucestershire 2022-23 substantiation, 38.7%
GLOS_SUBST_95 = (0.3402, 0.4351)
GLOS_SUBST_998 = (0.3149, 0.4635)

# Kent allegations per 10,000 children aged 0-17: 782 / 355,390 = 22.0.
# Byar's limits, computed from Byar's formula by hand (see _byar below).
KENT_ALLEG, KENT_POP = 782, 355_390
KENT_RATE = 22.0040
KENT_RATE_BYAR_95 = (20.4886, 23.6018)
KENT_RATE_BYAR_998 = (19.6522, 24.5459)

# Exact Poisson 95% limits for small counts, as tabulated in standard Poisson
# confidence-limit tables (e.g. Documenta Geigy; Gardner & Altman).
EXACT_3_95 = (0.6187, 8.7673)
EXACT_0_95 = (0.0, 3.6889)


def _wilson_by_hand(x, n, z):
    # Textbook form: (p + z^2/2n +/- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)
    p = x / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


def _byar(o, z):
    lo = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    up = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * math.sqrt(o + 1))) ** 3
    return lo, up


def test_z_constants_are_the_two_sided_normal_quantiles():
    assert Z95 == pytest.approx(stats.norm.ppf(0.975), abs=1e-12)
    assert Z998 == pytest.approx(stats.norm.ppf(0.999), abs=1e-12)
    assert LEVELS == {"95": Z95, "99.8": Z998}


@pytest.mark.parametrize(
    "case, z, expected",
    [
        (KENT_CONV, Z95, KENT_CONV_95),
        (KENT_CONV, Z998, KENT_CONV_998),
        (GLOS_SUBST, Z95, GLOS_SUBST_95),
        (GLOS_SUBST, Z998, GLOS_SUBST_998),
    ],
)
def test_wilson_reference_values(case, z, expected):
    x, n = case
    lo, hi = wilson(x, n, z)
    assert isinstance(lo, float) and isinstance(hi, float)
    assert round(lo, 4) == expected[0]
    assert round(hi, 4) == expected[1]
    by_hand = _wilson_by_hand(x, n, z)
    assert lo == pytest.approx(by_hand[0], abs=1e-12)
    assert hi == pytest.approx(by_hand[1], abs=1e-12)


def test_wilson_point_values_of_reference_cases():
    assert round(782 / 1458 * 100, 1) == 53.6
    assert round(155 / 401 * 100, 1) == 38.7


@pytest.mark.parametrize("case", [KENT_CONV, GLOS_SUBST, (0, 7), (7, 7), (1, 2)])
@pytest.mark.parametrize("level", ["95", "99.8"])
def test_wilson_matches_statsmodels_and_scipy(case, level):
    smp = pytest.importorskip("statsmodels.stats.proportion")
    x, n = case
    alpha = 0.05 if level == "95" else 0.002
    lo, hi = wilson(x, n, LEVELS[level])
    sm_lo, sm_hi = smp.proportion_confint(x, n, alpha=alpha, method="wilson")
    assert lo == pytest.approx(sm_lo, abs=1e-12)
    assert hi == pytest.approx(sm_hi, abs=1e-12)
    ci = stats.binomtest(x, n).proportion_ci(1 - alpha, method="wilson")
    assert lo == pytest.approx(ci.low, abs=1e-12)
    assert hi == pytest.approx(ci.high, abs=1e-12)


def test_wilson_vectorised_with_missing_and_zero_denominators():
    num = np.array([782, 155, np.nan, 3, 0])
    den = np.array([1458, 401, 100, 0, np.nan])
    lo, hi = wilson(num, den, Z95)
    assert lo.shape == (5,)
    assert round(lo[0], 4) == KENT_CONV_95[0]
    assert round(hi[1], 4) == GLOS_SUBST_95[1]
    assert np.isnan(lo[2:]).all() and np.isnan(hi[2:]).all()


def test_wilson_keeps_series_index():
    num = pd.Series([782, 155], index=["Kent", "Gloucestershire"])
    den = pd.Series([1458, 401], index=["Kent", "Gloucestershire"])
    lo, hi = wilson(num, den, Z95)
    assert isinstance(lo, pd.Series)
    assert list(lo.index) == ["Kent", "Gloucestershire"]
    assert round(hi["Gloucestershire"], 4) == GLOS_SUBST_95[1]


def test_wilson_none_is_missing():
    lo, hi = wilson(None, 10, Z95)
    assert math.isnan(lo) and math.isnan(hi)


@pytest.mark.parametrize("num, den", [(11, 10), (-1, 10)])
def test_wilson_rejects_impossible_counts(num, den):
    with pytest.raises(ValueError):
        wilson(num, den, Z95)


def test_wilson_extremes_stay_in_unit_interval():
    lo, hi = wilson(np.array([0, 50]), np.array([50, 50]), Z998)
    assert lo[0] == 0.0 and hi[1] == 1.0
    assert 0 < hi[0] < 1 and 0 < lo[1] < 1


# --- Poisson rates ---------------------------------------------------------


@pytest.mark.parametrize(
    "z, expected", [(Z95, KENT_RATE_BYAR_95), (Z998, KENT_RATE_BYAR_998)]
)
def test_kent_rate_uses_byar(z, expected):
    lo, hi = poisson_rate(KENT_ALLEG, KENT_POP, z)
    assert round(KENT_ALLEG / KENT_POP * 10_000, 4) == KENT_RATE
    assert round(lo, 4) == expected[0]
    assert round(hi, 4) == expected[1]
    byar_lo, byar_hi = _byar(KENT_ALLEG, z)
    assert lo == pytest.approx(byar_lo / KENT_POP * 10_000, rel=1e-12)
    assert hi == pytest.approx(byar_hi / KENT_POP * 10_000, rel=1e-12)


@pytest.mark.parametrize("z", [Z95, Z998])
def test_kent_rate_byar_agrees_closely_with_exact(z):
    alpha = 2 * (1 - stats.norm.cdf(z))
    exact_lo = stats.chi2.ppf(alpha / 2, 2 * KENT_ALLEG) / 2 / KENT_POP * 10_000
    exact_hi = stats.chi2.ppf(1 - alpha / 2, 2 * KENT_ALLEG + 2) / 2 / KENT_POP * 10_000
    lo, hi = poisson_rate(KENT_ALLEG, KENT_POP, z)
    assert lo == pytest.approx(exact_lo, abs=1e-3)
    assert hi == pytest.approx(exact_hi, abs=1e-3)


def test_small_count_uses_exact_poisson():
    # Population equal to `per` makes the rate equal to the count.
    lo, hi = poisson_rate(3, 10_000, Z95)
    assert round(lo, 4) == EXACT_3_95[0]
    assert round(hi, 4) == EXACT_3_95[1]
    byar_lo, byar_hi = _byar(3, Z95)
    assert abs(lo - byar_lo) > 1e-3 or abs(hi - byar_hi) > 1e-3


def test_zero_count_has_lower_limit_zero():
    lo, hi = poisson_rate(0, 10_000, Z95)
    assert lo == 0.0
    assert round(hi, 4) == EXACT_0_95[1]


def test_switch_to_byar_at_ten():
    alpha = 0.05
    lo9, hi9 = poisson_rate(9, 10_000, Z95)
    assert lo9 == pytest.approx(stats.chi2.ppf(alpha / 2, 18) / 2, rel=1e-9)
    assert hi9 == pytest.approx(stats.chi2.ppf(1 - alpha / 2, 20) / 2, rel=1e-9)
    lo10, hi10 = poisson_rate(10, 10_000, Z95)
    assert (lo10, hi10) == pytest.approx(_byar(10, Z95), rel=1e-9)


def test_poisson_rate_per_and_missing():
    lo, hi = poisson_rate(
        np.array([782, np.nan, 5]), np.array([355_390, 1000, 0]), Z95, per=100_000
    )
    assert round(lo[0] / 10, 4) == KENT_RATE_BYAR_95[0]
    assert np.isnan(lo[1:]).all() and np.isnan(hi[1:]).all()
    with pytest.raises(ValueError):
        poisson_rate(-1, 1000, Z95)


# --- comparison ------------------------------------------------------------


def test_kent_conversion_lower_than_60_percent():
    lo, hi = wilson(*KENT_CONV, Z95)
    assert compare(0.60, lo, hi) == "lower"
    assert compare(0.50, lo, hi) == "higher"
    assert compare(0.536, lo, hi) == "similar"


@pytest.mark.parametrize(
    "comparator, lower, upper, expected",
    [
        (0.5, 0.4, 0.6, "similar"),
        (0.4, 0.4, 0.6, "similar"),  # on the lower boundary
        (0.6, 0.4, 0.6, "similar"),  # on the upper boundary
        (0.39, 0.4, 0.6, "higher"),
        (0.61, 0.4, 0.6, "lower"),
        (float("nan"), 0.4, 0.6, None),
        (0.5, float("nan"), 0.6, None),
        (0.5, 0.4, None, None),
        (None, 0.4, 0.6, None),
        (0.5, np.float64("nan"), 0.6, None),
    ],
)
def test_compare_cases(comparator, lower, upper, expected):
    assert compare(comparator, lower, upper) == expected


def test_compare_many_matches_cases():
    comparator = np.array([0.5, 0.4, 0.6, 0.39, 0.61, np.nan, 0.5])
    lower = np.array([0.4, 0.4, 0.4, 0.4, 0.4, 0.4, np.nan])
    upper = np.array([0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6])
    out = compare_many(comparator, lower, upper)
    assert out.dtype == object
    assert list(out) == ["similar", "similar", "similar", "higher", "lower", None, None]


def test_compare_many_broadcasts_a_single_comparator():
    out = compare_many(0.5, pd.Series([0.1, 0.45, 0.55]), pd.Series([0.2, 0.55, 0.7]))
    assert list(out) == ["lower", "similar", "higher"]


def test_no_polarity_words_in_methods():
    root = pathlib.Path(__file__).resolve().parents[1] / "ladobench" / "stats"
    for name in ("intervals.py", "ranking.py", "trend.py"):
        text = (root / name).read_text().lower()
        for word in ("better", "worse"):
            assert word not in text, (name, word)


# --- funnel limits ---------------------------------------------------------


# --- properties ------------------------------------------------------------

counts = st.integers(min_value=1, max_value=100_000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)


@given(counts)
def test_wilson_contains_point_and_nests(case):
    x, n = case
    lo95, hi95 = wilson(x, n, Z95)
    lo998, hi998 = wilson(x, n, Z998)
    p = x / n
    assert 0.0 <= lo998 <= lo95 <= p + 1e-12
    assert p - 1e-12 <= hi95 <= hi998 <= 1.0


@given(
    st.integers(min_value=0, max_value=200_000),
    st.integers(min_value=1, max_value=10_000_000),
)
def test_poisson_rate_contains_point_rate(count, population):
    rate = count / population * 10_000
    for z in (Z95, Z998):
        lo, hi = poisson_rate(count, population, z)
        assert 0.0 <= lo <= rate <= hi
    lo95, hi95 = poisson_rate(count, population, Z95)
    lo998, hi998 = poisson_rate(count, population, Z998)
    assert lo998 <= lo95 and hi95 <= hi998


@given(
    st.floats(min_value=0.0, max_value=1.0),
    st.floats(min_value=0.0, max_value=1.0),
    st.floats(min_value=0.0, max_value=1.0),
)
def test_compare_many_agrees_with_compare(c, a, b):
    lo, hi = min(a, b), max(a, b)
    assert compare_many(c, [lo], [hi])[0] == compare(c, lo, hi)


# --- the same values as scipy.stats, without importing it -------------------


@pytest.mark.parametrize("z", [Z95, Z998])
def test_exact_poisson_limits_are_bit_for_bit_scipy_stats(z):
    counts = np.arange(0, 10, dtype=float)  # below Byar's threshold: the exact limits are used
    lo, hi = poisson_rate(counts, np.full(10, 1.0), z, per=1)
    a = 2 * stats.norm.sf(z)
    want_lo = np.where(counts > 0, stats.chi2.ppf(a / 2, 2 * counts) / 2, 0.0)
    want_hi = stats.chi2.ppf(1 - a / 2, 2 * counts + 2) / 2
    assert lo.tolist() == want_lo.tolist()
    assert hi.tolist() == want_hi.tolist()


def test_the_build_does_not_import_scipy_stats():
    """scipy.stats costs 0.7 s of every build's start; the methods need only scipy.special."""
    import subprocess
    import sys

    code = ("import sys; import ladobench.build, ladobench.stats.published, ladobench.site.pages, ladobench.publish.downloads, "
            "ladobench.returns.validate; print('scipy.stats' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=pathlib.Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "False"
