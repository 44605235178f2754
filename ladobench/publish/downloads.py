"""Open data downloads: the tidy metrics, comparisons and validated returns as CSV and JSON."""
from __future__ import annotations

import json
from functools import cache

import yaml

from ladobench.core.paths import SCHEMA_DIR
from ladobench.core.schema import NUMERIC_TYPES, load_schema
from ladobench.publish.tables import csv_text, json_records, json_text
from ladobench.publish.xlsx import write_workbook
from ladobench.stats.published import Published
from ladobench.stats.suppression import figure_hidden


def returns_json(published: Published) -> list[dict]:
    """Each validated return whole, as its authority wrote it, with the same disclosure control as the pages."""
    schema, out = load_schema(), []
    for ret in published.dataset.returns:
        data = json.loads(json.dumps(ret.data, default=str))
        disclosure = published.plans.get((ret.slug, ret.period))
        for dim, tables in (data.get("breakdowns") or {}).items():
            if not schema.dimensions[dim].protected:
                continue
            for t, table in enumerate(tables or []):
                for r, row in enumerate((table or {}).get("rows") or []):
                    if row and disclosure is not None and disclosure.row(dim, t, r):
                        row.update({k: "[c]" for k in ("count", "percent") if k in row})
                if table and disclosure is not None and disclosure.total(dim, t) and "total" in table:
                    table["total"] = "[c]"
        for fig in data.get("other_figures") or []:
            if fig and figure_hidden(fig):
                fig["value"] = "[c]"
        out.append({"authority": ret.slug, "period": ret.period, "return": data})
    return out


def return_rows(published: Published) -> list[dict]:
    """Every published figure of every return, one row each, with [c] where disclosure control applies."""
    schema, rows = load_schema(), []
    for ret in published.dataset.returns:
        disclosure = published.plans.get((ret.slug, ret.period))
        for record in ("funnel", "timeliness", "staffing", "children"):
            for f in schema.records[record].fields:
                value = ret.get(f"{record}.{f.key}")
                if value is not None and f.type in NUMERIC_TYPES:  # the flat table is figures; returns.json has all
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


@cache
def spec() -> dict:
    return yaml.safe_load((SCHEMA_DIR / "downloads.yaml").read_text(encoding="utf-8"))


def datapackage() -> dict:
    """A Frictionless Tabular Data Package describing every download, from schema/downloads.yaml."""
    s = spec()
    resources = []
    for table in s["tables"]:
        resources.append({
            "name": table["name"], "path": table["path"], "title": table["title"], "description": table["description"],
            "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "schema": {"fields": table["fields"], "missingValues": s["missing_values"]},
        })
        if table.get("json"):
            resources.append({"name": f"{table['name']}-json", "path": table["json"], "title": f"{table['title']} (JSON)",
                              "format": "json", "mediatype": "application/json", "encoding": "utf-8"})
    wb = s["workbook"]
    resources.append({"name": "workbook", "path": wb["path"], "title": wb["title"], "description": wb["description"],
                      "format": "xlsx", "mediatype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    # data-package, not tabular-data-package: the JSON and XLSX files are resources too.
    return {"profile": "data-package", "name": s["name"], "title": s["title"], "description": s["description"],
            "resources": resources}


def workbook(tables: dict[str, tuple[list[dict], list[str]]]) -> bytes:
    """One XLSX with a sheet per table, byte-identical for the same data (ladobench.publish.xlsx: streamed, plain cells)."""
    return write_workbook({name: (columns, rows) for name, (rows, columns) in tables.items()},
                          title=spec()["workbook"]["title"])


def _metrics_records(published: Published) -> list[dict]:
    return _once(published, "metrics", lambda: json_records(published.metrics))


def _return_rows(published: Published) -> list[dict]:
    return _once(published, "returns", lambda: return_rows(published))


def _once(published: Published, key: str, make):
    """What two pieces of the downloads both need, made once."""
    cache = published.__dict__.setdefault("_downloads_cache", {})
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _columns(table: str) -> list[str]:
    return [f["name"] for t in spec()["tables"] if t["name"] == table for f in t["fields"]]


def _metrics_files(published: Published) -> dict[str, str]:
    return {"downloads/metrics.csv": csv_text(published.metrics, _columns("metrics")),
            "downloads/metrics.json": json_text(_metrics_records(published))}


def _comparisons_files(published: Published) -> dict[str, str]:
    return {"downloads/comparisons.csv": csv_text(published.comparisons, _columns("comparisons"))}


def _returns_files(published: Published) -> dict[str, str]:
    return {"downloads/returns.csv": csv_text(_return_rows(published), _columns("returns")),
            "downloads/returns.json": json_text(returns_json(published))}


def _workbook_file(published: Published) -> dict[str, bytes]:
    data = workbook({"metrics": (_metrics_records(published), _columns("metrics")), "returns": (_return_rows(published), _columns("returns"))})
    return {"downloads/" + spec()["workbook"]["path"]: data}


def _package_files(published: Published) -> dict[str, str]:
    return {"downloads/datapackage.json": json_text(datapackage())}


# Independent pieces, largest first.
JOBS = (_workbook_file, _comparisons_files, _metrics_files, _returns_files, _package_files)


def files() -> list[str]:
    """Every file the downloads are, under downloads/."""
    tables = spec()["tables"]
    return sorted([*(t["path"] for t in tables), *(t["json"] for t in tables if t.get("json")),
                   spec()["workbook"]["path"], "datapackage.json"])


def row_counts(published: Published) -> dict[str, int]:
    return {"metrics": len(published.metrics), "comparisons": len(published.comparisons),
            "returns": len(_return_rows(published))}


def generate(published: Published) -> dict[str, str | bytes]:
    """Every download, {path under the docs folder: content}."""
    out: dict[str, str | bytes] = {}
    for job in JOBS:
        out.update(job(published))
    return out
