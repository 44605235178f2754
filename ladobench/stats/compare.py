"""Comparators (region, England, DfE neighbours, peer groups), rankings, year-on-year change and trend."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ladobench.core.reference import load_reference, regions
from ladobench.stats.intervals import compare_many
from ladobench.stats.metrics import PER
from ladobench.stats.ranking import MIN_AREAS_TO_RANK, group_of_rank
from ladobench.stats.trend import MIN_POINTS, RECENT_POINTS, linear_trend, linear_trend_rates

COMPARABLE = ("rate", "proportion", "share", "published")
COLUMNS = ["authority", "period", "metric", "comparator", "comparator_id", "comparator_name", "comparator_value",
           "areas", "members", "result95", "result998", "rank", "rank_of", "quartile", "note"]


def comparator_groups(groups: list[dict]) -> list[tuple[str, str, str, dict[str, list[str]]]]:
    """(kind, id, name, {authority: members it is compared with}) for every comparator."""
    ref = load_reference()
    slugs = list(ref.index)
    out = [("england", "england", "England", {s: slugs for s in slugs})]
    for code, name in regions().items():
        members = list(ref.index[ref["region_code"] == code])
        out.append(("region", code, name, {s: members for s in members}))
    out.append(("neighbours", "neighbours", "Statistical neighbours", {s: list(ref.loc[s, "neighbour_list"]) for s in slugs}))
    for group in groups:
        members = [m for m in group.get("members") or [] if m in ref.index]
        out.append(("group", group["id"], group["name"], {s: members for s in members}))
    return out


class _Pooled:
    """Numerators and denominators of every comparable value as matrices, to pool over any comparator's members.

    One row per submitted authority, one column per (period, metric) with at least one value. Each
    comparator then takes the rows it needs: the same matrices, and the same matrix products, as
    pooling that comparator alone, made once instead of once per comparator.
    """

    def __init__(self, frame: pd.DataFrame):
        have = frame[frame["status"].eq("") & frame["value"].notna() & frame["kind"].isin(COMPARABLE)]
        self.empty = have.empty
        if self.empty:
            return
        self.have_slugs = set(have["authority"].unique())
        self.universe = sorted(self.have_slugs | set(frame["authority"].unique()))
        self.position = {s: i for i, s in enumerate(self.universe)}
        grouped = have.groupby(["period", "metric"], sort=True)
        self.keys = list(grouped.groups)
        self.key_position = {k: i for i, k in enumerate(self.keys)}
        column = grouped.ngroup().to_numpy()
        rows = have["authority"].map(self.position).to_numpy()
        shape = (len(self.universe), len(self.keys))
        self.num, self.den, self.has, self.hid = (np.zeros(shape) for _ in range(4))
        self.num[rows, column], self.den[rows, column] = have["numerator"].to_numpy(), have["denominator"].to_numpy()
        self.has[rows, column] = 1
        self.hid[rows, column] = have["hidden"].to_numpy() if "hidden" in have else 0
        kind_of = have["kind"].tolist()
        self.scale = np.array([PER if kind_of[grouped.indices[k][0]] == "rate" else 100 for k in self.keys], dtype=float)

    def columns(self, members_of: dict[str, list[str]], authorities: list[str], keys: np.ndarray) -> dict[str, np.ndarray]:
        """comparator_value, areas, members, hidden_members for rows (authority, key index; -1: no area has a value)."""
        slugs = sorted(set(members_of) | self.have_slugs)
        index = {s: i for i, s in enumerate(slugs)}
        member = np.zeros((len(slugs), len(slugs)))
        for slug, members in members_of.items():
            for m in members:
                if m in index:
                    member[index[slug], index[m]] = 1
        take = [self.position[s] for s in slugs]
        # Counts are whole numbers, so the sums are exact whatever order the matrix product adds them in.
        pooled_num, pooled_den = member @ self.num[take], member @ self.den[take]
        areas, hidden = member @ self.has[take], member @ self.hid[take]
        value = np.divide(pooled_num, pooled_den, out=np.full(pooled_num.shape, np.nan), where=pooled_den > 0) * self.scale
        row = np.array([index[a] for a in authorities], dtype=np.int64)
        found = keys >= 0
        col = np.where(found, keys, 0)

        def at(matrix):
            return np.where(found, matrix[row, col], np.nan)

        return {"comparator_value": at(value), "areas": at(areas),
                "members": np.where(found, member.sum(axis=1)[row], np.nan), "hidden_members": at(hidden)}


def comparisons(metrics: pd.DataFrame, groups: list[dict], hidden: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each authority's value against each comparator: higher / similar / lower at 95% and 99.8%.

    metrics hold the true counts; hidden lists the (authority, period, metric) published as [c]. A
    pooled value with exactly one hidden member would reveal it (pooled minus the others), so it
    is withheld.
    """
    submitted = set(metrics["authority"])
    areas = metrics[metrics["kind"].isin(COMPARABLE)]
    if hidden is not None and len(hidden):
        keys = set(zip(hidden["authority"].tolist(), hidden["period"].tolist(), hidden["metric"].tolist()))
        areas = areas.assign(hidden=[k in keys for k in zip(areas["authority"].tolist(), areas["period"].tolist(),
                                                              areas["metric"].tolist())])
    pooled = _Pooled(areas)
    parts = []
    if not pooled.empty:
        own = areas[["authority", "period", "metric", "value", "lower95", "upper95", "lower998", "upper998", "status"]]
        key_of = np.array([pooled.key_position.get(k, -1) for k in zip(own["period"].tolist(), own["metric"].tolist())],
                          dtype=np.int64)
        authority = own["authority"].to_numpy()
        for kind, cid, name, members_of in comparator_groups(groups):
            members_of = {s: m for s, m in members_of.items() if s in submitted}
            if not members_of:
                continue
            compared = np.fromiter((a in members_of for a in authority), dtype=bool, count=len(authority))
            part = own[compared]
            columns = pooled.columns(members_of, part["authority"].tolist(), key_of[compared])
            part = part.reset_index(drop=True).assign(**columns)
            part["comparator"], part["comparator_id"], part["comparator_name"] = kind, cid, name
            parts.append(part)

    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    # With fewer than two areas (one for neighbours, which exclude the area itself) the comparator is the area itself.
    least = np.where(out["comparator"].eq("neighbours"), 1, 2)
    enough = out["areas"].fillna(0).to_numpy() >= least
    out[["areas", "members"]] = out[["areas", "members"]].fillna(0).astype(int)  # no pooled row: no area has a value
    out["note"] = np.where(enough, "", "too few areas have submitted to compare")
    withheld = out["hidden_members"].fillna(0).to_numpy() == 1
    out.loc[withheld, "comparator_value"] = np.nan
    out.loc[withheld, "note"] = "withheld: it would reveal a suppressed figure"
    valid = enough & ~withheld & out["status"].eq("").to_numpy()
    for level in ("95", "998"):
        result = compare_many(out["comparator_value"].to_numpy(), out[f"lower{level}"].to_numpy(), out[f"upper{level}"].to_numpy())
        out[f"result{level}"] = np.where(valid, result, None)
    out[["rank", "rank_of", "quartile"]] = _ranks(metrics, groups, out)
    return out[COLUMNS].sort_values(["authority", "period", "metric", "comparator", "comparator_id"], ignore_index=True)


