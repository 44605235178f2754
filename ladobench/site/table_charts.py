"""What an authority page's charts draw, taken from the tables they illustrate: every category of a breakdown table in
the authority's own words, and only the funnel stages that nest inside each other. What a chart leaves out it says,
with why, in a line under the chart; every figure stays in the table."""
from __future__ import annotations

import math

from ladobench.core.schema import load_schema
from ladobench.returns.counting import facts
from ladobench.returns.rules import base_value
from ladobench.stats.intervals import Z95, wilson
from ladobench.stats.metrics import STAGE_WORDS


def _number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) else None


def _table_to_draw(ret, dimension: str) -> int:
    """The table whose base the dimension's metrics use (their denominator stage, then their bases in order), else 0."""
    tables = ret.tables(dimension)
    wanted = []
    for metric in load_schema().metrics:
        if metric.dimension == dimension:
            stage = (metric.denominator or "").split(".")[-1]
            wanted += [stage] if stage != "table_base" else list(metric.bases or [])
    for stage in wanted:
        for i, table in enumerate(tables):
            if table and table.get("base") == stage:
                return i
    return 0


def share_rows(ret, dimension: str, disclosure) -> dict | None:
    """Bars for one table of a breakdown: each category's share of the table's base (95% Wilson interval when its count
    is given), in the table's order of size; what is not drawn and why; None when nothing can be drawn."""
    spec = load_schema().dimensions[dimension]
    tables = ret.tables(dimension)
    if not tables:
        return None
    index = _table_to_draw(ret, dimension)
    table = tables[index] or {}
    base = _number(base_value(ret, table))
    if not base or (spec.protected and disclosure is not None and disclosure.total(dimension, index)
                    and table.get("base") == "subset"):
        return None  # no base to take shares of, or a withheld base that shares would give away
    rows, withheld, no_figure = [], [], []
    for r, row in enumerate(table.get("rows") or []):
        if not row:
            continue
        label = str(row.get("label", ""))
        if spec.protected and disclosure is not None and disclosure.row(dimension, index, r):
            withheld.append(label)
            continue
        count, percent = _number(row.get("count")), _number(row.get("percent"))
        if count is not None:
            lo, hi = wilson(count, base, Z95)
            rows.append({"label": label, "count": int(count) if float(count).is_integer() else count,
                         "value": count / base * 100, "lower": lo * 100, "upper": hi * 100, "highlight": True})
        elif percent is not None:
            rows.append({"label": label, "count": None, "value": float(percent), "lower": None, "upper": None,
                         "highlight": True})
        else:
            no_figure.append(label)
    if len(rows) < 2:
        return None
    rows.sort(key=lambda x: -x["value"])
    base_words = table.get("base_label") if table.get("base") == "subset" else STAGE_WORDS.get(table.get("base"), table.get("base"))
    notes = []
    if len(tables) > 1:
        notes.append(f"The chart draws table {index + 1} (shares of {base:,.0f} {base_words}); "
                     + ", ".join(f"table {i + 1}" for i in range(len(tables)) if i != index) + " is in the tables below.")
    if withheld:
        notes.append("Not drawn, withheld ([c]) so that no one can be identified: " + ", ".join(withheld) + ".")
    if no_figure:
        notes.append("Not drawn, no figure given: " + ", ".join(no_figure) + ".")
    if any(x["lower"] is None for x in rows):
        notes.append("Categories the source gives only as a percentage have no interval.")
    return {"rows": rows, "base": base_words, "base_value": base, "left_out": " ".join(notes)}


def _nests(include: str) -> list[str]:
    """The funnel stages that nest, outermost first (schema/rules.yaml, stage_nesting): initial contacts hold the
    referrals only when the return says contacts include referrals; referrals (or those contacts) hold the referrals that
    met the harm threshold. Below threshold sits beside met threshold, not inside it; concluded allegations may come
    from earlier years, so they are not inside this year's."""
    chain = []
    if include == "yes":
        chain.append("initial_contacts")
    chain += ["referrals", "met_threshold"]
    return chain


REASONS = {
    "initial_contacts": "counted as a stream separate from referrals, not a stage before them",
    "below_threshold": "beside the referrals that met the harm threshold, not inside them",
    "concluded": "concluded in the year, which may include allegations from earlier years",
    "ongoing_at_year_end": "open at the year end, which may include allegations from earlier years",
}


def stage_rows(ret, authority) -> tuple[list[dict], str]:
    """The bars of the counting-funnel chart (only stages nested in each other, as whole counts) and the line that
    names the stages given but not drawn, with why."""
    schema = load_schema()
    fields = {f.key: f for f in schema.records["funnel"].fields}
    include = facts(ret, authority)["contacts_include_referrals"]
    chain = _nests(include)
    rows, left_out = [], []
    for key in schema.stages:
        value = _number(ret.get(f"funnel.{key}"))
        if value is None:
            continue
        if key in chain:
            rows.append({"label": fields[key].display, "value": int(value) if float(value).is_integer() else value,
                         "highlight": True})
        else:
            reason = REASONS.get(key, "not a stage of this funnel")
            if key == "initial_contacts" and include != "no":
                reason = "the return does not say whether they include the referrals"
            left_out.append(f"{fields[key].display} {value:,.0f} ({reason})")
    if len(rows) < 2:
        return [], ""
    note = ("Drawn: only the stages that lie inside one another. Not drawn: " + "; ".join(left_out)
            + ". Every stage is in the table below.") if left_out else ""
    return rows, note
