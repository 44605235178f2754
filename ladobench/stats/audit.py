"""The disclosure audit: after planning, prove from what is published that no withheld count can be recovered.

Two parts. audit_published reads the structures every output is rendered from (which cells each
return publishes, the metrics table as written to metrics.csv/json and the workbook, the changes
table) as linear constraints and computes, for every withheld count, the range a reader can prove.
audit_files reads the written outputs themselves: returns.json shows [c] in every withheld cell and
printed total, and no note a return wrote is published with the figure the free-text check removed.
Either failing stops the build before anything is written, naming the cell and what pins it.
"""
from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass, field

import pandas as pd

from ladobench.core.problems import InputError, Problem
from ladobench.stats import disclosure_system as ds
from ladobench.stats import provable
from ladobench.stats.disclosure_plan import describe, interval, protected
from ladobench.stats.suppression import figure_hidden, settings


@dataclass
class AuditReport:
    cells: int = 0  # withheld counts checked ([c] cells, printed totals, other figures)
    derived: int = 0  # small differences between linked tables checked
    narrowest: tuple[float, float] | None = None  # the narrowest provable range of a withheld count
    narrowest_name: object = ""  # the quantity (its .name says which count)
    capped: int = 0  # as wide as their table's base (a published stage under the interval) allows
    secondary: int = 0  # cells withheld only because of the planning against everything published
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.narrowest is None:
            return f"{self.cells} withheld counts, none that a published figure bounds"
        lo, hi = self.narrowest
        return (f"{self.cells} withheld counts and {self.derived} linked differences protected "
                f"({self.secondary} cells withheld by the planning); narrowest provable range {lo:g} to {hi:g}"
                + (f" ({self.capped} more as wide as their table's published base)" if self.capped else "")
                + f"; {self.seconds:.2f}s")


class DisclosureError(InputError):
    """The published figures would let a reader recover a withheld count."""


def published_numerators(metrics: pd.DataFrame) -> dict[tuple[str, str], dict[str, float]]:
    """What the metrics table publishes about each return's codes: the numerator, or value times denominator."""
    out: dict[tuple[str, str], dict[str, float]] = {}
    cols = [metrics[c].tolist() for c in ("authority", "period", "metric", "kind", "numerator", "denominator", "value")]
    for slug, period, metric, kind, num, den, value in zip(*cols):
        n = num if isinstance(num, (int, float)) and not math.isnan(num) else None
        if n is None and kind in ("share", "proportion") and isinstance(value, float) and not math.isnan(value) \
                and isinstance(den, float) and not math.isnan(den):
            n = round(value * den / 100)
        if n is not None:
            out.setdefault((slug, period), {})[metric] = float(n)
    return out


def audit_published(published) -> AuditReport:
    """The provable range of every withheld count, from the structures every output is rendered from."""
    started, report = time.perf_counter(), AuditReport()
    if not settings()["enabled"]:
        return report
    numerators = published_numerators(published.metrics)
    returns = published.dataset.returns
    systems = []
    for ret in returns:
        authority = published.dataset.authorities.get(ret.slug)
        disclosure = published.plans[(ret.slug, ret.period)]
        systems.append(ds.build(ret, authority, disclosure.rows, disclosure.totals, numerators.get((ret.slug, ret.period), {})))
        report.secondary += max(0, len(disclosure.rows) - disclosure.table_rule)
        report.cells += sum(1 for fig in ret.data.get("other_figures") or [] if fig and figure_hidden(fig))
    provable.solve(systems)
    for system in systems:
        for q in system.quantities:
            is_cell = len(q.terms) == 1 and q.const == 0 and next(iter(q.terms.values())) == 1.0
            report.cells += is_cell
            report.derived += not is_cell
            if not protected(q):
                sources = _pinning(system, q)
                report.failures.append(f"{describe(q)} (published as [c]; pinned by {sources})" if is_cell
                                       else f"{describe(q)} (pinned by {sources})")
            elif is_cell and q.hi - q.lo < interval():
                report.capped += 1
            elif is_cell and not math.isinf(q.hi):
                width = q.hi - q.lo
                if report.narrowest is None or width < report.narrowest[1] - report.narrowest[0]:
                    report.narrowest, report.narrowest_name = (q.lo, q.hi), q
    _check_changes(published, report)
    report.seconds = time.perf_counter() - started
    return report


