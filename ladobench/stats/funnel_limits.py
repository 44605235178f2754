"""Funnel-plot control limits as OHID computes them in PHEindicatormethods (R package, phe_funnels and
phe_funnel_significance), at 95% (p = 0.975) and 99.8% (p = 0.999).

Proportions: the inverted Wilson score limits. For an average proportion P and a denominator n, the limit is
the proportion whose Wilson score interval at that denominator has P as its end (PHEindicatormethods'
sigma_adjustment, a closed form): with z = qnorm(p),
    A = P (n / z^2 + 1),  B = 1 / z^2 + 1 / n,
    D = sqrt((8 A)^2 - 64 B P (n (P (n / z^2 + 2) - 1) + z^2 (P - 1))),
    limit = (A -/+ D / 8) / B / n, clipped to [0, 1].
A point is outside a limit when its proportion is beyond the limit at its own denominator.

Rates: exact Poisson limits, parametrised by the count of events E as PHEindicatormethods does (its
poisson_funnel, which bisects what scipy's gammaincinv gives directly): the expected count whose Poisson
distribution puts p in the tail beyond E, divided by the average rate, is the population at which the rate
E / population is the limit. A point is outside when its own interval for the rate (exact Poisson under 10
events, Byar's approximation from 10, funnel_ratio_significance) excludes the average.
"""
from __future__ import annotations

import numpy as np
from scipy import special

from ladobench.stats.intervals import BYAR_MIN_COUNT

LEVELS = {"95%": 0.975, "99.8%": 0.999}  # the one-sided probabilities PHEindicatormethods passes (0.975, 0.999)


def proportion_limits(average: float, denominators, p: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper control limits (proportions, 0 to 1) at each denominator around the average proportion."""
    n = np.asarray(denominators, dtype="float64")
    z2 = special.ndtri(p) ** 2
    a = average * (n / z2 + 1)
    b = 1 / z2 + 1 / n
    with np.errstate(invalid="ignore"):
        d = np.sqrt((-8 * a) ** 2 - 64 * b * average * (n * (average * (n / z2 + 2) - 1) + z2 * (average - 1)))
    lower = np.clip((a - d / 8) / b / n, 0.0, 1.0)
    upper = np.clip((a + d / 8) / b / n, 0.0, 1.0)
    return lower, upper


def _expected_low(events, p):
    """The expected count with probability p of at least `events` (poisson_funnel(obs, p, "low"))."""
    return special.gammaincinv(np.asarray(events, dtype="float64"), p)


def _expected_high(events, p):
    """The expected count with probability p of at most `events` (poisson_funnel(obs, p, "high"))."""
    return special.gammainccinv(np.asarray(events, dtype="float64") + 1, p)


def rate_limits(average: float, events, p: float) -> dict[str, np.ndarray]:
    """The two limit lines of a rate funnel (average and limits per head, not per 10,000), one point per count of
    events: {"lower_population", "lower", "upper_population", "upper"}. Events must be 1 or more."""
    e = np.asarray(events, dtype="float64")
    tail = 1 - p
    lower_population = _expected_high(e, tail) / average
    upper_population = _expected_low(e, tail) / average
    return {"lower_population": lower_population, "lower": e / lower_population,
            "upper_population": upper_population, "upper": e / upper_population}


def rate_interval(events, population, p: float) -> tuple[np.ndarray, np.ndarray]:
    """An area's interval for its rate (per head), as funnel_ratio_significance: exact Poisson under 10 events,
    Byar's approximation from 10; p is the two-sided coverage (0.95 or 0.998)."""
    o = np.asarray(events, dtype="float64")
    pop = np.asarray(population, dtype="float64")
    q = 0.5 + p / 2
    z = special.ndtri(q)
    with np.errstate(divide="ignore", invalid="ignore"):
        exact_lo = np.where(o > 0, special.gammaincinv(o, 1 - q), 0.0)
        exact_hi = special.gammaincinv(o + 1, q)
        byar_lo = o * (1 - 1 / (9 * o) - z / 3 / np.sqrt(o)) ** 3
        o1 = o + 1
        byar_hi = o1 * (1 - 1 / (9 * o1) + z / 3 / np.sqrt(o1)) ** 3
    small = o < BYAR_MIN_COUNT
    return np.where(small, exact_lo, byar_lo) / pop, np.where(small, exact_hi, byar_hi) / pop


def significance(kind: str, numerator, denominator, average: float) -> list[str]:
    """Each area's place against the funnel: "above 99.8%", "above 95%", "below 99.8%", "below 95%" or "within",
    as phe_funnel_significance decides it (kind "proportion" or "rate")."""
    num = np.asarray(numerator, dtype="float64")
    den = np.asarray(denominator, dtype="float64")
    out = []
    if kind == "proportion":
        value = num / den
        lo998, hi998 = proportion_limits(average, den, LEVELS["99.8%"])
        lo95, hi95 = proportion_limits(average, den, LEVELS["95%"])
        tests = [(value < lo998, "below 99.8%"), (value < lo95, "below 95%"),
                 (value > hi998, "above 99.8%"), (value > hi95, "above 95%")]
    else:
        lo998, hi998 = rate_interval(num, den, 0.998)
        lo95, hi95 = rate_interval(num, den, 0.95)
        tests = [(average < lo998, "above 99.8%"), (average < lo95, "above 95%"),
                 (average > hi998, "below 99.8%"), (average > hi95, "below 95%")]
    for i in range(len(num)):
        out.append(next((word for hit, word in tests if bool(np.atleast_1d(hit)[i])), "within"))
    return out
