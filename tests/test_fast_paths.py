"""The build's fast paths give the same bytes as the plain library calls they replace."""
from __future__ import annotations

import csv
import io
import json

import numpy as np
from hypothesis import given, settings, strategies as st

from ladobench.downloads import dump_indented, dump_records
from ladobench.pages import _cell, _column_cells, to_csv, to_csv_columns

_scalars = (st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=True, allow_infinity=True)
            | st.text(max_size=12))
_json = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
                     max_leaves=40)


@settings(max_examples=300, deadline=None)
@given(_json)
def test_indented_json_is_json_dumps_byte_for_byte(data):
    for indent in (1, 2):
        assert dump_indented(data, indent) == json.dumps(data, indent=indent, sort_keys=True, ensure_ascii=False)


def test_indented_json_leaves_what_it_does_not_know_to_json_dumps():
    for odd in ({"kent": {"referrals": np.float64(1458.0)}}, {2023: "a numbered key"}, {"tuple": (1, (2, 3))}):
        assert dump_indented(odd) == json.dumps(odd, indent=1, sort_keys=True, ensure_ascii=False)
    mixed = {2023: "x", "kent": "y"}
    for dump in (dump_indented, lambda d: json.dumps(d, indent=1, sort_keys=True)):
        try:
            dump(mixed)
        except TypeError:
            continue
        raise AssertionError("keys of mixed kinds cannot be sorted: both refuse them")
    kent = {"funnel": {"referrals": 1458, "met_threshold": 782}, "source": {"title": "Kent LADO annual report 2023–24"}}
    assert dump_indented(kent) == json.dumps(kent, indent=1, sort_keys=True, ensure_ascii=False)
    assert '\n  "referrals": 1458\n' in dump_indented(kent)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["authority", "metric", "value", "status"]), _scalars.filter(
    lambda v: not isinstance(v, (list, dict))), max_size=4), max_size=6))
def test_flat_records_json_is_json_dumps_byte_for_byte(records):
    assert dump_records(records) == json.dumps(records, indent=1, sort_keys=True, ensure_ascii=False)


_column = st.one_of(
    st.lists(st.none() | st.floats(allow_nan=True, allow_infinity=False), max_size=8),
    st.lists(st.none() | st.integers(-10**6, 10**6), max_size=8),
    st.lists(st.none() | st.text(max_size=5) | st.sampled_from(["=SUM(A1)", "+44", "-1", "@x", "\tx", "Kent"]), max_size=8),
    st.lists(_scalars.filter(lambda v: not isinstance(v, (list, dict))), max_size=8),
)


@settings(max_examples=300, deadline=None)
@given(_column)
def test_csv_cells_column_by_column_are_cell_by_cell(values):
    assert _csv_text(_column_cells(values)) == _csv_text([_cell(v) for v in values])


def _csv_text(cells: list) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([c] for c in cells)
    return out.getvalue()


@settings(max_examples=500, deadline=None)
@given(st.lists(st.floats(-1e12, 1e12) | st.sampled_from([0.03125, -0.03125, 0.00005, -0.0, 1e-9, 2.5, 99999999999.99995]),
                min_size=1, max_size=20))
def test_csv_floats_are_written_as_rounded_to_4_places(values):
    assert _csv_text(_column_cells(values)) == _csv_text([round(v, 4) for v in values])


def test_csv_columns_are_the_csv_of_the_rows():
    cells = {"authority": ["kent", "gloucestershire", "=cmd"], "value": [1458.0, float("nan"), 155.123456],
             "count": [782, None, 155], "status": ["", "[x]", None]}
    rows = [dict(zip(cells, row)) for row in zip(*cells.values())]
    columns = ["authority", "value", "count", "status", "missing"]
    assert to_csv_columns(cells, columns) == to_csv(rows, columns)
    assert to_csv_columns(cells, columns).splitlines()[1] == "kent,1458.0,782,,"
    assert "'=cmd" in to_csv_columns(cells, columns)


@settings(max_examples=300, deadline=None)
@given(_column)
def test_cleaned_columns_are_cleaned_cell_by_cell(values):
    from ladobench.downloads import _cleaned_column

    def by_cell(v):
        return (None if v != v else round(v, 6)) if isinstance(v, float) else v

    got, want = _cleaned_column(values), [by_cell(v) for v in values]
    assert [(type(v), v) for v in got] == [(type(v), v) for v in want]
