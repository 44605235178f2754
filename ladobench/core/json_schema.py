"""JSON Schema (Draft 2020-12) for returns and authority files, generated from schema/ so other tools can check them."""
from __future__ import annotations

import json
from pathlib import Path

from ladobench.core.paths import SCHEMA_DIR, SLUG
from ladobench.core.schema import NUMERIC_TYPES, Record, Schema, load_schema

DRAFT = "https://json-schema.org/draft/2020-12/schema"
OUTPUTS = {"return": "return.schema.json", "authority": "authority.schema.json"}
# The same patterns the validator applies (walker.py, model.py), restated as JSON Schema regexes.
_MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
_FIELD_PATH = r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*$"
_NUMBERS = {
    "count": ({"type": "integer", "minimum": 0}, "A whole number of 0 or more"),
    "percent": ({"type": "number", "minimum": 0, "maximum": 100}, "A percentage from 0 to 100"),
    "fte": ({"type": "number", "minimum": 0}, "Full-time equivalents, 0 or more"),
    "number": ({"type": "number", "minimum": 0}, "A number of 0 or more"),
}


class _Generator:
    """Turns one schema/*.yaml record tree into a JSON Schema document with one $defs entry per record."""

    def __init__(self, schema: Schema, records: dict[str, Record]):
        self.schema, self.records = schema, records
        self.defs: dict[str, dict] = {}

    def document(self, root: str, source: str) -> dict:
        record = self.records[root]
        body = self._record_body(record, "")
        return {
            "$schema": DRAFT,
            "$comment": f"Generated from schema/{source} by `python build.py schema`; do not edit by hand.",
            "title": record.title,
            **body,
            "$defs": self.defs,
        }

    def _needs_dimension(self, typ, seen=frozenset()) -> bool:
        """Whether a type holds a taxonomy code, whose allowed values depend on the taxonomy above it."""
        if isinstance(typ, dict):
            return self._needs_dimension(typ.get("list") or typ.get("of"), seen)
        if typ == "code":
            return True
        if typ in self.records and typ not in seen:
            return any(self._needs_dimension(f.type, seen | {typ}) for f in self.records[typ].fields)
        return False

    def type_schema(self, typ, dimension: str) -> dict:
        if isinstance(typ, dict):
            if "list" in typ:
                return {"type": "array", "items": self.type_schema(typ["list"], dimension)}
            return self._map(typ)
        if typ in self.records:
            name = f"{typ}.{dimension}" if dimension and self._needs_dimension(typ) else typ
            if name not in self.defs:
                self.defs[name] = {}  # reserve first: records may refer to each other
                self.defs[name] = self._record_body(self.records[typ], dimension if name != typ else "")
            return {"$ref": f"#/$defs/{name}"}
        if typ in NUMERIC_TYPES:
            if typ not in self.defs:
                number, words = _NUMBERS[typ]
                symbols = self.schema.return_symbols
                self.defs[typ] = {
                    "description": f"{words}, or a symbol: "
                                   + ", ".join(f"{s} ({self.schema.symbols[s].meaning})" for s in symbols) + ".",
                    "anyOf": [number, {"enum": symbols}],
                }
            return {"$ref": f"#/$defs/{typ}"}
        return self._scalar(typ, dimension)

    def _scalar(self, typ: str, dimension: str) -> dict:
        if typ == "boolean":
            return {"type": "boolean"}
        if typ in self.schema.enums:
            return {"enum": self.schema.enum_values(typ)}
        choices = {"rule": lambda: self.schema.return_rules, "stage": lambda: self.schema.stages,
                   "dimension": lambda: list(self.schema.dimensions),
                   "code": lambda: self.schema.dimensions[dimension].code_names if dimension else None}
        if typ in choices and choices[typ]() is not None:
            return {"enum": choices[typ]()}
        patterns = {"url": "^https://", "month": _MONTH, "field_path": _FIELD_PATH, "slug": SLUG.pattern}
        if typ in patterns:
            return {"type": "string", "pattern": patterns[typ]}
        return {"type": "string"}  # text, markdown, and code outside a taxonomy

    def _map(self, typ: dict) -> dict:
        keys = typ["map"]
        if keys in ("dimension", "stage"):
            # Each key is named, so a misspelt taxonomy or stage fails rather than passing as extra.
            names = list(self.schema.dimensions) if keys == "dimension" else self.schema.stages
            return {"type": "object", "additionalProperties": False,
                    "properties": {n: self.type_schema(typ["of"], n if keys == "dimension" else "") for n in names}}
        out = {"type": "object", "additionalProperties": self.type_schema(typ["of"], "")}
        if keys == "field_path":
            out["propertyNames"] = {"pattern": _FIELD_PATH}
        return out

    def _record_body(self, record: Record, dimension: str) -> dict:
        properties = {}
        for f in record.fields:
            prop = dict(self.type_schema(f.type, dimension))
            title = f.label or f.title
            if title:
                prop["title"] = title
            description = " ".join(filter(None, [f.definition, f"Source: {f.citation}." if f.citation else ""]))
            if description:
                prop["description"] = description
            properties[f.key] = prop
        body = {"type": "object", "additionalProperties": False, "properties": properties}
        if record.definition:
            body["description"] = record.definition
        required = [f.key for f in record.fields if f.required]
        if required:
            body["required"] = required
        return body


def generate(schema: Schema | None = None) -> dict[str, str]:
    """File name → the JSON Schema text, byte-for-byte what `python build.py schema` writes."""
    schema = schema or load_schema()
    docs = {
        OUTPUTS["return"]: _Generator(schema, schema.records).document(schema.root, "return.yaml"),
        OUTPUTS["authority"]: _Generator(schema, schema.authority_records).document(schema.authority_root,
                                                                                   "authority.yaml"),
    }
    return {name: json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n" for name, doc in docs.items()}


def write(schema_dir: Path = SCHEMA_DIR, check: bool = False) -> list[Path]:
    """Write the JSON Schemas; with check, write nothing and return the files that are out of date."""
    stale = []
    for name, text in generate().items():
        path = schema_dir / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            stale.append(path)
            if not check:
                path.write_text(text, encoding="utf-8")
    return stale
