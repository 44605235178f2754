"""Neutral ranks and quantile groups checked against their definitions."""

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from ladobench.stats.ranking import MIN_AREAS_TO_RANK, quantile_group, rank_min

nan = float("nan")


def _same(a, b):
    return all((math.isnan(x) and math.isnan(y)) or x == y for x, y in zip(a, b)) and len(
        a
    ) == len(b)


def test_min_areas_constant():
    assert MIN_AREAS_TO_RANK == 5


def test_rank_min_largest_first_with_ties_and_nan():
    out = rank_min([10.0, 30.0, nan, 30.0, 5.0])
    assert _same(list(out), [3.0, 1.0, nan, 1.0, 4.0])


def test_rank_min_accepts_lists_of_ints():
    assert list(rank_min([1, 2, 3])) == [3.0, 2.0, 1.0]


def test_quantile_group_needs_five_values():
    assert np.isnan(quantile_group([1.0, 2.0, 3.0, 4.0])).all()
    assert np.isnan(quantile_group([1.0, 2.0, 3.0, 4.0, nan, nan])).all()
    assert not np.isnan(quantile_group([1.0, 2.0, 3.0, 4.0, 5.0])).any()


def test_quartiles_of_eight_values():
    out = quantile_group([80, 10, 70, 20, 60, 30, 50, 40], groups=4)
    assert list(out) == [4, 1, 4, 1, 3, 2, 3, 2]


def test_quartiles_of_five_values_fill_from_the_top():
    # OHID method: N=5, 4 groups -> ranks 1..5 map to 1, 1, 2, 3, 4.
    assert list(quantile_group([5, 4, 3, 2, 1])) == [4, 3, 2, 1, 1]


def test_quintiles_of_ten_values_with_nan_kept():
    values = [nan] + list(range(10))
    out = quantile_group(values, groups=5)
    assert math.isnan(out[0])
    assert list(out[1:]) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_ties_share_a_quartile():
    out = quantile_group([1, 2, 2, 2, 2, 3, 4, 5])
    assert len(set(out[1:5])) == 1


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
maybe_nan = st.one_of(finite, st.just(nan))
small_ints = st.integers(min_value=0, max_value=5).map(float)


@given(st.lists(st.one_of(small_ints, st.just(nan)), max_size=30))
def test_rank_min_is_one_plus_count_of_larger(values):
    out = rank_min(values)
    for v, r in zip(values, out):
        if math.isnan(v):
            assert math.isnan(r)
        else:
            assert r == 1 + sum(1 for w in values if not math.isnan(w) and w > v)


@given(st.lists(st.one_of(small_ints, finite), min_size=1, max_size=30))
def test_rank_min_ties_share_minimum_rank(values):
    out = rank_min(values)
    for i, v in enumerate(values):
        for j, w in enumerate(values):
            if v == w:
                assert out[i] == out[j]
    present = sorted(set(out))
    assert present[0] == 1.0


@given(st.lists(maybe_nan, max_size=40), st.sampled_from([4, 5]))
def test_quantile_group_properties(values, groups):
    out = quantile_group(values, groups=groups)
    known = [v for v in values if not math.isnan(v)]
    if len(known) < 5:
        assert np.isnan(out).all()
        return
    for v, g in zip(values, out):
        assert math.isnan(v) == math.isnan(g)
    pairs = [(v, g) for v, g in zip(values, out) if not math.isnan(v)]
    assert all(1 <= g <= groups for _, g in pairs)
    # Monotone: a larger value never lands in a lower group; equal values share one.
    for v, g in pairs:
        for w, h in pairs:
            if v < w:
                assert g <= h
            if v == w:
                assert g == h
    # The lowest value is always in group 1; a unique highest value is in the top group
    # (tied values all take the minimum rank, so a tie at the top may sit lower).
    assert min(pairs)[1] == 1
    if known.count(max(known)) == 1:
        assert max(pairs)[1] == groups


def test_comparison_ranks_are_the_per_group_ranks_and_quartiles():
    # compare._ranks ranks every (period, metric, way of counting, region) group at once; each group must get exactly
    # what rank_min and quantile_group give it alone, and groups with under 5 others no rank at all.
    import pandas as pd

    from ladobench.core.reference import load_reference
    from ladobench.stats.compare import _ranks

    ref = load_reference()
    rng = np.random.default_rng(7)
    rows = []
    for period in ("2022-23", "2023-24"):
        for metric in ("a", "b"):
            for slug in ref.index[:40]:
                rows.append({"authority": slug, "period": period, "metric": metric, "status": "", "kind": "rate",
                             "value": float(rng.integers(0, 12)),  # many ties
                             "key": str(rng.choice(["a", "a", "b"]))})  # two ways of counting, never ranked together
    metrics = pd.DataFrame(rows)
    out = pd.concat([metrics.assign(comparator=c) for c in ("england", "region")], ignore_index=True)
    got = pd.concat([out, _ranks(metrics, out)], axis=1)
    metrics["region"] = metrics["authority"].map(ref["region_code"])
    checked = 0
    for comparator, keys in (("england", ["period", "metric", "key"]), ("region", ["period", "metric", "key", "region"])):
        for _, part in metrics.groupby(keys):
            mine = got[got["comparator"].eq(comparator)].set_index(["authority", "period", "metric"]).loc[
                list(zip(part["authority"], part["period"], part["metric"]))]
            if len(part) < MIN_AREAS_TO_RANK + 1:  # the authority and at least 5 others
                assert mine["rank"].isna().all()
                continue
            assert list(mine["rank"]) == list(rank_min(part["value"]))
            assert list(mine["quartile"]) == list(quantile_group(part["value"]))
            assert (mine["rank_of"] == len(part)).all()
            checked += 1
    assert checked >= 6
