"""The range a reader can prove for each withheld count of a disclosure system (stats/disclosure_system).

Two linear programs per withheld quantity (HiGHS, through scipy.optimize.linprog) give the smallest
and largest value its published constraints allow. All the programs of many returns are solved at
once as one block-diagonal program: each block is one copy of one connected part of one return's
constraints, with its own objective, so the solution of the whole is the solution of every block.
Parts made only of nested sums have their ranges in closed form (_laminar), the same numbers.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from ladobench.stats.disclosure_system import System

CAP = 1e7  # a count no return reaches: a reader's upper bound at CAP is no bound at all


def components(system: System) -> list[tuple[list[int], list[int]]]:
    """Connected parts of a system: (variables, constraints)."""
    parent = list(range(len(system.cells)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for c in system.constraints:
        keys = list(c.terms)
        for k in keys[1:]:
            parent[find(k)] = find(keys[0])
    groups: dict[int, tuple[list[int], list[int]]] = {}
    for v in range(len(system.cells)):
        groups.setdefault(find(v), ([], []))[0].append(v)
    for j, c in enumerate(system.constraints):
        if c.terms:
            groups[find(next(iter(c.terms)))][1].append(j)
    return list(groups.values())


def solve(systems: list[System], chunk: int = 20000) -> None:
    """Set lo and hi of every quantity of every system: the range a reader can prove (LP relaxation).

    A part whose constraints are sums of counts equal to a figure, the sets of counts nested or
    apart (a table's rows and its total; the rows of a code within it), has its ranges in closed
    form (_laminar); every other part goes to HiGHS, many at once.
    """
    blocks = []  # (system, quantity, sign, variables, constraints)
    for system in systems:
        comps = components(system)
        where = {v: k for k, (vs, _) in enumerate(comps) for v in vs}
        laminar: dict[int, dict | None] = {}
        for q in system.quantities:
            if not q.terms:
                q.lo = q.hi = q.const
                continue
            vs, cs = comps[where[next(iter(q.terms))]]
            if not cs:
                q.lo, q.hi = (0.0 if all(v >= 0 for v in q.terms.values()) else -math.inf), math.inf
                continue
            if len(q.terms) == 1 and q.const == 0 and next(iter(q.terms.values())) == 1.0:
                if where[next(iter(q.terms))] not in laminar:
                    laminar[where[next(iter(q.terms))]] = _laminar(system, vs, cs)
                ranges = laminar[where[next(iter(q.terms))]]
                if ranges is not None:
                    q.lo, q.hi = ranges[next(iter(q.terms))]
                    continue
            for sign in (1.0, -1.0):
                blocks.append((system, q, sign, vs, cs))
    start = 0
    while start < len(blocks):
        size, end = 0, start
        while end < len(blocks) and (size == 0 or size + len(blocks[end][3]) <= chunk):
            size += len(blocks[end][3])
            end += 1
        _solve_blocks(blocks[start:end])
        start = end


def _laminar(system: System, vs: list[int], cs: list[int]) -> dict[int, tuple[float, float]] | None:
    """Ranges of the counts of a part whose equalities are sums over nested-or-apart sets, else None.

    A count in no set is unbounded. Otherwise let S be the smallest set holding it: the sets inside S
    fix their own sums, so the count can take all of S's figure less theirs (its slack) when every
    other count of S outside them is 0, and must be 0 at least unless it is the only such count
    (then it is the slack exactly). The sets around S see only S's fixed sum, so they add nothing.
    """
    sets = []
    for j in cs:
        con = system.constraints[j]
        if con.kind != "eq" or any(c != 1.0 for c in con.terms.values()):
            return None
        sets.append((frozenset(con.terms), con.rhs))
    sets.sort(key=lambda x: -len(x[0]))
    for i, (a, _) in enumerate(sets):
        for b, _ in sets[:i]:
            if not (a <= b or not (a & b)):
                return None
    out: dict[int, tuple[float, float]] = {}
    for i, (a, rhs) in enumerate(sets):
        inner = [b for b, _ in sets[i + 1:] if b <= a]
        children = [b for b in inner if not any(b < c for c in inner)]
        free = a - frozenset().union(*children) if children else a
        slack = rhs - sum(r for b, r in sets[i + 1:] if b in children)
        for v in free:
            if v not in out or len(a) < out[v][2]:
                out[v] = (slack if len(free) == 1 else 0.0, slack, len(a))
    ranges = {v: (math.ceil(lo - 1e-6), math.floor(hi + 1e-6)) for v, (lo, hi, _) in out.items()}
    for v in vs:
        ranges.setdefault(v, (0.0, math.inf))
    return ranges


def _solve_blocks(blocks) -> None:
    c, eq, ub, b_eq, b_ub, starts = [], ([], [], []), ([], [], []), [], [], []
    offset = 0
    for system, q, sign, vs, cs in blocks:
        starts.append(offset)
        col = {v: offset + i for i, v in enumerate(vs)}
        c.extend(sign * q.terms.get(v, 0.0) for v in vs)
        for j in cs:
            con = system.constraints[j]
            rows, rhs = (eq, b_eq) if con.kind == "eq" else (ub, b_ub)
            n = len(rhs)
            for v, coef in con.terms.items():
                rows[0].append(n)
                rows[1].append(col[v])
                rows[2].append(coef)
            rhs.append(con.rhs)
        offset += len(vs)

    def matrix(parts, n_rows):
        return sparse.csr_array((parts[2], (parts[0], parts[1])), shape=(n_rows, offset)) if n_rows else None

    cost = np.array(c)
    res = linprog(cost, A_ub=matrix(ub, len(b_ub)), b_ub=b_ub or None, A_eq=matrix(eq, len(b_eq)),
                  b_eq=b_eq or None, bounds=(0, CAP), method="highs")
    if res.status != 0:
        raise RuntimeError(f"disclosure audit: the linear program failed ({res.message})")
    objective = np.add.reduceat(cost * res.x, np.array(starts))  # each block's own optimum
    for (_system, q, sign, _vs, _cs), best in zip(blocks, objective.tolist()):
        value = q.const + sign * best
        if sign > 0:
            q.lo = math.ceil(value - 1e-6)
        else:
            q.hi = math.inf if value > CAP / 2 else math.floor(value + 1e-6)
