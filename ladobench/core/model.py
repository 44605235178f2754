"""Validated returns and authorities as plain objects the later stages read (no file access)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")
_PATH = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*$")


def _tokens(path: str) -> tuple[tuple[str, int], ...]:
    """A path's steps: (name, 0) for a key, ("", index) for a list item; cached for the paths the code builds."""
    return _cached_tokens(path) if len(path) <= 120 else _steps(path)


def _steps(path: str) -> tuple[tuple[str, int], ...]:
    return tuple((name, 0) if name else ("", int(index)) for name, index in _TOKEN.findall(path))


_cached_tokens = lru_cache(maxsize=65536)(_steps)


def resolve(data, path: str):
    """The value at a dotted path like breakdowns.sector[0].rows[2].count, or None."""
    node = data
    for name, i in _tokens(path):
        if name:
            node = node.get(name) if isinstance(node, dict) else None
        else:
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
    relation: str = "exact"  # exact, broader, narrower or overlapping (schema/authority.yaml)


@dataclass
class Authority:
    slug: str
    file: str
    data: dict
    lines: dict[str, int] = field(default_factory=dict)
    _crosswalks: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _touching: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.data.get("name", self.slug)

    def crosswalk(self, dimension: str) -> dict[str, CrosswalkEntry]:
        """Local label -> entry; built once per dimension (callers only read it)."""
        if dimension not in self._crosswalks:
            self._crosswalks[dimension] = self._build_crosswalk(dimension)
        return self._crosswalks[dimension]

    def touching(self, dimension: str, codes: tuple[str, ...]) -> frozenset[str]:
        """Local labels mapped, wholly or in part, to any of codes or their sub-codes (built once)."""
        key = (dimension, codes)
        if key not in self._touching:
            wanted = set(codes)
            self._touching[key] = frozenset(label for label, entry in self.crosswalk(dimension).items()
                                            if any(c in wanted or c.split(".")[0] in wanted for c in entry.codes))
        return self._touching[key]

    def _build_crosswalk(self, dimension: str) -> dict[str, CrosswalkEntry]:
        out = {}
        for entry in self.data.get("crosswalk", {}).get(dimension, []) or []:
            if not entry or "local" not in entry:
                continue
            codes = tuple(entry.get("codes") or ([entry["code"]] if entry.get("code") else []))
            out[entry["local"]] = CrosswalkEntry(entry["local"], codes, entry.get("note", ""), entry.get("relation") or "exact")
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
    counts: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # crosswalk.code_count's answers

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
