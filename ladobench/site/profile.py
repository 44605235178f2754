"""The one-screen profile at the top of an authority page: every headline measure, its value and 95% interval, and
where it stands against each comparator, in the manner of a Fingertips spine chart.

Every marker is read from the published comparisons table (stats/compare.py), never recomputed here: "higher",
"similar" or "lower" only where that table makes the statement (at least MIN_OTHERS comparable others, nothing
withheld); everywhere else the cell says "not compared" and why, in a few words, with no marker.
"""
from __future__ import annotations

import math

from ladobench.core.schema import load_schema
from ladobench.stats.compare import MIN_OTHERS
from ladobench.stats.published import Published, interval_text, metric_text

RESULTS = ("higher", "similar", "lower")


def _number(value, decimals: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:,.{decimals}f}"


def _short_reason(reason: str) -> str:
    """The comparability reason of an authority's own value, without the words "not comparable" it starts with."""
    reason = (reason or "").strip()
    if reason == "no value to compare":
        return "no value"
    return reason.removeprefix("not comparable: ") or "counts differently"


def cell(c: dict, decimals: int, percent: bool) -> dict:
    """One comparator cell, from one row of the comparisons table."""
    n, total = int(c["n_members"]), int(c["others_total"])
    result = c["result95"] if isinstance(c["result95"], str) and c["result95"] in RESULTS else ""
    strong = isinstance(c["result998"], str) and c["result998"] == result and result in ("higher", "lower")
    value = _number(c["comparator_value"], decimals)
    out = {"result": result, "strong": strong, "value": value + ("%" if value and percent else ""), "n": n, "total": total,
           "why": ""}
    if result:
        return out
    if not c["comparable"]:
        out["why"] = _short_reason(c["reason"])
    elif n == 0:
        out["why"] = "none comparable"
    elif "withheld" in (c["note"] or ""):
        out["why"] = "withheld (suppression)"
    elif n < MIN_OTHERS:
        out["why"] = f"only {n} comparable ({MIN_OTHERS} needed)"
    else:
        out["why"] = "no interval to compare with"
    return out


def profile(published: Published, slug: str, period: str, names: dict[str, str]) -> dict:
    """Rows (one a headline measure) and columns (one a comparator) of the profile; names maps a comparator's
    kind or group id to its column heading."""
    schema = load_schema()
    metrics = published.metric_rows(slug, period)
    comparisons = published.comparisons_for(slug, period)
    columns: list[tuple[str, str]] = []
    for metric in schema.metrics:
        for c in comparisons.get(metric.id, []):
            key = (c["comparator"], c["comparator_id"])
            if key not in columns:
                columns.append(key)
    order = {"england": 0, "region": 1, "neighbours": 2, "group": 3}
    columns.sort(key=lambda k: (order.get(k[0], 9), k[1]))
    rows = []
    for metric in schema.metrics:
        if not metric.headline:
            continue
        row = metrics.get(metric.id)
        by_key = {(c["comparator"], c["comparator_id"]): c for c in comparisons.get(metric.id, [])}
        cells = [cell(by_key[k], metric.decimals, metric.is_percent) if k in by_key else None for k in columns]
        own = [c for c in cells if c]
        # A value that is not comparable at all is not compared with anyone, for one reason: one cell says it.
        whole = own[0]["why"] if own and all(c["why"] and c["why"] == own[0]["why"] for c in own) else ""
        if not own:
            whole = "not a measure compared between authorities" if not metric.compare else "no value"
        rows.append({"metric": metric.id, "title": metric.title, "value": metric_text(row), "interval": interval_text(row),
                     "unit": f"per 10,000 {row.get('denominator_label', '')}".strip() if metric.kind == "rate" and row else "",
                     "cells": cells, "whole": whole})
    headings = [names.get(cid if kind == "group" else kind, cid) for kind, cid in columns]
    return {"rows": rows, "columns": headings, "min_others": MIN_OTHERS, "period": period,
            "compared": any(c and c["result"] for r in rows for c in r["cells"])}
