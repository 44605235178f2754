"""Free text that cannot reveal a withheld count: notes, discrepancies, narrative and crosswalk notes.

A number written in a note is flagged when it equals a count the site withholds as [c] (a cell of
a protected breakdown, a printed total, an "other figure" about staff or children) or the sum of
two, or of all, withheld cells of one table of the same return, and a word of that count's label
stands within three words of it ("17 false + 4 malicious"; "2 FTE business support staff" names
no withheld category). Numbers that name a table, a section, a page, a date, a year, a share or
a unit ("Table 5", "section 6.9", "1 April", "2023", "20%", "4.5", "2 FTE", "3 months") are not
counts and are left alone. Validation warns (rule note_reveals_suppressed); the build publishes
the text with the figure replaced by [c].
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations

from ladobench.core.model import Authority, Return
from ladobench.core.problems import Problem
from ladobench.core.schema import load_schema

NUMBER = re.compile(r"(?<![\w.,£$])(\d{1,3}(?:,\d{3})+|\d+)(?![\w%]|[.,]\d|\s*(?:%|per ?cent|percent))")
NOT_A_COUNT = re.compile(r"(?:table|tables|section|sections|figure|figures|page|pages|paragraph|para|chapter|appendix|"
                         r"part|annex|step|stage|level|priority|recommendation|theme|no\.|year|years|points?|aged?|"
                         r"under|over|within|q[1-4]|kcsie|version)\s*$", re.I)
YEAR = re.compile(r"(19|20)\d\d")
MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
          "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
DATE_AFTER = re.compile(rf"\s*(?:st|nd|rd|th)?\s+(?:{MONTHS})\b", re.I)
DATE_BEFORE = re.compile(rf"\b(?:{MONTHS})\s*$", re.I)
UNIT_AFTER = re.compile(r"\s*(?:fte|full|part|times|days?|weeks?|months?|hours?|working|points?|years?|x|am|pm)\b", re.I)
RULE = "note_reveals_suppressed"


@dataclass(frozen=True)
class Secret:
    value: int
    cell: str  # "Malicious = 4" or "Dismissal + Resignation = 52"
    words: tuple[str, ...] = ()  # stems of its labels' words: a sentence naming one is about it


GENERIC = {"other", "with", "from", "that", "this", "than", "into", "only", "each", "such", "have", "total",
           "table", "were", "given", "recorded", "known", "unknown", "none", "children", "child", "young", "people",
           "person", "adult", "staff", "work", "worker", "service", "referral", "allegation", "contact", "case",
           "outcome", "sector", "local", "authority", "council", "care", "social"}
WORD = re.compile(r"[a-z]+")


WINDOW = 3


def _stem(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 4 else word


def stems(*labels: str) -> tuple[str, ...]:
    return tuple(sorted({_stem(w) for label in labels for w in WORD.findall(str(label).lower())
                         if len(w) >= 4 and _stem(w) not in GENERIC}))


@dataclass(frozen=True)
class Reveal:
    path: str  # where the text is, e.g. notes.funnel.concluded
    start: int
    end: int
    number: int
    cell: str


def in_band(value) -> bool:
    cfg = load_schema().publishing["suppression"]
    return (cfg["enabled"] and isinstance(value, (int, float)) and not isinstance(value, bool)
            and cfg["min_count"] <= value <= cfg["max_count"])


def primary_cells(ret: Return) -> dict[tuple, float]:
    """The counts withheld by the table rule alone (what validation knows without the publishing plan)."""
    from ladobench.returns.rules import base_value

    out: dict[tuple, float] = {}
    for dim, spec in load_schema().dimensions.items():
        if not spec.protected:
            continue
        for t, table in enumerate(ret.tables(dim)):
            base = base_value(ret, table)
            for r, row in enumerate(table.get("rows") or []):
                count = (row or {}).get("count")
                if not isinstance(count, (int, float)) and isinstance((row or {}).get("percent"), (int, float)) and base:
                    count = round(row["percent"] / 100 * base)
                if in_band(count):
                    out[(dim, t, r)] = count
            if in_band(table.get("total")):
                out[(dim, t, "total")] = table["total"]
    return out


def secrets(ret: Return, hidden: dict[tuple, float]) -> list[Secret]:
    """Withheld counts (by (dimension, table, row or 'total')), pairs of one table and each table's whole."""
    def label(key):
        dim, t, r = key
        if r == "total":
            return f"the total of {load_schema().dimensions[dim].title} table {t + 1}"
        return str((ret.tables(dim)[t].get("rows") or [])[r].get("label"))

    out = [Secret(int(v), f"{label(k)} = {v:g}", stems(label(k))) for k, v in sorted(hidden.items(), key=repr)
           if float(v).is_integer()]
    for fig in ret.data.get("other_figures") or []:
        if fig and fig.get("unit") == "count" and fig.get("about", "staff") in ("staff", "children") and in_band(fig.get("value")):
            out.append(Secret(int(fig["value"]), f"{fig.get('label')} = {fig['value']:g}", stems(fig.get("label"))))
    by_table: dict[tuple, list[tuple]] = {}
    for key in hidden:
        if key[2] != "total":
            by_table.setdefault(key[:2], []).append(key)
    for keys in by_table.values():
        keys.sort()
        groups = list(combinations(keys, 2)) if len(keys) <= 12 else []
        if len(keys) > 2:
            groups.append(tuple(keys))
        for group in groups:
            total = sum(hidden[k] for k in group)
            if float(total).is_integer():
                out.append(Secret(int(total), " + ".join(label(k) for k in group) + f" = {total:g}",
                                  stems(*(label(k) for k in group))))
    return out


