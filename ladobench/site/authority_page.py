"""The per-authority page: its latest annual return in full, its comparisons, and its years over time."""
from __future__ import annotations

from ladobench.core.reference import load_reference, regions
from ladobench.core.schema import load_schema
from ladobench.returns.counting import FACT_ENUMS, NOT_KNOWN, facts, says
from ladobench.returns.crosswalk import code_count
from ladobench.returns.rules import base_value
from ladobench.site import charts, profile, table_charts
from ladobench.site.over_time import years_over_time
from ladobench.site.words import path_words, rule_words
from ladobench.stats import claims
from ladobench.stats.claims import Claim
from ladobench.stats.claims_shares import largest_share
from ladobench.stats.compare import MIN_OTHERS
from ladobench.stats.metrics import STAGE_WORDS
from ladobench.stats.published import Published, interval_text, metric_text
from ladobench.stats.suppression import figure_hidden


def _count_text(value) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return value or ""


class Footnotes:
    """Numbered footnotes for declared discrepancies and notes on fields."""

    def __init__(self):
        self.items: list[tuple[str, str]] = []

    def add(self, text: str) -> str:
        for key, existing in self.items:
            if existing == text:
                return key
        key = f"n{len(self.items) + 1}"
        self.items.append((key, text))
        return key


def _notes_for(ret, path: str, notes: Footnotes) -> list[str]:
    keys = []
    note = (ret.data.get("notes") or {}).get(path)
    if note:
        keys.append(notes.add(note))
    for d in ret.data.get("discrepancies") or []:
        if path in (d.get("fields") or []):
            text = f"Declared discrepancy: {d.get('found', '')}. {d.get('note', '')}".replace(". .", ".").strip()
            keys.append(notes.add(text))
    return keys


def _leftover_notes(ret, notes: Footnotes) -> list[str]:
    """Notes and discrepancies on fields the page shows no figure for: listed in the data notes, never dropped."""
    placed = {text for _, text in notes.items}
    out = [f"{path_words(path, ret)}: {text}" for path, text in (ret.data.get("notes") or {}).items() if text not in placed]
    for d in ret.data.get("discrepancies") or []:
        text = f"Declared discrepancy: {d.get('found', '')}. {d.get('note', '')}".replace(". .", ".").strip()
        if text not in placed:
            out.append(f"{'; '.join(path_words(f, ret) for f in d.get('fields') or [])}: {text}")
    return out


def _funnel(ret, authority, notes):
    schema = load_schema()
    rows = []
    for field in schema.records["funnel"].fields:
        if field.type != "count":
            continue
        value = ret.get(f"funnel.{field.key}")
        term = authority.stage_term(field.key).get("term", "") if authority else ""
        own = (ret.data.get("measured_as") or {}).get(f"funnel.{field.key}")
        label = f"{field.display}, as the source measures it: {' '.join(str(own).split())}" if own else field.display
        rows.append({"label": label, "term": term, "value": _count_text(value) or "[x]",
                     "notes": _notes_for(ret, f"funnel.{field.key}", notes)})
    chart_rows, left_out = table_charts.stage_rows(ret, authority)
    return rows, chart_rows, left_out


