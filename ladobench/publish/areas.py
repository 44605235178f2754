"""The columns of DfE's open data standards for local-authority rows, from reference/authorities.csv.

Every table of the downloads starts with them (time_period, time_identifier, geographic_level,
country, region and LA codes and names), so the files join with DfE, ONS and OHID data on the
ONS code (new_la_code) or the DfE number (old_la_code) without a lookup of our slugs.
"""
from __future__ import annotations

from functools import lru_cache

from ladobench.core.reference import load_reference

# DfE's time identifiers for annual periods, by the return's declared period basis (counting.period_basis).
TIME_IDENTIFIERS = {"financial_year": "Financial year", "academic_year": "Academic year", "calendar_year": "Calendar year"}
UNKNOWN_BASIS = "Reporting year"  # DfE's identifier for a year of no stated kind: the return does not say which
GEOGRAPHIC_LEVEL = "Local authority"
COUNTRY = ("E92000001", "England")


def time_period(period: str) -> int:
    """A period as DfE open data write it: 2023-24 -> 202324, a calendar year 2023 -> 2023."""
    return int(period.replace("-", ""))


def time_identifier(period: str, basis: str | None) -> str:
    if "-" not in period:
        return TIME_IDENTIFIERS["calendar_year"]
    return TIME_IDENTIFIERS.get(basis or "", UNKNOWN_BASIS)


def _area(slug: str) -> dict:
    return _areas(id(load_reference()))[slug]  # validation refuses an authority not in the reference table


@lru_cache(maxsize=4)
def _areas(_table: int) -> dict[str, dict]:
    """Every authority's area columns, worked out once per reference table."""
    ref = load_reference()
    return {slug: {"geographic_level": GEOGRAPHIC_LEVEL,
                   "country_code": COUNTRY[0], "country_name": COUNTRY[1],
                   "region_code": row["region_code"], "region_name": row["region_name"],
                   "old_la_code": int(row["dfe_number"]), "new_la_code": row["ons_code"], "la_name": row["name"]}
            for slug, row in ref.iterrows()}


def area(slug: str, period: str, basis: str | None) -> dict:
    """The area columns of one row; basis: its return's period basis (counting.period_basis)."""
    return {"time_period": time_period(period), "time_identifier": time_identifier(period, basis), **_area(slug)}


def area_columns(slugs: list[str], periods: list[str], bases: dict[tuple[str, str], str]) -> dict[str, list]:
    """The area columns of a table, column by column, for its rows' authorities and periods.
    bases: each (authority, period)'s period basis (counting.period_basis)."""
    times = {p: time_period(p) for p in set(periods)}
    kinds = {key: time_identifier(key[1], bases.get(key)) for key in set(zip(slugs, periods))}
    out = {"time_period": [times[p] for p in periods], "time_identifier": [kinds[key] for key in zip(slugs, periods)]}
    areas = {s: _area(s) for s in set(slugs)}
    for name in _area(slugs[0]) if slugs else ():
        out[name] = [areas[s][name] for s in slugs]
    return out
