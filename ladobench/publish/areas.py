"""The columns of DfE's open data standards for local-authority rows, from reference/authorities.csv.

Every table of the downloads starts with them (time_period, time_identifier, geographic_level,
country, region and LA codes and names), so the files join with DfE, ONS and OHID data on the
ONS code (new_la_code) or the DfE number (old_la_code) without a lookup of our slugs.
"""
from __future__ import annotations

from functools import lru_cache

from ladobench.core.reference import load_reference

TIME_IDENTIFIER = "Financial year"
GEOGRAPHIC_LEVEL = "Local authority"
COUNTRY = ("E92000001", "England")


def time_period(period: str) -> int:
    """A financial year as DfE open data write it: 2023-24 -> 202324."""
    start, end = period.split("-")
    return int(start + end)


def _area(slug: str) -> dict:
    return _areas(id(load_reference()))[slug]  # validation refuses an authority not in the reference table


@lru_cache(maxsize=4)
def _areas(_table: int) -> dict[str, dict]:
    """Every authority's area columns, worked out once per reference table."""
    ref = load_reference()
    return {slug: {"time_identifier": TIME_IDENTIFIER, "geographic_level": GEOGRAPHIC_LEVEL,
                   "country_code": COUNTRY[0], "country_name": COUNTRY[1],
                   "region_code": row["region_code"], "region_name": row["region_name"],
                   "old_la_code": int(row["dfe_number"]), "new_la_code": row["ons_code"], "la_name": row["name"]}
            for slug, row in ref.iterrows()}


def area(slug: str, period: str) -> dict:
    """The area columns of one row."""
    return {"time_period": time_period(period), **_area(slug)}


def area_columns(slugs: list[str], periods: list[str]) -> dict[str, list]:
    """The area columns of a table, column by column, for its rows' authorities and periods."""
    times = {p: time_period(p) for p in set(periods)}
    out = {"time_period": [times[p] for p in periods]}
    areas = {s: _area(s) for s in set(slugs)}
    for name in _area(slugs[0]) if slugs else ():
        out[name] = [areas[s][name] for s in slugs]
    return out