def _tables(ret, authority, published: Published, dimension: str, notes: Footnotes) -> list[dict]:
    schema = load_schema()
    spec = schema.dimensions[dimension]
    crosswalk = authority.crosswalk(dimension) if authority else {}
    disclosure = published.plans.get((ret.slug, ret.period))
    out = []
    for t, table in enumerate(ret.tables(dimension)):
        base = base_value(ret, table)
        rows = []
        for r, row in enumerate(table.get("rows") or []):
            if not row:
                continue
            entry = crosswalk.get(row.get("label"))
            codes = ", ".join(spec.code(c).label for c in entry.codes if spec.code(c)) if entry else ""
            if entry and entry.relation != "exact":
                codes += f" ({entry.relation} match: not compared with other authorities)"
            hidden = spec.protected and disclosure is not None and disclosure.row(dimension, t, r)
            count = "[c]" if hidden else _count_text(row.get("count"))
            percent = row.get("percent")
            if not count and isinstance(percent, (int, float)) and base:
                count = f"{round(percent / 100 * base):,} [u]"  # rebuilt from a rounded percentage: low reliability
            if hidden:
                percent_text = "[c]"
            elif isinstance(percent, (int, float)):
                percent_text = f"{percent:g}%"
            elif isinstance(row.get("count"), (int, float)) and base:
                percent_text = f"{row['count'] / base * 100:.1f}%"
            else:
                percent_text = ""
            row_notes = _notes_for(ret, f"breakdowns.{dimension}[{t}].rows[{r}]", notes)
            row_notes += _notes_for(ret, f"breakdowns.{dimension}[{t}].rows[{r}].count", notes)
            rows.append({"label": row.get("label"), "common": codes, "count": count, "percent": percent_text,
                         "note": entry.note if entry else "", "notes": row_notes})
        base_name = table.get("base", "")
        base_text = table.get("base_label") if base_name == "subset" else STAGE_WORDS.get(base_name, base_name)
        total_hidden = spec.protected and disclosure is not None and disclosure.total(dimension, t)
        out.append({"rows": rows, "base": base_text,
                    "base_value": "[c]" if total_hidden and base_name == "subset" else _count_text(base) or "[x]",
                    "total": "[c]" if total_hidden else _count_text(table.get("total")), "complete": table.get("complete", True),
                    "source": table.get("source", ""), "notes": _notes_for(ret, f"breakdowns.{dimension}[{t}]", notes)})
    return out


def _share_chart(published, ret, dimension: str, title: str, chart_id: str, name: str):
    drawn = table_charts.share_rows(ret, dimension, published.plans.get((ret.slug, ret.period)))
    if not drawn or sum(1 for r in drawn["rows"] if r["value"] > 0) < 2:
        return None
    rows, base = drawn["rows"], drawn["base"]
    # A neutral caption: what is drawn, with its base. The sentence about the largest share is the table's claim
    # (stats/claims_shares.py), printed under the chart with its own base.
    spec = charts.bars(rows, f"{name}: {title.lower()}, each as a share of {drawn['base_value']:,.0f} {base}",
                       f"Bar chart of {title.lower()} as a share of {base} for {name}, with 95% intervals. "
                       f"The table beside the chart gives every figure.", f"% of {base}", label_title="Category")
    return {"id": chart_id, "html": charts.embed(spec, chart_id), "rows": rows, "base": base, "title": spec["title"]["text"],
            "left_out": drawn["left_out"]}


def _comparison_rows(published: Published, slug: str, period: str, metrics: dict,
                     name: str) -> tuple[list[dict], list[Claim], list[Claim]]:
    """The comparison table's rows (each cell a claim), the differences that stand out, and every cell's claim."""
    schema = load_schema()
    comparisons = published.comparisons_for(slug, period)
    rows, highlights, cells_all = [], [], []
    for metric in schema.metrics:
        if not metric.compare or metric.id not in comparisons:
            continue
        row = metrics.get(metric.id)
        if not row or row["status"]:
            continue
        cells, reason = [], ""
        for c in comparisons[metric.id]:
            header = c["comparator_id"] if c["comparator"] == "group" else c["comparator"]
            claim = claims.comparison(name, slug, period, metric, row, c)
            reason = reason or c["reason"]
            cells.append({"header": header, "text": claim.text, "claim": claim, "strong": bool(claim.figures["result998"]),
                          "note": c["note"], "rank": c["rank"], "rank_of": c["rank_of"]})
            cells_all.append(claim)
            if claim.figures["result998"]:
                highlights.append(claims.highlight(name, metric, metric_text(row), claim))
        rows.append({"title": metric.title, "metric": metric.id, "value": metric_text(row), "interval": interval_text(row),
                     "cells": cells, "reason": reason})
    return rows, highlights, cells_all


def _headline_note(metric, row: dict | None) -> str:
    """A headline value's note; a rate also says which population estimate it divides by."""
    row = row or {}
    notes = [row.get("note", "")]
    if metric.kind == "rate" and not row.get("status"):
        notes.insert(0, f"per 10,000 {row.get('denominator_label', '')}")
    return "; ".join(n for n in notes if n)


