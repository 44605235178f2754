"""The build's fast paths give the same bytes as the plain library calls they replace."""
from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
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
    lambda v: not isinstance(v, (list, dict))) | st.sampled_from(["},\n  {", "}, {", "}\n", "[c]"]),
    min_size=1, max_size=4), max_size=6))
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


# --- YAML: libyaml's composer for ordinary documents, the careful reader for the rest -------------


def _same_tree(a, b, path="$"):
    from ladobench.yamlsafe import Scalar, YList

    assert type(a) is type(b), path
    if isinstance(a, Scalar):
        assert (a.value, type(a.value), a.raw, a.line, a.quoted) == (b.value, type(b.value), b.raw, b.line, b.quoted), path
    elif isinstance(a, YList):
        assert (a.line, a.item_lines, len(a)) == (b.line, b.item_lines, len(b)), path
        for i, (x, y) in enumerate(zip(a, b)):
            _same_tree(x, y, f"{path}[{i}]")
    else:
        assert (a.line, a.key_lines, list(a)) == (b.line, b.key_lines, list(b)), path
        for k in a:
            _same_tree(a[k], b[k], f"{path}.{k}")


def test_every_committed_return_reads_the_same_both_ways():
    from ladobench import paths
    from ladobench.yamlsafe import _compose, _compose_ordinary, decode

    files = sorted(paths.AUTHORITIES_DIR.rglob("*.yaml"))
    assert len(files) >= 5
    for f in files:
        text = decode(f.read_bytes(), str(f))
        fast = _compose_ordinary(text)
        assert fast is not None, f  # the real returns are ordinary: they take the fast path
        _same_tree(fast, _compose(text, str(f)))
    kent = _compose_ordinary(decode((paths.AUTHORITIES_DIR / "kent" / "2023-24.yaml").read_bytes(), "kent"))
    assert kent["funnel"]["referrals"].value == 1458 and kent["funnel"]["met_threshold"].value == 782


_yaml_scalars = (st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False)
                 | st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
                 | st.sampled_from(["010", "0x1F", "1:30", "2024-02-30", "yes", "~", "=", "[x]", "Fire & Rescue", "**bold**",
                                    "50%", "2023-24", ".nan", "1e3", "'quoted'", "a: b", "- item"]))
_yaml_docs = st.recursive(_yaml_scalars, lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(st.text("abc_xyz ", min_size=1, max_size=5), inner, min_size=1, max_size=3),
                          max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(_yaml_docs, st.booleans(), st.sampled_from([None, '"', "'"]))
def test_the_fast_reading_gives_the_careful_readings_tree(data, flow, style):
    import yaml

    from ladobench.yamlsafe import YamlRefused, _compose, _compose_ordinary

    text = yaml.safe_dump(data, default_flow_style=flow, default_style=style, allow_unicode=True, sort_keys=False)
    fast = _compose_ordinary(text)
    try:
        careful = _compose(text, "x.yaml")
    except (YamlRefused, yaml.YAMLError):
        assert fast is None  # whatever the careful reading refuses, the fast one leaves to it
        return
    if fast is not None and careful is not None:
        _same_tree(fast, careful)


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n",                                   # an alias
    "a: &x [1, 2]\n",                                      # an anchor alone
    "base: {a: 1}\nmerged:\n  <<: {a: 2}\n",               # a merge key
    "a: !!python/object:os.system x\n",                    # a tag that is not plain
    "a: =\n",                                              # YAML 1.1's 'value' tag
    "a: 1\na: 2\n",                                        # a duplicate key
    "? [a]\n: 1\n",                                        # a list as a key
    "a: 1\n---\nb: 2\n",                                   # two documents
    "a: [1, 2\n",                                          # broken syntax
    "a: " + "[" * 30 + "]" * 30 + "\n",                   # nested too deeply
    "a: " + "[" * 1_001 + "]" * 1_001 + "\n",            # deep enough to worry a small C stack: not even tried
    "a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 1_001)) + " " * 1_001 + "v: 1\n",
    "- " * 1_001 + "x\n",
])
def test_anything_unusual_is_left_to_the_careful_reading(text):
    from ladobench.yamlsafe import _compose_ordinary

    assert _compose_ordinary(text) is None


def test_the_nesting_bound_is_never_below_the_real_depth():
    import yaml

    from ladobench.yamlsafe import nesting_bound

    def depth(node):
        if isinstance(node, yaml.SequenceNode):
            return 1 + max((depth(v) for v in node.value), default=0)
        if isinstance(node, yaml.MappingNode):
            return 1 + max((max(depth(k), depth(v)) for k, v in node.value), default=0)
        return 0

    # Lines broken by \r, NEL or LS are lines too: a deep one after the first line is still counted.
    for brk in ("\r", "\x85", "\u2028", "\n"):
        assert nesting_bound("a: 1" + brk + "- " * 1_001 + "x" + brk) > 1_000, repr(brk)
    for text in ("a: [[1], {b: [2]}]\n", "- - - x\n", "a:\n  b:\n    - c:\n        - d\n", "? - a\n  - b\n: 1\n",
                 "- a: 1\n  b:\n  - - [x]\n", "a: {b: {c: {d: [e]}}}\n"):
        assert nesting_bound(text) >= depth(yaml.compose(text)), text


def test_records_json_with_empty_or_nested_records_is_json_dumps():
    for records in ([{}], [{"a": 1}, {}], [{"a": [1, 2]}], []):
        assert dump_records(records) == json.dumps(records, indent=1, sort_keys=True, ensure_ascii=False)
