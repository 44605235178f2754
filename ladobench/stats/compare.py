"""Comparators (region, England, DfE neighbours, peer groups), ranks and quartiles, year-on-year change and trend.

An authority is compared with the OTHERS in a comparator (leave-one-out) whose values count the same
way (stats/comparability.py); a pool is named by how many it holds; a higher / lower statement, a rank
or a quartile needs at least MIN_OTHERS comparable others.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ladobench.core.reference import load_reference, regions
from ladobench.stats.comparability import key_words
from ladobench.stats.intervals import compare_many
from ladobench.stats.metrics import PER
from ladobench.stats.ranking import MIN_AREAS_TO_RANK, group_of_rank
from ladobench.stats.trend import MIN_POINTS, RECENT_POINTS, linear_trend, linear_trend_rates

COMPARABLE = ("rate", "proportion", "share", "published")
MIN_OTHERS = MIN_AREAS_TO_RANK  # comparable others needed for a significance statement, a rank or a quartile
COLUMNS = ["authority", "period", "metric", "comparator", "comparator_id", "comparator_name", "comparator_value",
           "comparable", "reason", "n_members", "members", "others_total", "areas", "result95", "result998", "rank", "rank_of",
           "quartile", "note"]
SHORT = {"england": "England", "neighbours": "Statistical neighbours"}


def comparator_groups(groups: list[dict]) -> list[tuple[str, str, str, dict[str, list[str]]]]:
    """(kind, id, name, {authority: the members it is compared with, itself left out}) for every comparator."""
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


@lru_cache(maxsize=8192)
def _pool_name(kind: str, name: str, n: int, total: int) -> str:
    """A pool named by what it holds: "England (all 152 other authorities)" only when it is all of them."""
    if kind == "england":
        return f"England (all {total} other authorities)" if n == total else f"{n} of {total} other authorities in England"
    if kind == "neighbours":
        return f"statistical neighbours ({n} of {total})"
    return f"{name} ({n} of {total} other{'s' if total != 1 else ''})"


MEMBERS_LISTED = 30  # pools of up to this many others list their members' slugs; larger ones give the count only


def _pool(own: pd.DataFrame, values: pd.DataFrame, with_value: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """For each own row, the sums over its own list of others (pairs: authority, member) with the same key."""
    joined = own[["authority", "period", "metric", "key"]].merge(pairs, on="authority").merge(
        values.drop(columns="value").rename(columns={"authority": "member"}), on=["member", "period", "metric", "key"])
    cols = ["authority", "period", "metric"]
    if joined.empty:
        pooled = pd.DataFrame(columns=cols + ["num", "den", "n_members", "hid", "members"])
    else:
        pooled = joined.sort_values("member").groupby(cols, as_index=False, sort=False).agg(
            num=("numerator", "sum"), den=("denominator", "sum"), n_members=("member", "size"), hid=("hidden", "sum"),
            members=("member", ";".join))
    counted = with_value.merge(pairs, on="authority").merge(with_value.rename(columns={"authority": "member"}),
                                                             on=["member", "period", "metric"])
    others = counted.groupby(cols).size().rename("others").reset_index()
    return pooled.merge(others, how="outer", on=cols)


def _pool_set(own: pd.DataFrame, values: pd.DataFrame, with_value: pd.DataFrame, set_of: pd.Series) -> pd.DataFrame:
    """For each own row, the sums over the other members of its set with the same key: the set's sums less its own."""
    cols, by = ["authority", "period", "metric"], ["set", "period", "metric", "key"]
    vals = values.assign(set=values["authority"].map(set_of)).dropna(subset=["set"])
    sums = vals.groupby(by, as_index=False).agg(num=("numerator", "sum"), den=("denominator", "sum"),
                                                n_members=("authority", "size"), hid=("hidden", "sum"))
    small = sums[sums["n_members"] <= MEMBERS_LISTED + 1][by]
    lists = vals.merge(small, on=by).sort_values("authority").groupby(by)["authority"].agg(list).rename("listed")
    sums = sums.merge(lists.reset_index(), how="left", on=by)
    base = own[cols + ["key", "numerator", "denominator", "hidden", "comparable"]].assign(set=own["authority"].map(set_of))
    part = base.merge(sums, how="left", on=by)
    mine = part["comparable"].to_numpy() & part["n_members"].notna().to_numpy()
    # Take the authority's own counts out of the pool it belongs to.
    for column, own_column in (("num", "numerator"), ("den", "denominator"), ("hid", "hidden")):
        part[column] = part[column] - np.where(mine, part[own_column].astype(float), 0)
    part["n_members"] = part["n_members"] - mine.astype(int)
    part["members"] = [";".join(m for m in listed if m != a) if isinstance(listed, list) else ""
                       for a, listed in zip(part["authority"], part["listed"])]
    counts = with_value.assign(set=with_value["authority"].map(set_of)).groupby(["set", "period", "metric"]).size()
    part["others"] = part.set_index(["set", "period", "metric"]).index.map(counts).to_numpy(dtype=float)
    part["others"] = part["others"] - own["status"].eq("").to_numpy() * own["value"].notna().to_numpy()
    return part[cols + ["num", "den", "n_members", "hid", "members", "others"]]


