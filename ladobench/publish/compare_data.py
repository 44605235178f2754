"""The data of the compare page (compare/data/<year>/<metric>.json): for one year and one compared metric, the
published value of every authority with a return, with its 95% interval and whether and how it may be compared.
(One file per year and metric: the page loads only what it shows, about 15 KB for 153 authorities.)

The values are those of downloads/metrics.json, rounded the same way (tables.clean); a suppressed value stays
[c] with no number. A value may be put beside another only when both are comparable and their keys (the counting
facts the metric names, schema/metrics.yaml comparable_when) are equal: the page shows the rest apart, with the
reason. Texts that repeat (keys, reasons, notes) are written once in "texts" and referred to by their index.
"""
from __future__ import annotations

import json

from ladobench.core.reference import load_reference, regions
from ladobench.core.schema import load_schema
from ladobench.publish.tables import clean
from ladobench.stats.comparability import key_words
from ladobench.stats.published import Published

# One row per authority and metric: what a reader sees in the compare page's table and chart.
COLUMNS = ["value", "lower95", "upper95", "numerator", "denominator", "status", "reliability", "revised",
           "comparable", "key", "key_words", "reason", "note"]
TEXT_COLUMNS = ("key", "key_words", "reason", "note")  # given as an index into "texts"


def compared_metrics() -> list:
    """The metrics the site compares between authorities (compare: true); workload and completeness are not."""
    return [m for m in load_schema().metrics if m.compare]


def part_words(key: str) -> str:
    """Each part of a key in words, in the key's order, separated by | as the key's parts are."""
    return "|".join(key_words(part) for part in key.split("|")) if key else ""


def data(published: Published, period: str, metric: str) -> dict:
    """{period, metric, columns, texts, values: {authority: [one value per column]}} for one year and metric."""
    texts: dict[str, int] = {}

    def text(value) -> int:
        return texts.setdefault(value or "", len(texts))

    text("")
    values: dict[str, list] = {}
    for row in published.metric_records(metric):
        if row["period"] != period:
            continue
        about = published.comparable_row(row["authority"], period, row["metric"])
        cells = {c: clean(row.get(c)) for c in ("value", "lower95", "upper95", "numerator", "denominator")}
        cells.update(status=row["status"], reliability=row.get("reliability") or "", revised=row.get("revised") or "",
                     comparable=bool(about.get("comparable")) and not row["status"],
                     key=about.get("key", ""), key_words=part_words(about.get("key", "")),
                     reason=about.get("reason", ""), note=row.get("note") or "")
        for column in TEXT_COLUMNS:
            cells[column] = text(cells[column])
        values[row["authority"]] = [cells[c] for c in COLUMNS]
    return {"period": period, "metric": metric, "columns": COLUMNS, "texts": list(texts), "values": values}


def choices(published: Published) -> dict:
    """What a reader can pick: years, metrics, authorities with a return, regions, peer groups, neighbours."""
    ref = load_reference()
    returns: dict[str, list[str]] = {}
    for ret in published.dataset.returns:
        returns.setdefault(ret.slug, []).append(ret.period)
    slugs = sorted(returns, key=lambda s: ref.loc[s, "name"] if s in ref.index else s)

    def name(slug: str) -> str:
        return str(ref.loc[slug, "name"]) if slug in ref.index else slug

    authorities = [{"slug": s, "name": name(s), "region": str(ref.loc[s, "region_code"]) if s in ref.index else "",
                    "periods": sorted(returns[s])} for s in slugs]
    sets = []
    for code, region in regions().items():
        members = [s for s in slugs if s in ref.index and ref.loc[s, "region_code"] == code]
        if members:
            sets.append({"id": f"region:{code}", "kind": "Regions", "name": region, "members": members,
                         "of": int((ref["region_code"] == code).sum())})
    for group in published.dataset.groups:
        listed = [m for m in group.get("members") or [] if m in ref.index]
        members = [s for s in slugs if s in listed]
        if members:
            sets.append({"id": f"group:{group['id']}", "kind": "Peer groups", "name": group["name"],
                         "members": members, "of": len(listed)})
    for s in slugs:
        if s in ref.index:
            neighbours = list(ref.loc[s, "neighbour_list"])
            sets.append({"id": f"neighbours:{s}", "kind": "Statistical neighbours",
                         "name": f"{name(s)} and its statistical neighbours",
                         "members": [s] + [n for n in neighbours if n in returns], "of": len(neighbours) + 1})
    metrics = [{"id": m.id, "title": m.title, "unit": m.unit, "decimals": m.decimals} for m in compared_metrics()]
    return {"periods": list(published.periods), "latest": published.latest, "metrics": metrics,
            "authorities": authorities, "sets": sets}


def files(published: Published) -> dict[str, str]:
    """compare/data/<year>/<metric>.json for every year with returns and every compared metric."""
    return {f"compare/data/{period}/{m.id}.json": json.dumps(data(published, period, m.id), ensure_ascii=False,
                                                             sort_keys=True, separators=(",", ":")) + "\n"
            for period in published.periods for m in compared_metrics()}
