"""Open data downloads: the tidy metrics, comparisons and validated returns as CSV and JSON."""
from __future__ import annotations

import json
import math

from .published import Published
from .suppression import figure_hidden
from .schema import load_schema


def _clean(value):
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    return value


def return_rows(published: Published) -> list[dict]:
    """Every published figure of every return, one row each, with [c] where disclosure control applies."""
    schema, rows = load_schema(), []
    for ret in published.dataset.returns:
        disclosure = published.plans.get((ret.slug, ret.period))
        for record in ("funnel", "timeliness", "staffing", "children"):
            for f in schema.records[record].fields:
                value = ret.get(f"{record}.{f.key}")
                if value is not None:
                    rows.append({"authority": ret.slug, "period": ret.period, "field": f"{record}.{f.key}", "table": "",
                                 "label": "", "value": value, "percent": None})
        for dim, tables in (ret.data.get("breakdowns") or {}).items():
            protected = schema.dimensions[dim].protected
            for t, table in enumerate(tables or []):
                for r, row in enumerate((table or {}).get("rows") or []):
                    hidden = protected and disclosure is not None and disclosure.row(dim, t, r)
                    rows.append({"authority": ret.slug, "period": ret.period, "field": f"breakdowns.{dim}",
                                 "table": t, "label": row.get("label"),
                                 "value": "[c]" if hidden else row.get("count"),
                                 "percent": "[c]" if hidden else row.get("percent")})
        for i, fig in enumerate(ret.data.get("other_figures") or []):
            rows.append({"authority": ret.slug, "period": ret.period, "field": "other_figures", "table": i,
                         "label": fig.get("label"), "value": "[c]" if figure_hidden(fig) else fig.get("value"),
                         "percent": None})
    return rows


def generate(published: Published, render) -> dict[str, str]:
    from .pages import to_csv

    metrics = published.metrics
    records = [{k: _clean(v) for k, v in row.items()} for row in metrics.to_dict("records")]
    cmp = [{k: _clean(v) for k, v in row.items()} for row in published.comparisons.to_dict("records")]
    returns = return_rows(published)
    out = {
        "downloads/metrics.csv": to_csv(records, list(metrics.columns)),
        "downloads/metrics.json": json.dumps(records, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
        "downloads/comparisons.csv": to_csv(cmp, list(published.comparisons.columns)),
        "downloads/returns.csv": to_csv(returns, ["authority", "period", "field", "table", "label", "value", "percent"]),
        "downloads/returns.json": json.dumps(returns, indent=1, sort_keys=True, ensure_ascii=False, default=str) + "\n",
    }
    out["downloads.md"] = render("downloads.md.j2", files=sorted(k.split("/", 1)[1] for k in out),
                                 rows={"metrics": len(records), "comparisons": len(cmp), "returns": len(returns)})
    return out
