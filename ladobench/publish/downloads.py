"""Open data downloads: the tidy metrics, comparisons and validated returns as CSV and JSON, the reference table,
the metric metadata, the accessible workbook and the Data Package (v2) that describes them.

One symbol convention in every table: a value that is not given is empty, and the status column beside it
gives the GSS symbol that says why ([x], [z], [c]). Every table starts with the area columns of DfE's open data
standards (ladobench.publish.areas).
"""
from __future__ import annotations

import json

from ladobench.core.paths import REFERENCE_CSV
from ladobench.core.schema import NUMERIC_TYPES, load_schema
from ladobench.publish import metadata
from ladobench.publish.areas import area, area_columns
from ladobench.publish.package import as_at, columns, datapackage, spec
from ladobench.publish.tables import clean, csv_text, json_text
from ladobench.publish.workbook import workbook
from ladobench.returns.counting import facts
from ladobench.stats.published import Published
from ladobench.stats.suppression import figure_hidden

__all__ = ["as_at", "datapackage", "files", "generate", "returns_json", "return_rows", "row_counts", "spec"]


def returns_json(published: Published) -> list[dict]:
    """Each validated return whole, as its authority wrote it, with the same disclosure control as the pages.

    A return is a document in the return's own format (schema/return.yaml), where a symbol stands in place of a
    figure: so here a suppressed figure is "[c]", as in a return, rather than empty with a status beside it.
    """
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
        out.append({"authority": ret.slug, "period": ret.period, **area(ret.slug, ret.period, _bases(published).get((ret.slug, ret.period))), "return": data})
    return out


def _figure(value, percent=None, hidden: bool = False) -> dict:
    """A figure as the tables publish it: the number in value (and percent), or empty with its symbol in status."""
    if hidden:
        return {"value": None, "percent": None, "status": "[c]"}
    symbol = value if isinstance(value, str) else ""
    return {"value": None if symbol else value, "percent": percent if isinstance(percent, (int, float)) else None,
            "status": symbol}


def return_rows(published: Published) -> list[dict]:
    """Every published figure of every return, one row each; a suppressed figure is empty with [c] in status."""
    schema, rows = load_schema(), []
    for ret in published.dataset.returns:
        disclosure = published.plans.get((ret.slug, ret.period))
        where = {"authority": ret.slug, "period": ret.period, **area(ret.slug, ret.period, _bases(published).get((ret.slug, ret.period)))}
        for record in ("funnel", "timeliness", "staffing", "children"):
            for f in schema.records[record].fields:
                value = ret.get(f"{record}.{f.key}")
                if value is not None and f.type in NUMERIC_TYPES:  # the flat table is figures; returns.json has all
                    rows.append({**where, "item": f"{record}.{f.key}", "field": f"{record}.{f.key}", "table": None,
                                 "label": "", **_figure(value)})
        for dim, tables in (ret.data.get("breakdowns") or {}).items():
            protected = schema.dimensions[dim].protected
            for t, table in enumerate(tables or []):
                for r, row in enumerate((table or {}).get("rows") or []):
                    hidden = protected and disclosure is not None and disclosure.row(dim, t, r)
                    rows.append({**where, "item": f"breakdowns.{dim}[{t}].rows[{r}]", "field": f"breakdowns.{dim}",
                                 "table": t, "label": row.get("label"),
                                 **_figure(row.get("count"), row.get("percent"), hidden)})
        for i, fig in enumerate(ret.data.get("other_figures") or []):
            rows.append({**where, "item": f"other_figures[{i}]", "field": "other_figures", "table": i,
                         "label": fig.get("label"), **_figure(fig.get("value"), hidden=figure_hidden(fig))})
    return rows


def _metrics_areas(published: Published) -> dict[str, list]:
    return _once(published, "areas", lambda: area_columns(published.metrics["authority"].tolist(),
                                                          published.metrics["period"].tolist(), _bases(published)))


def _bases(published: Published) -> dict[tuple[str, str], str]:
    """Each return's period basis, as its counting facts declare it (financial, academic, calendar or not known)."""
    dataset = published.dataset
    return _once(published, "bases", lambda: {(r.slug, r.period): facts(r, dataset.authorities.get(r.slug))["period_basis"]
                                              for r in dataset.returns})


def _metrics_records(published: Published) -> list[dict]:
    def make():  # column by column: only the float columns need cleaning
        frame = published.metrics
        data = {c: [clean(v) for v in values] if frame[c].dtype.kind == "f" else values
                for c, values in published.columns("metrics").items()}
        data.update(_metrics_areas(published))
        names = list(data)
        return [dict(zip(names, values)) for values in zip(*data.values())]
    return _once(published, "metrics", make)


def _return_rows(published: Published) -> list[dict]:
    return _once(published, "returns", lambda: return_rows(published))


def _once(published: Published, key: str, make):
    """What two pieces of the downloads both need, made once."""
    cache = published.__dict__.setdefault("_downloads_cache", {})
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _metrics_files(published: Published) -> dict[str, str]:
    return {"downloads/metrics.csv": csv_text(published.metrics, columns("metrics"), _metrics_areas(published)),
            "downloads/metrics.json": json_text(_metrics_records(published))}


def _comparisons_files(published: Published) -> dict[str, str]:
    frame = published.comparisons
    areas = area_columns(frame["authority"].tolist(), frame["period"].tolist(), _bases(published))
    return {"downloads/comparisons.csv": csv_text(frame, columns("comparisons"), areas)}


def _returns_files(published: Published) -> dict[str, str]:
    return {"downloads/returns.csv": csv_text(_return_rows(published), columns("returns")),
            "downloads/returns.json": json_text(returns_json(published))}


def _workbook_file(published: Published) -> dict[str, bytes]:
    metrics = {**published.columns("metrics"), **_metrics_areas(published)}
    data = workbook(published.periods, {"metrics": (columns("metrics"), metrics),
                                        "returns": (columns("returns"), _return_rows(published))})
    return {"downloads/" + spec()["workbook"]["path"]: data}


def _reference_files(published: Published) -> dict[str, str]:
    return {"downloads/" + spec()["reference"]["path"]: REFERENCE_CSV.read_text(encoding="utf-8")}


def _metadata_files(published: Published) -> dict[str, str]:
    return {"downloads/" + spec()["metadata"]["path"]: json_text(list(metadata.records().values()))}


# Independent pieces, largest first; the data package, which gives a digest of them all, comes last.
JOBS = (_workbook_file, _comparisons_files, _metrics_files, _returns_files, _reference_files, _metadata_files)


def files() -> list[str]:
    """Every file the downloads are, under downloads/."""
    s = spec()
    tables = s["tables"]
    return sorted([*(t["path"] for t in tables), *(t["json"] for t in tables if t.get("json")), s["reference"]["path"],
                   s["metadata"]["path"], s["workbook"]["path"], "datapackage.json"])


def row_counts(published: Published) -> dict[str, int]:
    return {"metrics": len(published.metrics), "comparisons": len(published.comparisons),
            "returns": len(_return_rows(published))}


def generate(published: Published) -> dict[str, str | bytes]:
    """Every download, {path under the docs folder: content}."""
    out: dict[str, str | bytes] = {}
    for job in JOBS:
        out.update(job(published))
    package = datapackage(published.periods, out)
    out["downloads/datapackage.json"] = json_text(package)
    return out