def comparisons(metrics: pd.DataFrame, groups: list[dict], hidden: pd.DataFrame | None = None,
                comparable: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each authority's value against each comparator's other members that count the same way.

    metrics hold the true counts; hidden lists the (authority, period, metric) published as [c] (a pool
    with exactly one hidden member would reveal it, so it is withheld); comparable is
    comparability(dataset, metrics) (without it, every value is taken as comparable with every other).
    """
    areas = metrics[metrics["kind"].isin(COMPARABLE)].copy()
    if comparable is None:
        areas = areas.assign(comparable=True, key="", reason="")
    else:
        areas = areas.join(comparable.loc[areas.index, ["comparable", "key", "reason"]])
    keys = set()
    if hidden is not None and len(hidden):
        keys = set(zip(hidden["authority"], hidden["period"], hidden["metric"]))
    areas["hidden"] = [k in keys for k in zip(areas["authority"], areas["period"], areas["metric"])]
    has_value = areas["status"].eq("") & areas["value"].notna()
    areas["comparable"] = areas["comparable"] & has_value
    values = areas.loc[areas["comparable"], ["authority", "period", "metric", "key", "numerator", "denominator", "hidden", "value"]]
    with_value = areas.loc[has_value, ["authority", "period", "metric"]]
    submitted = set(metrics["authority"])
    parts = []
    for kind, cid, name, members_of in comparator_groups(groups):
        members_of = {s: ms for s, ms in members_of.items() if s in submitted}
        if not members_of:
            continue
        total = pd.Series({s: len([m for m in ms if m != s]) for s, ms in members_of.items()})
        own = areas[areas["authority"].isin(members_of)]
        if kind == "neighbours":  # each authority its own list, itself never in it
            pairs = pd.DataFrame([(s, m) for s, ms in members_of.items() for m in ms if m != s], columns=["authority", "member"])
            pooled = _pool(own, values, with_value, pairs)
        else:  # one set of members shared by all of them: pool the set once, then take each authority out
            set_of = {}
            for s, ms in members_of.items():
                set_of[s] = set_of.get(s, "|".join(sorted(ms)))
            pooled = _pool_set(own, values, with_value, pd.Series(set_of, name="set"))
        part = own.merge(pooled, how="left", on=["authority", "period", "metric"])
        part["total"] = part["authority"].map(total).to_numpy()
        part["comparator"], part["comparator_id"], part["base_name"] = kind, cid, name
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out["n_members"] = out["n_members"].fillna(0).astype(int)
    out["others"] = out["others"].fillna(0).astype(int)
    out["members"] = out["members"].fillna("")
    out.loc[~out["comparable"], ["n_members", "members"]] = (0, "")
    scale = np.where(out["kind"].eq("rate"), PER, 100.0)
    den = out["den"].to_numpy(dtype=float)
    value = np.divide(out["num"].to_numpy(dtype=float), den, out=np.full(len(out), np.nan), where=den > 0) * scale
    value[~out["comparable"].to_numpy() | (out["n_members"].to_numpy() == 0)] = np.nan
    withheld = out["hid"].fillna(0).to_numpy() == 1
    value[withheld] = np.nan
    out["comparator_value"] = value
    n, total = out["n_members"].to_numpy(), out["total"].to_numpy()
    out["others_total"] = out["total"].astype(int)
    out["comparator_name"] = [_pool_name(k, b, i, t) if c else f"{SHORT.get(k, b)}: not compared"
                              for k, b, i, t, c in zip(out["comparator"].tolist(), out["base_name"].tolist(), n.tolist(),
                                                       total.tolist(), out["comparable"].tolist())]
    out["areas"] = out["others"] + (out["status"].eq("") & out["value"].notna()).astype(int)
    out["reason"] = [_reason(c, r, o, i, k) for c, r, o, i, k in
                     zip(out["comparable"].tolist(), out["reason"].fillna("").tolist(), out["others"].tolist(), n.tolist(),
                         out["key"].tolist())]
    note = np.where(n >= MIN_OTHERS, "", np.where(n == 0, "no comparable other authority",
                                                  f"fewer than {MIN_OTHERS} comparable others: no higher or lower"))
    note = np.where(out["comparable"], note, "")
    note = np.where(withheld, "withheld: it would reveal a suppressed figure", note)
    out["note"] = note
    valid = out["comparable"].to_numpy() & (n >= MIN_OTHERS) & ~withheld
    for level in ("95", "998"):
        result = compare_many(out["comparator_value"].to_numpy(), out[f"lower{level}"].to_numpy(), out[f"upper{level}"].to_numpy())
        out[f"result{level}"] = np.where(valid, result, None)
    out[["rank", "rank_of", "quartile"]] = _ranks(values, out)
    return out[COLUMNS].sort_values(["authority", "period", "metric", "comparator", "comparator_id"], ignore_index=True)


@lru_cache(maxsize=65536)
def _reason(comparable: bool, reason: str, others: int, n: int, key: str) -> str:
    if not comparable:
        return reason
    if others > n:
        differ = others - n
        return (f"{differ} other{'s' if differ != 1 else ''} with a value count{'s' if differ == 1 else ''} differently or "
                f"do{'es' if differ == 1 else ''} not say how: not pooled (this value {key_words(key)})")
    return ""


def _ranks(values: pd.DataFrame, out: pd.DataFrame) -> pd.DataFrame:
    """Rank (1 = highest value, ties share the lowest rank) and quartile among the comparable values with the same key,
    within England and each region, given MIN_OTHERS comparable others."""
    ref = load_reference()
    have = values.merge(out.loc[out["comparator"].eq("england"), ["authority", "period", "metric"]].drop_duplicates(),
                        on=["authority", "period", "metric"])
    have = have.assign(region=have["authority"].map(ref["region_code"]))
    ranked = []
    for comparator, scope in (("england", None), ("region", "region")):
        keys = ["period", "metric", "key"] + ([scope] if scope else [])
        grouped = have.groupby(keys, sort=False)["value"]
        size = grouped.transform("size").to_numpy()
        enough = size >= MIN_OTHERS + 1
        if not enough.any():
            continue
        part, n = have[enough], size[enough]
        ascending = grouped.rank(ascending=True, method="min").to_numpy()[enough].astype(np.int64)
        ranked.append(pd.DataFrame({"authority": part["authority"], "period": part["period"], "metric": part["metric"],
                                    "comparator": comparator,
                                    "rank": grouped.rank(ascending=False, method="min").to_numpy()[enough],
                                    "rank_of": n, "quartile": group_of_rank(ascending, n, 4)}))
    if not ranked:
        return pd.DataFrame({"rank": np.nan, "rank_of": np.nan, "quartile": np.nan}, index=out.index)
    ranks = pd.concat(ranked, ignore_index=True)
    joined = out[["authority", "period", "metric", "comparator"]].merge(ranks, how="left", on=["authority", "period", "metric", "comparator"])
    return joined[["rank", "rank_of", "quartile"]].set_axis(out.index)


def changes(metrics: pd.DataFrame, comparable: pd.DataFrame | None = None) -> pd.DataFrame:
    """Year-on-year change and, with MIN_POINTS+ periods, the chi-squared test for linear trend (neutral wording).

    A series joins only consecutive values of one authority that count the same way (same key) with no
    declared break in series between them.
    """
    frame = metrics
    if comparable is not None:
        frame = metrics.assign(_series=(comparable.loc[metrics.index, "key"] + "#"
                                        + comparable.loc[metrics.index, "series"].astype(str)).to_numpy())
    else:
        frame = metrics.assign(_series="")
    have = frame[frame["status"].eq("") & frame["value"].notna()].sort_values("period")
    period_of, kind_of, series_of = have["period"].tolist(), have["kind"].tolist(), have["_series"].tolist()
    value, numerator, denominator = (have[c].to_numpy(dtype="float64") for c in ("value", "numerator", "denominator"))
    groups = have.groupby(["authority", "metric"], sort=True).indices
    rows = []
    for slug, metric in sorted(groups):
        where = groups[(slug, metric)]
        periods = [period_of[j] for j in where]
        kind = kind_of[where[0]]
        for i, period in enumerate(periods):
            prev = None
            if i and int(periods[i - 1][:4]) == int(period[:4]) - 1 and series_of[where[i - 1]] == series_of[where[i]] \
                    and len(periods[i - 1]) == len(period):
                prev = where[i - 1]
            change = None if prev is None else value[where[i]] - value[prev]
            trend = None
            run = [where[i]]
            for j in range(i - 1, max(-1, i - RECENT_POINTS), -1):
                if series_of[where[j]] != series_of[where[i]] or len(periods[j]) != len(period):
                    break
                run.insert(0, where[j])
            if len(run) >= MIN_POINTS and kind in COMPARABLE:
                test = (linear_trend_rates if kind == "rate" else linear_trend)(numerator[run], denominator[run])
                trend = test["direction"] if test else None
            rows.append({"authority": slug, "metric": metric, "period": period,
                         "previous_period": period_of[prev] if prev is not None else None,
                         "previous_value": value[prev] if prev is not None else np.nan,
                         "change": change if change is not None else np.nan, "trend": trend})
    return pd.DataFrame(rows, columns=["authority", "metric", "period", "previous_period", "previous_value", "change", "trend"])
