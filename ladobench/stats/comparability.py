"""Which published values may be pooled, compared, ranked or joined in a series, and why not.

Each metric names the counting facts two values must share (schema/metrics.yaml, comparable_when).
A value is comparable when all of them are known for its return and every crosswalk label it was
counted from is an exact match to its common code; its key is those facts' values, and only values
with equal keys meet in a pool, a rank, a quartile set or a series.
"""
from __future__ import annotations

import pandas as pd

from ladobench.core.schema import load_schema
from ladobench.returns.counting import NOT_KNOWN, facts, says
from ladobench.stats.metrics import measured_as

COLUMNS = ["authority", "period", "metric", "comparable", "key", "reason", "series"]
RELATION_WORDS = {"broader": "is broader than", "narrower": "is narrower than", "overlapping": "overlaps"}


def _relations(authority) -> dict[tuple[str, str], str]:
    """(dimension, local label) -> relation, for the labels that are not exact matches."""
    out = {}
    for dim, entries in ((authority.data.get("crosswalk") if authority else None) or {}).items():
        for entry in entries or []:
            if isinstance(entry, dict) and entry.get("relation", "exact") != "exact":
                out[(dim, entry.get("local"))] = entry["relation"]
    return out


def _inexact(metric, ret, authority, relations) -> str:
    """Why a value counted through a crosswalk is not comparable (a label that is not an exact match), or ""."""
    if not authority or not relations:
        return ""
    if metric.dimension:
        dim, codes = metric.dimension, tuple(metric.codes)
    elif ":" in metric.numerator:
        dim, code = metric.numerator.split(":")
        codes = (code,)
    else:
        return ""
    used = {row.get("label") for t in ret.tables(dim) for row in t.get("rows") or [] if row}
    spec = load_schema().dimensions[dim]
    for label in sorted(authority.touching(dim, codes) & used):
        relation = relations.get((dim, label))
        if relation:
            names = ", ".join(spec.code(c).label for c in authority.crosswalk(dim)[label].codes if spec.code(c))
            return f"not comparable: {authority.name}'s '{label}' {RELATION_WORDS[relation]} {names}"
    return ""


def comparability(dataset, metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per metrics row, in its order: comparable, key (the shared facts), reason, series (breaks so far)."""
    schema = load_schema()
    by_id = {m.id: m for m in schema.metrics}
    rets = {(r.slug, r.period): r for r in dataset.returns}
    info, breaks = {}, {}
    for ret in sorted(dataset.returns, key=lambda r: (r.slug, r.period)):
        authority = dataset.authorities.get(ret.slug)
        f = facts(ret, authority)
        breaks[ret.slug] = breaks.get(ret.slug, -1) + (1 if f["series_break"] or ret.slug not in breaks else 0)
        info[(ret.slug, ret.period)] = (f, authority, _relations(authority), breaks[ret.slug])
    out = []
    for slug, period, metric_id, status, label in zip(metrics["authority"], metrics["period"], metrics["metric"],
                                                      metrics["status"], metrics["denominator_label"]):
        metric = by_id[metric_id]
        f, authority, relations, series = info.get((slug, period), ({}, None, {}, 0))
        parts, unknown = [], []
        for fact in metric.comparable_when:
            value = (label or NOT_KNOWN) if fact == "table_base" else f.get(fact, NOT_KNOWN)
            parts.append(f"{fact}={value}")
            if value == NOT_KNOWN:
                unknown.append("does not say what the table's base is" if fact == "table_base" else says(fact, value))
        reason = ""
        if status:
            reason = "no value to compare"
        elif unknown:
            reason = "not comparable: " + "; ".join(unknown)
        elif (slug, period) in rets and measured_as(rets[(slug, period)], metric):
            reason = f"not comparable: measures {measured_as(rets[(slug, period)], metric)}"
        else:
            reason = _inexact(metric, rets[(slug, period)], authority, relations) if (slug, period) in rets else ""
        out.append((slug, period, metric_id, not reason, "|".join(parts), reason, series))
    return pd.DataFrame(out, columns=COLUMNS, index=metrics.index)


def key_words(key: str) -> str:
    """A key in words: "counts by financial year, covers the whole service, counts contacts with referrals"."""
    words = []
    for part in key.split("|") if key else []:
        fact, _, value = part.partition("=")
        if fact == "table_base":
            words.append(f"gives shares of {value}")
        else:
            words.append(says(fact, value))
    return ", ".join(words)