def _headers(rows: list[dict], region_name: str, groups: dict[str, str]) -> list[str]:
    """The comparison table's column names: England, the region, statistical neighbours, each peer group."""
    names = {"england": "England", "region": region_name, "neighbours": "Statistical neighbours", **groups}
    return [f"{names.get(c['header'], c['header'])} (others)" for c in rows[0]["cells"]] if rows else []


def counting_words(ret, authority) -> list[str]:
    """How the return counts, in words, one sentence a fact: what the comparisons are made on."""
    schema = load_schema()
    record = schema.records["counting"]
    got = facts(ret, authority)
    out = []
    for fact in FACT_ENUMS:
        value = got[fact]
        label = record.get(fact).display
        out.append(f"{label}: {says(fact, value)}" + (" (not known: its values are not compared)" if value == NOT_KNOWN else ""))
    if got["series_break"]:
        out.append(f"Break in series from {ret.period}: {got['series_break']}")
    return out


def context(published: Published, slug: str) -> dict:
    dataset, schema = published.dataset, load_schema()
    ref = load_reference()
    authority = dataset.authorities.get(slug)
    returns = dataset.returns_of(slug)
    ret = returns[-1]
    notes = Footnotes()
    metrics = published.metric_rows(slug, ret.period)
    funnel_rows, funnel_chart_rows, funnel_left_out = _funnel(ret, authority, notes)
    name = authority.name if authority else slug
    charts_out = {}
    if funnel_chart_rows:
        biggest, last = max(funnel_chart_rows, key=lambda r: r["value"]), funnel_chart_rows[-1]
        said = (f"{name} {ret.period}: from {biggest['value']:,.0f} ({biggest['label']}) to {last['value']:,.0f} ({last['label']})"
                if biggest is not last else f"{name} {ret.period}: {last['value']:,.0f} ({last['label']})")
        spec = charts.bars(funnel_chart_rows, said,
                           f"Bar chart of the counting funnel for {name} in {ret.period}; the table below gives every stage.",
                           "Count", label_title="Stage", value_format=",.0f")
        charts_out["funnel"] = {"id": "chart-funnel", "html": charts.embed(spec, "chart-funnel"), "rows": funnel_chart_rows,
                                "title": spec["title"]["text"], "left_out": funnel_left_out}
    sections, made = [], []
    for dim_key, family in (("harm_category", "harm_mix"), ("sector", "sector_mix"), ("referral_source", "source_mix"),
                            ("outcome", "outcome_share"), ("final_outcome", "final_outcome_share")):
        dim = schema.dimensions[dim_key]
        tables = _tables(ret, authority, published, dim_key, notes)
        disclosure = published.plans.get((ret.slug, ret.period))

        def hidden(t, r, dim_key=dim_key, disclosure=disclosure, protected=dim.protected):
            if not protected or disclosure is None:
                return False
            return disclosure.total(dim_key, t) if r < 0 else disclosure.row(dim_key, t, r)
        claim = largest_share(ret, authority, name, dim_key, family, hidden)
        if claim is not None:
            made.append(claim)
        chart = _share_chart(published, ret, dim_key, dim.title, f"chart-{dim_key}", name)
        gaps = []
        for code in dim.top_codes:
            cc = code_count(ret, authority, dim_key, (code.code,))
            if cc.count is None and "no equivalent" in cc.reason:
                gaps.append(code.label)
        sections.append({"key": dim_key, "title": dim.title, "definition": dim.definition, "tables": tables,
                         "chart": chart, "gaps": gaps, "n_common": len(dim.top_codes), "claim": claim})
    children = [{"title": schema.dimensions[d].title, "tables": _tables(ret, authority, published, d, notes)}
                for d in ("child_sex", "child_disability", "child_ethnicity", "child_social_care")]
    own = ret.data.get("measured_as") or {}

    def _as_measured(title: str, path: str) -> str:  # the source's own definition, never the common one alone
        return f"{title}, as the source measures it: {' '.join(str(own[path]).split())}" if own.get(path) else title

    timeliness = [{"label": _as_measured(f.display, f"timeliness.{f.key}"), "definition": f.definition, "value": metric_text(metrics.get(m)),
                   "interval": interval_text(metrics.get(m)), "notes": _notes_for(ret, f"timeliness.{f.key}", notes)}
                  for f, m in zip(schema.records["timeliness"].fields,
                                  ("decision_within_1_day", "meeting_within_5_days", "concluded_within_3_months"))]
    staffing = [{"label": f.display, "value": _count_text(ret.get(f"staffing.{f.key}")) or "[x]",
                 "notes": _notes_for(ret, f"staffing.{f.key}", notes)} for f in schema.records["staffing"].fields]
    headline = [{"title": m.title + (" (the source's own definition: see the note)" if own.get(m.numerator or "") else ""),
                 "value": metric_text(metrics.get(m.id)), "interval": interval_text(metrics.get(m.id)),
                 "unit": m.unit, "note": _headline_note(m, metrics.get(m.id)), "metric": m.id}
                for m in schema.metrics if m.headline]
    region_name = regions().get(ref.loc[slug, "region_code"], "") if slug in ref.index else ""
    group_names = {g["id"]: g["name"] for g in dataset.groups}
    comparison_rows, highlights, cell_claims = _comparison_rows(published, slug, ret.period, metrics, name)
    summary = claims.comparison_summary(name, slug, ret.period, cell_claims, MIN_OTHERS)
    headers = _headers(comparison_rows, region_name=region_name, groups=group_names)
    over_time = years_over_time(published, slug, returns, name)
    if over_time["chart"]:
        charts_out["trend"] = over_time["chart"]
    figures = [{"label": f.get("label"), "value": "[c]" if figure_hidden(f) else _count_text(f.get("value")),
                "unit": f.get("unit"), "period": f.get("period", ""), "source": f.get("source", ""),
                "notes": _notes_for(ret, f"other_figures[{i}]", notes)}
               for i, f in enumerate(ret.data.get("other_figures") or []) if f]
    symbols_used = sorted({s for s in ("[x]", "[c]", "[u]", "[z]", "[b]")
                           if s in str([funnel_rows, sections, children, timeliness, staffing, headline, figures, over_time["rows"]])})
    leftover = _leftover_notes(ret, notes)
    row = ref.loc[slug] if slug in ref.index else None
    region_code = row["region_code"] if row is not None else ""
    neighbours = [{"slug": n, "name": ref.loc[n, "name"], "submitted": bool(dataset.returns_of(n))}
                  for n in (row["neighbour_list"] if row is not None else ())]
    groups = [g for g in dataset.groups if slug in (g.get("members") or [])]
    return {
        "slug": slug, "name": name, "authority": authority.data if authority else {}, "ret": ret, "period": ret.period,
        "periods": [r.period for r in returns], "region_code": region_code, "region_name": regions().get(region_code, ""),
        "population": int(row["population_0_17"]) if row is not None else None,
        "population_label": (metrics.get("referrals_rate") or {}).get("denominator_label", ""), "neighbours": neighbours, "groups": groups,
        "funnel": funnel_rows, "charts": charts_out, "sections": sections, "children": children,
        "linked_children": _count_text(ret.get("children.linked_children")) or "[x]", "timeliness": timeliness,
        "staffing": staffing, "headline": headline, "comparisons": comparison_rows, "highlights": highlights,
        "headers": headers, "counting": counting_words(ret, authority), "min_others": MIN_OTHERS, "summary": summary,
        "claims": made + cell_claims + highlights + ([summary] if summary else []) + over_time["claims"],
        "profile": profile.profile(published, slug, ret.period, {"england": "England", "region": regions().get(region_code, ""),
                                   "neighbours": "Statistical neighbours", **{g["id"]: g["name"] for g in dataset.groups}}),
        "over_time": over_time, "figures": figures, "notes": notes.items, "leftover": leftover, "symbols": symbols_used,
        "covered": [{"where": path_words(path, ret), "checks": rule_words(rule), "found": found, "note": note}
                    for rule, path, found, note in ret.covered], "narrative": ret.data.get("narrative") or {}, "source": ret.data.get("source") or {},
        "stages": authority.data.get("stages") if authority else {}, "rag": dict(
            (v["code"], v["label"]) for v in schema.enums["rag"]),
    }
