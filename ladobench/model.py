"""Validated returns and authorities as plain objects the later stages read (no file access)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")
_PATH = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*$")


def resolve(data, path: str):
    """The value at a dotted path like breakdowns.sector[0].rows[2].count, or None."""
    node = data
    for name, index in _TOKEN.findall(path):
        if name:
            node = node.get(name) if isinstance(node, dict) else None
        else:
            i = int(index)
            node = node[i] if isinstance(node, list) and i < len(node) else None
        if node is None:
            return None
    return node


def path_exists(data, path: str) -> bool:
    return bool(_PATH.match(path)) and resolve(data, path) is not None


@dataclass
class CrosswalkEntry:
    local: str
    codes: tuple[str, ...]
    note: str = ""


@dataclass
class Authority:
    slug: str
    file: str
    data: dict
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.data.get("name", self.slug)

    def crosswalk(self, dimension: str) -> dict[str, CrosswalkEntry]:
        out = {}
        for entry in self.data.get("crosswalk", {}).get(dimension, []) or []:
            if not entry or "local" not in entry:
                continue
            codes = tuple(entry.get("codes") or ([entry["code"]] if entry.get("code") else []))
            out[entry["local"]] = CrosswalkEntry(entry["local"], codes, entry.get("note", ""))
        return out

    def stage_term(self, stage: str) -> dict:
        return (self.data.get("stages") or {}).get(stage) or {}


@dataclass
class Return:
    slug: str
    period: str
    file: str
    data: dict
    lines: dict[str, int] = field(default_factory=dict)
    invalid: set[str] = field(default_factory=set)
    covered: list = field(default_factory=list)  # rule breaches explained by a declared discrepancy

    def get(self, path: str):
        """A number, a symbol string, or None when absent or invalid."""
        if path in self.invalid:
            return None
        return resolve(self.data, path)

    def number(self, path: str) -> float | None:
        value = self.get(path)
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    def line(self, path: str) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path.rsplit(".", 1)[0] if "." in path else ""
        return None

    def tables(self, dimension: str) -> list[dict]:
        return [t for t in (self.data.get("breakdowns", {}).get(dimension) or []) if t]