def texts(data: dict) -> list[tuple[str, str]]:
    """Every free-text field of a return: (path, text)."""
    out = []
    source = data.get("source") or {}
    if isinstance(source.get("note"), str):
        out.append(("source.note", source["note"]))
    for path, text in (data.get("notes") or {}).items():
        if isinstance(text, str):
            out.append((f"notes.{path}", text))
    for i, d in enumerate(data.get("discrepancies") or []):
        for key in ("found", "note"):
            if isinstance((d or {}).get(key), str):
                out.append((f"discrepancies[{i}].{key}", d[key]))
    narrative = data.get("narrative") or {}
    for key in ("introduction", "conclusion"):
        if isinstance(narrative.get(key), str):
            out.append((f"narrative.{key}", narrative[key]))
    for list_key, fields in (("themes", ("title", "text")), ("recommendations", ("title", "detail"))):
        for i, item in enumerate(narrative.get(list_key) or []):
            for key in fields:
                if isinstance((item or {}).get(key), str):
                    out.append((f"narrative.{list_key}[{i}].{key}", item[key]))
    return out


def find(path: str, text: str, known: list[Secret]) -> list[Reveal]:
    values: dict[int, list[Secret]] = {}
    for s in known:
        values.setdefault(s.value, []).append(s)
    words = [(m.start(), _stem(m.group())) for m in WORD.finditer(text.lower())]
    out = []
    for m in NUMBER.finditer(text):
        raw = m.group(1)
        number = int(raw.replace(",", ""))
        before = text[max(0, m.start() - 40):m.start()]
        if (number not in values or (len(raw) == 4 and YEAR.fullmatch(raw)) or NOT_A_COUNT.search(before)
                or DATE_BEFORE.search(before) or DATE_AFTER.match(text, m.end()) or UNIT_AFTER.match(text, m.end())):
            continue
        at = next((i for i, (pos, _) in enumerate(words) if pos > m.start()), len(words))
        near = {w for _, w in words[max(0, at - WINDOW):at + WINDOW]}
        named = [s for s in values[number] if near & set(s.words)]
        if named:
            out.append(Reveal(path, m.start(1), m.end(1), number, named[0].cell))
    return out


def redact(text: str, reveals: list[Reveal]) -> str:
    for r in sorted(reveals, key=lambda r: -r.start):
        text = text[:r.start] + "[c]" + text[r.end:]
    return text


def return_reveals(ret: Return, hidden: dict[tuple, float]) -> list[Reveal]:
    known = secrets(ret, hidden)
    return [r for path, text in texts(ret.data) for r in find(path, text, known)] if known else []


def crosswalk_reveals(authority: Authority, returns: list[Return], hidden_of) -> list[Reveal]:
    """Crosswalk notes of an authority against every one of its returns' withheld counts."""
    known = [s for ret in returns for s in secrets(ret, hidden_of(ret))]
    if not known:
        return []
    out = []
    for dim, entries in (authority.data.get("crosswalk") or {}).items():
        for i, entry in enumerate(entries or []):
            if isinstance((entry or {}).get("note"), str):
                out.extend(find(f"crosswalk.{dim}[{i}].note", entry["note"], known))
    return out


def _message(r: Reveal) -> tuple[str, str, str]:
    return (f"a note that would reveal {r.cell}, which is published as [c]",
            "no count that the site withholds",
            f"Write 'fewer than 6' or leave the figure out; the site publishes this note with {r.number} replaced by [c].")


def problems(ret: Return, authority: Authority | None) -> list[Problem]:
    """Warnings for validate: notes of a return that state a count the table rule withholds."""
    out = []
    for r in return_reveals(ret, primary_cells(ret)):
        found, expected, fix = _message(r)
        out.append(Problem("note_reveals_suppressed", ret.file, ret.line(r.path), r.path, found, expected, fix))
    return out


def authority_problems(authority: Authority, returns: list[Return]) -> list[Problem]:
    out = []
    for r in crosswalk_reveals(authority, returns, primary_cells):
        found, expected, fix = _message(r)
        out.append(Problem("note_reveals_suppressed", authority.file, authority.lines.get(r.path), r.path, found, expected, fix))
    return out
