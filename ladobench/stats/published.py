"""Everything a build publishes, computed once: metrics after suppression, comparisons, changes."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from ladobench.core.schema import load_schema
from ladobench.returns.validate import Dataset
from ladobench.stats.audit import AuditReport, audit_published
from ladobench.stats.comparability import comparability
from ladobench.stats.compare import changes, comparisons
from ladobench.stats.disclosure_plan import plan_all
from ladobench.stats.metrics import return_rows, table
from ladobench.stats.redaction import redact
from ladobench.stats.suppression import Disclosure, apply_to_metrics

COMPARATOR_ORDER = {"region": 0, "england": 1, "neighbours": 2, "group": 3}


@dataclass
class Published:
    dataset: Dataset
    metrics: pd.DataFrame  # as published: suppressed cells are [c]
    comparisons: pd.DataFrame
    changes: pd.DataFrame
    plans: dict[tuple[str, str], Disclosure]
    periods: list[str] = field(default_factory=list)
    redactions: list = field(default_factory=list)  # figures removed from free text (stats/redaction.py)
    audit: AuditReport | None = None  # the disclosure audit of everything above (stats/audit.py)
    comparable: pd.DataFrame | None = None  # comparability(dataset, metrics): key and reason of every metrics row

    def comparable_row(self, slug: str, period: str, metric: str) -> dict:
        """{comparable, key, reason, series} of one published value ({} when there is none)."""
        if not hasattr(self, "_comparable"):
            frame = self.comparable if self.comparable is not None else pd.DataFrame(columns=["authority", "period", "metric"])
            self._comparable = {(a, p, m): {"comparable": c, "key": k, "reason": r, "series": s}
                                for a, p, m, c, k, r, s in zip(*(frame[c].tolist() for c in (
                                    "authority", "period", "metric", "comparable", "key", "reason", "series")))}
        return self._comparable.get((slug, period, metric), {})

    @property
    def latest(self) -> str:
        return self.periods[-1] if self.periods else ""

    def metric_rows(self, slug: str, period: str) -> dict[str, dict]:
        return self._by_key().get((slug, period), {})

    def records(self, name: str) -> list[dict]:
        """metrics, comparisons or changes as to_dict("records"), built once; callers must not change the rows."""
        if not hasattr(self, "_records"):
            self._records = {}
        if name not in self._records:
            frame = getattr(self, name)
            if all(str(t) in _NATIVE for t in frame.dtypes):
                columns = self.columns(name)
                self._records[name] = [dict(zip(columns, values)) for values in zip(*columns.values())]
            else:
                self._records[name] = frame.to_dict("records")
        return self._records[name]

    def columns(self, name: str) -> dict[str, list]:
        """The same values as records(name), column by column."""
        if not hasattr(self, "_columns"):
            self._columns = {}
        if name not in self._columns:
            frame = getattr(self, name)
            if all(str(t) in _NATIVE for t in frame.dtypes):
                self._columns[name] = {c: frame[c].tolist() for c in frame.columns}
            else:
                rows = self.records(name)
                self._columns[name] = {c: [row[c] for row in rows] for c in frame.columns}
        return self._columns[name]

    def metric_records(self, metric: str) -> list[dict]:
        """The metrics rows of one metric, in table order."""
        if not hasattr(self, "_by_metric"):
            cache: dict = {}
            for row in self.records("metrics"):
                cache.setdefault(row["metric"], []).append(row)
            self._by_metric = cache
        return self._by_metric.get(metric, [])

    def change(self, slug: str, metric: str, period: str) -> dict | None:
        """The changes row for one authority, metric and period (the first, should there be several)."""
        if not hasattr(self, "_changes"):
            cache: dict = {}
            for row in self.records("changes"):
                cache.setdefault((row["authority"], row["metric"], row["period"]), row)
            self._changes = cache
        return self._changes.get((slug, metric, period))

    def _by_key(self):
        if not hasattr(self, "_cache"):
            cache: dict = {}
            for row in self.records("metrics"):
                cache.setdefault((row["authority"], row["period"]), {})[row["metric"]] = row
            self._cache = cache
        return self._cache

    def comparisons_for(self, slug: str, period: str) -> dict[str, list[dict]]:
        """One authority's comparisons in one period, by metric, each list in comparator order.

        The rows (as records("comparisons") gives them) are made for the (authority, period) asked for
        only: the pages ask for the latest period, a fifth of the table's 150,000 rows at five years.
        """
        if not hasattr(self, "_cmp"):
            columns = self.columns("comparisons")
            where: dict = {}
            for i, key in enumerate(zip(columns["authority"], columns["period"])):
                where.setdefault(key, []).append(i)
            self._cmp, self._cmp_rows = {}, where
        key = (slug, period)
        if key not in self._cmp:
            columns = self.columns("comparisons")
            by_metric: dict = {}
            for i in self._cmp_rows.get(key, ()):
                row = {c: values[i] for c, values in columns.items()}
                by_metric.setdefault(row["metric"], []).append(row)
            for lst in by_metric.values():
                lst.sort(key=lambda r: (COMPARATOR_ORDER[r["comparator"]], r["comparator_id"]))
            self._cmp[key] = by_metric
        return self._cmp[key]


# For these dtypes Series.tolist() gives the values to_dict("records") gives (numbers unboxed, strings
# and NaN as they are), three times faster. Object columns may hold numpy scalars, which to_dict unboxes.
_NATIVE = ("float64", "int64", "bool", "str", "string")


def _same(old, new) -> bool:
    """Equal as published: downloads round to 6 decimals, so compare at that precision."""
    old_missing = old is None or (isinstance(old, float) and math.isnan(old))
    new_missing = new is None or (isinstance(new, float) and math.isnan(new))
    if old_missing or new_missing:
        return old_missing and new_missing
    return round(float(old), 6) == round(float(new), 6)


def mark_revisions(metrics: pd.DataFrame, previous: list[dict] | None) -> pd.DataFrame:
    """[r] on every published value that differs from the build published before this one."""
    out = metrics.copy()
    if not previous:
        out["revised"] = ""
        return out
    before = {(r["authority"], r["period"], r["metric"]): (r.get("value"), r.get("status", "")) for r in previous}
    revised = []
    for key, value, status in zip(zip(out["authority"], out["period"], out["metric"]), out["value"], out["status"]):
        old = before.get(key)
        revised.append("" if old is None or (_same(old[0], value) and old[1] == status) else "[r]")
    out["revised"] = revised
    return out


def _plans(dataset: Dataset) -> dict:
    """Each return's disclosure-control plan, by (authority, period), planned against all it publishes."""
    return plan_all(dataset.returns, dataset.authorities)


