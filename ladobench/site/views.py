"""The views the pages across authorities are made of: a region or group in one year, a metric in one year (with its
balanced panel), who submitted in a year, and the charts of values that count the same way."""
from __future__ import annotations

import math

from ladobench.core.reference import load_reference, regions
from ladobench.core.schema import load_schema
from ladobench.publish.metadata import record as metric_metadata
from ladobench.site import charts, funnel_plot
from ladobench.site.urls import page_name, region_page, year_links
from ladobench.stats.claims import count_authorities
from ladobench.stats.published import Published, interval_text, metric_text
from ladobench.stats.ranking import MIN_AREAS_TO_RANK

KEY_METRICS = ("contacts_rate", "referrals_rate", "allegations_rate", "threshold_conversion", "substantiation_rate",
               "decision_within_1_day")


def _ok(row) -> bool:
    return bool(row) and not row["status"] and row["value"] is not None and not math.isnan(row["value"])


def scale(kind: str) -> float:
    """What a pooled numerator over denominator is multiplied by: per 10,000 for rates, 1 for ratios, else percent."""
    return 10_000 if kind == "rate" else 1 if kind in ("ratio", "value") else 100


def _pooled(rows: list[dict], kind: str) -> float:
    num = sum(r["numerator"] for r in rows if _ok(r) and not math.isnan(r["numerator"]) and not math.isnan(r["denominator"]))
    den = sum(r["denominator"] for r in rows if _ok(r) and not math.isnan(r["numerator"]) and not math.isnan(r["denominator"]))
    if not den:
        return math.nan
    return num / den * scale(kind)


