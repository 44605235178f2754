"""Recent-trend tests and year-on-year change, following Fingertips' recent-trend method."""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from ladobench.core.schema import load_schema

# Fingertips judges a recent trend on the latest five periods only, so older
# practice does not mask what is happening now. These numbers are in schema/methodology.yaml.
RECENT_POINTS = load_schema().methodology.trend_recent_points
# The fewest usable periods a trend is tested on.
MIN_POINTS = load_schema().methodology.trend_min_points
# The significance level this project publishes at (two-sided, 1 df).
TREND_ALPHA = load_schema().methodology.trend_alpha

NO_CHANGE = "no significant change"


def _floats(values) -> list[float]:
    if values is None:
        return []
    if isinstance(values, np.ndarray):
        return values.astype("float64").ravel().tolist()
    return np.asarray(values, dtype="float64").ravel().tolist()


def _recent(a, b):
    # Keep position-based time scores so a missing period leaves a gap rather
    # than pulling later periods closer together. Plain floats: the build runs
    # this for every authority and metric, on at most five numbers, where
    # numpy's per-call cost was most of the time.
    a, b = _floats(a), _floats(b)
    if len(a) != len(b):
        raise ValueError("numerators and denominators must have the same length")
    a, b = a[-RECENT_POINTS:], b[-RECENT_POINTS:]
    usable = [(float(i), u, v) for i, (u, v) in enumerate(zip(a, b), 1) if u == u and v == v and v > 0]
    return [u[0] for u in usable], [u[1] for u in usable], [u[2] for u in usable]


def _sum(values: list[float]) -> float:
    """np.sum of up to seven float64 values, bit for bit: numpy adds so few in order (tests/test_trend.py)."""
    if not values:
        return 0.0
    total = values[0]
    for v in values[1:]:
        total += v
    return total


def _result(t: float, var: float, k: int, alpha: float) -> dict:
    if not var > 0:
        # No variation to test (e.g. no events at all): nothing can be detected.
        return {"chi2": 0.0, "p_value": 1.0, "direction": NO_CHANGE, "points": k}
    chi2 = t * t / var
    p = float(special.chdtrc(1, chi2))  # what stats.chi2.sf(chi2, df=1) computes, without its per-call overhead
    if p < alpha:
        direction = "increasing" if t > 0 else "decreasing"
    else:
        direction = NO_CHANGE
    return {"chi2": float(chi2), "p_value": p, "direction": direction, "points": k}


def linear_trend(numerators, denominators, min_points=MIN_POINTS, alpha=TREND_ALPHA):
    """Chi-squared test for linear trend in proportions (Cochran-Armitage).

    Uses the last up to RECENT_POINTS periods (consecutive, oldest first) with time
    scores 1..k by position; periods with a missing numerator/denominator or
    a zero denominator are dropped but keep their slot. With events r_i,
    totals n_i, N = sum n, p = sum r / N:
        T = sum x_i (r_i - n_i p)
        chi2 = T^2 / (p (1 - p) [sum n_i x_i^2 - (sum n_i x_i)^2 / N])   (1 df)
    which is Armitage's statistic as in R's prop.trend.test. "increasing" or
    "decreasing" (by the sign of T) when p_value < alpha (TREND_ALPHA),
    else "no significant change". Returns None with fewer than min_points (MIN_POINTS)
    usable periods. Raises ValueError when a numerator is negative or
    exceeds its denominator.
    """
    x, r, n = _recent(numerators, denominators)
    k = len(x)
    if k < min_points:
        return None
    if any(ri < 0 or ri > ni for ri, ni in zip(r, n)):
        raise ValueError("numerator must satisfy 0 <= numerator <= denominator")
    big_n = _sum(n)
    p = _sum(r) / big_n
    t = _sum([xi * (ri - ni * p) for xi, ri, ni in zip(x, r, n)])
    var = p * (1 - p) * (_sum([ni * xi * xi for xi, ni in zip(x, n)]) - _sum([ni * xi for xi, ni in zip(x, n)]) ** 2 / big_n)
    return _result(t, var, k, alpha)


def linear_trend_rates(counts, populations, min_points=MIN_POINTS, alpha=TREND_ALPHA):
    """Chi-squared test for linear trend in rates (Poisson score test).

    The score test for the slope of a log-linear Poisson model with the
    population as exposure, i.e. the chi-squared test for trend in rates of
    Breslow & Day (vol. II, 1987). Conditioning on the total count O, the
    expected count in period i is E_i = O * P_i / sum P and
        chi2 = [sum x_i (O_i - E_i)]^2 / (sum x_i^2 E_i - (sum x_i E_i)^2 / O)
    with 1 df. Period selection, scoring, significance and return shape are
    as for `linear_trend`. Raises ValueError for a negative count.
    """
    x, o, pop = _recent(counts, populations)
    k = len(x)
    if k < min_points:
        return None
    if any(oi < 0 for oi in o):
        raise ValueError("counts must be non-negative")
    total = _sum(o)
    if total == 0:
        return _result(0.0, 0.0, k, alpha)
    pop_total = _sum(pop)
    e = [total * pi / pop_total for pi in pop]
    t = _sum([xi * (oi - ei) for xi, oi, ei in zip(x, o, e)])
    var = _sum([xi * xi * ei for xi, ei in zip(x, e)]) - _sum([xi * ei for xi, ei in zip(x, e)]) ** 2 / total
    return _result(t, var, k, alpha)


def _number(v):
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def year_on_year(current, previous) -> dict:
    """Absolute and percentage change from the previous period to the current one.

    {"absolute_change": current - previous,
     "percentage_change": 100 * (current - previous) / abs(previous)}; each None
    when it cannot be computed (a missing value, or a previous value of 0 for
    the percentage, where the relative change is undefined).
    """
    cur, prev = _number(current), _number(previous)
    if cur is None or prev is None:
        return {"absolute_change": None, "percentage_change": None}
    absolute = cur - prev
    percentage = None if prev == 0 else 100.0 * absolute / abs(prev)
    return {"absolute_change": absolute, "percentage_change": percentage}
