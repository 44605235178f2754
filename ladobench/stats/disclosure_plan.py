"""Suppression planned against everything a return publishes, grown until a reader can prove nothing.

The table rules (stats/suppression.plan) come first: counts of 1 to 5 in protected breakdowns, a
partner for a lone suppressed cell, a share that would reveal one. Then every return's published
figures are put together as one system of linear constraints (stats/disclosure_system) and, for
each withheld count, the range a reader can prove is computed. Where a range is too narrow, one
more figure is withheld in each connected part of the return that has one, and the table rules
run again; this repeats until every range is wide enough. Which figure, always the same for the same returns:

  the smallest published count among those that pin the exposed one (the other cells of its
  tables, the same category in a linked table, the share of a code), ties broken by breakdown,
  table and row; a share's count when that is the smallest. A count of 0 only when nothing else
  is left.
"""
from __future__ import annotations

import math

from ladobench.core.model import Authority, Return
from ladobench.stats import disclosure_system as ds
from ladobench.stats import provable
from ladobench.stats.suppression import Disclosure, plan, settings

MAX_ROUNDS = 50


def interval() -> float:
    """The narrowest provable range a withheld count may have (schema/publishing.yaml)."""
    cfg = settings()
    return float(cfg.get("protection_interval", cfg["max_count"] - cfg["min_count"] + 1))


def protected(q: ds.Quantity) -> bool:
    """Not inside the band of 1 to 5, and at least as wide as the protection interval.

    A table whose base, a published funnel stage, is itself under the interval (City of London's 4
    referrals) cannot give a wider range: 0 to the base, all a reader knows from the base alone, is
    enough (for a difference of linked tables, 0 to the difference of their bases).
    """
    cfg = settings()
    inside = q.lo >= cfg["min_count"] and q.hi <= cfg["max_count"]
    return not inside and ((q.hi - q.lo) >= interval() or (q.lo <= 0 and q.hi >= q.cap))


def planned_numerators(ret: Return, authority: Authority | None, disclosure: Disclosure) -> dict[str, float]:
    """The counts the metrics will publish for this return (a metric on a withheld code publishes none)."""
    from ladobench.core.schema import load_schema

    out = {}
    for metric in load_schema().metrics:
        dim, codes = ds.metric_code(metric)
        if not dim or any((dim, c) in disclosure.codes for c in codes):
            continue
        t, rows, count = ds.metric_rows(ret, authority, metric)
        if t is not None and count is not None:
            out[metric.id] = count
    return out


def system_for(ret: Return, authority: Authority | None, disclosure: Disclosure) -> ds.System:
    return ds.build(ret, authority, disclosure.rows, disclosure.totals, planned_numerators(ret, authority, disclosure))


def _grow(ret: Return, authority: Authority | None, disclosure: Disclosure, system: ds.System,
          exposed: list[ds.Quantity]) -> Disclosure | None:
    """One more withheld figure for each part of the return with an exposed count, then the table rules again.

    None when no published figure is left that would help.
    """
    comps = provable.components(system) if system.cells else []
    where = {v: k for k, (vs, _) in enumerate(comps) for v in vs}
    seed = Disclosure(set(disclosure.rows), set(disclosure.codes), set(disclosure.totals), disclosure.added,
                      disclosure.table_rule)
    done: set = set()
    for q in exposed:
        part = where[next(iter(q.terms))] if q.terms else ("alone", q.published)
        if part in done:
            continue
        done.add(part)
        candidates = []  # (count, kind, key)
        constraints = comps[part][1] if q.terms else []
        for key in q.published:
            candidates.append((system.published[key], 0, key))
        for j in constraints:
            con = system.constraints[j]
            candidates.extend((system.published[key], 0, key) for key in con.published)
            if con.metric:
                candidates.append((con.rhs + sum(system.published[k] for k in con.published), 1, con.metric))
        # The smallest count first; a 0 only when no other figure is left (a 0 next to a [c] says little).
        candidates = sorted(set(candidates), key=lambda c: (c[0] == 0, c[0], c[1], repr(c[2])))
        if not candidates:
            continue
        _, kind, key = candidates[0]
        seed.added += 1
        if kind == 0:
            seed.rows.add(key)
        else:
            dim, codes = key
            seed.codes.update((dim, c) for c in codes)
    return plan(ret, authority, seed) if seed.added > disclosure.added else None


def plan_all(returns: list[Return], authorities: dict[str, Authority]) -> dict[tuple[str, str], Disclosure]:
    """Every return's plan, grown until the audit of its published figures passes (or nothing is left to hide)."""
    plans = {(r.slug, r.period): plan(r, authorities.get(r.slug)) for r in returns}
    for p in plans.values():
        p.table_rule = len(p.rows)
    if not settings()["enabled"]:
        return plans
    # A return with nothing withheld and no breakdown in two tables has nothing a reader could recover.
    pending = [r for r in returns if plans[(r.slug, r.period)].rows or plans[(r.slug, r.period)].totals
               or any(len(t or []) > 1 for t in (r.data.get("breakdowns") or {}).values())]
    for _ in range(MAX_ROUNDS):
        systems = [system_for(r, authorities.get(r.slug), plans[(r.slug, r.period)]) for r in pending]
        provable.solve(systems)
        grown = []
        for ret, system in zip(pending, systems):
            exposed = [q for q in system.quantities if not protected(q)]
            if not exposed:
                continue
            bigger = _grow(ret, authorities.get(ret.slug), plans[(ret.slug, ret.period)], system, exposed)
            if bigger is not None:
                plans[(ret.slug, ret.period)] = bigger
                grown.append(ret)
        if not grown:
            break
        pending = grown
    return plans


def describe(q: ds.Quantity) -> str:
    hi = "no upper bound" if math.isinf(q.hi) else f"{q.hi:g}"
    return f"{q.name}: a reader can prove {q.lo:g} to {hi}"