def same_way(published: Published, rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """The rows that may be pooled and charted together (the largest set of comparable values counting the same way)
    and the rest, which are shown apart."""
    classes: dict[str, list[dict]] = {}
    for r in rows:
        c = published.comparable_row(r["authority"], r["period"], r["metric"])
        if _ok(r) and c.get("comparable"):
            classes.setdefault(c["key"], []).append(r)
    if not classes:
        return [], [r for r in rows if _ok(r)]
    best = max(sorted(classes), key=lambda k: len(classes[k]))
    chosen = {id(r) for r in classes[best]}
    return classes[best], [r for r in rows if _ok(r) and id(r) not in chosen]


def metric_chart(published: Published, metric_id: str, slugs: list[str], period: str, group_name: str, chart_id: str,
                 highlight: str = "") -> list[dict]:
    """Bars with 95% whiskers of the values that count the same way and their pooled value (the funnel plot of a
    metric page is site/funnel_plot.py)."""
    schema = load_schema()
    metric = schema.metric(metric_id)
    rows = [published.metric_rows(s, period).get(metric_id) for s in slugs]
    have, _apart = same_way(published, [r for r in rows if r])
    have = sorted(have, key=lambda r: -r["value"])
    if not have:
        return []
    pooled = _pooled(have, metric.kind)
    unit = "%" if metric.is_percent else ""
    axis = metric.unit if not metric.is_percent else "percent"
    names = _names()
    bar_rows = [{"label": names.get(r["authority"], r["authority"]),
                 "value": r["value"], "lower": r["lower95"], "upper": r["upper95"], "highlight": r["authority"] == highlight}
                for r in have]
    top = bar_rows[0]
    among = (f"{len(bar_rows)} authorities in {group_name} that count the same way" if len(bar_rows) > 1
             else f"one authority in {group_name} ({top['label']})")
    # Equal as printed is a tie: every one of them has the highest value, not the first in the sort.
    tied = [b["label"] for b in bar_rows if f"{b['value']:.{metric.decimals}f}" == f"{top['value']:.{metric.decimals}f}"]
    who = (f"{top['label']} has" if len(tied) == 1 else f"{', '.join(tied[:-1])} and {tied[-1]} have")
    message = (f"{metric.title}, {period}: {who} the highest value ({top['value']:.{metric.decimals}f}{unit}) "
               f"of the {among}" if len(bar_rows) > 1
               else f"{metric.title}, {period}: {top['label']} {top['value']:.{metric.decimals}f}{unit}")
    desc = (f"Bar chart of {metric.title.lower()} for {'the ' if len(bar_rows) > 1 else ''}{among}, {period}, with 95% intervals"
            + (" and a dashed line at their pooled value" if len(bar_rows) > 1 else "") + ". The table gives every figure.")
    spec = charts.bars(bar_rows, message, desc, axis, pooled if len(bar_rows) > 1 else None,
                       f"pooled value of these {len(bar_rows)}")
    out = [{"id": chart_id, "kind": "bars", "html": charts.embed(spec, chart_id), "rows": bar_rows, "title": message,
            "pooled": pooled}]
    return out


def _names() -> dict[str, str]:
    """Authority names by slug (a dict lookup; .loc per bar was a tenth of the metric pages' time)."""
    return load_reference()["name"].to_dict()


def shown_period(published: Published, slug: str, period: str) -> str:
    """The period of an authority's return shown on a page for period: that year's, else its latest before it ("" if none)."""
    mine = [r.period for r in published.dataset.returns_of(slug) if r.period <= period]
    return max(mine) if mine else ""


def submitted_members(published: Published, members: list[str], period: str = "") -> list[str]:
    """The members with a return for the period (default the latest) or an earlier one."""
    period = period or published.latest
    return [s for s in members if shown_period(published, s, period)]


def areas_with_value(published: Published, metric_id: str) -> int:
    """The rows of the metric's page that show a value: authorities in the latest period, less [x] and [c]."""
    return sum(1 for r in published.metric_records(metric_id)
               if r["period"] == published.latest and metric_text(r) not in ("[x]", "[c]"))


def members_claim(published: Published, members: list[str], name: str, period: str):
    """'N of M authorities in X have a return for P; K more are shown with their latest earlier return', as a claim."""
    submitted = submitted_members(published, members, period)
    now = [s for s in submitted if shown_period(published, s, period) == period]
    text = f"{len(now)} of {len(members)} authorities in {name} have a return for {period}"
    earlier = len(submitted) - len(now)
    if earlier:
        text += (f"; {earlier} more {'is' if earlier == 1 else 'are'} shown with {'its' if earlier == 1 else 'their'} "
                 "latest earlier return, marked with its year and left out of the charts")
    return count_authorities(text, len(now), "authorities with a return", period, among=list(members))


def group_view(published: Published, members: list[str], name: str, key: str, period: str = "", base: str = "") -> dict:
    """A region or peer group in one year: every member's return for that year (or its latest before, marked with its
    period) and charts of the key metrics for that year's values that count the same way."""
    ref, schema = load_reference(), load_schema()
    period = period or published.latest
    submitted = submitted_members(published, members, period)
    missing = [{"slug": s, "name": ref.loc[s, "name"] if s in ref.index else s} for s in members if s not in submitted]
    table = []
    for slug in submitted:
        own = shown_period(published, slug, period)
        rows = published.metric_rows(slug, own)
        table.append({"slug": slug, "name": ref.loc[slug, "name"] if slug in ref.index else slug, "period": own,
                      "older": own != period, "values": [metric_text(rows.get(m)) for m in KEY_METRICS]})
    this_year = [r["slug"] for r in table if not r["older"]]
    figures = []
    for i, metric_id in enumerate(KEY_METRICS):
        figures.extend(metric_chart(published, metric_id, this_year, period, name, f"chart-{key}-{i}"))
    return {"name": name, "period": period, "members": len(members), "submitted": table, "missing": missing,
            "this_year": len(this_year), "count_claim": members_claim(published, members, name, period), "columns": [schema.metric(m).title for m in KEY_METRICS],
            "metrics": list(KEY_METRICS), "figures": figures, "min_rank": MIN_AREAS_TO_RANK,
            "years": year_links(published.periods, base, period) if base else []}


def _panel(published: Published, frame: list[dict]) -> tuple[list[str], list[str]]:
    """The longest run of consecutive years (then the most authorities, then the latest) in which the same two or more
    authorities have comparable values counting the same way, with no break in series: (periods, slugs), or ([], [])."""
    have: dict[tuple[str, str], tuple] = {}
    for r in frame:
        c = published.comparable_row(r["authority"], r["period"], r["metric"])
        if _ok(r) and c.get("comparable"):
            have[(r["authority"], r["period"])] = (c["key"], c["series"])
    best: tuple = ()
    for calendar in (False, True):
        periods = sorted({p for _, p in have if (len(p) == 4) == calendar})
        for i in range(len(periods)):
            for j in range(i + 1, len(periods)):
                window = periods[i:j + 1]
                if int(window[-1][:4]) - int(window[0][:4]) != len(window) - 1:
                    break
                slugs = [s for s in sorted({a for a, p in have if p == window[0]})
                         if all((s, p) in have for p in window) and len({have[(s, p)] for p in window}) == 1]
                by_key: dict = {}
                for s in slugs:
                    by_key.setdefault(have[(s, window[0])][0], []).append(s)
                for members in by_key.values():
                    score = (len(window), len(members), window[-1])
                    if len(members) >= 2 and (not best or score > best[0]):
                        best = (score, window, members)
    return (best[1], best[2]) if best else ([], [])


def metric_view(published: Published, metric_id: str, period: str = "") -> dict:
    schema, ref = load_schema(), load_reference()
    metric = schema.metric(metric_id)
    period = period or published.latest
    frame = published.metric_records(metric_id)
    slugs = sorted({r["authority"] for r in frame})
    latest = [r for r in frame if r["period"] == shown_period(published, r["authority"], period) and r["period"] <= period]
    region_names, region_of = regions(), ref["region_code"].to_dict()
    rows = []
    for r in sorted(latest, key=lambda r: (r["period"] != period, -(r["value"]) if _ok(r) else math.inf, r["authority_name"])):
        c = next((x for x in published.comparisons_for(r["authority"], r["period"]).get(metric_id, [])
                  if x["comparator"] == "england"), None)
        rank = c["rank"] if c is not None else None
        comparable = published.comparable_row(r["authority"], r["period"], metric_id)
        rows.append({"slug": r["authority"], "name": r["authority_name"], "period": r["period"], "older": r["period"] != period,
                     "region": region_names.get(region_of[r["authority"]], "") if r["authority"] in region_of else "",
                     "value": metric_text(r), "interval95": interval_text(r), "interval998": interval_text(r, "998"),
                     "versus": (f"{c['result95']} {'to' if c['result95'] == 'similar' else 'than'} the pool of {c['n_members']} others"
                                if c is not None and isinstance(c["result95"], str) else ""),
                     "rank": "" if rank is None or (isinstance(rank, float) and math.isnan(rank)) else f"{int(rank)} of {int(c['rank_of'])}",
                     "note": "; ".join(x for x in (f"per 10,000 {r['denominator_label']}" if metric.kind == "rate" and _ok(r) else "",
                                                   r["note"], comparable.get("reason", "") if _ok(r) else "") if x)})
    figures = metric_chart(published, metric_id, [s for s in slugs if shown_period(published, s, period) == period],
                           period, "England", "chart-metric")
    names = _names()
    this_year = [r for r in frame if r["period"] == period and shown_period(published, r["authority"], period) == period]
    funnel = funnel_plot.figure(metric, same_way(published, this_year)[0], period, names, "chart-metric-funnel")
    by_year = []
    for p in published.periods:
        pooled, _apart = same_way(published, [r for r in frame if r["period"] == p])
        by_year.append({"period": p, "areas": len(pooled), "value": _pooled(pooled, metric.kind),
                        "members": ", ".join(sorted(names.get(r["authority"], r["authority"]) for r in pooled))})
    window, panel = _panel(published, frame)
    trend_chart, panel_names = None, [names.get(s, s) for s in panel]
    if panel:
        points = []
        for p in window:
            part = [r for r in frame if r["period"] == p and r["authority"] in panel]
            points.append({"period": p, "value": _pooled(part, metric.kind)})
        title = f"{metric.title}: the same {len(panel)} authorities each year ({', '.join(panel_names)})"
        spec = charts.trend(points, title, f"Line chart of {metric.title.lower()} pooled over the same {len(panel)} "
                            f"authorities in every year from {window[0]} to {window[-1]}: {', '.join(panel_names)}.", metric.unit)
        trend_chart = {"id": "chart-metric-trend", "html": charts.embed(spec, "chart-metric-trend"), "rows": points,
                       "title": spec["title"]["text"]}
    return {"metric": metric, "period": period, "rows": rows, "figures": figures, "funnel": funnel, "over_time": by_year,
            "trend_chart": trend_chart, "panel": panel_names, "can_rank": any(r["rank"] for r in rows),
            "min_rank": MIN_AREAS_TO_RANK, "unit_word": "percent" if metric.is_percent else metric.unit,
            "years": year_links(published.periods, metric_id, period), "decimals": metric.decimals,
            "metadata": metric_metadata(metric_id)}


def status_view(published: Published, period: str) -> dict:
    """Who has submitted this year, with warnings, and who in each group has not."""
    ref, dataset = load_reference(), published.dataset
    warned = {p.file for p in dataset.warnings}
    rows = []
    metrics = published.metrics
    revised = metrics[metrics["period"].eq(period) & metrics["revised"].eq("[r]")]
    for ret in [r for r in dataset.returns if r.period == period]:
        changed = revised[revised["authority"] == ret.slug]["title"].tolist()
        rows.append({"slug": ret.slug, "name": ref.loc[ret.slug, "name"] if ret.slug in ref.index else ret.slug,
                     "status": "validated with warnings" if ret.file in warned else "validated",
                     "discrepancies": len(ret.data.get("discrepancies") or []), "revised": changed})
    submitted = {r["slug"] for r in rows}
    groups = [{"name": g["name"], "id": g["id"],
               "missing": [ref.loc[m, "name"] for m in g.get("members") or [] if m in ref.index and m not in submitted]}
              for g in dataset.groups]
    by_region = [{"code": code, "name": name, "page": page_name(region_page(code), period, published.latest),
                  "missing": sum(1 for s in ref.index[ref["region_code"] == code] if s not in submitted),
                  "members": int((ref["region_code"] == code).sum())} for code, name in regions().items()]
    return {"period": period, "rows": sorted(rows, key=lambda r: r["name"]), "groups": groups, "regions": by_region,
            "years": [{"period": p, "href": f"{p}.md", "current": p == period} for p in published.periods]}
