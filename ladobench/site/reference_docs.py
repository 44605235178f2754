"""The methodology and data dictionary pages, generated from schema/ so they cannot drift from it."""
from __future__ import annotations

from ladobench.core.schema import NUMERIC_TYPES, load_schema
from ladobench.site.funnel_plot import MIN_AUTHORITIES as FUNNEL_MIN
from ladobench.stats.compare import MIN_OTHERS


def _type_text(typ) -> str:
    if isinstance(typ, dict):
        if "list" in typ:
            return f"list of {_type_text(typ['list'])}"
        return f"{typ['map']} → {_type_text(typ['of'])}"
    return str(typ).replace("_", " ")


def fields(records: dict, root: str) -> list[dict]:
    """Every field path of a file, depth first from its root record, with its definition."""
    out, seen = [], set()

    def walk(name: str, prefix: str):
        if name in seen:
            return
        seen.add(name)
        for f in records[name].fields:
            path = f"{prefix}{f.key}"
            typ = f.type
            out.append({"path": path, "type": _type_text(typ), "required": f.required, "label": f.display,
                        "definition": f.definition or records[typ].definition if isinstance(typ, str) and typ in records else f.definition,
                        "citation": f.citation, "base": f.base, "symbols": typ in NUMERIC_TYPES})
            inner = typ
            while isinstance(inner, dict):
                inner = inner.get("list") or inner.get("of")
            if isinstance(inner, str) and inner in records:
                suffix = "[]." if isinstance(typ, dict) and "list" in typ else "."
                if isinstance(typ, dict) and "map" in typ:
                    suffix = f".<{typ['map']}>" + ("[]." if isinstance(typ["of"], dict) and "list" in typ["of"] else ".")
                walk(inner, path + suffix)

    walk(root, "")
    return out


def _and(items: list[str]) -> str:
    return " and ".join(items) if len(items) < 3 else ", ".join(items[:-1]) + " and " + items[-1]


def spelled(n: int) -> str:
    """A small whole number in words, as prose writes it (three years); larger ones in figures."""
    words = "zero one two three four five six seven eight nine ten".split()
    return words[n] if 0 <= n < len(words) else f"{n:,}"


def _comparability(schema) -> dict:
    """The counting facts, their values and the crosswalk relations, for the methodology page."""
    record = schema.records["counting"]
    enum_of = {f.key: f.type for f in record.fields}
    facts = []
    for f in record.fields:
        values = schema.enums.get(enum_of[f.key])
        shown = ", ".join(f"{v['code']} ({v['says']})" for v in values) if values else "text"
        facts.append({"key": f.key, "label": f.display, "definition": f.definition, "choices": shown})
    labels = {f.key: f.display.lower() for f in record.fields}
    labels["table_base"] = "table base"
    return {"counting_fields": facts, "fact_labels": labels, "relations": list(schema.enums["relation"]),
            "min_others": MIN_OTHERS, "funnel_min": FUNNEL_MIN}


def generate(render, audit=None) -> dict[str, str]:
    """audit: the build's disclosure audit (stats/audit.AuditReport), whose figures the methodology states."""
    schema = load_schema()
    method = schema.methodology
    context = {
        "return_fields": fields(schema.records, schema.root),
        "authority_fields": fields(schema.authority_records, schema.authority_root),
        "group_fields": fields(schema.authority_records, "groups_file"),
        "dimensions": schema.dimensions, "catalogue": schema.catalogue, "metrics": schema.metrics,
        "symbols": schema.symbols, "rules": schema.rules, "publishing": schema.publishing,
        "enums": {k: schema.enum_values(k) for k in schema.enums}, "audit": audit,
        "methodology": method, "spelled": spelled,
        "levels": _and([f"{lv.level}%" for lv in method.levels]),
        **_comparability(schema),
    }
    return {"data-dictionary.md": render("data-dictionary.md.j2", **context),
            "methodology.md": render("methodology.md.j2", **context)}
