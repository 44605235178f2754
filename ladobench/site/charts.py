"""Chart specs: each chart type is built once with altair, then only its data changes per page."""
from __future__ import annotations

import json
import pickle
from functools import cache

import numpy as np
import pandas as pd
from markupsafe import Markup

# Neutral palette: one hue for the area, grey for comparators. Never red/green (polarity is neutral).
AREA, OTHER, GROUP = "#1f5fa8", "#8a8f98", "#333333"
WIDTH = 560


# The chart config (not the data or encodings): as wide as the column the chart sits in, redrawn when that changes,
# with text at 12 px whatever the width (a chart drawn at a fixed width and scaled down to a phone had 5 px text).
FONT = 12
CONFIG = {"font": "sans-serif",
          "axis": {"labelFontSize": FONT, "titleFontSize": FONT, "titleFontWeight": "normal"},
          "legend": {"labelFontSize": FONT, "titleFontSize": FONT},
          "title": {"fontSize": FONT + 2}, "text": {"fontSize": FONT}}


def _template(chart, validate: bool) -> dict:
    spec = chart.to_dict(validate=validate)
    spec.pop("datasets", None)
    spec["data"] = {"name": "table"}
    spec["width"] = "container"
    for layer in spec.get("layer", []):
        layer.pop("width", None)
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    spec["config"] = {**spec.get("config", {}), **CONFIG}
    return spec


@cache
def _templates() -> dict[str, dict]:
    # Not validated against the Vega-Lite schema in every build (a tenth of a second before the first chart):
    # tests/test_charts.py validates them, and the charts made from them.
    return templates(validate=False)


def templates(validate: bool = True) -> dict[str, dict]:
    """Each chart type's Vega-Lite spec, built with altair; the pages fill in the data."""
    import altair as alt  # (a quarter of a second: only once the first chart is drawn)

    empty = pd.DataFrame({"label": ["a"], "value": [1.0], "lower": [0.5], "upper": [1.5], "highlight": [False]})
    base = alt.Chart(empty).properties(width=WIDTH)
    y = alt.Y("label:N", sort=None, title=None, axis=alt.Axis(labelLimit=260))
    bars = base.mark_bar().encode(
        y=y, x=alt.X("value:Q", title="value"),
        color=alt.condition("datum.highlight", alt.value(AREA), alt.value(OTHER)),
        tooltip=[alt.Tooltip("label:N", title="Authority"), alt.Tooltip("value:Q", format=".1f", title="Value")])
    whiskers = base.mark_rule(color=GROUP).encode(y=y, x="lower:Q", x2="upper:Q")
    funnel_df = pd.DataFrame({"label": ["a"], "numerator": [1], "denominator": [1], "value": [1.0], "position": ["a"],
                              "highlight": [False]})
    points = alt.Chart(funnel_df).mark_circle(size=70, opacity=0.9).encode(
        x=alt.X("denominator:Q", title="denominator"), y=alt.Y("value:Q", title="value"),
        color=alt.condition("datum.highlight", alt.value(AREA), alt.value(OTHER)),
        tooltip=[alt.Tooltip("label:N", title="Authority"), alt.Tooltip("value:Q", format=".1f", title="Value"),
                 alt.Tooltip("numerator:Q", format=",.0f", title="Numerator"),
                 alt.Tooltip("denominator:Q", format=",.0f", title="Denominator"),
                 alt.Tooltip("position:N", title="Against the limits")])
    limits_df = pd.DataFrame({"denominator": [1.0], "value": [1.0], "limit": ["95%"]})
    limits = alt.Chart(limits_df).mark_line(color=GROUP).encode(
        x="denominator:Q", y="value:Q", detail="limit:N",
        strokeDash=alt.StrokeDash("limit:N", title="Control limits"))
    trend_df = pd.DataFrame({"period": ["2023-24"], "value": [1.0], "lower": [0.5], "upper": [1.5]})
    trend_base = alt.Chart(trend_df).properties(width=WIDTH)
    trend = trend_base.mark_line(point=True, color=AREA).encode(x=alt.X("period:O", title="Financial year"), y=alt.Y("value:Q", title="value"))
    trend_err = trend_base.mark_rule(color=AREA).encode(x="period:O", y="lower:Q", y2="upper:Q")
    return {
        "bars": _template(bars, validate),
        "bars_ci": _template(alt.layer(bars, whiskers), validate),
        "funnel": _template(alt.layer(limits.properties(width=WIDTH), points), validate),
        "trend": _template(alt.layer(trend, trend_err), validate),
    }


