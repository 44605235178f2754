"""Published tables: CSV numbers rounded once, whole counts written whole, text that cannot run as a formula."""
from __future__ import annotations

import csv
import io
import json
import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ladobench.publish.tables import csv_text, json_records, json_text


def _read(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_a_value_is_rounded_once_to_4_places():
    # Rounded to 6 places first (47.19675) and then to 4, it would be published as 47.1968.
    rows = _read(csv_text(pd.DataFrame({"value": [47.19674985]}), ["value"]))
    assert rows[0]["value"] == "47.1967"


def test_large_values_are_rounded_correctly_too():
    # pandas' own round scales by 10**4 and writes ...5438 for this one.
    rows = _read(csv_text(pd.DataFrame({"value": [879609302.5437499]}), ["value"]))
    assert rows[0]["value"] == "879609302.5437"


def test_whole_counts_stay_whole_beside_missing_values():
    rows = _read(csv_text([{"count": 1458}, {"count": None}, {"count": 782}], ["count"]))
    assert [r["count"] for r in rows] == ["1458", "", "782"]


def test_symbols_and_counts_in_one_column():
    rows = _read(csv_text([{"value": 155}, {"value": "[c]"}, {"value": 38.65336658}], ["value"]))
    assert [r["value"] for r in rows] == ["155", "[c]", "38.6534"]


def test_text_that_would_run_as_a_formula_gets_a_quote():
    rows = _read(csv_text([{"label": "=HYPERLINK(1)"}, {"label": "-5 staff"}, {"label": "Kent"}], ["label"]))
    assert [r["label"] for r in rows] == ["'=HYPERLINK(1)", "'-5 staff", "Kent"]


def test_a_column_the_data_lacks_is_empty():
    text = csv_text(pd.DataFrame({"a": [1, 2]}), ["a", "b"])
    assert text == "a,b\n1,\n2,\n"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.just(math.nan), st.floats(-1e9, 1e9)), min_size=1, max_size=30))
def test_every_float_reads_back_as_itself_rounded_to_4_places(values):
    rows = _read(csv_text(pd.DataFrame({"v": pd.Series(values, dtype="float64")}), ["v"]))
    for value, row in zip(values, rows):
        if value is None or math.isnan(value):
            assert row["v"] == ""
        else:
            assert float(row["v"]) == round(value, 4)


def test_json_rounds_to_6_places_and_writes_nan_as_null():
    records = json_records(pd.DataFrame({"v": [1 / 3, math.nan], "n": ["a", "b"]}))
    assert json.loads(json_text(records)) == [{"n": "a", "v": 0.333333}, {"n": "b", "v": None}]
