"""downloads/datapackage.json: a Frictionless Data Package (v2) of every download, from schema/downloads.yaml."""
from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from functools import cache

import yaml

from ladobench.core.paths import SCHEMA_DIR
from ladobench.core.reference import regions
from ladobench.core.schema import load_schema

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"


@cache
def spec() -> dict:
    return yaml.safe_load((SCHEMA_DIR / "downloads.yaml").read_text(encoding="utf-8"))


def table_fields(table: dict) -> list[dict]:
    """A table's fields as published: the area columns of DfE's open data standards first, then its own."""
    return [*spec()["area_fields"], *table["fields"]] if table is not spec()["reference"] else table["fields"]


def columns(name: str) -> list[str]:
    """The columns of a table of the downloads, in order."""
    return [f["name"] for t in spec()["tables"] if t["name"] == name for f in table_fields(t)]


def as_at(periods: list[str]) -> date | None:
    """What the downloads are as at: the end of the latest financial year (the date mkdocs dates the site by)."""
    return date(int(periods[-1][:4]) + 1, 3, 31) if periods else None


def _categories(field: dict) -> list:
    source = field.get("categories_from")
    if source == "metrics":
        return [m.id for m in load_schema().metrics]
    if source == "regions":
        return [{"value": code, "label": name} for code, name in regions().items()]
    if source == "symbols":
        symbols = load_schema().symbols
        return [{"value": s, "label": symbols[s].meaning} for s in load_schema().return_symbols]
    return list(field.get("categories") or [])


def _field(field: dict) -> dict:
    out = {k: v for k, v in field.items() if k not in ("categories", "categories_from")}
    categories = _categories(field)
    return {**out, "categories": categories} if categories else out


def _schema(table: dict) -> dict:
    schema = {"fields": [_field(f) for f in table_fields(table)], "missingValues": spec()["missing_values"],
              "primaryKey": table["primary_key"]}
    if table is not spec()["reference"]:
        ref = spec()["reference"]["name"]
        schema["foreignKeys"] = [{"fields": ["authority"], "reference": {"resource": ref, "fields": ["slug"]}},
                                 {"fields": ["new_la_code"], "reference": {"resource": ref, "fields": ["ons_code"]}},
                                 {"fields": ["old_la_code"], "reference": {"resource": ref, "fields": ["dfe_number"]}}]
    return schema


def _table(table: dict) -> dict:
    return {"name": table["name"], "type": "table", "path": table["path"], "title": table["title"],
            "description": table["description"].strip(), "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "schema": _schema(table)}


def _file(name: str, path: str, title: str, description: str, fmt: str, mediatype: str) -> dict:
    return {"name": name, "path": path, "title": title, "description": description.strip(), "format": fmt,
            "mediatype": mediatype, "encoding": "utf-8"}


def version(data: dict[str, str | bytes]) -> str:
    """The layout's version with a digest of the data (semantic versioning's build metadata): same data, same version."""
    digest = hashlib.sha256()
    for path in sorted(data):
        content = data[path]
        digest.update(path.encode() + b"\0" + (content if isinstance(content, bytes) else content.encode("utf-8")))
    return f"{spec()['version']}+{digest.hexdigest()[:12]}"


def datapackage(periods: list[str], data: dict[str, str | bytes]) -> dict:
    """The package: every table (with primary and foreign keys), the JSON files, the metadata and the workbook."""
    s = spec()
    resources = []
    for table in s["tables"]:
        resources.append(_table(table))
        if table.get("json"):
            resources.append(_file(f"{table['name']}-json", table["json"], f"{table['title']} (JSON)",
                                   f"{table['title']} as JSON.", "json", "application/json"))
    resources.append(_table(s["reference"]))
    meta = s["metadata"]
    resources.append(_file("metadata", meta["path"], meta["title"], meta["description"], "json", "application/json"))
    wb = s["workbook"]
    resources.append(_file("workbook", wb["path"], wb["title"], wb["description"], "xlsx",
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    licence = s["licence"]
    when = as_at(periods)
    package = {"$schema": PROFILE, "name": s["name"], "title": s["title"], "description": s["description"].strip(),
               "version": version(data),
               "licenses": [{"name": licence["name"], "path": licence["path"], "title": licence["title"]}],
               "sources": s["sources"], "keywords": ["LADO", "safeguarding", "local authority", "children", "England"]}
    if when:
        package["created"] = datetime(when.year, when.month, when.day, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {**package, "resources": resources}
