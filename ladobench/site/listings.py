"""Home, index, region, peer-group, metric and submission-status pages: views across authorities."""
from __future__ import annotations

import math
from functools import cached_property

import numpy as np

from ladobench.core.reference import load_reference, regions
from ladobench.core.schema import load_schema
from ladobench.publish.metadata import record as metric_metadata
from ladobench.site import charts
from ladobench.stats.published import Published, interval_text, metric_text
from ladobench.stats.ranking import MIN_AREAS_TO_RANK

KEY_METRICS = ("contacts_rate", "referrals_rate", "allegations_rate", "threshold_conversion", "substantiation_rate",
               "decision_within_1_day")
FUNNEL_KINDS = ("proportion", "share", "published")


def _ok(row) -> bool:
    return bool(row) and not row["status"] and row["value"] is not None and not math.isnan(row["value"])


def _pooled(rows: list[dict], kind: str) -> float:
    num = sum(r["numerator"] for r in rows if _ok(r) and not math.isnan(r["numerator"]))
    den = sum(r["denominator"] for r in rows if _ok(r) and not math.isnan(r["numerator"]))
    if not den:
        return math.nan
    return num / den * (10_000 if kind == "rate" else 100)


def metric_chart(published: Published, metric_id: str, slugs: list[str], period: str, group_name: str, chart_id: str,
                 highlight: str = "") -> list[dict]:
    """Bars with 95% whiskers and the pooled group value; a funnel plot too for proportions."""
    schema = load_schema()
    metric = schema.metric(metric_id)
    rows = [published.metric_rows(s, period).get(metric_id) for s in slugs]
    have = sorted([r for r in rows if _ok(r)], key=lambda r: -r["value"])
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
    message = (f"{metric.title}, {period}: {top['label']} has the highest value ({top['value']:.{metric.decimals}f}{unit})"
               if len(bar_rows) > 1 else f"{metric.title}, {period}: {top['label']} {top['value']:.{metric.decimals}f}{unit}")
    desc = (f"Bar chart of {metric.title.lower()} for {len(bar_rows)} authorities in {group_name}, {period}, with 95% "
            f"intervals and a dashed line at the pooled value for {group_name}. The table gives every figure.")
    spec = charts.bars(bar_rows, message, desc, axis, pooled if len(bar_rows) > 1 else None, group_name)
    out = [{"id": chart_id, "kind": "bars", "html": charts.embed(spec, chart_id), "rows": bar_rows, "title": message,
            "pooled": pooled}]
    if metric.kind in FUNNEL_KINDS and len(have) >= 2 and not math.isnan(pooled):
        frows = [{"label": b["label"], "denominator": r["denominator"], "value": r["value"], "highlight": b["highlight"]}
                 for b, r in zip(bar_rows, have)]
        outside = [f for f, out in zip(frows, _outside_all(frows, pooled)) if out]
        fmsg = (f"{metric.title}: {len(outside)} of {len(frows)} authorities lie outside the 99.8% control limits"
                if outside else f"{metric.title}: every authority lies within the 99.8% control limits")
        fspec = charts.funnel(frows, pooled, fmsg, f"Funnel plot of {metric.title.lower()} against its denominator for "
                              f"{group_name}, {period}, with 95% and 99.8% control limits around {pooled:.1f}%.", "percent")
        out.append({"id": chart_id + "-funnel", "kind": "funnel", "html": charts.embed(fspec, chart_id + "-funnel"),
                    "rows": frows, "title": fmsg, "pooled": pooled})
    return out


def _names() -> dict[str, str]:
    """Authority names by slug (a dict lookup; .loc per bar was a tenth of the metric pages' time)."""
    return load_reference()["name"].to_dict()


def _outside_all(rows: list[dict], pooled: float) -> list[bool]:
    """Whether each area lies outside the 99.8% control limits (all limits in one vectorised call)."""
    from ladobench.stats.intervals import Z998, funnel_limits

    lo, hi = funnel_limits(pooled / 100, np.array([row["denominator"] for row in rows], dtype=float), Z998)
    lo, hi = np.atleast_1d(lo), np.atleast_1d(hi)
    return [not (float(a) * 100 <= row["value"] <= float(b) * 100) for row, a, b in zip(rows, lo, hi)]


def submitted_members(published: Published, members: list[str]) -> list[str]:
    """The members with figures in the latest period."""
    return [s for s in members if published.metric_rows(s, published.latest)]


def areas_with_value(published: Published, metric_id: str) -> int:
    """The rows of the metric's page that show a value: authorities in the latest period, less [x] and [c]."""
    return sum(1 for r in published.metric_records(metric_id)
               if r["period"] == published.latest and metric_text(r) not in ("[x]", "[c]"))


