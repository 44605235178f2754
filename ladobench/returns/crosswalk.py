"""Turn an authority's local breakdown rows into counts for common codes, or say why it cannot."""
from __future__ import annotations

from dataclasses import dataclass

from ladobench.core.model import Authority, Return
from ladobench.core.schema import load_schema
from ladobench.returns.rules import base_value


@dataclass(frozen=True)
class CodeCount:
    """A common code's count in one return: a number, or None with the reason it is not comparable."""

    count: float | None
    reason: str = ""
    implied: bool = False  # rebuilt from a published percentage
    table: int | None = None
    base: str = ""
    base_value: float | None = None
    symbol: str = "[x]"
    # A rebuilt count's range: what the percentages, printed to their decimals, allow (26% of 1,458: 25.5% to 26.5%).
    range: tuple[float, float] | None = None


def rounding_range(percent: float) -> tuple[float, float]:
    """The percentages a printed one stands for: 26 -> (25.5, 26.5), 28.3 -> (28.25, 28.35)."""
    text = repr(float(percent)) if not float(percent).is_integer() else "0"
    half = 0.5 * 10 ** -(len(text.split(".")[1]) if "." in text else 0)
    return max(percent - half, 0.0), min(percent + half, 100.0)


def _labels(dimension: str, codes) -> str:
    dim = load_schema().dimensions[dimension]
    return " or ".join(dim.code(c).label for c in codes if dim.code(c))


def code_count(ret: Return, authority: Authority | None, dimension: str, codes: tuple[str, ...],
               bases: tuple[str, ...] = ()) -> CodeCount:
    """Sum the rows mapped to `codes` (and their sub-codes) from the first table that can say.

    Metrics, disclosure control and the pages all ask the same questions of a validated return
    (which no longer changes): each answer is worked out once and kept on the return.
    """
    key = (dimension, codes, bases, authority.slug if authority else None)
    found = ret.counts.get(key)
    if found is None:
        found = ret.counts[key] = _code_count(ret, authority, dimension, codes, bases)
    return found


def _code_count(ret: Return, authority: Authority | None, dimension: str, codes: tuple[str, ...],
                bases: tuple[str, ...]) -> CodeCount:
    name = authority.name if authority else ret.slug
    crosswalk = authority.crosswalk(dimension) if authority else {}
    wanted = set(codes)
    touch = authority.touching(dimension, tuple(codes)) if authority else frozenset()
    if not touch:
        return CodeCount(None, f"{name}'s categories have no equivalent of {_labels(dimension, codes)}")
    tables = [(i, t) for i, t in enumerate(ret.tables(dimension)) if t.get("base") != "subset"]
    if bases:
        for base in bases:
            chosen = [(i, t) for i, t in tables if t.get("base") == base]
            if chosen:
                tables = chosen
                break
        else:
            tables = []
    for index, table in tables:
        base = base_value(ret, table)
        touching = [(r, crosswalk[r["label"]]) for r in table.get("rows") or [] if r and r.get("label") in touch]
        complete = table.get("complete", True)
        common = dict(table=index, base=table.get("base", ""), base_value=base)
        if not touching:
            if complete:
                return CodeCount(0, **common)
            continue
        mixed = [e.local for _, e in touching if any(c not in wanted and c.split(".")[0] not in wanted for c in e.codes)]
        if mixed:
            return CodeCount(None, f"combined with other categories in {name}'s '{mixed[0]}'", **common)
        if not complete and not any(c in wanted for _, e in touching for c in e.codes):
            return CodeCount(None, f"{name} gives only part of {_labels(dimension, codes)}", **common)
        total, implied, low, high = 0.0, False, 0.0, 0.0
        for row, _entry in touching:
            count, percent = row.get("count"), row.get("percent")
            if isinstance(count, (int, float)):
                total, low, high = total + count, low + count, high + count
            elif isinstance(percent, (int, float)) and base is not None:
                total += round(percent / 100 * base)
                bottom, top = rounding_range(percent)
                implied, low, high = True, low + bottom / 100 * base, high + top / 100 * base
            else:
                symbol = count if isinstance(count, str) else "[x]"
                return CodeCount(None, f"'{row['label']}' is {symbol} in the return", symbol=symbol, **common)
        return CodeCount(total, implied=implied, range=(low, high) if implied else None, **common)
    return CodeCount(None, f"{_labels(dimension, codes)} is not given in the return")
