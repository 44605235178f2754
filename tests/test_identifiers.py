"""No internal identifier reaches a reader: every HTML page of the demo site is scanned (visible text, aria-labels,
titles, alt texts) for rule ids, field paths and snake_case schema names.

Text set as code (<code>, <pre>) is left out on purpose: that is where a page names an identifier for someone to
type (the data dictionary's fields, a metric's id in its metadata). Chart specs (JSON in <script>) are data, not text."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
RULES = {r["name"] for r in yaml.safe_load((REPO / "schema/rules.yaml").read_text())["rules"]}
RECORDS = ("funnel", "timeliness", "staffing", "breakdowns", "children", "counting", "notes", "measured_as",
           "other_figures", "narrative", "source")
PATTERNS = [
    ("field path", re.compile(rf"\b(?:{'|'.join(RECORDS)})(?:\.[a-z_]+|\[\d+\])")),
    ("indexed path", re.compile(r"\b[a-z_]+\[\d+\]")),
    ("snake_case name", re.compile(r"(?<![\w./#-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/.-]*\.(?:csv|json|xlsx|yaml|md|html))\b")),
    ("internal phrase", re.compile(r"\bthe lost chart\b|\btable_base\b", re.I)),
]
SKIP = ("script", "style", "code", "pre")


def _texts(node, out: list[str]):
    for key in ("aria-label", "title", "alt"):
        if node.attrs.get(key):
            out.append(node.attrs[key])
    for child in node.children:
        if isinstance(child, str):
            out.append(child)
        elif child.tag not in SKIP:
            _texts(child, out)


def identifiers(text: str) -> list[str]:
    """The internal identifiers a reader-facing text contains, each with what it looks like."""
    found = []
    for word in re.findall(r"[a-z_]+", text):
        if word in RULES:
            found.append(f"rule id {word!r}")
    for what, pattern in PATTERNS:
        found += [f"{what} {m.group(0)!r}" for m in pattern.finditer(text)]
    return found


def test_the_scanner_finds_what_it_looks_for():
    assert identifiers("Rule breakdown_total at breakdowns.sector[1]") == [
        "rule id 'breakdown_total'", "field path 'breakdowns.sector'", "indexed path 'sector[1]'",
        "snake_case name 'breakdown_total'"]
    assert identifiers("funnel.concluded: a note") == ["field path 'funnel.concluded'"]
    assert identifiers("share of the table_base") == ["snake_case name 'table_base'", "internal phrase 'table_base'"]
    assert identifiers("see the lost chart") == ["internal phrase 'the lost chart'"]
    assert identifiers("Download kent-outcome.csv or metrics.csv; 1,458 referrals, 53.6% met threshold") == []


def test_no_page_shows_an_internal_identifier(demo, html):
    pages = sorted(demo.site.rglob("*.html"))
    assert len(pages) > 20
    leaks = []
    for page in pages:
        if page.name == "404.html":
            continue
        texts: list[str] = []
        _texts(html(page), texts)
        text = " ".join(" ".join(texts).split())
        leaks += [f"{page.relative_to(demo.site)}: {f}" for f in identifiers(text)]
    assert not leaks, "\n".join(sorted(set(leaks)))
