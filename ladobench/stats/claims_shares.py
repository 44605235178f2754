"""The "largest share" claim of a breakdown table: made over EVERY category of the table as published (the authority's
rows grouped by their common category), never over only the categories a metric happens to cover.

A share is known as an interval: exact for a count, the printed rounding for a percentage-only row, and 0 to what
the printed total leaves for a suppressed [c] or missing cell. A category is called the largest only when its
lowest possible share exceeds every other category's highest (plus anything a row that matches its common
category only in part could move). Otherwise no category is named, and the claim says why."""
from __future__ import annotations

from ladobench.core.schema import load_schema
from ladobench.returns.crosswalk import code_count, rounding_range
from ladobench.returns.rules import base_value
from ladobench.stats.claims import Claim
from ladobench.stats.metrics import STAGE_WORDS

KCSIE_ONLY = ("outcome",)  # outcome shares are of concluded allegations: only the KCSIE outcomes are concluded ones


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def row_bounds(rows: list[dict], base: float, total: float | None) -> list[tuple[float, float]]:
    """Each published row's share of base (in percent) as (lowest, highest).

    rows: {"count": number or a symbol such as "[c]", "percent": number or None}. The checker calls this with the
    rows as published in returns.json, the claim with the rows the page shows: the same arithmetic on both sides.
    """
    known = 0.0
    for r in rows:
        c, p = _number(r.get("count")), _number(r.get("percent"))
        known += c if c is not None else (rounding_range(p)[0] * base / 100 if p is not None else 0.0)
    whole = total if total is not None else base
    slack = whole - known
    if slack < 0 or slack > base:  # rows that overlap (several codes a referral) bound nothing: each is at most the base
        slack = base
    out = []
    for r in rows:
        c, p = _number(r.get("count")), _number(r.get("percent"))
        if c is not None:
            out.append((c / base * 100, c / base * 100))
        elif p is not None:
            out.append(rounding_range(p))
        else:
            out.append((0.0, slack / base * 100))
    return out


def decide(categories: list[dict], bounds: list[tuple[float, float]]) -> tuple[int | None, str]:
    """The index of the category that is certainly the largest, or None and why not.

    categories: {"label", "rows": [row index], "exact": [bool per row]}."""
    if len(categories) < 2:
        return None, "one category"
    spans = [(sum(bounds[i][0] for i in c["rows"]), sum(bounds[i][1] for i in c["rows"])) for c in categories]
    top = max(range(len(spans)), key=lambda k: (spans[k][0], spans[k][1]))
    loose = sum(bounds[i][1] for k, c in enumerate(categories) if k != top
                for i, ok in zip(c["rows"], c["exact"]) if not ok)
    if not all(categories[top]["exact"]):
        return None, "inexact"
    runner = max(hi for k, (_, hi) in enumerate(spans) if k != top)
    if spans[top][0] <= runner + loose:
        return None, "close"
    return top, ""


def _table_index(ret, authority, dimension: str, family: str) -> int | None:
    members = [m for m in load_schema().metrics if m.family == family or m.id.startswith(family + ".")]
    for metric in members:
        found = code_count(ret, authority, dimension, (metric.code or metric.id.split(".", 1)[-1],), tuple(metric.bases))
        if found.table is not None:
            return found.table
    return None


def _categories(table_rows: list[dict], crosswalk: dict, dimension: str) -> tuple[list[dict], list[int]]:
    """Group the table's rows by common top-level category; rows outside the base (non-KCSIE outcomes) apart."""
    dim = load_schema().dimensions[dimension]
    kcsie = {c.code for c in dim.codes if getattr(c, "kcsie", False)}
    groups: dict[str, dict] = {}
    excluded = []
    for i, row in enumerate(table_rows):
        entry = crosswalk.get(row.get("label"))
        codes = tuple(entry.codes) if entry else ()
        tops = {c.split(".")[0] for c in codes}
        if dimension in KCSIE_ONLY and not (tops and tops <= kcsie):
            excluded.append(i)
            continue
        if len(tops) == 1:
            top = next(iter(tops))
            label = dim.code(top).label if dim.code(top) else top
            exact = entry.relation == "exact"
        else:  # unmapped, or one row for several codes: a category of its own, in the authority's words
            label, exact = f"'{row.get('label')}'", False
        g = groups.setdefault(label, {"label": label, "rows": [], "exact": [], "local": []})
        g["rows"].append(i)
        g["exact"].append(exact)
        g["local"].append(str(row.get("label")))
    return list(groups.values()), excluded


