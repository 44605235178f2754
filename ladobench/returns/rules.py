"""The return's own rules: figures that must agree with each other, unless a discrepancy is declared."""
from __future__ import annotations

from dataclasses import dataclass

from ladobench.core.model import Authority, Return, path_exists
from ladobench.core.problems import Problem
from ladobench.core.schema import load_schema
from ladobench.core.text import odd_characters, plain_form


@dataclass(frozen=True)
class Breach:
    rule: str
    path: str
    found: str
    expected: str
    fields: frozenset[str]
    fix: str = ""


def related(a: str, b: str) -> bool:
    """Whether two field paths name the same field or one lies inside the other (funnel and funnel.referrals)."""
    return a == b or a.startswith((b + ".", b + "[")) or b.startswith((a + ".", a + "["))


def fmt(x) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


def base_value(ret: Return, table: dict):
    """The count a table splits: its base stage, or its own total for a subset."""
    base = table.get("base")
    if base == "subset":
        return _num(table.get("total"))
    return ret.number(_stage_path(base)) if base else None


def _num(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _not_in_crosswalk(label: str, crosswalk: dict, dimension: str, row_path: str) -> Breach:
    expected = (f"a label from the crosswalk for {dimension} in authority.yaml"
                + (f" ({', '.join(sorted(crosswalk))})" if 0 < len(crosswalk) <= 12 else ""))
    odd, fix = odd_characters(str(label)), ""
    if odd:  # it looks like a crosswalk label but a character in it cannot be seen or is from another alphabet
        meant = next((k for k in crosswalk if plain_form(k) == plain_form(str(label))), None)
        fix = f"It contains {odd}; retype it" + (f" as '{meant}'." if meant else ".")
    return Breach("label_not_in_crosswalk", f"{row_path}.label", f"the label '{label}'", expected,
                  frozenset({row_path}), fix)


def table_breaches(ret: Return, authority: Authority | None, dimension: str, index: int, table: dict):
    path = f"breakdowns.{dimension}[{index}]"
    # Keep each row's own index (an unreadable row is None) so messages point at the right line.
    rows = [(i, r) for i, r in enumerate(table.get("rows") or []) if r]
    crosswalk = authority.crosswalk(dimension) if authority else None
    seen: set[str] = set()
    for i, row in rows:
        row_path = f"{path}.rows[{i}]"
        label = row.get("label")
        if label is None:
            continue
        if label in seen:
            yield Breach("label_duplicate", f"{row_path}.label", f"'{label}' a second time", "each label once per table",
                         frozenset({row_path}))
        seen.add(label)
        if crosswalk is not None and label not in crosswalk:
            yield _not_in_crosswalk(label, crosswalk, dimension, row_path)
        # A count or percent that is there but unreadable has its own message already.
        if "count" not in row and "percent" not in row and not {f"{row_path}.count", f"{row_path}.percent"} & ret.invalid:
            yield Breach("row_empty", row_path, f"the row '{label}' with no count or percent",
                         "a count, a percent, or both", frozenset({row_path}))
    if table.get("base") == "subset" and (
            (not table.get("base_label") and f"{path}.base_label" not in ret.invalid)
            or (_num(table.get("total")) is None and f"{path}.total" not in ret.invalid)):
        yield Breach("base_label_missing", path, "base: subset without base_label and total",
                     "base_label (what the subset is) and total", frozenset({path}))
    # As ret.get would give them, so a figure already reported (negative, fractional, over 100) is left out;
    # read from the table itself (ret.get resolves the whole path again, for every cell of every table).
    invalid = ret.invalid

    def cell(i, row, key):
        return None if invalid and f"{path}.rows[{i}].{key}" in invalid else _num(row.get(key))

    total = None if f"{path}.total" in invalid else _num(table.get("total"))
    base = total if table.get("base") == "subset" else base_value(ret, table)
    counts = [cell(i, row, "count") for i, row in rows]
    known = [c for c in counts if c is not None]
    s = sum(known)
    base_name = table.get("base", "")
    if table.get("complete", True) and rows and len(known) == len(rows):
        if total is not None and s != total:
            yield Breach("breakdown_total", path, f"rows that add up to {fmt(s)}", f"the table's total, {fmt(total)}",
                         frozenset({path}))
        if base is not None and base_name != "subset" and s != base:
            yield Breach("breakdown_total", path, f"rows that add up to {fmt(s)}",
                         f"{base_name} ({fmt(base)}), as the table is complete", frozenset({path, _stage_path(base_name)}))
    else:
        limit = total if total is not None else base
        if limit is not None and s > limit:
            yield Breach("breakdown_exceeds_base", path, f"rows that add up to {fmt(s)}",
                         f"no more than {fmt(limit)}", frozenset({path, _stage_path(base_name)}))
    percents = [cell(i, row, "percent") for i, row in rows]
    given = [p for p in percents if p is not None]
    if given and sum(given) > 100 + 0.5 * len(given):
        yield Breach("percent_sum", path, f"percentages that add up to {sum(given):.1f}",
                     "no more than 100", frozenset({path}))
    denominator = total if total is not None else base
    if denominator:
        for (i, _), count, pct in zip(rows, counts, percents):
            if count is not None and pct is not None and abs(count / denominator * 100 - pct) > 1:
                yield Breach("percent_mismatch", f"{path}.rows[{i}].percent",
                             f"{fmt(pct)}% beside a count of {fmt(count)}",
                             f"about {count / denominator * 100:.1f}% ({fmt(count)} of {fmt(denominator)})",
                             frozenset({f"{path}.rows[{i}]"}))


def _stage_path(stage: str) -> str:
    return "children.linked_children" if stage == "linked_children" else f"funnel.{stage}"


def nesting_breaches(ret: Return):
    n = {k: ret.number(f"funnel.{k}") for k in ("initial_contacts", "referrals", "below_threshold",
                                                  "met_threshold", "concluded", "ongoing_at_year_end",
                                                  "carried_over", "contacts_to_referral")}
    includes = ret.get("funnel.contacts_include_referrals") is True

    def breach(first, found, expected, *stages):
        return Breach("stage_nesting", f"funnel.{first}", found, expected,
                      frozenset(f"funnel.{s}" for s in (first, *stages)))

    c, r, b, m = n["initial_contacts"], n["referrals"], n["below_threshold"], n["met_threshold"]
    if r is not None and m is not None and m > r:
        yield breach("met_threshold", f"met_threshold {fmt(m)}", f"no more than referrals ({fmt(r)})", "referrals")
    pool, pool_name = (r, "referrals") if r is not None else ((c, "initial_contacts") if includes else (None, ""))
    if pool is not None and m is not None and b is not None and m + b > pool:
        yield breach("below_threshold", f"below_threshold + met_threshold = {fmt(m + b)}",
                     f"no more than {pool_name} ({fmt(pool)})", "met_threshold", pool_name)
    if includes and c is not None and r is not None and r > c:
        yield breach("referrals", f"referrals {fmt(r)}", f"no more than initial_contacts ({fmt(c)}), "
                     "because contacts_include_referrals is true", "initial_contacts", "contacts_include_referrals")
    ctr = n["contacts_to_referral"]
    if ctr is not None and c is not None and ctr > c:
        yield breach("contacts_to_referral", f"contacts_to_referral {fmt(ctr)}",
                     f"no more than initial_contacts ({fmt(c)})", "initial_contacts")
    k, o, co = n["concluded"], n["ongoing_at_year_end"], n["carried_over"]
    if m is not None and k is not None and k + (o or 0) > m + (co or 0):
        carried = fmt(co) if co is not None else "not given, taken as 0"
        yield breach("concluded", f"concluded + ongoing = {fmt(k + (o or 0))}",
                     f"no more than met_threshold ({fmt(m)}) + carried_over ({carried})",
                     "ongoing_at_year_end", "met_threshold", "carried_over")


def reference_breaches(ret: Return):
    for section in ("notes", "measured_as"):
        for key in (ret.data.get(section) or {}):
            if not path_exists(ret.data, key) and key not in ret.lines:  # in lines: there but unreadable
                yield Breach("discrepancy_unknown_field", f"{section}.{key}", f"a {'note' if section == 'notes' else 'definition'} on '{key}'",
                             "the path of a field this return gives, e.g. funnel.concluded", frozenset())
    known = {m.id for m in load_schema().metrics}
    for i, disc in enumerate(ret.data.get("discrepancies") or []):
        for j, metric in enumerate((disc or {}).get("metrics") or []):
            if isinstance(metric, str) and metric not in known:
                yield Breach("discrepancy_unknown_metric", f"discrepancies[{i}].metrics[{j}]", f"'{metric}'",
                             "the id of a measure in schema/metrics.yaml, e.g. threshold_conversion", frozenset())
        for j, path in enumerate((disc or {}).get("fields") or []):
            if path and not path_exists(ret.data, path) and path not in ret.lines:
                yield Breach("discrepancy_unknown_field", f"discrepancies[{i}].fields[{j}]", f"'{path}'",
                             "the path of a field this return gives, e.g. funnel.met_threshold", frozenset())


def check_return(ret: Return, authority: Authority | None) -> list[Problem]:
    """Every cross-field rule; breaches a declared discrepancy explains become footnotes, not errors."""
    breaches = list(nesting_breaches(ret)) + list(reference_breaches(ret))
    for dimension, tables in (ret.data.get("breakdowns") or {}).items():
        for i, table in enumerate(tables or []):
            if table:
                breaches.extend(table_breaches(ret, authority, dimension, i, table))
    # (index in the file, rules, fields): unreadable items of a list are None and are left out.
    declared = [(i, [r for r in d.get("rules") or [] if r], [f for f in d.get("fields") or [] if f])
                for i, d in enumerate(ret.data.get("discrepancies") or []) if d]
    used: set[tuple[int, str]] = set()
    problems = []
    for b in breaches:
        match = next((i for i, rules, fields in declared if b.rule in rules
                      and any(related(f, g) for f in fields for g in b.fields)), None)
        if match is not None:
            used.add((match, b.rule))
            ret.covered.append((b.rule, b.path, b.found, ret.data["discrepancies"][match].get("note", "")))
            continue
        problems.append(Problem(b.rule, ret.file, ret.line(b.path), b.path, b.found, b.expected, b.fix))
    for i, rules, _ in declared:
        unused = [r for r in rules if (i, r) not in used]  # each named rule must explain a breach
        # While any value is unreadable (it has its own message) the rules could not all run.
        if unused and not ret.invalid:
            problems.append(Problem("discrepancy_unused", ret.file, ret.line(f"discrepancies[{i}]"),
                                    f"discrepancies[{i}]", f"rules {', '.join(unused)} with no breach to explain",
                                    "a discrepancy that explains a breach"))
    return problems
