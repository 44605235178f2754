"""Check every claim the pages make against the tables as PUBLISHED on disk (downloads/metrics.csv, comparisons.csv and
returns.json), never against the objects that made the claim: a caption is quoted by people who never open the
tables, so each one must follow from them."""
from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from ladobench.stats.claims import Claim
from ladobench.stats.claims_shares import decide, row_bounds


@dataclass
class CheckReport:
    checked: int = 0
    false: list[tuple[Claim, str]] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.by_kind.items()))
        return f"{self.checked} claims checked ({kinds}); {len(self.false)} false"


def _float(text) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


class Tables:
    """The published tables of one build, indexed for look-up."""

    def __init__(self, downloads: Path):
        downloads = Path(downloads)
        with open(downloads / "metrics.csv", newline="", encoding="utf-8") as f:
            self.metrics = {(r["authority"], r["period"], r["metric"]): r for r in csv.DictReader(f)}
        with open(downloads / "comparisons.csv", newline="", encoding="utf-8") as f:
            self.comparisons: dict = {}
            for r in csv.DictReader(f):
                self.comparisons.setdefault((r["authority"], r["period"]), []).append(r)
        self.returns = {(r["authority"], r["period"]): r["return"]
                        for r in json.loads((downloads / "returns.json").read_text(encoding="utf-8"))}


def _close(a: float, b: float, tol: float = 1e-4) -> bool:
    return not math.isnan(a) and not math.isnan(b) and abs(a - b) <= tol * max(1.0, abs(b))


def _shares(claim: Claim, t: Tables) -> str:
    f = claim.figures
    ret = t.returns.get((claim.authority, claim.period))
    if ret is None:
        return "no such return published"
    tables = (ret.get("breakdowns") or {}).get(f["dimension"]) or []
    if f["table"] >= len(tables):
        return "no such table published"
    table = tables[f["table"]]
    rows = [r for r in table.get("rows") or [] if r]
    labels = sorted(str(r.get("label")) for r in rows)
    claimed = sorted([lab for c in f["categories"] for lab in c["rows"]] + f["excluded"])
    if labels != claimed:
        return f"the claim does not cover every published category: {sorted(set(labels) ^ set(claimed))}"
    stage = f["base_stage"]
    base = _float(table.get("total")) if stage == "subset" else _float((ret.get("funnel") or {}).get(stage))
    if not _close(base, float(f["base"])):
        return f"base {f['base']} but the published {stage} is {base}"
    if claim.kind == "largest_not_said" and f["reason"] == "incomplete":
        return "" if table.get("complete") is False else "the published table is complete"
    by_label = {str(r.get("label")): r for r in rows}
    kept = [lab for c in f["categories"] for lab in c["rows"]]
    printed = _float(table.get("total"))
    total = None if stage == "concluded" or math.isnan(printed) else printed
    if f["total"] is not None and (total is None or not _close(total, float(f["total"]))):
        return f"total {f['total']} but the published total is {table.get('total')}"
    bounds = row_bounds([by_label[lab] for lab in kept], base, total)
    index, cats = 0, []
    for c in f["categories"]:
        cats.append({"label": c["label"], "rows": list(range(index, index + len(c["rows"]))), "exact": c["exact"]})
        index += len(c["rows"])
    top, why = decide(cats, bounds)
    if claim.kind == "largest_not_said":
        return "" if top is None and why == f["reason"] else f"the published table decides it: {top} {why}"
    if top is None or cats[top]["label"] != f["top"]:
        return f"the published table does not make {f['top']} the largest ({why or cats[top]['label']})"
    if "count" in f:
        count = sum(_float(by_label[lab].get("count")) for lab in f["categories"][top]["rows"])
        if not _close(count, f["count"]) or f"{count / base * 100:.1f}%" not in claim.text:
            return f"the published count of {f['top']} is {count} of {base}"
    return ""


