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


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 10**9).map(float), st.floats(0, 1e6)), min_size=1, max_size=30))
def test_a_whole_number_is_written_as_an_integer_in_csv_and_json(values):
    """968.0 is published as 968 everywhere, whether its column is all whole or mixes in decimals."""
    rows = _read(csv_text([{"v": v} for v in values], ["v"]))
    records = json_records([{"v": v} for v in values])
    for value, row, record in zip(values, rows, records):
        if value is None:
            assert row["v"] == "" and record["v"] is None
            continue
        assert float(row["v"]) == round(value, 4)
        assert ("." in row["v"]) == (not round(value, 4).is_integer()), (value, row["v"])
        assert (type(record["v"]) is int) == round(value, 6).is_integer() and record["v"] == round(value, 6)


def test_a_column_of_whole_floats_is_typed_integer_when_read_back():
    text = csv_text(pd.DataFrame({"k": ["a", "b", "c"], "n": [968.0, None, 133163.0]}), ["k", "n"])
    assert text == "k,n\na,968\nb,\nc,133163\n"
    assert str(pd.read_csv(io.StringIO(text), dtype_backend="numpy_nullable")["n"].dtype) == "Int64"
