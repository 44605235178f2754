"""Disclosure control: small counts about children or staff become [c], with secondary suppression."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from ladobench.core.model import Authority, Return
from ladobench.core.schema import load_schema
from ladobench.returns.crosswalk import code_count
from ladobench.returns.rules import base_value
from ladobench.stats.disclosure_system import contributing_rows, is_small, metric_code, settings


def secondary(counts: list[float | None], suppressed: set[int]) -> set[int]:
    """With exactly one cell suppressed in a table whose total is published, suppress the next smallest too."""
    if len(suppressed) != 1:
        return set(suppressed)
    others = sorted((c, i) for i, c in enumerate(counts) if c is not None and i not in suppressed)
    pick = [x for x in others if x[0] > 0][:1] or others[:1]
    return set(suppressed) | {i for _, i in pick}


@cache
def metric_groups() -> tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]:
    """Codes of a protected taxonomy published as shares of one denominator: (dimension, bases, codes)."""
    schema, groups = load_schema(), {}
    for m in schema.catalogue:
        dim, codes = m.dimension, tuple(m.codes)
        if not dim and ":" in m.numerator:
            dim, code = m.numerator.split(":")
            codes = (code,)
        if dim and schema.dimensions[dim].protected:
            codes = codes or tuple(c.code for c in schema.dimensions[dim].top_codes)
            groups.setdefault((dim, m.denominator, tuple(m.bases)), []).extend(codes)
    return tuple((dim, bases, tuple(dict.fromkeys(codes))) for (dim, _, bases), codes in sorted(groups.items()))


@dataclass
class Disclosure:
    """What one return may not publish: table rows (dimension, table, row) and common codes (dimension, code)."""

    rows: set[tuple[str, int, int]] = field(default_factory=set)
    codes: set[tuple[str, str]] = field(default_factory=set)
    totals: set[tuple[str, int]] = field(default_factory=set)  # printed totals withheld
    added: int = 0  # figures withheld by the planning against everything published (after the table rules)
    table_rule: int = 0  # cells the table rules alone withheld

    def row(self, dimension: str, table: int, row: int) -> bool:
        return (dimension, table, row) in self.rows

    def total(self, dimension: str, table: int) -> bool:
        return (dimension, table) in self.totals


def _row_count(row: dict, base):
    count, percent = row.get("count"), row.get("percent")
    if isinstance(count, (int, float)):
        return count
    if isinstance(percent, (int, float)) and base:
        return round(percent / 100 * base)
    return None


def plan(ret: Return, authority: Authority | None, seed: Disclosure | None = None) -> Disclosure:
    """Primary and secondary suppression for one return, iterated until tables and shares agree.

    A published share reveals the sum of the rows it is computed from (its source table), so a
    share is hidden when exactly one of those rows is, and hiding a share hides its rows.
    """
    schema, cfg = load_schema(), settings()
    out = (Disclosure(set(seed.rows), set(seed.codes), set(seed.totals), seed.added, seed.table_rule) if seed
           else Disclosure())
    if not cfg["enabled"]:
        return out
    tables = {}  # (dimension, index) -> [(row index, count)]
    for dim, spec in schema.dimensions.items():
        if not spec.protected:
            continue
        for t, table in enumerate(ret.tables(dim)):
            base = base_value(ret, table)
            tables[(dim, t)] = [(r, _row_count(row or {}, base)) for r, row in enumerate(table.get("rows") or [])]
            out.rows.update((dim, t, r) for r, c in tables[(dim, t)] if is_small(c, cfg))
            # A printed total of 1 to 5 is a small count too, unless it is the funnel stage the table splits,
            # which the site publishes as a figure about the service.
            if is_small(table.get("total"), cfg) and not (table.get("base") != "subset" and base == table.get("total")):
                out.totals.add((dim, t))
    sources = []  # (dimension, codes of a group, {code: (table, contributing rows, count)})
    for dim, bases, codes in metric_groups():
        found = {}
        for code in codes:
            cc = code_count(ret, authority, dim, (code,), bases)
            if cc.count is not None and cc.table is not None:
                found[code] = (cc.table, contributing_rows(ret, authority, dim, cc.table, code), cc.count)
        sources.append((dim, codes, found))
    changed = True
    while changed:
        before = (len(out.rows), len(out.codes))
        for (dim, t), cells in tables.items():
            hidden = {i for i, (r, _) in enumerate(cells) if (dim, t, r) in out.rows}
            out.rows.update((dim, t, cells[i][0]) for i in secondary([c for _, c in cells], hidden))
        for dim, codes, found in sources:
            for code, (t, rows, _) in found.items():
                # A share reveals the sum of its hidden rows: safe with two or more, not with one.
                if sum((dim, t, r) in out.rows for r in rows) == 1:
                    out.codes.add((dim, code))
            listed = [c for c in codes if c in found]
            hidden = {i for i, c in enumerate(listed) if (dim, c) in out.codes}
            for i in secondary([found[c][2] for c in listed], hidden):
                out.codes.add((dim, listed[i]))
        changed = (len(out.rows), len(out.codes)) != before
    return out



def apply_to_metrics(metrics: pd.DataFrame, plans: dict[tuple[str, str], Disclosure]) -> pd.DataFrame:
    """Publishable metrics: shares resting on a suppressed code lose value, count and interval ([c])."""
    schema = load_schema()
    by_id = {m.id: metric_code(m) for m in schema.metrics}
    hide = np.zeros(len(metrics), dtype=bool)
    for i, (slug, period, metric) in enumerate(zip(metrics["authority"], metrics["period"], metrics["metric"])):
        dim, codes = by_id[metric]
        disclosure = plans.get((slug, period))
        if dim and disclosure and any((dim, c) in disclosure.codes for c in codes):
            hide[i] = True
    out = metrics.copy()
    # One status per cell: a suppressed count is withheld from every column, whatever the value's own symbol.
    out.loc[hide, "numerator"] = np.nan
    hide &= out["status"].eq("").to_numpy()
    out.loc[hide, ["value", "numerator", "lower95", "upper95", "lower998", "upper998"]] = np.nan
    out.loc[hide, "status"] = "[c]"
    out.loc[hide, "note"] = "suppressed: a count of 1 to 5, or one that would reveal one"
    return out


def figure_hidden(figure: dict, cfg: dict | None = None) -> bool:
    """An 'other figure' counting staff or children (the default) hides counts of 1 to 5."""
    return figure.get("unit") == "count" and figure.get("about", "staff") in ("staff", "children") and is_small(figure.get("value"), cfg)
