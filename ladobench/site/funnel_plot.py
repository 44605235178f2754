"""The funnel plot of a metric page: each authority's value against its denominator, with OHID's 95% and 99.8%
control limits around the pooled value of the authorities that count the same way (ladobench.stats.funnel_limits).

Drawn for proportions and rates once MIN_AUTHORITIES comparable authorities have a value for the year; otherwise the
page says so in one line."""
from __future__ import annotations

import math

import numpy as np

from ladobench.site import charts
from ladobench.stats.funnel_limits import LEVELS, proportion_limits, rate_limits, significance

MIN_AUTHORITIES = 5
KINDS = {"proportion": "proportion", "share": "proportion", "published": "proportion", "rate": "rate"}
PER_RATE = 10_000
POSITION_WORDS = {"within": "within both limits", "above 95%": "above the 95% limit", "above 99.8%": "above the 99.8% limit",
                  "below 95%": "below the 95% limit", "below 99.8%": "below the 99.8% limit"}


def _usable(r: dict) -> bool:
    return all(isinstance(r.get(k), (int, float)) and not math.isnan(r[k]) for k in ("numerator", "denominator", "value")) \
        and r["denominator"] > 0


def _count(x: float):
    """A count as an integer when it is whole (an implied count from a published percentage may not be)."""
    return int(round(x)) if abs(x - round(x)) < 1e-9 else round(float(x), 1)


def _limit_lines(statistic: str, average: float, denominators: list[float]) -> list[dict]:
    lo_n, hi_n = max(1.0, min(denominators) * 0.8), max(denominators) * 1.1
    out = []
    if statistic == "proportion":
        grid = np.unique(np.geomspace(lo_n, hi_n, 100).round())
        for name, p in LEVELS.items():
            lower, upper = proportion_limits(average, grid, p)
            for n, a, b in zip(grid, lower, upper):
                out += [{"denominator": int(n), "value": round(float(a) * 100, 4), "limit": name, "side": "lower"},
                        {"denominator": int(n), "value": round(float(b) * 100, 4), "limit": name, "side": "upper"}]
        return out
    events = np.unique(np.geomspace(max(1.0, math.floor(lo_n * average * 0.5)), math.ceil(hi_n * average * 2), 120).round())
    for name, p in LEVELS.items():
        lines = rate_limits(average, events, p)
        for side in ("lower", "upper"):
            for n, v in zip(lines[f"{side}_population"], lines[side]):
                if lo_n <= n <= hi_n:
                    out.append({"denominator": int(round(float(n))), "value": round(float(v) * PER_RATE, 4),
                                "limit": name, "side": side})
    return out


def figure(metric, rows: list[dict], period: str, names: dict[str, str], chart_id: str) -> dict | None:
    """The funnel plot of rows (one year's comparable values, counting the same way), or a one-line note when there are
    too few; None for a metric that is neither a proportion nor a rate."""
    statistic = KINDS.get(metric.kind)
    if statistic is None:
        return None
    rows = [r for r in rows if _usable(r)]
    if len(rows) < MIN_AUTHORITIES:
        many = "no authority has" if not rows else ("only one authority has" if len(rows) == 1 else f"only {len(rows)} authorities have")
        return {"kind": "funnel_note",
                "text": f"No funnel plot for {period}: {many} a value counting the same way; a funnel plot needs at least "
                        f"{MIN_AUTHORITIES}."}
    num = [float(r["numerator"]) for r in rows]
    den = [float(r["denominator"]) for r in rows]
    if statistic == "proportion":  # a published percentage: its own value, as the share of its base
        num = [r["value"] / 100 * d if metric.kind == "published" else n for r, n, d in zip(rows, num, den)]
    average = sum(num) / sum(den)
    places = significance(statistic, num, den, average)
    scale = PER_RATE if statistic == "rate" else 100
    unit = "per 10,000 children" if statistic == "rate" else "%"
    table = sorted(({"label": names.get(r["authority"], r["authority"]), "numerator": _count(n), "denominator": _count(d),
                     "value": round(float(r["value"]), 4), "position": POSITION_WORDS[w], "highlight": False}
                    for r, n, d, w in zip(rows, num, den, places)), key=lambda x: x["denominator"])
    outside = sum(1 for w in places if "99.8" in w)
    pooled = average * scale
    den_label = rows[0].get("denominator_label") or ("children aged 0-17" if statistic == "rate" else "denominator")
    about = (f"{len(rows)} authorities counting the same way, {period}; pooled value {pooled:.{metric.decimals}f}"
             f"{'%' if statistic == 'proportion' else ' ' + unit}")
    title = (f"{metric.title}, {period}: {outside} of the {len(rows)} authorities lie outside the 99.8% control limits" if outside
             else f"{metric.title}, {period}: all {len(rows)} authorities lie within the 99.8% control limits")
    description = (f"Funnel plot of {metric.title.lower()} against {den_label} for {about}; each point is an authority, the "
                   "lines are the 95% and 99.8% control limits. The table gives every figure.")
    spec = charts.funnel(table, _limit_lines(statistic, average, den), title, description,
                         x_title=den_label[:1].upper() + den_label[1:], y_title="percent" if statistic == "proportion" else unit)
    return {"id": chart_id, "kind": "funnel", "html": charts.embed(spec, chart_id), "rows": table, "title": title,
            "about": about, "statistic": statistic, "pooled": pooled}
