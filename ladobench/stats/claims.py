"""Every sentence the site generates is made from a claim: what kind of statement it is, the figures, bases and
intervals it rests on, and the level. Pages render a claim's text; they never compute one. A claim that cannot be
made is recorded too ("not said"), with the reason the page gives, so the checker (stats/claim_check.py) can verify
both what is said and what is declined against the published tables."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

# The kinds of statement, and what each one's figures hold (claim_check.py verifies each kind).
KINDS = {
    "largest_share": "a category is the largest share of a table (every category of the table considered)",
    "largest_not_said": "no category is called the largest, and why",
    "comparison": "an authority's value is higher, similar or lower than a comparator's pooled value",
    "no_difference": "none of the comparisons that could be made differs at 99.8%",
    "none_testable": "no comparison could be made",
    "change": "a measure's change on the previous year, in its own unit",
    "trend_ends": "a rate rose or fell between two years, or changed within what chance would explain",
    "count_authorities": "how many authorities have something",
}


@dataclass
class Claim:
    kind: str
    text: str
    authority: str = ""
    period: str = ""
    level: str = ""  # "95" or "99.8" where an interval decides the statement
    figures: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown claim kind {self.kind!r}")

    def __str__(self) -> str:
        return self.text


# The places a published CSV keeps (publish/tables.py): a page formats the value the file holds, so that 28.749999...
# is not "28.7" on the page while the file's 28.75 reads "28.8".
FILE_DECIMALS = 4


def as_published(value: float) -> float:
    return round(float(value), FILE_DECIMALS)


def _num(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)


# --- comparisons ------------------------------------------------------------------------------

def comparison(name: str, slug: str, period: str, metric, row: dict, cmp: dict) -> Claim:
    """One cell of the comparison table: the comparator's pooled value under its heading, and who is higher."""
    value = cmp["comparator_value"]
    shown = f"{as_published(value):,.{metric.decimals}f}" if _num(value) else ""
    result = cmp["result95"] if isinstance(cmp["result95"], str) and cmp["result95"] else ""
    strong = cmp["result998"] if cmp["result998"] in ("higher", "lower") else ""
    n, total = int(cmp["n_members"]), int(cmp["others_total"])
    if not cmp["comparable"]:
        text = "not compared"
    elif n == 0:
        text = f"none (0 of {total})"
    elif not shown:
        text = f"withheld ({n} of {total})"
    else:
        text = f"{shown} ({n} of {total})"
        if result == "similar":
            text += "; similar"
        elif result:
            text += f"; {name} {result}"
    return Claim("comparison", text, slug, period, "99.8" if strong else ("95" if result else ""), {
        "metric": metric.id, "comparator": cmp["comparator"], "comparator_id": cmp["comparator_id"],
        "comparator_name": cmp["comparator_name"], "comparator_value": shown, "decimals": metric.decimals,
        "result95": result, "result998": strong, "n_members": n, "others_total": total,
        "comparable": bool(cmp["comparable"]), "value": row["value"]})


def highlight(name: str, metric, value_text: str, cell: Claim) -> Claim:
    """What stands out: a difference that holds at 99.8%, saying who is higher."""
    f = cell.figures
    unit = "%" if metric.is_percent else ""
    text = (f"{name}'s {metric.title.lower()} ({value_text}) is {f['result998']} than the pooled value of "
            f"{f['comparator_name']} that count the same way ({f['comparator_value']}{unit}), a difference unlikely "
            "to be chance (99.8% interval).")
    return Claim("comparison", text, cell.authority, cell.period, "99.8", dict(f))


def comparison_summary(name: str, slug: str, period: str, cells: list[Claim], min_others: int) -> Claim | None:
    """The line under the headline figures when nothing stands out: true of the comparisons actually made."""
    tested = [c for c in cells if c.figures["result95"]]
    if any(c.figures["result998"] for c in tested):
        return None
    if not tested:
        return Claim("none_testable", f"No figure of {period} has {min_others} or more comparable other authorities "
                     "in any comparator, so none is said to be higher or lower than others.", slug, period, "",
                     {"tested": 0, "min_others": min_others})
    metrics = len({c.figures["metric"] for c in tested})
    return Claim("no_difference", f"{len(tested)} comparison{'s' if len(tested) != 1 else ''} of {metrics} "
                 f"measure{'s' if metrics != 1 else ''} could be made (with {min_others} or more comparable others); "
                 f"in none does {name} differ from the others' pooled value by more than chance would explain "
                 "at the 99.8% level.", slug, period, "99.8", {"tested": len(tested), "min_others": min_others})


# --- changes over time ------------------------------------------------------------------------

def change(metric, slug: str, period: str, now: dict | None, before: dict | None, count_word: str) -> Claim | None:
    """A change on the previous year in the measure's own unit: a rate per 10,000 (with its count in number and per
    cent), a percentage in percentage points, a ratio or value as itself."""
    if not now or not before or not _num(now.get("value")) or not _num(before.get("value")):
        return None
    delta = as_published(now["value"]) - as_published(before["value"])  # of the values the files hold
    d = metric.decimals
    figures = {"metric": metric.id, "previous_period": before["period"], "value": now["value"],
               "previous_value": before["value"], "change": delta, "decimals": d, "unit": ""}
    if metric.is_percent:
        text = f"{delta:+,.{d}f} percentage points"
        figures["unit"] = "points"
    elif metric.kind == "rate":
        text = f"{delta:+,.{d}f} per 10,000"
        figures["unit"] = "per 10,000"
        n1, n0 = now.get("numerator"), before.get("numerator")
        if _num(n1) and _num(n0):
            diff = n1 - n0
            figures.update(numerator=n1, previous_numerator=n0)
            pct = f", {diff / n0 * 100:+.1f}%" if n0 else ""
            text += f" ({count_word} {n0:,.0f} to {n1:,.0f}: {diff:+,.0f}{pct})"
    else:  # a ratio or value in its own unit: "+12.0 referrals per FTE"
        text = f"{delta:+,.{d}f}" + (f" {metric.unit}" if metric.unit else "")
        figures["unit"] = metric.unit
    return Claim("change", text, slug, period, "", figures)


def trend_ends(name: str, slug: str, what: str, first: dict, last: dict) -> Claim:
    """'rose' or 'fell' only when the 99.8% intervals of the two ends do not overlap (4 then 6 events did not rise)."""
    p0, p1 = first["period"], last["period"]
    v0, v1 = as_published(first["value"]), as_published(last["value"])
    if last["lower998"] > first["upper998"]:
        said, direction = f"rose from {v0:.1f} in {p0} to {v1:.1f} in {p1}", "rose"
    elif last["upper998"] < first["lower998"]:
        said, direction = f"fell from {v0:.1f} in {p0} to {v1:.1f} in {p1}", "fell"
    else:
        said, direction = (f"were {v0:.1f} in {p0} and {v1:.1f} in {p1}, a change within what chance would explain "
                           "(99.8% intervals)"), "within chance"
    return Claim("trend_ends", f"{name}: {what} {said}", slug, p1, "99.8",
                 {"metric": first["metric"], "first_period": p0, "last_period": p1, "direction": direction,
                  "first_value": round(v0, 1), "last_value": round(v1, 1)})


# --- counts of authorities --------------------------------------------------------------------

def count_authorities(text: str, n: int, what: str, period: str = "", **figures) -> Claim:
    return Claim("count_authorities", text, "", period, "", {"n": n, "what": what, **figures})
