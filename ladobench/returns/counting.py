"""Counting facts as data: how a return counts (its own facts over its authority's), and whether its period fits them."""
from __future__ import annotations

import datetime as dt

from ladobench.core import paths
from ladobench.core.model import Authority, Return
from ladobench.core.problems import Problem
from ladobench.core.schema import load_schema

NOT_KNOWN = "not_known"
# The enum of each fact (schema/return.yaml, record counting); text facts (slice, series_break) have none.
FACT_ENUMS = {"contacts_include_referrals": "yes_no_not_known", "mix_base": "mix_base", "outcome_base": "outcome_base",
              "period_basis": "period_basis", "scope": "scope"}


def facts(ret: Return, authority: Authority | None) -> dict[str, str]:
    """Every counting fact of a return: the return's own, else its authority's, else not_known.

    The older boolean funnel.contacts_include_referrals still counts when neither says otherwise.
    A slice's name is part of its scope: two slices compare only when they name the same part.
    """
    own = ret.data.get("counting") or {}
    general = (authority.data.get("counting") if authority else None) or {}
    out = {}
    for fact in FACT_ENUMS:
        value = own.get(fact, general.get(fact))
        if value is None and fact == "contacts_include_referrals":
            legacy = ret.get("funnel.contacts_include_referrals")
            value = {True: "yes", False: "no"}.get(legacy) if isinstance(legacy, bool) else None
        out[fact] = value if isinstance(value, str) else NOT_KNOWN
    if out["scope"] == "slice":
        name = own.get("slice") if "scope" in own else general.get("slice")
        out["scope"] = f"slice: {name}" if name else NOT_KNOWN
    out["series_break"] = own.get("series_break") or ""
    return out


def says(fact: str, value: str) -> str:
    """A fact's value in words: "counts contacts with referrals", "covers only part of the service (nurseries)"."""
    if fact == "scope" and value.startswith("slice: "):
        return f"covers only part of the service ({value[7:]})"
    for item in load_schema().enums.get(FACT_ENUMS.get(fact, ""), ()):
        if isinstance(item, dict) and item["code"] == value:
            return item.get("says", item.get("label", value))
    return value.replace("_", " ")


def period_end(period: str, basis: str) -> dt.date:
    """The last day a period can cover: 31 March (financial), 31 August (academic or not known), 31 December (calendar)."""
    first = paths.period_start(period)
    if paths.is_calendar(period):
        return dt.date(first, 12, 31)
    return dt.date(first + 1, 3, 31) if basis == "financial_year" else dt.date(first + 1, 8, 31)


def period_problem(ret: Return, authority: Authority | None, today: dt.date | None = None) -> Problem | None:
    """A period basis that contradicts the file's name, or a year that has not ended: one problem, or None."""
    basis = facts(ret, authority)["period_basis"]
    path = "counting.period_basis" if "period_basis" in (ret.data.get("counting") or {}) else ""
    line = ret.line(path) if path else None
    where = path or (f"{authority.file} counting.period_basis" if authority and basis != NOT_KNOWN else "")
    calendar = paths.is_calendar(ret.period)
    if basis == "calendar_year" and not calendar:
        return Problem("period_basis_mismatch", ret.file, line, where, f"period_basis calendar_year for the period {ret.period}",
                       "a calendar-year return named by its year, e.g. 2023.yaml",
                       f"Rename the file {ret.period[:4]}.yaml (or the year the figures cover), or correct period_basis.")
    if basis in ("financial_year", "academic_year") and calendar:
        return Problem("period_basis_mismatch", ret.file, line, where, f"period_basis {basis} for the period {ret.period}",
                       f"a {basis.replace('_', ' ')} named YYYY-YY, e.g. {ret.period}-{(int(ret.period) + 1) % 100:02d}.yaml",
                       "Rename the file to the year it covers, or correct period_basis.")
    end = period_end(ret.period, basis)
    if end >= (today or dt.date.today()):
        return Problem("period_not_ended", ret.file, None, "", f"a return for {ret.period}, which runs to {end:%d %B %Y}",
                       "a year that has ended", "Submit the return once the year is over; rename the file if the year is wrong.")
    return None


def crosswalk_problems(authority: Authority) -> list[Problem]:
    """A local label used in two taxonomies maps to the same codes in both, or an entry's note says why not."""
    first: dict[str, tuple[str, int, tuple, str]] = {}
    problems = []
    for dim, entries in (authority.data.get("crosswalk") or {}).items():
        for i, entry in enumerate(entries or []):
            if not isinstance(entry, dict) or not isinstance(entry.get("local"), str):
                continue
            codes = tuple(entry.get("codes") or ([entry["code"]] if entry.get("code") else []))
            path = f"crosswalk.{dim}[{i}]"
            seen = first.setdefault(entry["local"], (dim, i, codes, entry.get("note") or ""))
            if seen[0] == dim or seen[2] == codes or seen[3] or entry.get("note"):
                continue
            problems.append(Problem(
                "crosswalk_label_differs", authority.file, authority.lines.get(path), path,
                f"'{entry['local']}' mapped to {', '.join(codes) or 'nothing'} here and to {', '.join(seen[2]) or 'nothing'} "
                f"in crosswalk.{seen[0]}", "one local label mapped the same way in every taxonomy, or a note saying why not",
                "Map the label to the same code in both, or add a note to one entry saying why they differ."))
    return problems