def publish(dataset: Dataset, previous: list[dict] | None = None) -> Published:
    """Metrics on true counts; comparators pooled from true counts; small cells suppressed last.

    previous: the metrics of the build published before (site/downloads/metrics.json), for [r] marks.
    """
    plans = _plans(dataset)
    raw = table([row for ret in dataset.returns for row in return_rows(ret, dataset.authorities.get(ret.slug))])
    shown = mark_revisions(apply_to_metrics(raw, plans), previous)
    comparable = comparability(dataset, raw)
    cmp = comparisons(raw, dataset.groups, shown.loc[shown["status"].eq("[c]"), ["authority", "period", "metric"]], comparable)
    chg = changes(shown, comparable.set_axis(shown.index))
    # An area's own interval is not published where its value is suppressed, so neither is its comparison.
    hidden = shown.loc[shown["status"].eq("[c]"), ["authority", "period", "metric"]].assign(_hidden=True)
    cmp = cmp.merge(hidden, how="left", on=["authority", "period", "metric"])
    cmp.loc[cmp["_hidden"].eq(True), ["result95", "result998", "rank", "quartile"]] = None
    cmp = cmp.drop(columns="_hidden")
    periods = sorted({r.period for r in dataset.returns})
    shown_dataset, redactions = redact(dataset, plans)
    out = Published(shown_dataset, shown, cmp, chg, plans, periods, redactions, comparable=comparable.set_axis(shown.index))
    out.audit = audit_published(out)
    return out


def metric_text(row: dict | None, with_unit: bool = True) -> str:
    """A published value as a reader sees it: 53.6%, 22.0, [x], [c]."""
    if not row:
        return "[x]"
    if row["status"]:
        return row["status"]
    value = row["value"]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "[x]"
    decimals = load_schema().metric(row["metric"]).decimals
    text = f"{round(value, 4):,.{decimals}f}"  # the value the published files hold (4 places), then the page's places
    if with_unit and row["unit"] == "percent":
        text += "%"
    return text + (" [u]" if row.get("reliability") else "") + (" [r]" if row.get("revised") else "")


def interval_text(row: dict | None, level: str = "95") -> str:
    if not row or row["status"] or row.get(f"lower{level}") is None or math.isnan(row.get(f"lower{level}", math.nan)):
        return ""
    decimals = load_schema().metric(row["metric"]).decimals
    return f"{round(row[f'lower{level}'], 4):,.{decimals}f}–{round(row[f'upper{level}'], 4):,.{decimals}f}"
