"""Publish free text with every figure that would reveal a withheld count replaced by [c].

The validated returns keep their words; the build publishes copies of the returns and authorities
whose notes, discrepancies, narrative and crosswalk notes have been through returns/free_text.py
with the full publishing plan (secondary cells too).
"""
from __future__ import annotations

import copy
import dataclasses
import re
from dataclasses import dataclass

from ladobench.core.model import Authority, Return
from ladobench.returns import free_text
from ladobench.returns.validate import Dataset
from ladobench.stats.suppression import Disclosure


@dataclass(frozen=True)
class Redaction:
    slug: str
    period: str
    where: str  # file:line path
    number: int
    cell: str
    fragment: str  # the original words around the figure: no output may contain them


def hidden_counts(ret: Return, disclosure: Disclosure) -> dict[tuple, float]:
    """Every withheld count of a return and its true value, by (dimension, table, row or 'total')."""
    from ladobench.returns.rules import base_value
    from ladobench.stats.disclosure_system import count_of

    out = {}
    for dim, t, r in disclosure.rows:
        table = ret.tables(dim)[t]
        count = count_of((table.get("rows") or [])[r] or {}, base_value(ret, table))
        if count is not None:
            out[(dim, t, r)] = count
    for dim, t in disclosure.totals:
        total = ret.tables(dim)[t].get("total")
        if isinstance(total, (int, float)):
            out[(dim, t, "total")] = total
    return out


def _fragment(text: str, reveal: free_text.Reveal) -> str:
    """The figure and the words after it ("4 malicious"), as they would appear in an output."""
    after = re.match(r"[ \w]{0,20}", text[reveal.end:]).group().rstrip()
    before = re.search(r"[\w ]{0,20}$", text[:reveal.start]).group().lstrip()
    return (before + text[reveal.start:reveal.end] + after).strip()


def _set(data: dict, path: str, value: str) -> None:
    """Set a free-text field by the path free_text.texts gave it."""
    if path.startswith("notes."):
        data["notes"][path[len("notes."):]] = value
        return
    node, parts = data, re.findall(r"[^.\[\]]+|\[\d+\]", path)
    for part in parts[:-1]:
        node = node[int(part[1:-1])] if part.startswith("[") else node[part]
    node[parts[-1]] = value


def redact(dataset: Dataset, plans: dict[tuple[str, str], Disclosure]) -> tuple[Dataset, list[Redaction]]:
    """The dataset as published: copies of the returns and authorities whose free text would reveal."""
    done: list[Redaction] = []
    returns, hidden = [], {}
    for ret in dataset.returns:
        hidden[(ret.slug, ret.period)] = counts = hidden_counts(ret, plans[(ret.slug, ret.period)])
        reveals = free_text.return_reveals(ret, counts) if counts else []
        if not reveals:
            returns.append(ret)
            continue
        data = copy.deepcopy(ret.data)
        originals = dict(free_text.texts(ret.data))
        by_path: dict[str, list[free_text.Reveal]] = {}
        for r in reveals:
            by_path.setdefault(r.path, []).append(r)
        for path, found in by_path.items():
            _set(data, path, free_text.redact(originals[path], found))
            for r in found:
                done.append(Redaction(ret.slug, ret.period, f"{ret.file}:{ret.line(path) or ''} {path}", r.number, r.cell,
                                      _fragment(originals[path], r)))
        published = dataclasses.replace(ret, data=data)
        published.counts = ret.counts  # the figures are the same; only words changed
        returns.append(published)
    authorities = dict(dataset.authorities)
    for slug, authority in dataset.authorities.items():
        mine = [r for r in dataset.returns if r.slug == slug]
        reveals = free_text.crosswalk_reveals(authority, mine, lambda r: hidden[(r.slug, r.period)])
        if not reveals:
            continue
        data = copy.deepcopy(authority.data)
        for r in reveals:
            dim, i = re.match(r"crosswalk\.(\w+)\[(\d+)\]\.note", r.path).groups()
            entry = data["crosswalk"][dim][int(i)]
            original = authority.data["crosswalk"][dim][int(i)]["note"]
            entry["note"] = free_text.redact(original, [x for x in reveals if x.path == r.path])
            done.append(Redaction(slug, "", f"{authority.file}:{authority.lines.get(r.path) or ''} {r.path}", r.number,
                                  r.cell, _fragment(original, r)))
        authorities[slug] = Authority(authority.slug, authority.file, data, authority.lines)
    if len(done) == 0:
        return dataset, done
    return dataclasses.replace(dataset, returns=returns, authorities=authorities), done

