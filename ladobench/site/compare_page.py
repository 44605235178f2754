"""The compare page (compare/index.md) and its data files: a reader picks authorities, a measure and a year, and
assets/compare.js puts their published values side by side from compare/data/<year>.json."""
from __future__ import annotations

from ladobench.core.schema import load_schema
from ladobench.publish import compare_data
from ladobench.stats.published import Published


def files(published: Published, render) -> dict[str, str]:
    """compare/index.md and compare/data/<year>.json."""
    choices = compare_data.choices(published)
    by_region: dict[str, list[dict]] = {}
    for authority in choices["authorities"]:
        by_region.setdefault(authority["region"], []).append(authority)
    regions = [(s["name"], by_region[s["id"].split(":", 1)[1]]) for s in choices["sets"] if s["id"].startswith("region:")]
    listed = {a["slug"] for _, members in regions for a in members}
    others = [a for a in choices["authorities"] if a["slug"] not in listed]
    if others:
        regions.append(("Other", others))
    symbols = {s.symbol: s.meaning for s in load_schema().symbols.values()}
    kinds: dict[str, list[dict]] = {}
    for s in choices["sets"]:
        kinds.setdefault(s["kind"], []).append(s)
    return {"compare/index.md": render("compare.md.j2", regions=regions, kinds=kinds, symbols=symbols, **choices),
            **compare_data.files(published)}