def largest_share(ret, authority, name: str, dimension: str, family: str, hidden) -> Claim | None:
    """The claim for a breakdown's chart caption. hidden(t, r) says whether a row is published as [c]."""
    t = _table_index(ret, authority, dimension, family)
    tables = ret.tables(dimension)
    if t is None or t >= len(tables):
        return None
    table = tables[t]
    crosswalk = authority.crosswalk(dimension) if authority else {}
    rows = [row or {} for row in table.get("rows") or []]
    shown = [{"count": "[c]" if hidden(t, r) else row.get("count"), "percent": None if hidden(t, r) else row.get("percent")}
             for r, row in enumerate(rows)]
    categories, excluded = _categories(rows, crosswalk, dimension)
    if dimension in KCSIE_ONLY:
        stage, base = "concluded", ret.number("funnel.concluded")
        total = None
        kept = [i for c in categories for i in c["rows"]]
    else:
        stage, base = table.get("base", ""), base_value(ret, table)
        total = _number(table.get("total")) if not hidden(t, -1) else None
        kept = list(range(len(rows)))
    base_words = table.get("base_label") if stage == "subset" else STAGE_WORDS.get(stage, stage)
    if not base or not categories or (stage == "subset" and hidden(t, -1)):  # a withheld base is never printed
        return None
    index = {i: k for k, i in enumerate(kept)}
    bounds = row_bounds([shown[i] for i in kept], base, total)
    cats = [{**c, "rows": [index[i] for i in c["rows"]]} for c in categories]
    figures = {"dimension": dimension, "table": t, "base_stage": stage, "base": base, "total": total,
               "categories": [{"label": c["label"], "rows": c["local"], "exact": c["exact"]} for c in categories],
               "excluded": [str(rows[i].get("label")) for i in excluded]}
    what = load_schema().dimensions[dimension].title.lower()
    if table.get("complete") is False:
        return Claim("largest_not_said", f"{name}: its {what} table gives some categories only, so none is called the "
                     "largest", ret.slug, ret.period, "", {**figures, "reason": "incomplete"})
    top, why = decide(cats, bounds)
    if top is None:
        if why == "one category":
            return None
        if why == "inexact":
            k = max(range(len(cats)), key=lambda j: sum(bounds[i][0] for i in cats[j]["rows"]))
            loose = [lab for lab, ok in zip(cats[k]["local"], cats[k]["exact"]) if not ok]
            text = (f"{name}: no category is called the largest, because '{loose[0]}' matches "
                    f"{cats[k]['label']} only in part")
        else:
            withheld = any(b[0] != b[1] and _number(r.get("percent")) is None
                           for b, r in zip(bounds, [shown[i] for i in kept]))
            text = (f"{name}: no category is called the largest: "
                    + ("withheld [c] cells could hold more than the gap between the two largest" if withheld
                       else "the two largest are too close to tell apart, given the rounded percentages"))
        return Claim("largest_not_said", text, ret.slug, ret.period, "", {**figures, "reason": why})
    c = cats[top]
    lo, hi = sum(bounds[i][0] for i in c["rows"]), sum(bounds[i][1] for i in c["rows"])
    counts = [_number(shown[kept[i]]["count"]) for i in c["rows"]]
    if all(x is not None for x in counts):
        count = sum(counts)
        text = (f"{name}: {c['label']} is the largest share ({count / base * 100:.1f}% of {base_words}: "
                f"{count:,.0f} of {base:,.0f})")
        figures["count"] = count
    else:
        text = f"{name}: {c['label']} is the largest share (about {(lo + hi) / 2:.0f}% of {base_words})"
    return Claim("largest_share", text, ret.slug, ret.period, "", {**figures, "top": c["label"],
                                                                   "low": lo, "high": hi})
