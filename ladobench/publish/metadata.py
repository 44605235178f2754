"""A metadata record for every metric: what it counts, over what, how, how it is compared, and its caveats.

Published as downloads/metadata.json (one record per metric id of metrics.csv) and shown on each
metric's page, all from schema/metrics.yaml, schema/return.yaml and schema/taxonomies.yaml.
"""
from __future__ import annotations

from functools import cache

from ladobench.core.schema import Metric, load_schema

POPULATION = ("children aged 0-17 living in the area, ONS mid-2024 population estimates (summed over single years "
              "of age, reference/authorities.csv)")
SOURCE = "The authority's validated annual LADO return (authorities/<slug>/<year>.yaml), as published on this site"
METHOD = {
    "rate": "numerator ÷ population × 10,000",
    "proportion": "numerator ÷ denominator × 100",
    "share": "count in the category ÷ the table's base × 100",
    "published": "the percentage the return gives, as given",
    "ratio": "numerator ÷ denominator",
    "value": "the figure the return gives, as given",
    "completeness": "numeric fields given ÷ numeric fields in the return × 100",
}
INTERVAL = {
    "rate": "95% and 99.8%: Byar's approximation to the Poisson interval (exact Poisson under {byar} events)",
    "proportion": "95% and 99.8%: Wilson score interval",
    "share": "95% and 99.8%: Wilson score interval",
    "published": "95% and 99.8%: Wilson score interval on the count implied by the percentage and its base, "
                 "widened to include the percentage as given",
}


def _operand(spec: str) -> str:
    """A numerator or denominator as a reader can look it up: the return's field, or a code of a breakdown."""
    schema = load_schema()
    if ":" in spec:
        dimension, code = spec.split(":")
        dim = schema.dimensions[dimension]
        return (f"breakdowns.{dimension}: count of '{dim.code(code).label}' ({code}), summed over every local category "
                f"the authority's crosswalk maps to it ({dim.title.lower()})")
    record, key = spec.split(".")
    field = schema.records[record].get(key)
    return f"{spec}: {field.display}" + (f" — {field.definition}" if field.definition else "")


def _fraction(metric: Metric) -> tuple[str, str]:
    schema = load_schema()
    if metric.kind == "completeness":
        return "numeric fields of the return given (not [x])", "numeric fields of the return (funnel, timeliness, staffing, children)"
    if metric.kind == "share":
        dim = schema.dimensions[metric.dimension]
        labels = ", ".join(f"'{dim.code(c).label}' ({c})" for c in metric.codes)
        top = (f"breakdowns.{metric.dimension}: count of {labels}, summed over every local category the authority's "
               "crosswalk maps to it")
        if metric.denominator == "table_base":
            return top, ("the base of the authority's first table of this breakdown, in the order "
                         + ", ".join(f"funnel.{b}" for b in metric.bases) + " (the column denominator_label says which)")
        return top, _operand(metric.denominator)
    if metric.kind == "rate":
        return _operand(metric.numerator), POPULATION
    if metric.kind == "published":
        field = schema.records["timeliness"].get(metric.numerator.split(".")[1])
        return (_operand(metric.numerator) + " (a percentage); the numerator column is the count it implies",
                _operand(f"funnel.{field.base}"))
    if metric.kind == "value":
        return _operand(metric.numerator), ""
    return _operand(metric.numerator), _operand(metric.denominator)


def _caveats(metric: Metric) -> list[str]:
    schema, out = load_schema(), []
    min_base = schema.publishing["reliability"]["min_base"]
    if metric.kind == "rate":
        out.append("Every year's rate uses the mid-2024 population; where the number of children changed, earlier "
                   "years' rates are slightly off.")
    if metric.kind in ("proportion", "share", "published"):
        out.append(f"Marked [u] (low reliability) when the denominator is under {min_base}.")
    if metric.kind == "share" and metric.denominator == "table_base":
        out.append("Authorities count this breakdown at different stages (allegations, referrals or contacts): "
                   "compare shares whose denominator_label is the same.")
    dimension = metric.dimension or next((s.split(":")[0] for s in (metric.numerator, metric.denominator) if ":" in s), "")
    if dimension:
        dim, several = schema.dimensions[dimension], len(metric.codes) > 1
        out.append(f"Not comparable ([x]) for an authority whose own categories do not separate "
                   f"{'these codes' if several else 'this code'}, or combine it with another.")
        cfg = schema.publishing["suppression"]
        if dim.protected and cfg.get("enabled"):
            out.append(f"{dim.title} describes children or staff: counts of {cfg['min_count']} to {cfg['max_count']}, "
                       "and shares that would reveal one, are suppressed ([c]).")
    if metric.kind == "published":
        out.append("The authority computes the percentage; definitions of the working days counted may differ.")
    if metric.kind in ("ratio", "value"):
        out.append("A workload figure as the authority reports it; not compared between authorities.")
    out.append("Declared discrepancies in a return (figures its report gives two ways) are in the note column.")
    return out


@cache
def records() -> dict[str, dict]:
    """{metric id: its metadata record}, in catalogue order."""
    out, method = {}, load_schema().methodology
    for metric in load_schema().metrics:
        numerator, denominator = _fraction(metric)
        out[metric.id] = {
            "id": metric.id, "title": metric.title, "family": metric.family or metric.id, "kind": metric.kind,
            "unit": metric.unit, "decimals": metric.decimals, "definition": metric.definition,
            "numerator": numerator, "denominator": denominator,
            "population": POPULATION if metric.kind == "rate" else "",
            "method": METHOD[metric.kind], "interval": INTERVAL.get(metric.kind, "none").format(byar=method.byar_min_count),
            "comparability": (
                "Compared with the authority's region, England, its 10 DfE statistical neighbours and its peer groups, "
                "each pooled (members' summed numerators over summed denominators): the authority is higher when its "
                "interval (95%, and separately 99.8%) lies wholly above the comparator's value, lower when wholly "
                "below, similar when it contains it; ranks and quartiles only with "
                f"{method.min_areas_to_rank} or more authorities. Polarity is neutral: higher is neither better nor worse."
                if metric.compare else "Not compared between authorities (a workload or completeness measure)."),
            "caveats": _caveats(metric),
            "source": SOURCE + ("; population: ONS mid-2024 estimates" if metric.kind == "rate" else ""),
        }
    return out


def record(metric_id: str) -> dict:
    return records()[metric_id]