def _pinning(system: ds.System, q: ds.Quantity) -> str:
    if not q.terms:
        return "both figures are published (authority page, returns downloads)"
    comps = provable.components(system)
    var = next(iter(q.terms))
    cons = next(cs for vs, cs in comps if var in vs)
    return "; ".join(system.constraints[j].source for j in cons[:6]) or "nothing"


def _check_changes(published, report: AuditReport) -> None:
    """A change on last year is published only where both years' values are."""
    m, ch = published.metrics, published.changes
    shown = {key for key, s in zip(zip(m["authority"].tolist(), m["period"].tolist(), m["metric"].tolist()),
                                   m["status"].tolist()) if s == ""}
    for slug, metric, period, previous, change in zip(*(ch[c].tolist() for c in
                                                        ("authority", "metric", "period", "previous_period", "change"))):
        if change is None or (isinstance(change, float) and math.isnan(change)):
            continue
        for when in (period, previous):
            if (slug, when, metric) not in shown:
                report.failures.append(f"{slug} {metric}: the change from {previous} to {period} is published while "
                                       f"{when}'s value is not")


def audit_files(published, files: dict[str, str | bytes], report: AuditReport) -> None:
    """The written outputs agree with the plan: returns.json withholds every planned cell, its free text states no
    withheld count (scanned again, with every withheld cell), and no page or download keeps a figure taken out of a note."""
    from ladobench.returns import free_text
    from ladobench.stats.redaction import hidden_counts

    started = time.perf_counter()
    text = files.get("downloads/returns.json")
    records = {(r["authority"], r["period"]): r["return"] for r in json.loads(text)} if text else {}
    if text is not None and settings()["enabled"]:
        for ret in published.dataset.returns:
            data = records.get((ret.slug, ret.period)) or {}
            disclosure = published.plans[(ret.slug, ret.period)]
            for dim, t, r in sorted(disclosure.rows):
                row = [x for x in ((data.get("breakdowns") or {}).get(dim) or []) if x][t]["rows"][r]
                if any(isinstance(row.get(k), (int, float)) for k in ("count", "percent")):
                    report.failures.append(f"{ds.cell_name(ret, (dim, t, r))}: planned as [c] but published in "
                                           "downloads/returns.json")
            for dim, t in sorted(disclosure.totals):
                table = [x for x in ((data.get("breakdowns") or {}).get(dim) or []) if x][t]
                if isinstance(table.get("total"), (int, float)):
                    report.failures.append(f"{ds.cell_name(ret, (dim, t, 'total'))}: planned as [c] but published in "
                                           "downloads/returns.json")
            hidden = hidden_counts(ret, disclosure)  # and no number left in its published words gives one away
            known = free_text.secrets(ret, hidden) if hidden else []
            for path, words in free_text.texts(data) if known else ():
                for found in free_text.find(path, words, known):
                    report.failures.append(f"{ret.file} {path}: the figure {found.number} would reveal {found.cell} "
                                           "in downloads/returns.json and the authority page")
    redactions = [red for red in getattr(published, "redactions", [])
                  if len(red.fragment) >= 5 and re.search(r"[A-Za-z]", red.fragment)]
    if redactions:
        pages = {path: content for path, content in files.items() if isinstance(content, str)
                 and not path.startswith("downloads/")}
        for red in redactions:
            outputs = [path for path, content in pages.items() if red.slug in path and red.fragment in content]
            record = records.get((red.slug, red.period)) or {}
            if any(red.fragment in words for _, words in free_text.texts(record)):
                outputs.append("downloads/returns.json")
            if outputs:
                report.failures.append(f"{red.where}: the note's figure {red.number} ({red.cell}) is published in "
                                       + ", ".join(outputs))
    report.seconds += time.perf_counter() - started


def check(report: AuditReport) -> None:
    """Stop the build, naming each exposed count and what pins it."""
    if report.failures:
        raise DisclosureError([Problem("disclosure_audit", "published outputs", None, "", failure,
                                       f"a provable range outside {settings()['min_count']} to {settings()['max_count']} "
                                       f"and at least {interval():g} wide",
                                       "Nothing was published. The planning withheld every cell it could; what is left "
                                       "pins the count (see 'pinned by'), e.g. a table whose base gives its only row: leave "
                                       "that breakdown or note out of the return, or report the case.")
                               for failure in report.failures[:20]])