def group_view(published: Published, members: list[str], name: str, key: str) -> dict:
    """A region or peer group in the latest period: a table of every member and charts of the key metrics."""
    ref, schema = load_reference(), load_schema()
    period = published.latest
    submitted = submitted_members(published, members)
    missing = [{"slug": s, "name": ref.loc[s, "name"] if s in ref.index else s} for s in members if s not in submitted]
    table = []
    for slug in submitted:
        rows = published.metric_rows(slug, period)
        table.append({"slug": slug, "name": ref.loc[slug, "name"] if slug in ref.index else slug,
                      "values": [metric_text(rows.get(m)) for m in KEY_METRICS]})
    figures = []
    for i, metric_id in enumerate(KEY_METRICS):
        figures.extend(metric_chart(published, metric_id, submitted, period, name, f"chart-{key}-{i}"))
    return {"name": name, "period": period, "members": len(members), "submitted": table, "missing": missing,
            "columns": [schema.metric(m).title for m in KEY_METRICS], "metrics": list(KEY_METRICS),
            "figures": figures, "can_rank": len(submitted) >= MIN_AREAS_TO_RANK, "min_rank": MIN_AREAS_TO_RANK}


def metric_view(published: Published, metric_id: str) -> dict:
    schema, ref = load_schema(), load_reference()
    metric = schema.metric(metric_id)
    period = published.latest
    frame = published.metric_records(metric_id)
    latest = [r for r in frame if r["period"] == period]
    region_names, region_of = regions(), ref["region_code"].to_dict()
    rows = []
    for r in sorted(latest, key=lambda r: (-(r["value"]) if _ok(r) else math.inf, r["authority_name"])):
        # Its England comparison: comparisons_for keeps table order among the England rows.
        c = next((x for x in published.comparisons_for(r["authority"], period).get(metric_id, [])
                  if x["comparator"] == "england"), None)
        rank = c["rank"] if c is not None else None
        rows.append({"slug": r["authority"], "name": r["authority_name"],
                     "region": region_names.get(region_of[r["authority"]], "") if r["authority"] in region_of else "",
                     "value": metric_text(r), "interval95": interval_text(r), "interval998": interval_text(r, "998"),
                     "versus": (c["result95"] or "") if c is not None else "",
                     "rank": "" if rank is None or (isinstance(rank, float) and math.isnan(rank)) else int(rank),
                     "note": r["note"]})
    figures = metric_chart(published, metric_id, sorted({r["authority"] for r in frame}), period, "England", "chart-metric")
    over_time = []
    for p in published.periods:
        part = [r for r in frame if r["period"] == p]
        have = [r for r in part if _ok(r)]
        over_time.append({"period": p, "areas": len(have), "value": _pooled(have, metric.kind)})
    trend_chart = None
    points = [{"period": o["period"], "value": o["value"]} for o in over_time if o["areas"] and not math.isnan(o["value"])]
    if len(points) >= 2:
        spec = charts.trend(points, f"{metric.title}: England (submitted authorities) by year",
                            f"Line chart of {metric.title.lower()} pooled over the authorities that submitted each year.",
                            metric.unit)
        trend_chart = {"id": "chart-metric-trend", "html": charts.embed(spec, "chart-metric-trend"), "rows": points,
                       "title": spec["title"]["text"]}
    return {"metric": metric, "period": period, "rows": rows, "figures": figures, "over_time": over_time,
            "trend_chart": trend_chart, "can_rank": sum(1 for r in latest if _ok(r)) >= MIN_AREAS_TO_RANK,
            "min_rank": MIN_AREAS_TO_RANK, "unit_word": "percent" if metric.is_percent else metric.unit,
            "metadata": metric_metadata(metric_id)}


