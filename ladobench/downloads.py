"""Open data downloads: the tidy metrics, comparisons and validated returns as CSV and JSON."""
from __future__ import annotations

import json
from json.encoder import encode_basestring
import time
from functools import lru_cache
from pathlib import Path

import yaml

from .paths import SCHEMA_DIR
from .published import Published
from .suppression import figure_hidden
from .schema import NUMERIC_TYPES, load_schema
from .xlsx import write_workbook


def _cleaned_column(values: list) -> list:
    """Floats rounded to 6 places and NaN as None; a column of one kind without a test per cell (millions of cells)."""
    kinds = set(map(type, values))
    if kinds <= {float, type(None)}:
        return [None if v is None or v != v else round(v, 6) for v in values]
    if not any(issubclass(k, float) for k in kinds):
        return list(values)
    return [((None if v != v else round(v, 6)) if isinstance(v, float) else v) for v in values]


def _cleaned(values: dict[str, list], records: bool = True) -> tuple[dict[str, list], list[dict] | None]:
    """A table's columns with floats rounded to 6 places and NaN as None, as columns and (if asked) as records."""
    cells = {c: _cleaned_column(col) for c, col in values.items()}
    return cells, [dict(zip(cells, row)) for row in zip(*cells.values())] if records else None


_SCALARS = (str, int, float, type(None))


def dump_records(records: list[dict], default=None) -> str:
    """json.dumps(records, indent=1, sort_keys=True, ensure_ascii=False), byte for byte, but fast.

    json indents only in pure Python; flat records (scalar values) come out the same from the C
    encoder with the indentation written into the item separator. Anything else takes json.dumps.
    """
    types: set[type] = set()
    for row in records:
        if not row:
            types.add(dict)  # an empty record: json.dumps writes it as {}
        types.update(map(type, row.values()))
    if not records or not all(issubclass(t, _SCALARS) for t in types):
        return json.dumps(records, indent=1, sort_keys=True, ensure_ascii=False, default=default)
    # One call of the C encoder for every record, the indentation written into the item separator:
    # '[{"a": 1,\n  "b": 2},\n  {"a": 3, ...}]'. Text never holds a raw newline (json escapes it),
    # so '},\n  {' is only ever the seam between two records.
    encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",\n  ", ": "), default=default).encode
    body = encode(records)[2:-2].replace("},\n  {", "\n },\n {\n  ")
    return "[\n {\n  " + body + "\n }\n]"


class _NotPlain(Exception):
    pass


def _indented(o, newline: str, step: str, out: list) -> None:
    kind = type(o)
    if kind is str:
        out.append(encode_basestring(o))
    elif o is None:
        out.append("null")
    elif o is True:
        out.append("true")
    elif o is False:
        out.append("false")
    elif kind is int:
        out.append(int.__repr__(o))
    elif kind is float:
        out.append(float.__repr__(o) if o - o == 0 else "NaN" if o != o else "Infinity" if o > 0 else "-Infinity")
    elif kind is dict:
        if not o:
            out.append("{}")
            return
        inner = newline + step
        out.append("{")
        separator = inner
        for key in sorted(o):  # (a key that is not text raises TypeError: json.dumps takes over)
            if type(key) is not str:
                raise _NotPlain
            out.append(separator)
            out.append(encode_basestring(key))
            out.append(": ")
            _indented(o[key], inner, step, out)
            separator = "," + inner
        out.append(newline + "}")
    elif kind is list or kind is tuple:
        if not o:
            out.append("[]")
            return
        inner = newline + step
        out.append("[")
        separator = inner
        for item in o:
            out.append(separator)
            _indented(item, inner, step, out)
            separator = "," + inner
        out.append(newline + "]")
    else:
        raise _NotPlain


def dump_indented(data, indent: int = 1) -> str:
    """json.dumps(data, indent=indent, sort_keys=True, ensure_ascii=False), byte for byte, about three times as fast.

    (json indents only with its pure-Python encoder, a generator per level.) Anything other than
    dicts with text keys, lists, text, numbers, booleans and None is left to json.dumps.
    """
    out: list[str] = []
    try:
        _indented(data, "\n", " " * indent, out)
    except (_NotPlain, TypeError):
        return json.dumps(data, indent=indent, sort_keys=True, ensure_ascii=False)
    return "".join(out)


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


