"""The committed reference table of English children's services authorities (see reference/derive.py)."""

from functools import lru_cache
from pathlib import Path

import pandas as pd

REFERENCE_CSV = Path(__file__).resolve().parent.parent / "reference" / "authorities.csv"

_INTEGER_COLUMNS = ("dfe_number", "population_0_17")


@lru_cache(maxsize=None)
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
