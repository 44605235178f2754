"""What a reader can prove about a return's suppressed counts: its published figures as linear constraints.

Every figure published about a return that bears on a protected breakdown becomes a linear
constraint over the counts that are withheld ([c]), all non-negative:

- a table's rows add up to its base or its printed total (when they do in the return);
- a published share, proportion or count of a common code is the sum of the rows mapped to it;
- two tables of one breakdown on nested bases (all contacts; those that met the threshold):
  each category in the narrower table is at most the same category in the wider one.

Only constraints that hold for the true figures are kept (a reader who assumes more is wrong).
stats/provable.py computes, for every withheld quantity, the range a reader can prove.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import partial

from ladobench.core.model import Authority, Return
from ladobench.core.schema import load_schema
from ladobench.returns.crosswalk import code_count
from ladobench.returns.rules import base_value


@dataclass
class Constraint:
    terms: dict[int, float]  # variable -> coefficient
    rhs: float
    kind: str  # "eq" or "le"
    source: str  # the published figure, and where it is published
    published: tuple = ()  # the published cells it adds up, (dimension, table, row)
    metric: tuple = ()  # (dimension, code) when the figure is a metric's


@dataclass
class Quantity:
    """A count a reader must not pin to 1-5: a [c] cell, or a small difference of two linked cells."""

    naming: object  # its name, or a function that makes it (names are only needed when something fails)
    terms: dict[int, float]
    const: float
    value: float
    published: tuple = ()  # published cells in its expression
    cap: float = math.inf  # its table's base, a published funnel stage: a range from 0 to it is all a reader could have
    lo: float = 0.0
    hi: float = math.inf

    @property
    def name(self) -> str:
        return self.naming() if callable(self.naming) else self.naming


@dataclass
class System:
    slug: str
    period: str
    cells: list[tuple] = field(default_factory=list)  # variable -> (dimension, table, row or "total")
    values: list[float] = field(default_factory=list)  # variable -> true count
    constraints: list[Constraint] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    published: dict[tuple, float] = field(default_factory=dict)  # published cells: key -> count


def count_of(row: dict, base):
    """A row's count, or the count its percentage of the base implies."""
    count, percent = row.get("count"), row.get("percent")
    if isinstance(count, (int, float)) and not isinstance(count, bool):
        return float(count)
    if isinstance(percent, (int, float)) and not isinstance(percent, bool) and base:
        return float(round(percent / 100 * base))
    return None


def _num(value):
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def table_name(ret: Return, dimension: str, t: int) -> str:
    table = ret.tables(dimension)[t]
    title = load_schema().dimensions[dimension].title
    return f"{title} table {t + 1}" + (f" ({table['source']})" if table.get("source") else "")


def cell_name(ret: Return, key: tuple) -> str:
    dim, t, r = key
    if r == "total":
        return f"{ret.slug} {ret.period}: {table_name(ret, dim, t)}, total as printed"
    label = (ret.tables(dim)[t].get("rows") or [])[r].get("label")
    return f"{ret.slug} {ret.period}: {table_name(ret, dim, t)}, '{label}'"


def metric_rows(ret: Return, authority: Authority | None, metric) -> tuple[int | None, list[int], float | None]:
    """The table and rows a metric about a protected breakdown is the sum of, and that sum."""
    key = ("metric_rows", metric.id, authority.slug if authority else None)
    if key not in ret.counts:
        ret.counts[key] = _metric_rows(ret, authority, metric)
    return ret.counts[key]


def _metric_rows(ret: Return, authority: Authority | None, metric) -> tuple[int | None, list[int], float | None]:
    dim, codes = metric_code(metric)
    if not dim or not load_schema().dimensions[dim].protected:
        return None, [], None
    found = code_count(ret, authority, dim, tuple(codes), tuple(metric.bases))
    if found.count is None or found.table is None:
        return None, [], None
    rows = sorted({r for c in codes for r in contributing_rows(ret, authority, dim, found.table, c)})
    return found.table, rows, found.count