class Listings:
    """The pages across authorities, part by part: home, groups, metrics, years and regions. The home page counts
    what the others show in full."""

    def __init__(self, published: Published, render, to_csv):
        self.published, self.render, self.to_csv = published, render, to_csv
        self.schema, self.ref = load_schema(), load_reference()

    @cached_property
    def slugs(self) -> list[str]:
        return sorted({r.slug for r in self.published.dataset.returns})

    @cached_property
    def coverage(self) -> list[dict]:
        published, dataset, ref = self.published, self.published.dataset, self.ref
        return [{"slug": s, "name": ref.loc[s, "name"] if s in ref.index else s,
                 "region": regions().get(ref.loc[s, "region_code"], "") if s in ref.index else "",
                 "periods": [p for p in published.periods if dataset.returns_of(s) and any(r.period == p for r in dataset.returns_of(s))]}
                for s in self.slugs]

    @cached_property
    def regions_members(self) -> list[tuple[str, str, list[str]]]:
        return [(code, name, list(self.ref.index[self.ref["region_code"] == code])) for code, name in regions().items()]

    @cached_property
    def groups_members(self) -> list[tuple[dict, list[str]]]:
        return [(group, [m for m in group.get("members") or [] if m in self.ref.index]) for group in self.published.dataset.groups]

    def _metric_entry(self, metric) -> dict:
        return {"id": metric.id, "title": metric.title, "kind": metric.kind, "unit": metric.unit,
                "areas": areas_with_value(self.published, metric.id)}

    def _region_list(self) -> list[dict]:
        return [{"code": code, "name": name, "members": len(members), "submitted": len(submitted_members(self.published, members))}
                for code, name, members in self.regions_members]

    def _group_list(self) -> list[dict]:
        return [{"id": group["id"], "name": group["name"], "members": len(members),
                 "submitted": len(submitted_members(self.published, members))} for group, members in self.groups_members]

    def home(self) -> dict[str, str]:
        """The home page and the list of authorities."""
        published, render = self.published, self.render
        headline = [self._metric_entry(m) for m in self.schema.metrics if m.headline]
        return {"index.md": render("index.md.j2", latest=published.latest, periods=published.periods, coverage=self.coverage,
                                   regions=self._region_list(), groups=self._group_list(), metrics=headline,
                                   returns=len(published.dataset.returns), authorities=len(self.slugs), total=len(self.ref)),
                "authorities/index.md": render("authorities.md.j2", coverage=self.coverage, periods=published.periods,
                                               total=len(self.ref))}

    def groups(self) -> dict[str, str]:
        pages = {"groups/index.md": self.render("groups.md.j2", groups=self._group_list(), latest=self.published.latest)}
        for group, members in self.groups_members:
            view = group_view(self.published, members, group["name"], group["id"])
            pages[f"groups/{group['id']}.md"] = self.render("group.md.j2", view=view, kind="group",
                                                            description=group.get("description", ""), csv_prefix=group["id"])
            _chart_csvs(pages, f"groups/data/{group['id']}", view["figures"], self.to_csv)
        return pages

    def metrics(self) -> dict[str, str]:
        pages = {}
        for metric in self.schema.metrics:
            view = metric_view(self.published, metric.id)
            pages[f"metrics/{metric.id}.md"] = self.render("metric.md.j2", **view)
            _chart_csvs(pages, f"metrics/data/{metric.id}", view["figures"] + ([view["trend_chart"]] if view["trend_chart"] else []),
                        self.to_csv)
        pages["metrics/index.md"] = self.render("metrics.md.j2", metrics=[self._metric_entry(m) for m in self.schema.metrics],
                                                catalogue=self.schema.catalogue, latest=self.published.latest)
        return pages

    def periods(self) -> dict[str, str]:
        return {f"periods/{period}.md": self.render("period.md.j2", **status_view(self.published, period))
                for period in self.published.periods}

    def regions(self) -> dict[str, str]:
        pages = {"regions/index.md": self.render("regions.md.j2", regions=self._region_list(), latest=self.published.latest)}
        for code, name, members in self.regions_members:
            view = group_view(self.published, members, name, code.lower())
            pages[f"regions/{code}.md"] = self.render("group.md.j2", view=view, kind="region", description="", csv_prefix=code)
            _chart_csvs(pages, f"regions/data/{code}", view["figures"], self.to_csv)
        return pages

    PARTS = ("home", "groups", "metrics", "periods", "regions")


def generate(published: Published, render, to_csv) -> dict[str, str]:
    """Every page across authorities at once."""
    listings, pages = Listings(published, render, to_csv), {}
    for part in Listings.PARTS:
        pages.update(getattr(listings, part)())
    return pages


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
    by_region = [{"code": code, "name": name, "missing": sum(1 for s in ref.index[ref["region_code"] == code] if s not in submitted),
                  "members": int((ref["region_code"] == code).sum())} for code, name in regions().items()]
    return {"period": period, "rows": sorted(rows, key=lambda r: r["name"]), "groups": groups, "regions": by_region}


def _chart_csvs(pages: dict, prefix: str, figures: list[dict], to_csv) -> None:
    for fig in figures:
        rows = fig["rows"]
        if rows:
            pages[f"{prefix}-{fig['id']}.csv"] = to_csv(rows, [k for k in rows[0] if k != "highlight"])
