"""Confidence intervals and benchmark comparison using Fingertips' (PHE/OHID) methods (funnel-plot limits:
ladobench.stats.funnel_limits)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special

from ladobench.core.schema import load_schema

# Two-sided critical values, written out in schema/methodology.yaml (not computed) so they are
# identical to the constants quoted in Fingertips' technical guidance.
LEVELS = load_schema().methodology.z
Z95, Z998 = LEVELS["95"], LEVELS["99.8"]

# Fingertips switches from exact Poisson to Byar's approximation at 10 events (schema/methodology.yaml);
# below that Byar's drifts noticeably from the exact limits.
BYAR_MIN_COUNT = load_schema().methodology.byar_min_count


def _as_float(x):
    # None -> NaN so that missing values flow through the arithmetic instead of raising.
    if isinstance(x, pd.Series):
        return x.astype("float64").to_numpy()
    return np.asarray(x if x is not None else np.nan, dtype="float64")


def _shape_like(template, arr):
    # Callers pass scalars (site templates) and Series (tables); give each back what it gave us.
    if isinstance(template, pd.Series):
        return pd.Series(arr, index=template.index)
    if np.ndim(arr) == 0:
        return float(arr)
    return arr


def _alpha(z: float) -> float:
    return 2.0 * special.ndtr(-z)  # 2 * scipy.stats.norm.sf(z)


def wilson(numerator, denominator, z):
    """Wilson score interval for a proportion, returned as proportions (0-1).

    Uses Fingertips' closed form
        (2O + z^2 +/- z*sqrt(z^2 + 4*O*(1 - O/n))) / (2*(n + z^2)).
    NaN where the denominator is 0 or missing or the numerator is missing.
    Raises ValueError for a negative numerator or one larger than its
    denominator: that is a data error which must not be published silently.
    """
    o = _as_float(numerator)
    n = _as_float(denominator)
    o, n = np.broadcast_arrays(o, n)
    valid = ~np.isnan(o) & ~np.isnan(n) & (n > 0)
    if np.any(valid & ((o < 0) | (o > n))):
        raise ValueError("numerator must satisfy 0 <= numerator <= denominator")
    with np.errstate(divide="ignore", invalid="ignore"):
        q = 1.0 - o / n
        # max(..., 0) guards against tiny negative rounding when O == n.
        half = z * np.sqrt(np.maximum(z * z + 4.0 * o * q, 0.0))
        centre = 2.0 * o + z * z
        denom = 2.0 * (n + z * z)
        lower = np.clip((centre - half) / denom, 0.0, 1.0)
        upper = np.clip((centre + half) / denom, 0.0, 1.0)
    # At O = 0 and O = n the limits are exactly 0 and 1 in theory; pin them so
    # rounding cannot leave 0.9999999999999998 and break nesting of levels.
    lower = np.where(valid, np.where(o == 0, 0.0, lower), np.nan)
    upper = np.where(valid, np.where(o == n, 1.0, upper), np.nan)
    template = numerator if isinstance(numerator, pd.Series) else denominator
    return _shape_like(template, lower), _shape_like(template, upper)


def poisson_rate(count, population, z, per=10_000):
    """Confidence interval for a crude rate per `per` population.

    As Fingertips: Byar's approximation when the count is >= 10, the exact
    Poisson interval via chi-squared quantiles when it is < 10
    (lower = chi2.ppf(a/2, 2O)/2, upper = chi2.ppf(1-a/2, 2O+2)/2; lower = 0
    when O = 0), where a = 2*(1 - Phi(z)). NaN where the population is 0 or
    missing or the count is missing; ValueError for a negative count.
    """
    o = _as_float(count)
    pop = _as_float(population)
    o, pop = np.broadcast_arrays(o, pop)
    valid = ~np.isnan(o) & ~np.isnan(pop) & (pop > 0)
    if np.any(valid & (o < 0)):
        raise ValueError("count must be non-negative")
    a = _alpha(z)
    small = valid & (o < BYAR_MIN_COUNT)
    with np.errstate(divide="ignore", invalid="ignore"):
        byar_lo = o * (1.0 - 1.0 / (9.0 * o) - z / (3.0 * np.sqrt(o))) ** 3
        o1 = o + 1.0
        byar_hi = o1 * (1.0 - 1.0 / (9.0 * o1) + z / (3.0 * np.sqrt(o1))) ** 3
        # chi2.ppf with 0 degrees of freedom is NaN, hence the explicit zero for O = 0.
        # chi2.ppf(q, df) is 2 * gammaincinv(df / 2, q) in scipy.stats; halved, gammaincinv(O, q).
        exact_lo = np.where(o > 0, special.gammaincinv(o, a / 2.0), 0.0)
        exact_hi = special.gammaincinv(o + 1.0, 1.0 - a / 2.0)
        lo_count = np.where(small, exact_lo, byar_lo)
        hi_count = np.where(small, exact_hi, byar_hi)
        lower = np.where(valid, lo_count / pop * per, np.nan)
        upper = np.where(valid, hi_count / pop * per, np.nan)
    template = count if isinstance(count, pd.Series) else population
    return _shape_like(template, lower), _shape_like(template, upper)


def _missing(x) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(x)
    except TypeError:
        return pd.isna(x)


def compare(comparator_value, lower, upper):
    """Compare an area with a comparator (e.g. England) the way Fingertips does.

    "similar" when the comparator's value lies inside the area's interval
    [lower, upper] (boundaries count as inside); "higher" when the whole
    interval lies above the comparator; "lower" when it lies wholly below;
    None when any input is missing. Deliberately neutral: LADO figures have
    no agreed polarity, so the labels describe direction only.
    """
    if _missing(comparator_value) or _missing(lower) or _missing(upper):
        return None
    if lower > comparator_value:
        return "higher"
    if upper < comparator_value:
        return "lower"
    return "similar"


def compare_many(comparator_value, lower, upper) -> np.ndarray:
    """Vectorised `compare`: an object array of "higher"/"similar"/"lower"/None."""
    c = _as_float(comparator_value)
    lo = _as_float(lower)
    hi = _as_float(upper)
    c, lo, hi = np.broadcast_arrays(c, lo, hi)
    out = np.full(c.shape, None, dtype=object)
    known = ~(np.isnan(c) | np.isnan(lo) | np.isnan(hi))
    out[known] = "similar"
    out[known & (lo > c)] = "higher"
    out[known & (hi < c)] = "lower"
    return out
