"""An authority's years over time: its headline measures by year, changes, trends and breaks in series ([b])."""
from __future__ import annotations

import math

from ladobench.core.schema import load_schema
from ladobench.returns.counting import facts
from ladobench.site import charts
from ladobench.stats import claims
from ladobench.stats.metrics import STAGE_WORDS
from ladobench.stats.published import Published, metric_text


def _count_word(metric) -> str:
    """What a rate counts, in words: 'referrals' for referrals per 10,000 children."""
    return STAGE_WORDS.get(metric.numerator.split(".")[-1], "count") if metric.numerator else "count"


def series_breaks(returns, authority) -> dict[str, str]:
    """{period: what changed} for each return after the first that declares a break in series (GSS [b])."""
    return {r.period: facts(r, authority)["series_break"] for r in returns[1:] if facts(r, authority)["series_break"]}


def years_over_time(published: Published, slug: str, returns, name: str) -> dict:
    """An authority's headline measures by year, each change and trend, and its referral rate as a line, never
    joined across a declared break in series."""
    schema = load_schema()
    periods = [r.period for r in returns]
    breaks = series_breaks(returns, published.dataset.authorities.get(slug))
    since = max((periods.index(p) for p in breaks), default=0)  # the latest series starts here
    rows, made = [], []
    for metric in schema.metrics:
        if not metric.headline:
            continue
        values = [metric_text(published.metric_rows(slug, p).get(metric.id)) + (" [b]" if p in breaks else "")
                  for p in periods]
        if all(v.startswith("[x]") for v in values):
            continue
        change = published.change(slug, metric.id, periods[-1])
        delta = change["change"] if change is not None else math.nan
        trend = change["trend"] if change is not None else None
        text = ""
        if delta is not None and not math.isnan(delta):  # the changes table joined these two years: say it in units
            said = claims.change(metric, slug, periods[-1], published.metric_rows(slug, periods[-1]).get(metric.id),
                                 published.metric_rows(slug, change["previous_period"]).get(metric.id),
                                 _count_word(metric))
            if said is not None:
                made.append(said)
                text = said.text
        if periods[-1] in breaks and not text and len(values) > 1 and not values[-2].startswith("["):
            text = "[b] not computed: break in series"
        rows.append({"title": metric.title, "values": values, "change": text,
                     "trend": trend or ("fewer than 3 years" if len(periods) - since < 3 else "")})
    chart = None
    # A line never joins years across a break: only the latest series is drawn.
    series = [(p, published.metric_rows(slug, p).get("referrals_rate")) for p in periods[since:]]
    shown = [(p, r) for p, r in series if r and not r["status"]]
    points = [{"period": p, "value": r["value"], "lower": r["lower95"], "upper": r["upper95"]} for p, r in shown]
    if len(points) >= 2:
        first, last = shown[0][1], shown[-1][1]
        # "rose" or "fell" only when the 99.8% intervals of the two ends do not overlap (4 -> 6 events did not rise).
        said = claims.trend_ends(name, slug, "referrals per 10,000 children", first, last)
        made.append(said)
        spec = charts.trend(points, said.text,
                            f"Line chart of referrals per 10,000 children aged 0-17 in {name} by financial year, with 95% intervals.",
                            "referrals per 10,000 children")
        chart = {"id": "chart-trend", "html": charts.embed(spec, "chart-trend"), "rows": points, "title": spec["title"]["text"]}
    return {"periods": periods, "rows": rows, "chart": chart, "claims": made,
            "breaks": [{"period": p, "what": what, "before": periods[periods.index(p) - 1]} for p, what in breaks.items()]}
