"""Hypothesis: random counting facts across many authorities, and the comparison table's invariants.

Whatever the authorities declare (or leave not known), no pool, rank or quartile set mixes values whose facts differ or
are not known; every pool leaves its authority out and names its count; no higher / lower without 5 comparable others.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ladobench.core.reference import load_reference
from ladobench.stats.comparability import COLUMNS as COMPARABLE_COLUMNS
from ladobench.stats.compare import MIN_OTHERS, comparisons

METRICS = {"referrals_rate": "rate", "threshold_conversion": "proportion", "contacts_rate": "rate"}
FACTS = {"contacts_include_referrals": ["yes", "no", "not_known"], "period_basis": ["financial_year", "not_known"],
         "scope": ["whole_service", "slice: nurseries", "not_known"]}
NEEDS = {"referrals_rate": ("period_basis", "scope"), "threshold_conversion": ("period_basis", "scope"),
         "contacts_rate": ("period_basis", "scope", "contacts_include_referrals")}


@st.composite
def cases(draw):
    ref = load_reference()
    # Mostly South East and South West authorities, so regions and neighbours have several members with values.
    pool = sorted(ref.index[ref["region_code"].isin(["E12000008", "E12000009"])])
    slugs = draw(st.lists(st.sampled_from(pool), min_size=2, max_size=20, unique=True))
    periods = draw(st.lists(st.sampled_from(["2022-23", "2023-24"]), min_size=1, max_size=2, unique=True))
    # Few ways of counting, so that sets of 6+ counting the same way (ranks, statements) do occur.
    style = st.sampled_from([dict(zip(FACTS, combo)) for combo in
                             [("no", "financial_year", "whole_service")] * 4 + [("yes", "financial_year", "whole_service"),
                              ("not_known", "financial_year", "whole_service"), ("no", "not_known", "whole_service"),
                              ("no", "financial_year", "slice: nurseries")]])
    rows, keys = [], []
    for slug in slugs:
        facts = draw(style)
        for period in periods:
            for metric, kind in METRICS.items():
                den = float(ref.loc[slug, "population_0_17"]) if kind == "rate" else float(draw(st.integers(1, 2000)))
                num = float(draw(st.integers(0, int(den) if kind == "proportion" else 3000)))
                status = draw(st.sampled_from(["", "", "", "", "[x]"]))
                value = np.nan if status else num / den * (10_000 if kind == "rate" else 100)
                rows.append({"authority": slug, "authority_name": ref.loc[slug, "name"], "period": period, "metric": metric,
                             "kind": kind, "numerator": np.nan if status else num, "denominator": den, "value": value,
                             "lower95": value * 0.9, "upper95": value * 1.1, "lower998": value * 0.85,
                             "upper998": value * 1.15, "status": status})
                unknown = [f for f in NEEDS[metric] if facts[f] == "not_known"]
                key = "|".join(f"{f}={facts[f]}" for f in NEEDS[metric])
                keys.append({"authority": slug, "period": period, "metric": metric, "comparable": not unknown and not status,
                             "key": key, "reason": "not comparable: not known" if unknown else "", "series": 0})
    groups = [{"id": "peers", "name": "Peers", "members": slugs[: max(2, len(slugs) // 2)]}]
    metrics = pd.DataFrame(rows)
    return metrics, pd.DataFrame(keys, columns=COMPARABLE_COLUMNS, index=metrics.index), groups


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cases())
def test_comparison_table_invariants(case):
    metrics, comparable, groups = case
    out = comparisons(metrics, groups, None, comparable)
    info = {(a, p, m): (c, k) for a, p, m, c, k in zip(comparable["authority"], comparable["period"], comparable["metric"],
                                                        comparable["comparable"], comparable["key"])}
    values = {(a, p, m): (n, d) for a, p, m, n, d in zip(metrics["authority"], metrics["period"], metrics["metric"],
                                                        metrics["numerator"], metrics["denominator"])}
    for row in out.itertuples():
        own_ok, own_key = info[(row.authority, row.period, row.metric)]
        members = row.members.split(";") if isinstance(row.members, str) and row.members else []
        # Every comparator names its count, and the count is the members pooled.
        assert len(members) == row.n_members
        assert f"{row.n_members} of {row.others_total}" in row.comparator_name or "(all" in row.comparator_name \
            or not row.comparable
        # Never itself; never a value that is not comparable or counts differently.
        assert row.authority not in members
        if not own_ok:
            assert row.n_members == 0 and pd.isna(row.comparator_value) and pd.isna(row.result95) and pd.isna(row.rank)
        for m in members:
            assert info[(m, row.period, row.metric)] == (True, own_key)
        # The pooled value is exactly the members' counts.
        if members and not pd.isna(row.comparator_value):
            num = sum(values[(m, row.period, row.metric)][0] for m in members)
            den = sum(values[(m, row.period, row.metric)][1] for m in members)
            scale = 10_000 if METRICS[row.metric] == "rate" else 100
            assert np.isclose(row.comparator_value, num / den * scale)
        # No higher / lower, rank or quartile with fewer than 5 comparable others.
        if row.n_members < MIN_OTHERS:
            assert pd.isna(row.result95) and pd.isna(row.result998)
    ranked = out[out["rank"].notna()]
    for (period, metric, _comparator, _cid), part in ranked.groupby(["period", "metric", "comparator", "comparator_id"]):
        keys = {info[(a, period, metric)] for a in part["authority"]}
        assert all(k[0] for k in keys)
        for key in keys:
            same = part[[info[(a, period, metric)] == key for a in part["authority"]]]
            assert (same["rank_of"] == len(same)).all() and len(same) >= MIN_OTHERS + 1
            assert same["quartile"].between(1, 4).all()