@lru_cache(maxsize=None)
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
    """One XLSX with a sheet per table, byte-identical for the same data (ladobench.xlsx: streamed, plain cells)."""
    return write_workbook({name: (columns, rows) for name, (rows, columns) in tables.items()},
                          title=spec()["workbook"]["title"])


def _once(published: Published, key: str, make):
    """What two pieces of the downloads both need, made once in each process that runs them."""
    cache = published.__dict__.setdefault("_downloads_cache", {})
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _metrics_cleaned(published: Published) -> tuple[dict[str, list], list[dict]]:
    # Cleaned column by column from the table's own columns: the same values as to_dict("records").
    return _once(published, "metrics", lambda: _cleaned(published.columns("metrics")))


def _return_rows(published: Published) -> list[dict]:
    return _once(published, "returns", lambda: return_rows(published))


def _columns(table: str) -> list[str]:
    return [f["name"] for t in spec()["tables"] if t["name"] == table for f in t["fields"]]


def _metrics_files(published: Published, render, timings: dict) -> dict[str, str]:
    from .pages import to_csv_columns

    cells, records = _metrics_cleaned(published)
    return {"downloads/metrics.csv": to_csv_columns(cells, _columns("metrics")),
            "downloads/metrics.json": dump_records(records) + "\n"}


def _comparisons_files(published: Published, render, timings: dict) -> dict[str, str]:
    from .pages import to_csv_columns

    cells, _ = _cleaned(published.columns("comparisons"), records=False)  # CSV only
    return {"downloads/comparisons.csv": to_csv_columns(cells, _columns("comparisons"))}


def _returns_files(published: Published, render, timings: dict) -> dict[str, str]:
    from .pages import to_csv

    return {"downloads/returns.csv": to_csv(_return_rows(published), _columns("returns")),
            "downloads/returns.json": dump_indented(returns_json(published)) + "\n"}


def _workbook_file(published: Published, render, timings: dict) -> dict[str, bytes]:
    started = time.perf_counter()
    _, records = _metrics_cleaned(published)
    data = workbook({"metrics": (records, _columns("metrics")), "returns": (_return_rows(published), _columns("returns"))})
    timings["xlsx"] = timings.get("xlsx", 0.0) + time.perf_counter() - started
    return {"downloads/" + spec()["workbook"]["path"]: data}


def _package_files(published: Published, render, timings: dict) -> dict[str, str]:
    return {"downloads/datapackage.json": json.dumps(datapackage(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"}


# Independent pieces, largest first (the build makes them while mkdocs reads the pages: see production.plan).
JOBS = (_workbook_file, _comparisons_files, _metrics_files, _returns_files, _package_files)


def page(published: Published, render) -> dict[str, str]:
    """The downloads page: every file, with how many rows each table has."""
    files = [name.removeprefix("downloads/") for name in names()]
    rows = {"metrics": len(published.metrics), "comparisons": len(published.comparisons), "returns": len(_return_rows(published))}
    return {"downloads.md": render("downloads.md.j2", files=files, rows=rows)}


def names() -> list[str]:
    """Every file JOBS make, known before any is made (mkdocs is told of them before they exist)."""
    return sorted("downloads/" + name for name in [*(t["path"] for t in spec()["tables"]),
                                                   *(t["json"] for t in spec()["tables"] if t.get("json")),
                                                   spec()["workbook"]["path"], "datapackage.json"])


def generate(published: Published, render, timings: dict | None = None) -> dict[str, str | bytes]:
    """Every download and the downloads page, {path under the docs folder: content}; timings["xlsx"] gets the workbook's seconds."""
    timings = {} if timings is None else timings
    out: dict[str, str | bytes] = {}
    for job in JOBS:
        out.update(job(published, render, timings))
    out.update(page(published, render))
    return out


def make(job: int, published: Published, docs_dir, timings: dict) -> tuple[list[str], int]:
    """Make one of JOBS and write what changed into docs_dir: (paths, files written); timings["downloads"] adds its seconds."""
    from .pages import render  # (pages imports this module)
    from .render import write_if_changed

    started = time.perf_counter()
    files = JOBS[job](published, render, timings)
    written = sum(write_if_changed(Path(docs_dir) / rel, content) for rel, content in sorted(files.items()))
    timings["downloads"] = timings.get("downloads", 0.0) + time.perf_counter() - started
    return sorted(files), written
