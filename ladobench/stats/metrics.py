"""Compute every catalogue metric for every validated return as one tidy table, with intervals."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ladobench.core.model import Authority, Return
from ladobench.core.reference import population_for, population_words
from ladobench.core.schema import NUMERIC_TYPES, Metric, load_schema
from ladobench.returns.crosswalk import code_count, rounding_range
from ladobench.returns.rules import related
from ladobench.stats.intervals import LEVELS, poisson_rate, wilson

PER = 10_000
# A count rebuilt from a rounded percentage: low reliability, and its interval spans the rounding (methodology).
REBUILT = "count rebuilt from a rounded published percentage: low reliability [u], its interval widened for the rounding"
COLUMNS = ["authority", "authority_name", "period", "metric", "family", "title", "kind", "unit", "numerator",
           "denominator", "denominator_label", "value", "lower95", "upper95", "lower998", "upper998", "status",
           "reliability", "note"]
STAGE_WORDS = {"initial_contacts": "contacts", "referrals": "referrals", "met_threshold": "allegations",
               "concluded": "concluded allegations", "linked_children": "children linked to referrals",
               "below_threshold": "below-threshold referrals", "ongoing_at_year_end": "ongoing allegations"}

# The published table's own contract: what any consumer of metrics.csv may rely on.
METRICS_TABLE = pa.DataFrameSchema({
    "authority": pa.Column(str), "period": pa.Column(str, pa.Check.str_matches(r"^\d{4}(-\d{2})?$")),
    "metric": pa.Column(str), "value": pa.Column(float, pa.Check.ge(0), nullable=True),
    "lower95": pa.Column(float, nullable=True), "upper95": pa.Column(float, nullable=True),
    "status": pa.Column(str, pa.Check.isin(["", "[x]", "[z]", "[c]"])),
}, checks=[
    pa.Check(lambda d: d.lower95.isna() | ((d.lower95 <= d.value + 1e-9) & (d.value <= d.upper95 + 1e-9)), name="interval_contains_value"),
    pa.Check(lambda d: d.lower998.isna() | ((d.lower998 <= d.lower95 + 1e-9) & (d.upper95 <= d.upper998 + 1e-9)), name="wider_at_99_8"),
    pa.Check(lambda d: (d.status == "") | d.value.isna(), name="symbol_means_no_value"),
])


@dataclass
class Operand:
    count: float | None
    symbol: str = ""
    reason: str = ""
    implied: bool = False
    base: str = ""
    base_value: float | None = None
    paths: tuple[str, ...] = ()
    range: tuple[float, float] | None = None


def _field(ret: Return, path: str) -> Operand:
    value = ret.get(path)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Operand(float(value), paths=(path,))
    schema = load_schema()
    record, key = path.split(".")
    label = schema.records[record].get(key).display
    meaning = schema.symbols[value].meaning if isinstance(value, str) and value in schema.symbols else "not given"
    return Operand(None, value if isinstance(value, str) else "[x]", f"{label} is {meaning}", paths=(path,))


def _operand(ret: Return, authority: Authority | None, spec: str, bases=()) -> Operand:
    if ":" not in spec:
        return _field(ret, spec)
    dimension, code = spec.split(":")
    found = code_count(ret, authority, dimension, (code,), bases)
    path = f"breakdowns.{dimension}[{found.table}]" if found.table is not None else f"breakdowns.{dimension}"
    return Operand(found.count, "" if found.count is not None else found.symbol, found.reason, found.implied,
                   found.base, found.base_value, (path,), found.range)


def _completeness(ret: Return) -> tuple[float, float]:
    schema, given, total = load_schema(), 0, 0
    for record in ("funnel", "timeliness", "staffing", "children"):
        for field in schema.records[record].fields:
            if field.type in NUMERIC_TYPES:
                total += 1
                given += isinstance(ret.get(f"{record}.{field.key}"), (int, float))
    return given, total


def _row(metric: Metric, ret: Return, authority: Authority | None, population: float | None, population_label: str = "") -> dict:
    num = den = None
    label, notes, status, paths, rebuilt = "", [], "", (), None
    kind = metric.kind
    if kind == "completeness":
        num, den = _completeness(ret)
        label = "numeric fields in the return"
    elif kind == "share":
        found = code_count(ret, authority, metric.dimension, metric.codes, metric.bases)
        paths = (f"breakdowns.{metric.dimension}[{found.table}]",) if found.table is not None else ()
        if metric.denominator == "table_base":
            den, label = found.base_value, STAGE_WORDS.get(found.base, found.base)
            if found.count is not None and den is None:
                notes.append(f"the table's base ({found.base}) is not given")
        else:
            d = _field(ret, metric.denominator)
            den, label, paths = d.count, STAGE_WORDS.get(metric.denominator.split(".")[1], ""), paths + d.paths
        num = found.count
        if found.count is None:
            status, notes = found.symbol or "[x]", [found.reason]
        elif found.implied:
            notes.append(REBUILT)
            rebuilt = found.range
    else:
        n = _operand(ret, authority, metric.numerator)
        num, paths = n.count, n.paths
        if n.implied:
            notes.append(REBUILT)
            rebuilt = n.range
        if kind == "rate":
            den, label = population, population_label or "children aged 0-17"
        elif kind == "published":
            field = load_schema().records["timeliness"].get(metric.numerator.split(".")[1])
            base = _field(ret, f"funnel.{field.base}")
            label, den = STAGE_WORDS.get(field.base, field.base), base.count
            if n.count is not None:
                num = round(n.count / 100 * base.count) if base.count is not None else None
                if base.count is not None:  # the count behind a printed percentage: only as exact as its rounding
                    rebuilt = tuple(p / 100 * base.count for p in rounding_range(n.count))
                    notes.append(REBUILT)
                if base.count is None:
                    notes.append(f"no interval: the base ({field.base}) is not given")
            published = n.count
        elif kind in ("proportion", "ratio"):
            d = _operand(ret, authority, metric.denominator)
            den, paths = d.count, paths + d.paths
            label = STAGE_WORDS.get(metric.denominator.split(".")[-1], metric.denominator)
            if n.count is not None and d.count is None:
                status, notes = d.symbol or "[x]", [d.reason]
        if n.count is None:
            status, notes = n.symbol or "[x]", [n.reason]
    value = np.nan
    if not status:
        if kind == "value":
            value = num
        elif kind == "published":
            value = published
        elif num is None or not den:
            status = "[x]"
            notes = notes or ["the denominator is not given" if num is not None else "not given"]
        elif kind == "rate":
            value = num / den * PER
        elif kind == "ratio":
            value = num / den
        elif num > den:
            status, notes = "[x]", [f"the count ({num:,.0f}) exceeds its base ({den:,.0f})"]
        else:
            value = num / den * 100
    if measured_as(ret, metric):
        notes.insert(0, f"source's own definition, not compared: {measured_as(ret, metric)}")
    for disc in ret.data.get("discrepancies") or []:
        if metric.id in (disc.get("metrics") or []):  # the value depends on it: say what and which figure is used
            said = ". ".join(" ".join(str(disc.get(k) or "").split()).rstrip(".") for k in ("found", "note") if disc.get(k))
            notes.append(f"declared discrepancy: {said}.")
        elif any(related(f, p) for f in disc.get("fields") or [] for p in paths):
            notes.append(f"declared discrepancy: {disc.get('found') or disc.get('note', '')}".rstrip())
    return {"numerator": num if num is not None else np.nan, "denominator": den if den is not None else np.nan,
            "denominator_label": label, "value": value, "status": status, "note": "; ".join(dict.fromkeys(notes)),
            "count_low": rebuilt[0] if rebuilt else np.nan, "count_high": rebuilt[1] if rebuilt else np.nan}


def measured_as(ret: Return, metric: Metric) -> str:
    """What a metric's figure measures when its source measures something other than the common definition, or ""."""
    own = ret.data.get("measured_as") or {}
    paths = [p for p in (metric.numerator, metric.denominator) if p and ":" not in p]
    return "; ".join(" ".join(str(own[p]).split()) for p in paths if own.get(p))