def build(ret: Return, authority: Authority | None, hidden_rows, hidden_totals, numerators: dict[str, float]) -> System:
    """The constraints a reader has about one return: hidden cells are variables, published cells constants.

    hidden_rows: {(dimension, table, row)} published as [c]; hidden_totals: {(dimension, table)};
    numerators: metric id -> the count its published figures give (numerator, or value times denominator).
    """
    schema = load_schema()
    system = System(ret.slug, ret.period)
    index: dict[tuple, int] = {}
    true: dict[tuple, float] = {}

    seen: list[tuple] = []

    def term(key: tuple, value: float, terms: dict, coef: float = 1.0) -> float:
        """Add a cell to a constraint's terms; returns the constant it contributes when published."""
        if key in index:
            terms[index[key]] = terms.get(index[key], 0.0) + coef
            return 0.0
        seen.append(key)
        return coef * value

    def taken() -> tuple:
        out = tuple(seen)
        seen.clear()
        return out

    tables: dict[tuple, tuple[list[tuple[int, float | None]], dict]] = {}
    caps: dict[int, float] = {}
    for dim, spec in schema.dimensions.items():
        if not spec.protected:
            continue
        for t, table in enumerate(ret.tables(dim)):
            base = base_value(ret, table)
            rows = [(r, count_of(row or {}, base)) for r, row in enumerate(table.get("rows") or [])]
            tables[(dim, t)] = (rows, table)
            for r, c in rows:
                if c is None:
                    continue
                true[(dim, t, r)] = c
                if (dim, t, r) in hidden_rows:
                    index[(dim, t, r)] = len(system.cells)
                    system.cells.append((dim, t, r))
                    system.values.append(c)
                else:
                    system.published[(dim, t, r)] = c
            total = _num(table.get("total"))
            if total is not None and (dim, t) in hidden_totals:
                if base is not None and table.get("base") != "subset":
                    caps[len(system.cells)] = base  # within its base, a published stage
                index[(dim, t, "total")] = len(system.cells)
                system.cells.append((dim, t, "total"))
                system.values.append(total)
    # 1. a table's rows and its base or printed total
    for (dim, t), (rows, table) in tables.items():
        known = [(r, c) for r, c in rows if c is not None]
        whole = len(known) == len(rows) and table.get("complete", True)
        total_sum = sum(c for _, c in known)
        name = table_name(ret, dim, t)
        figures = []
        total = _num(table.get("total"))
        if total is not None:
            figures.append(((dim, t, "total"), total, f"{name}: total as printed (authority page, returns.json)"))
        base = base_value(ret, table)
        if base is not None and table.get("base") != "subset":
            figures.append((None, base, f"{name}: its base, {table.get('base')} = {base:g} (authority page, returns downloads)"))
        for key, figure, source in figures:
            terms: dict[int, float] = {}
            const = sum(term((dim, t, r), c, terms) for r, c in known)
            cells = taken()
            if key is not None and key in index:
                terms[index[key]] = -1.0  # the rows minus the hidden total
                rhs = -const
            else:
                rhs = figure - const
            if not terms:
                continue
            for v in terms:  # a funnel stage is published as a service figure; a printed total is a count like the rows
                if key is None:
                    caps[v] = min(caps.get(v, math.inf), figure)
            if whole and abs(total_sum - figure) < 1e-9:
                system.constraints.append(Constraint(terms, rhs, "eq", source, cells))
            elif total_sum <= figure + 1e-9 and (key is None or key not in index):
                system.constraints.append(Constraint(terms, rhs, "le", source, cells))
    # 2. published figures of common codes
    for metric in schema.metrics:
        n = numerators.get(metric.id)
        if n is None:
            continue
        t, rows, count = metric_rows(ret, authority, metric)
        if t is None or not rows or count is None or abs(count - n) > 0.5:
            continue
        dim = metric_code(metric)[0]
        if not any((dim, t, r) in index for r in rows):
            continue  # every row it adds up is published: it says nothing more
        if any((dim, t, r) not in true for r in rows) or abs(sum(true[(dim, t, r)] for r in rows) - n) > 1e-9:
            continue
        terms = {}
        const = sum(term((dim, t, r), true[(dim, t, r)], terms) for r in rows)
        cells = taken()
        if terms:
            system.constraints.append(Constraint(terms, n - const, "eq", f"metric {metric.id} = {n:g} "
                                                 "(metrics.csv/json, workbook, metric and authority pages, charts)",
                                                 cells, (dim, metric_code(metric)[1])))
    # 3. the same category in two tables on nested bases
    for dim in {d for d, _ in tables}:
        ts = [t for d, t in tables if d == dim]
        for a in ts:
            for b in ts:
                if a == b:
                    continue
                la = {(ret.tables(dim)[a].get("rows") or [])[r].get("label"): r for r, c in tables[(dim, a)][0] if c is not None}
                lb = {(ret.tables(dim)[b].get("rows") or [])[r].get("label"): r for r, c in tables[(dim, b)][0] if c is not None}
                pairs = [(la[label], lb[label]) for label in la.keys() & lb.keys()]
                if not pairs or any(true[(dim, b, rb)] > true[(dim, a, ra)] for ra, rb in pairs):
                    continue
                base_a, base_b = base_value(ret, ret.tables(dim)[a]), base_value(ret, ret.tables(dim)[b])
                if base_a is None or base_b is None or base_b >= base_a:
                    continue  # b is the narrower table: fewer in its base, and no category larger
                gap = base_a - base_b  # published: those in the wider base and not the narrower, all categories
                for ra, rb in sorted(pairs):
                    terms = {}
                    const = term((dim, b, rb), true[(dim, b, rb)], terms) + term((dim, a, ra), true[(dim, a, ra)], terms, -1.0)
                    cells = taken()
                    label = (ret.tables(dim)[a].get("rows") or [])[ra].get("label")
                    if terms:
                        system.constraints.append(Constraint(dict(terms), -const, "le", f"'{label}' in {table_name(ret, dim, b)} "
                                                             f"is within the same category of {table_name(ret, dim, a)}", cells))
                    diff = true[(dim, a, ra)] - true[(dim, b, rb)]
                    if _in_band(diff):
                        neg = {k: -v for k, v in terms.items()}
                        system.quantities.append(Quantity(
                            f"{ret.slug} {ret.period}: '{label}' in {table_name(ret, dim, a)} minus the same in "
                            f"{table_name(ret, dim, b)}", neg, -const, diff, cells,
                            gap if "subset" not in (ret.tables(dim)[a].get("base"), ret.tables(dim)[b].get("base"))
                            else math.inf))
    unique, seen_constraints = [], set()
    for con in system.constraints:  # a table's base and its printed total are often one figure
        sig = (con.kind, tuple(sorted(con.terms.items())), round(con.rhs, 9))
        if sig not in seen_constraints:
            seen_constraints.add(sig)
            unique.append(con)
    system.constraints = unique
    for i, key in enumerate(system.cells):
        system.quantities.append(Quantity(partial(cell_name, ret, key), {i: 1.0}, 0.0, system.values[i], cap=caps.get(i, math.inf)))
    return system


def settings() -> dict:
    return load_schema().publishing["suppression"]


def is_small(count, cfg: dict | None = None) -> bool:
    cfg = cfg or settings()
    return cfg["enabled"] and isinstance(count, (int, float)) and cfg["min_count"] <= count <= cfg["max_count"]


def contributing_rows(ret: Return, authority: Authority | None, dimension: str, table: int, code: str) -> list[int]:
    rows = ret.tables(dimension)[table].get("rows") or []
    # The labels mapped to code or one of its sub-codes, worked out once per authority.
    touching = authority.touching(dimension, (code,)) if authority else frozenset()
    return [r for r, row in enumerate(rows) if row and row.get("label") in touching]


def metric_code(metric) -> tuple[str, tuple[str, ...]]:
    """The protected-or-not breakdown and codes a metric counts: ("", ()) when it counts none."""
    if metric.dimension:
        return metric.dimension, tuple(metric.codes)
    if ":" in metric.numerator:
        dim, code = metric.numerator.split(":")
        return dim, (code,)
    return "", ()


def _in_band(value: float) -> bool:
    return is_small(value)
