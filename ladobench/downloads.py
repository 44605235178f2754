"""Open data downloads: the tidy metrics, comparisons and validated returns as CSV and JSON."""
from __future__ import annotations

import json
from json.encoder import encode_basestring
import sys
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
    encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",\n  ", ": "), default=default).encode
    return "[\n" + ",\n".join(" {\n  " + encode(row)[1:-1] + "\n }" for row in records) + "\n]"


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


def generate(published: Published, render, timings: dict | None = None) -> dict[str, str | bytes]:
    """Every download and the downloads page, {path under the docs folder: content}; timings["xlsx"] gets the workbook's seconds."""
    from .pages import to_csv, to_csv_columns

    # Cleaned column by column from the table's own columns: the same values as to_dict("records").
    metrics_cells, records = _cleaned(published.columns("metrics"))
    cmp_cells, _ = _cleaned(published.columns("comparisons"), records=False)  # CSV only
    returns = return_rows(published)
    out = {
        "downloads/metrics.csv": to_csv_columns(metrics_cells, [f["name"] for f in spec()["tables"][0]["fields"]]),
        "downloads/metrics.json": dump_records(records) + "\n",
        "downloads/comparisons.csv": to_csv_columns(cmp_cells, [f["name"] for f in spec()["tables"][1]["fields"]]),
        "downloads/returns.csv": to_csv(returns, ["authority", "period", "field", "table", "label", "value", "percent"]),
        "downloads/returns.json": dump_indented(returns_json(published)) + "\n",
    }
    columns = {t["name"]: [f["name"] for f in t["fields"]] for t in spec()["tables"]}
    started = time.perf_counter()
    out["downloads/" + spec()["workbook"]["path"]] = workbook(
        {"metrics": (records, columns["metrics"]), "returns": (returns, columns["returns"])})
    if timings is not None:
        timings["xlsx"] = time.perf_counter() - started
    out["downloads/datapackage.json"] = json.dumps(datapackage(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    out["downloads.md"] = render("downloads.md.j2", files=sorted(k.split("/", 1)[1] for k in out),
                                 rows={"metrics": len(records), "comparisons": len(published.comparisons), "returns": len(returns)})
    return out


def write(published: Published, docs_dir) -> tuple[list[str], int, dict[str, float]]:
    """Generate the downloads and write those that changed into docs_dir: (paths, files written, timings).

    timings: seconds of "downloads" and "xlsx", "peak_rss_mb" of the process that ran it and, on Linux,
    "private_mb": its memory not shared with the build (a forked process shares the pages it has not written).

    The build runs this in a background process (ladobench.background) while it renders the pages,
    so only the paths come back, never the files' content.
    """
    from .pages import render  # (pages imports this module)
    from .render import write_if_changed

    started, timings = time.perf_counter(), {}
    files = generate(published, render, timings)
    written = sum(write_if_changed(Path(docs_dir) / rel, content) for rel, content in sorted(files.items()))
    timings["downloads"] = time.perf_counter() - started
    if sys.platform != "win32":
        import resource

        scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, kilobytes on Linux
        timings["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20
    try:  # Linux: the memory this process has of its own, not shared with the build it was forked from
        rollup = Path("/proc/self/smaps_rollup").read_text(encoding="ascii").splitlines()
        timings["private_mb"] = sum(int(line.split()[1]) for line in rollup if line.startswith("Private_")) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return sorted(files), written, timings