def return_rows(ret: Return, authority: Authority | None) -> list[dict]:
    """One return's rows of the metrics table, before intervals."""
    count, used, wanted = population_for(ret.slug, ret.period)
    population = float(count) if count is not None else None
    label = population_words(used, wanted)
    name = authority.name if authority else ret.slug
    return [{"authority": ret.slug, "authority_name": name, "period": ret.period, "metric": metric.id,
             "family": metric.family or metric.id, "title": metric.title, "kind": metric.kind,
             "unit": metric.unit, **_row(metric, ret, authority, population, label)} for metric in load_schema().metrics]


def table(rows: list[dict]) -> pd.DataFrame:
    """The tidy metrics table from the returns' rows, in their order, with intervals."""
    frame = pd.DataFrame(rows, columns=[c for c in COLUMNS if c not in ("lower95", "upper95", "lower998", "upper998", "reliability")]
                         + ["count_low", "count_high"])
    return add_intervals(frame)


def compute(returns: list[Return], authorities: dict[str, Authority]) -> pd.DataFrame:
    """The tidy metrics table: one row per authority, period and metric."""
    return table([row for ret in returns for row in return_rows(ret, authorities.get(ret.slug))])


def add_intervals(frame: pd.DataFrame) -> pd.DataFrame:
    """Wilson for shares, Byar's / exact Poisson for rates; nothing for ratios and plain values."""
    frame = frame.copy()
    ok = frame["status"].eq("") & frame["numerator"].notna() & frame["denominator"].gt(0)
    share = ok & frame["kind"].isin(["proportion", "share", "published"]) & (frame["numerator"] <= frame["denominator"])
    rate = ok & frame["kind"].eq("rate")
    for level, z in LEVELS.items():
        suffix = level.replace(".", "")
        lo, hi = np.full(len(frame), np.nan), np.full(len(frame), np.nan)
        if share.any():
            # A count rebuilt from a rounded percentage could be anything its rounding allows (26% of 1,458:
            # 25.5% to 26.5% of it): the union of the Wilson intervals at both ends of that range.
            num, den = frame.loc[share, "numerator"].to_numpy(dtype=float), frame.loc[share, "denominator"].to_numpy(dtype=float)
            low = frame.loc[share, "count_low"].to_numpy(dtype=float) if "count_low" in frame else np.full(len(num), np.nan)
            high = frame.loc[share, "count_high"].to_numpy(dtype=float) if "count_high" in frame else np.full(len(num), np.nan)
            a, _ = wilson(np.clip(np.where(np.isnan(low), num, low), 0, den), den, z)
            _, b = wilson(np.clip(np.where(np.isnan(high), num, high), 0, den), den, z)
            lo[share.to_numpy()], hi[share.to_numpy()] = np.asarray(a) * 100, np.asarray(b) * 100
        if rate.any():
            a, b = poisson_rate(frame.loc[rate, "numerator"].to_numpy(), frame.loc[rate, "denominator"].to_numpy(), z, per=PER)
            lo[rate.to_numpy()], hi[rate.to_numpy()] = a, b
        frame[f"lower{suffix}"], frame[f"upper{suffix}"] = lo, hi
    # A published percentage is reported as given; its interval is from the implied count and may not centre on it.
    published = frame["kind"].eq("published") & frame["lower95"].notna()
    frame.loc[published, "lower95"] = np.minimum(frame.loc[published, "lower95"], frame.loc[published, "value"])
    frame.loc[published, "upper95"] = np.maximum(frame.loc[published, "upper95"], frame.loc[published, "value"])
    frame.loc[published, "lower998"] = np.minimum(frame.loc[published, "lower998"], frame.loc[published, "lower95"])
    frame.loc[published, "upper998"] = np.maximum(frame.loc[published, "upper998"], frame.loc[published, "upper95"])
    min_base = load_schema().publishing["reliability"]["min_base"]
    rebuilt = frame["count_low"].notna() if "count_low" in frame else False
    frame["reliability"] = np.where(frame["kind"].isin(["proportion", "share", "published"])
                                    & (frame["denominator"].lt(min_base) | rebuilt) & frame["status"].eq(""), "[u]", "")
    frame = frame[COLUMNS]
    METRICS_TABLE.validate(frame, lazy=True)
    return frame
