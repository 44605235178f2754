"""A return's field paths and rule names in the words a reader knows: "Sector of the person's employer, table 2"
for breakdowns.sector[1], "Concluded with a KCSIE outcome" for funnel.concluded. Pages never print the paths."""
from __future__ import annotations

import re

from ladobench.core.schema import load_schema

_TABLE = re.compile(r"breakdowns\.(\w+)\[(\d+)\](?:\.rows\[(\d+)\](?:\.(\w+))?)?")
_FIELD = re.compile(r"(\w+)\.(\w+)")
_FIGURE = re.compile(r"other_figures\[(\d+)\](?:\.\w+)?")


def path_words(path: str, ret=None) -> str:
    """The field at path, named as the page names it (the authority's own row label where there is one)."""
    schema = load_schema()
    m = _TABLE.fullmatch(path)
    if m and m.group(1) in schema.dimensions:
        dim, t = m.group(1), int(m.group(2))
        words = f"{schema.dimensions[dim].title}, table {t + 1}"
        if m.group(3) is not None:
            r = int(m.group(3))
            rows = ((ret.tables(dim)[t] or {}).get("rows") or []) if ret is not None and t < len(ret.tables(dim)) else []
            label = (rows[r] or {}).get("label") if r < len(rows) and rows[r] else None
            words += f", '{label}'" if label else f", row {r + 1}"
        return words
    m = _FIGURE.fullmatch(path)
    if m:
        figures = (ret.data.get("other_figures") or []) if ret is not None else []
        i = int(m.group(1))
        label = (figures[i] or {}).get("label") if i < len(figures) and isinstance(figures[i], dict) else None
        return f"Other figure '{label}'" if label else f"Other figure {i + 1}"
    m = _FIELD.fullmatch(path)
    if m and m.group(1) in schema.records:
        field = next((f for f in schema.records[m.group(1)].fields if f.key == m.group(2)), None)
        if field is not None:
            return field.display
    return path.replace("_", " ").replace(".", ": ")


def rule_words(rule: str) -> str:
    """What a rule checks, in its catalogue's own sentence (schema/rules.yaml)."""
    found = load_schema().rules.get(rule)
    return found.checks.rstrip(".") if found else rule.replace("_", " ")
