"""Funnel-plot limits against OHID's own test data.

Every expected number below is copied from the R package PHEindicatormethods (ukhsa-collaboration/PHEindicatormethods,
tests/testthat/): testdata_funnel_prop_outputs.csv and testdata_funnel_prop_inputs.csv (function phe_funnels and
phe_funnel_significance, statistic = "proportion", multiplier 100) and testdata_funnel_rate_outputs.csv (phe_funnels,
statistic = "rate", rate_type = "dsr", multiplier 100,000, years_of_data = 3)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ladobench.stats.funnel_limits import LEVELS, proportion_limits, rate_interval, rate_limits, significance

# testdata_funnel_prop_outputs.csv: Population, Lower2s0025limit, Upper2s0025limit, Lower3s0001limit,
# Upper3s0001limit; Baseline 80.642448 (percent) in every row.
PROP_BASELINE = 80.642448
PROP_ROWS = [
    (1, 3.204264, 100, 0, 100),
    (3, 35.933491, 100, 10.150815, 100),
    (18, 62.390093, 98.894803, 51.864359, 100),
    (50, 69.691035, 91.593861, 63.375595, 97.909301),
    (1008, 78.203374, 83.081521, 76.796814, 84.488082),
    (9998, 79.867989, 81.416907, 79.421375, 81.863521),
    (110000, 80.408963, 80.875933, 80.274317, 81.010578),
]


@pytest.mark.parametrize("n, lo95, hi95, lo998, hi998", PROP_ROWS)
def test_proportion_limits_match_phe_funnels(n, lo95, hi95, lo998, hi998):
    av = PROP_BASELINE / 100
    got95 = [float(x[0]) * 100 for x in proportion_limits(av, [n], LEVELS["95%"])]
    got998 = [float(x[0]) * 100 for x in proportion_limits(av, [n], LEVELS["99.8%"])]
    # The package's figures carry 6 decimals and its baseline 8 significant figures.
    assert got95 == pytest.approx([lo95, hi95], abs=2e-5)
    assert got998 == pytest.approx([lo998, hi998], abs=2e-5)


# testdata_funnel_prop_inputs.csv: Area, numerator, denominator, significance (against the pooled value of all the
# areas in the file, which is the outputs' Baseline).
PROP_POINTS = [
    ("New Forest PCT", 35078.488, 41980, "above 99.8%"),          # High (0.001)
    ("Norwich PCT", 24803.6256, 31824, "below 99.8%"),            # Low (0.001)
    ("South Gloucestershire PCT", 50050.7443, 61921, "within"),   # Not significant
    ("West Norfolk PCT", 26789.238, 33012, "above 95%"),          # High (0.025)
    ("North Devon PCT", 30277.5312, 37828, "below 95%"),          # Low (0.025)
    ("Hertsmere PCT", 18550.7595, 22905, "within"),               # Not significant
]


def test_proportion_significance_matches_phe_funnel_significance():
    got = significance("proportion", [p[1] for p in PROP_POINTS], [p[2] for p in PROP_POINTS], PROP_BASELINE / 100)
    assert got == [p[3] for p in PROP_POINTS]


# testdata_funnel_rate_outputs.csv: Events, lower_2s_population_1_year, lower_2s_limit, upper_2s_population_1_year,
# upper_2s_limit, lower_3s_limit, upper_3s_limit; baseline 116.1720835 per 100,000; 3 years of data.
RATE_BASELINE = 116.1720835 / 100_000
RATE_ROWS = [
    (1, 1598.675694, 20.85059119, 7.264481402, 4588.535848, 12.58170943, 116108.569),
    (10, 5276.757672, 63.17010446, 1375.943768, 242.2579623, 48.13632908, 392.4043292),
    (136, 46159.34061, 98.21053059, 32740.07485, 138.4643546, 89.75096663, 153.7056333),
    (1360, 411529.9259, 110.158048, 369759.5622, 122.6021934, 106.9073359, 126.5084525),
]


@pytest.mark.parametrize("events, lo_pop, lo95, hi_pop, hi95, lo998, hi998", RATE_ROWS)
def test_rate_limits_match_phe_funnels(events, lo_pop, lo95, hi_pop, hi95, lo998, hi998):
    r95 = rate_limits(RATE_BASELINE, [events], LEVELS["95%"])
    r998 = rate_limits(RATE_BASELINE, [events], LEVELS["99.8%"])
    # The package bisects to 1e-7 where scipy inverts the gamma function exactly: agreement to 1 in 10,000.
    assert float(r95["lower_population"][0]) / 3 == pytest.approx(lo_pop, rel=1e-4)
    assert float(r95["upper_population"][0]) / 3 == pytest.approx(hi_pop, rel=1e-4)
    assert [float(r95["lower"][0]) * 1e5, float(r95["upper"][0]) * 1e5] == pytest.approx([lo95, hi95], rel=1e-4)
    assert [float(r998["lower"][0]) * 1e5, float(r998["upper"][0]) * 1e5] == pytest.approx([lo998, hi998], rel=1e-4)


def test_rate_points_on_a_limit_line_are_on_its_edge():
    """A point exactly on the 95% lower line (E events at the line's population) is where its own upper 95% bound
    meets the average: the funnel and the point test agree (exact Poisson under 10 events)."""
    r = rate_limits(RATE_BASELINE, [5], LEVELS["95%"])
    lo, hi = rate_interval([5], r["lower_population"], 0.95)
    assert float(hi[0]) == pytest.approx(RATE_BASELINE, rel=1e-9)


def test_seed_proportion_inside_its_own_funnel():
    """Gloucestershire's 155 substantiated of 401 concluded, as the only area, sits on the pooled value: within."""
    assert significance("proportion", [155], [401], 155 / 401) == ["within"]
    lo, hi = proportion_limits(155 / 401, [401], LEVELS["99.8%"])
    assert float(lo[0]) < 155 / 401 < float(hi[0])


@given(st.floats(0.01, 0.99), st.integers(1, 100_000))
def test_proportion_limits_bracket_the_average_and_nest(av, n):
    lo95, hi95 = proportion_limits(av, [n], LEVELS["95%"])
    lo998, hi998 = proportion_limits(av, [n], LEVELS["99.8%"])
    assert 0 <= lo998[0] <= lo95[0] <= av + 1e-12
    assert av - 1e-12 <= hi95[0] <= hi998[0] <= 1


def test_limits_narrow_as_the_denominator_grows():
    n = np.array([10, 100, 1000, 10000])
    lo, hi = proportion_limits(0.3, n, LEVELS["99.8%"])
    assert np.all(np.diff(hi - lo) < 0)
