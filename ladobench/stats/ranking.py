"""Neutral ranking and quantile grouping of areas, following OHID/Fingertips conventions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ladobench.core.schema import load_schema

# Below this many areas with a value, ranks and quantiles say more about chance than position
# (schema/methodology.yaml).
MIN_AREAS_TO_RANK = load_schema().methodology.min_areas_to_rank


def _as_series(values) -> pd.Series:
    return pd.Series(np.asarray(values, dtype="float64").ravel())


def rank_min(values) -> np.ndarray:
    """Rank 1 = largest value; tied values share the minimum rank; NaN stays NaN.

    Rank 1 means "highest value", not "best": LADO measures have no polarity.
    """
    s = _as_series(values)
    return s.rank(ascending=False, method="min", na_option="keep").to_numpy()


def quantile_group(values, groups=4) -> np.ndarray:
    """Assign each value to one of `groups` quantile groups, 1 = lowest values.

    Method: the OHID technical guide "Assigning deprivation categories" (as in
    OHID's PHStatsMethods.ph_quantile). Values are ranked ascending with ties
    given the minimum rank, then with N non-missing values
        group = (groups + 1) - ceil(((N + 1) - rank) * groups / N).
    Groups are filled from the top down and tied values share one group.
    Integer arithmetic keeps ceil() exact on boundaries, so the guide's
    occasional "group 0" from floating-point rounding cannot arise.

    All NaN unless there are at least max(MIN_AREAS_TO_RANK, groups) non-NaN
    values; NaN inputs stay NaN.
    """
    if groups < 1:
        raise ValueError("groups must be at least 1")
    s = _as_series(values)
    n = int(s.notna().sum())
    out = np.full(len(s), np.nan)
    if n < max(MIN_AREAS_TO_RANK, groups):
        return out
    known = s.notna().to_numpy()
    rank = s.rank(ascending=True, method="min").to_numpy()[known].astype(np.int64)
    out[known] = group_of_rank(rank, n, groups)
    return out


def group_of_rank(rank, n, groups=4) -> np.ndarray:
    """The quantile group of ascending min-ranks among n values (arrays or scalars; see quantile_group).

    group = (groups + 1) - ceil(((n + 1) - rank) * groups / n), in integers. For many groups at once,
    pass each value's own n.
    """
    rank, n = np.asarray(rank, dtype=np.int64), np.asarray(n, dtype=np.int64)
    return (groups + 1 - -(-((n + 1 - rank) * groups) // n)).astype(float)
