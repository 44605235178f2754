"""The committed reference table of English children's services authorities (see reference/derive.py)."""

import difflib
import re
from functools import cache, lru_cache

import pandas as pd

from ladobench.core.paths import REFERENCE_CSV

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
