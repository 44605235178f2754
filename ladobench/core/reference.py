"""The committed reference table of English children's services authorities (see reference/derive.py)."""

import difflib
import re
from functools import cache, lru_cache

import pandas as pd

from ladobench.core.paths import POPULATIONS_CSV, REFERENCE_CSV

_INTEGER_COLUMNS = ("dfe_number", "population_0_17")


@cache
def load_reference() -> pd.DataFrame:
    """Authorities indexed by slug, with `neighbour_list` as a tuple of slugs, closest first.

    The frame is shared between callers: copy it before changing it.
    """
    # No field is ever blank, so nothing should become NaN.
    table = pd.read_csv(REFERENCE_CSV, dtype=str, keep_default_na=False)
    table = table.astype({column: "int64" for column in _INTEGER_COLUMNS})
    table["neighbour_list"] = table["neighbours"].map(lambda text: tuple(text.split(";")))
    return table.set_index("slug")


def regions() -> dict[str, str]:
    """Region code to region name for the nine English regions, in code order."""
    return dict(_regions(id(load_reference())))


@lru_cache(maxsize=4)
def _regions(_table: int) -> tuple[tuple[str, str], ...]:
    # Pages ask for this once per table row: work it out once per reference table.
    pairs = load_reference()[["region_code", "region_name"]].drop_duplicates()
    return tuple(sorted(zip(pairs["region_code"], pairs["region_name"])))


def close_slugs(word: str, n: int = 3) -> list[str]:
    """Authorities whose short name or full name looks like what was typed (kent for 'kentt', 'Kent County')."""
    ref = load_reference()
    word = re.sub(r"[^a-z0-9]+", "-", word.strip().lower()).strip("-")
    names = {name.lower(): slug for slug, name in ref["name"].items()}
    found = [s for s in ref.index if word and (s.startswith(word) or word in s or word.startswith(s + "-"))]
    found += difflib.get_close_matches(word, list(ref.index), n, 0.6)
    found += [names[m] for m in difflib.get_close_matches(word, list(names), n, 0.6)]
    return list(dict.fromkeys(found))[:n]


@cache
def load_populations() -> dict[str, dict[int, int]]:
    """Children aged 0-17 by slug and ONS mid-year (reference/populations.csv, from reference/derive.py)."""
    table = pd.read_csv(POPULATIONS_CSV, dtype={"slug": str, "mid_year": "int64", "population_0_17": "int64"})
    out: dict[str, dict[int, int]] = {}
    for slug, year, population in zip(table["slug"], table["mid_year"], table["population_0_17"]):
        out.setdefault(slug, {})[int(year)] = int(population)
    return out


def population_for(slug: str, period: str) -> tuple[int | None, int | None, int]:
    """(children aged 0-17, the mid-year estimate used, the mid-year wanted) for a period.

    The estimate wanted is the one for the middle of the period: mid-2023 for 2023-24 (30 June 2023 falls in the
    financial and the academic year) and for the calendar year 2023. When it is not loaded, the nearest loaded year is
    used (the later of two equally near), and the rate says so.
    """
    wanted = int(period[:4])
    years = load_populations().get(slug, {})
    if not years:
        return None, None, wanted
    used = wanted if wanted in years else min(years, key=lambda y: (abs(y - wanted), -y))
    return years[used], used, wanted


def population_words(used: int | None, wanted: int) -> str:
    """What a rate's denominator is: "children aged 0-17 (ONS mid-2024 estimate; mid-2023 not yet loaded)"."""
    if used is None:
        return "children aged 0-17 (no ONS estimate)"
    return f"children aged 0-17 (ONS mid-{used} estimate" + ("" if used == wanted else f"; mid-{wanted} not yet loaded") + ")"
