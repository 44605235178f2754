"""The charts are valid Vega-Lite: the build fills altair's templates without validating them again, so
the templates and every chart of the demo site are validated here."""
from __future__ import annotations

import json
import re

import pytest
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema.core import load_schema

from ladobench.site import charts


@pytest.fixture(scope="module")
def vega_lite():
    return load_schema()


def test_the_templates_the_build_uses_are_those_altair_validates():
    assert charts._templates() == charts.templates(validate=True)
    assert set(charts._templates()) == {"bars", "bars_ci", "funnel", "trend"}


def test_every_chart_on_the_demo_site_is_valid_vega_lite(demo, vega_lite):
    found = {}
    for page in sorted(demo.site.rglob("*.html")):
        raw = page.read_text(encoding="utf-8")
        for m in re.finditer(r'<script\b([^>]*)>(.*?)</script>', raw, re.S):
            ident = re.search(r'\bid="([^"]+)-spec"', m.group(1))
            if ident and 'type="application/json"' in m.group(1):  # (in either order)
                found[f"{page.relative_to(demo.site)}#{ident.group(1)}"] = json.loads(m.group(2))
    assert len(found) > 40
    kent = [spec for key, spec in found.items() if key.startswith("authorities/kent/")]
    assert any("1458" in json.dumps(spec) or "1,458" in json.dumps(spec) for spec in kent)  # Kent's referrals
    for _key, spec in found.items():
        validate_jsonschema(spec, vega_lite, raise_error=True)  # raises, naming what is wrong


def test_an_invalid_chart_is_caught(vega_lite):
    spec = charts.trend([{"period": "2023-24", "value": 22.0}], "Referrals", "A line", "per 10,000 children")
    spec["mark"] = {"type": "not-a-mark"}
    with pytest.raises(Exception):  # noqa: B017 (jsonschema and altair raise different classes by version)
        validate_jsonschema(spec, vega_lite, raise_error=True)


def test_a_trend_draws_interval_rules_only_where_it_has_intervals(vega_lite):
    points = [{"period": "2022-23", "value": 20.5}, {"period": "2023-24", "value": 22.0}]
    pooled = charts.trend(points, "England", "A line", "per 10,000 children")
    kent = charts.trend([{**p, "lower": p["value"] - 1.5, "upper": p["value"] + 1.6} for p in points], "Kent", "A line",
                        "per 10,000 children")
    assert [layer["mark"]["type"] for layer in pooled["layer"]] == ["line"]  # no empty layer for vega to warn about
    assert [layer["mark"]["type"] for layer in kent["layer"]] == ["line", "rule"]
    for spec in (pooled, kent):
        validate_jsonschema(spec, vega_lite, raise_error=True)