def _comparison(claim: Claim, t: Tables) -> str:
    f = claim.figures
    rows = [r for r in t.comparisons.get((claim.authority, claim.period), [])
            if r["metric"] == f["metric"] and r["comparator"] == f["comparator"] and r["comparator_id"] == f["comparator_id"]]
    if len(rows) != 1:
        return f"{len(rows)} published comparison rows"
    r = rows[0]
    if (r["comparable"] == "True") != f["comparable"] or int(float(r["n_members"] or 0)) != f["n_members"] \
            or r["comparator_name"] != f["comparator_name"]:
        return "comparable, n_members or the pool's name differ from the published comparison"
    value = _float(r["comparator_value"])
    shown = "" if math.isnan(value) else f"{value:,.{f['decimals']}f}"
    if shown != f["comparator_value"]:
        return f"comparator value {f['comparator_value']!r} but published {shown!r}"
    if (r["result95"] or "") != f["result95"] or (r["result998"] if r["result998"] in ("higher", "lower") else "") != f["result998"]:
        return "result differs from the published comparison"
    if f["result95"]:
        if f["n_members"] < 5:
            return "a direction given with fewer than 5 comparable others"
        own = t.metrics.get((claim.authority, claim.period, f["metric"]))
        for level, said in (("95", f["result95"]), ("998", f["result998"])):
            lo, hi = _float(own[f"lower{level}"]), _float(own[f"upper{level}"])
            truth = "higher" if lo > value else "lower" if hi < value else "similar"
            if said and said != truth:
                return f"said {said} at {level} but the published interval {lo}-{hi} against {value} says {truth}"
        if f["result95"] != "similar" and f"{f['result95']}" not in claim.text:
            return "the text does not say the direction"
    return ""


def _summary(claim: Claim, t: Tables) -> str:
    rows = [r for r in t.comparisons.get((claim.authority, claim.period), []) if r["result95"]]
    if claim.kind == "none_testable":
        return "" if not rows else f"{len(rows)} comparisons were made"
    if len(rows) != claim.figures["tested"]:
        return f"{claim.figures['tested']} comparisons said, {len(rows)} published"
    strong = [r for r in rows if r["result998"] in ("higher", "lower")]
    return f"{len(strong)} published comparisons differ at 99.8%" if strong else ""


def _change(claim: Claim, t: Tables) -> str:
    f = claim.figures
    now = t.metrics.get((claim.authority, claim.period, f["metric"]))
    before = t.metrics.get((claim.authority, f["previous_period"], f["metric"]))
    if not now or not before:
        return "a year is not published"
    delta = _float(now["value"]) - _float(before["value"])
    if not _close(delta, f["change"], 1e-3) or f"{delta:+,.{f['decimals']}f}" not in claim.text:
        return f"the published values change by {delta}"
    unit = {"percent": "percentage points", "per 10,000 children": "per 10,000"}.get(now["unit"], now["unit"])
    if unit and unit not in claim.text:
        return f"the change is not given in {unit}"
    if "numerator" in f:
        diff = _float(now["numerator"]) - _float(before["numerator"])
        if f"{diff:+,.0f}" not in claim.text:
            return f"the published counts change by {diff}"
    return ""


def _trend(claim: Claim, t: Tables) -> str:
    f = claim.figures
    first = t.metrics.get((claim.authority, f["first_period"], f["metric"]))
    last = t.metrics.get((claim.authority, f["last_period"], f["metric"]))
    if not first or not last:
        return "a year is not published"
    if _float(last["lower998"]) > _float(first["upper998"]):
        truth = "rose"
    elif _float(last["upper998"]) < _float(first["lower998"]):
        truth = "fell"
    else:
        truth = "within chance"
    return "" if truth == f["direction"] else f"said {f['direction']}, the published 99.8% intervals say {truth}"


def _count(claim: Claim, t: Tables) -> str:
    f = claim.figures
    if f["what"] == "authorities with a value":
        have = {a for (a, p, m), r in t.metrics.items() if p == claim.period and m == f["metric"]
                and not r["status"] and not math.isnan(_float(r["value"]))}
        if f.get("among") is not None:
            have &= set(f["among"])
        return "" if len(have) == f["n"] else f"said {f['n']}, published {len(have)}"
    if f["what"] == "authorities with a return":
        have = {a for a, p in t.returns if p == claim.period or not claim.period}
        if f.get("among") is not None:
            have &= set(f["among"])
        return "" if len(have) == f["n"] else f"said {f['n']}, published {len(have)}"
    return f"no check for {f['what']!r}"


CHECKS = {"largest_share": _shares, "largest_not_said": _shares, "comparison": _comparison, "no_difference": _summary,
          "none_testable": _summary, "change": _change, "trend_ends": _trend, "count_authorities": _count}


def check(claims: list[Claim], downloads: Path) -> CheckReport:
    """Verify each claim against the published tables in downloads; report how many were checked and which are false."""
    tables, report = Tables(downloads), CheckReport()
    for claim in claims:
        try:
            why = CHECKS[claim.kind](claim, tables)
        except (KeyError, TypeError, ValueError) as e:  # a figure the tables do not have is a false claim
            why = f"{type(e).__name__}: {e}"
        report.checked += 1
        report.by_kind[claim.kind] = report.by_kind.get(claim.kind, 0) + 1
        if why:
            report.false.append((claim, why))
    return report