@cache
def _pickled(kind: str) -> bytes:
    return pickle.dumps(_templates()[kind], protocol=pickle.HIGHEST_PROTOCOL)


def _finish(kind: str, rows: list[dict], title: str, description: str, axis: str, extra: list[dict] | None = None) -> dict:
    spec = pickle.loads(_pickled(kind))  # a deep copy of the template (plain dicts and lists), a dozen times faster
    spec["title"] = {"text": title, "anchor": "start"}
    spec["description"] = description
    spec["datasets"] = {"table": rows}
    for layer in spec.get("layer", [spec]):
        enc = layer.get("encoding", {})
        for channel in ("x", "y"):
            if enc.get(channel, {}).get("title") == "value":
                enc[channel]["title"] = axis
    if kind in ("bars", "bars_ci"):
        spec["height"] = max(60, 22 * len(rows))  # (the view's: a layer of its own may not have one in Vega-Lite)
    if extra:
        spec["layer"] = spec.get("layer", []) + extra
    return spec


def _clean(rows: list[dict]) -> list[dict]:
    out = []
    for row in rows:
        out.append({k: (None if isinstance(v, float) and not np.isfinite(v) else (round(v, 4) if isinstance(v, float) else v))
                    for k, v in row.items()})
    return out


def bars(rows: list[dict], title: str, description: str, axis: str, reference: float | None = None,
         reference_label: str = "", label_title: str = "Authority", value_format: str = ".1f") -> dict:
    """Horizontal bars, with interval whiskers when rows carry lower/upper; a rule for a group value. The tooltip
    names a bar's label label_title ("Authority", "Stage", "Category") and its value by the axis title."""
    kind = "bars_ci" if any(r.get("lower") is not None for r in rows) else "bars"
    extra = None
    if reference is not None and np.isfinite(reference):
        extra = [{"mark": {"type": "rule", "color": GROUP, "strokeDash": [4, 3]},
                  "data": {"values": [{"value": round(float(reference), 4), "label": reference_label}]},
                  "encoding": {"x": {"field": "value", "type": "quantitative"}}}]
    spec = _finish(kind, _clean(rows), title, description, axis, extra)
    bar = spec["layer"][0] if "layer" in spec else spec
    label, value = bar["encoding"]["tooltip"][:2]
    label["title"], value["title"], value["format"] = label_title, axis[:1].upper() + axis[1:], value_format
    return spec


def funnel(rows: list[dict], limits: list[dict], title: str, description: str, x_title: str, y_title: str) -> dict:
    """Funnel plot: one point per authority (rows: label, numerator, denominator, value, position) and the control
    limits as lines (limits: denominator, value, limit "95%" or "99.8%", side "lower" or "upper")."""
    spec = _finish("funnel", _clean(rows), title, description, y_title)
    spec["layer"][0]["data"] = {"values": _clean(limits)}
    spec["layer"][0]["encoding"]["strokeDash"] = {"field": "limit", "type": "nominal", "title": "Control limits",
                                                  "scale": {"domain": ["95%", "99.8%"], "range": [[4, 2], [1, 0]]}}
    spec["layer"][0]["encoding"]["detail"] = [{"field": "limit", "type": "nominal"}, {"field": "side", "type": "nominal"}]
    spec["layer"][1]["data"] = {"name": "table"}
    for layer in spec["layer"]:
        layer["encoding"]["x"]["title"] = x_title
        layer["encoding"]["y"]["title"] = y_title
    spec["layer"][1]["encoding"]["tooltip"][1]["title"] = y_title[:1].upper() + y_title[1:]
    return spec


def trend(rows: list[dict], title: str, description: str, axis: str) -> dict:
    """A line over the years, with interval rules when rows carry lower/upper."""
    spec = _finish("trend", _clean(rows), title, description, axis)
    if not any(r.get("lower") is not None for r in rows):  # (an empty rule layer only makes vega warn)
        spec["layer"] = spec["layer"][:1]
    return spec


def embed(spec: dict, chart_id: str) -> Markup:
    """The chart as page HTML: a container and its spec as inert JSON, drawn by the vendored vega bundle."""
    # Inside <script> only a JSON-escaped <, > and & are inert: '</' or '<!--<script>' would end or hijack it.
    payload = (json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
               .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
    label = spec.get("description", "").replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return Markup(f'<div class="lb-chart" id="{chart_id}" role="img" aria-label="{label}" data-spec="{chart_id}-spec"></div>\n'
                  f'<script type="application/json" id="{chart_id}-spec">{payload}</script>')