def _ranks(metrics: pd.DataFrame, groups: list[dict], out: pd.DataFrame) -> pd.DataFrame:
    """Rank (1 = highest value, ties share the lowest rank) and quartile within England and each region, given 5+ areas."""
    ref = load_reference()
    have = metrics[metrics["status"].eq("") & metrics["value"].notna() & metrics["kind"].isin(COMPARABLE)].copy()
    have["region"] = have["authority"].map(ref["region_code"])
    ranked = []
    for key, scope in (("england", None), ("region", "region")):
        keys = ["period", "metric"] + ([scope] if scope else [])
        # Every group at once, as rank_min and quantile_group rank each one (values are never NaN here).
        grouped = have.groupby(keys, sort=False)["value"]
        size = grouped.transform("size").to_numpy()
        enough = size >= MIN_AREAS_TO_RANK
        if not enough.any():
            continue
        part, n = have[enough], size[enough]
        ascending = grouped.rank(ascending=True, method="min").to_numpy()[enough].astype(np.int64)
        ranked.append(pd.DataFrame({"authority": part["authority"], "period": part["period"], "metric": part["metric"],
                                    "comparator": key, "rank": grouped.rank(ascending=False, method="min").to_numpy()[enough],
                                    "rank_of": n, "quartile": group_of_rank(ascending, n, 4)}))
    if not ranked:
        return pd.DataFrame({"rank": np.nan, "rank_of": np.nan, "quartile": np.nan}, index=out.index)
    ranks = pd.concat(ranked, ignore_index=True)
    joined = out[["authority", "period", "metric", "comparator"]].merge(ranks, how="left", on=["authority", "period", "metric", "comparator"])
    return joined[["rank", "rank_of", "quartile"]].set_axis(out.index)


def changes(metrics: pd.DataFrame) -> pd.DataFrame:
    """Year-on-year change and, with MIN_POINTS+ periods, the chi-squared test for linear trend (neutral wording)."""
    have = metrics[metrics["status"].eq("") & metrics["value"].notna()].sort_values("period")
    # Plain arrays, indexed by position within each group: per-row pandas access dominated the build.
    period_of, kind_of = have["period"].tolist(), have["kind"].tolist()
    value, numerator, denominator = (have[c].to_numpy(dtype="float64") for c in ("value", "numerator", "denominator"))
    groups = have.groupby(["authority", "metric"], sort=True).indices
    rows = []
    for slug, metric in sorted(groups):
        where = groups[(slug, metric)]
        periods = [period_of[j] for j in where]
        kind = kind_of[where[0]]
        for i, period in enumerate(periods):
            prev = where[i - 1] if i and int(periods[i - 1][:4]) == int(period[:4]) - 1 else None
            change = None if prev is None else value[where[i]] - value[prev]
            trend = None
            window = where[max(0, i + 1 - RECENT_POINTS): i + 1]
            if len(window) >= MIN_POINTS and kind in COMPARABLE:
                test = (linear_trend_rates if kind == "rate" else linear_trend)(numerator[window], denominator[window])
                trend = test["direction"] if test else None
            rows.append({"authority": slug, "metric": metric, "period": period,
                         "previous_period": period_of[prev] if prev is not None else None,
                         "previous_value": value[prev] if prev is not None else np.nan,
                         "change": change if change is not None else np.nan, "trend": trend})
    return pd.DataFrame(rows, columns=["authority", "metric", "period", "previous_period", "previous_value", "change", "trend"])
