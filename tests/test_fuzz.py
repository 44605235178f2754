"""Fuzzing the validator with mutations of the real returns (hypothesis).

Whatever the input, validate() returns a Dataset (it never raises), every problem can be printed,
and anything it accepts is sound: funnel figures are non-negative whole numbers or symbols,
breakdown figures are in range, and every breakdown label is in the authority's crosswalk.
"""
from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from validation_support import AUTHORITIES

from ladobench.cli import _summary
from ladobench.core.schema import load_schema
from ladobench.returns.validate import validate

SCHEMA = load_schema()
SYMBOLS = set(SCHEMA.return_symbols)
FUNNEL_COUNTS = [f.key for f in SCHEMA.records["funnel"].fields if f.type == "count"]
REQUIRED_STAGES = SCHEMA.stages
RETURNS = ["kent/2023-24.yaml", "gloucestershire/2022-23.yaml", "kent/2022-23.yaml"]
AUTHORITY_FILES = ["kent/authority.yaml", "gloucestershire/authority.yaml"]
ORIGINAL = {name: (AUTHORITIES / name).read_bytes() for name in RETURNS + AUTHORITY_FILES}
TREES = {name: yaml.safe_load(ORIGINAL[name]) for name in RETURNS + AUTHORITY_FILES}
EXAMPLES: dict[str, int] = {}

# 150 examples per fuzzer keeps this file well under a minute; LADOBENCH_FUZZ_EXAMPLES=5000 for a long hunt.
FUZZ = settings(max_examples=int(os.environ.get("LADOBENCH_FUZZ_EXAMPLES", 150)), deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

# Scalars written straight into the YAML text (not through safe_dump, which would quote them).
RAW_TOKENS = ["[x]", "[c]", "[y]", "010", "0x1F", "0b_", "1:30", "._", "1,458", "53.6%", ".inf", "-.inf", ".nan",
              "1.0e+999", "9" * 400, "-1", "-0.5", "2.5", "2024-02-30", "2024-13", "~", "", "yes", "No", "!!int abc",
              "!!bool maybe", "!!timestamp soon", "!!binary aGVsbG8=", "!!python/name:os.system", "!custom 1",
              "&anchor 5", "*anchor", "{}", "[]", "[[x]]", "{a: 1}", "'[x]'", '"[X]"', '"\\x07"', "- a"]
TEXTS = ["[x]", "[z]", "[c]", "[u]", "[X]", "x", "1,458", "53.6%", "010", "2024-02-30", "", " ", "[x",
         "Physical abuse", "Male", "Education", "FALSE", "subset", "linked_children", "initial_contacts",
         "funnel.referrals", "breakdowns.sector[9]", "stage_nesting", "breakdown_total", "not_a_rule",
         "https://example.org", "http://example.org", "complete", "Ünïcödé ✓", "🎭", "a" * 300]
VALUES = st.one_of(
    st.integers(-5, 5000),
    st.integers(min_value=-(10 ** 30), max_value=10 ** 400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1, max_value=1e6),
    st.booleans(),
    st.none(),
    st.sampled_from(TEXTS),
    st.text(max_size=12),
    st.lists(st.one_of(st.integers(-3, 2000), st.sampled_from(TEXTS)), max_size=3),
    st.dictionaries(st.sampled_from(["label", "count", "percent", "base", "rows", "x", "fields", "rules", "note"]),
                    st.one_of(st.integers(-3, 2000), st.sampled_from(TEXTS)), max_size=3),
)
INTERESTING = ("funnel", "breakdowns", "children", "discrepancies", "notes", "timeliness", "staffing", "crosswalk", "stages")


def nodes(tree, path=()):
    """(container, key, path) for every value in the tree."""
    out = []
    items = tree.items() if isinstance(tree, dict) else enumerate(tree) if isinstance(tree, list) else []
    for key, value in items:
        out.append((tree, key, path + (key,)))
        out.extend(nodes(value, path + (key,)))
    return out


def near_miss(key: str, data) -> str:
    """A key with one letter dropped, doubled or changed, as a typo would."""
    if not key:
        return "x"
    i = data.draw(st.integers(0, len(key) - 1))
    how = data.draw(st.sampled_from(["drop", "double", "swap", "case"]))
    if how == "drop":
        return key[:i] + key[i + 1:] or "x"
    if how == "double":
        return key[:i] + key[i] + key[i:]
    if how == "case":
        return key.upper()
    return key[:i] + data.draw(st.sampled_from("aeioustz_")) + key[i + 1:]


def mutate(tree, data, raw: dict) -> None:
    everything = nodes(tree)
    pool = [n for n in everything if n[2] and n[2][0] in INTERESTING]
    if not everything:
        return
    parent, key, path = data.draw(st.sampled_from(pool if pool and data.draw(st.booleans()) else everything))
    op = data.draw(st.sampled_from(["replace", "replace", "delete", "duplicate", "insert_key", "swap_type",
                                    "huge", "raw_token", "unicode"]))
    value = parent[key]
    if op == "replace":
        parent[key] = data.draw(VALUES)
    elif op == "delete":
        del parent[key]
    elif op == "duplicate":
        if isinstance(parent, list):
            parent.insert(key, copy.deepcopy(value))
        elif isinstance(value, list) and value:
            value.append(copy.deepcopy(data.draw(st.sampled_from(value))))
        else:
            parent[key] = [value, copy.deepcopy(value)]
    elif op == "insert_key":
        target = value if isinstance(value, dict) else parent if isinstance(parent, dict) else None
        if target is not None:
            name = near_miss(str(key), data) if data.draw(st.booleans()) else data.draw(st.text(min_size=1, max_size=10))
            target[name] = data.draw(VALUES)
    elif op == "swap_type":
        if isinstance(value, bool):
            parent[key] = str(value).lower()
        elif isinstance(value, (int, float)):
            parent[key] = str(value)
        elif isinstance(value, str):
            parent[key] = data.draw(st.integers(-10, 10 ** 6)) if data.draw(st.booleans()) else len(value)
        else:
            parent[key] = data.draw(st.sampled_from(TEXTS))
    elif op == "huge":
        parent[key] = data.draw(st.sampled_from([10 ** 18, 2 ** 63, 10 ** 100, -(10 ** 30), 1e308, 5e-324]))
    elif op == "unicode":
        parent[key] = data.draw(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20))
    elif op == "raw_token":
        marker = f"RAWTOKEN{len(raw)}"
        parent[key] = marker
        raw[marker] = data.draw(st.sampled_from(RAW_TOKENS))


def render(tree, raw: dict) -> bytes:
    text = yaml.safe_dump(tree, allow_unicode=True, sort_keys=False, width=120)
    for marker, token in raw.items():
        text = text.replace(marker, token)
    return text.encode("utf-8")


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return_root = tmp_path_factory.mktemp("fuzz") / "authorities"
    shutil.copytree(AUTHORITIES, return_root)
    return return_root


def check(root: Path, name: str, data: bytes, kind: str) -> None:
    """Write data over one file, validate, check the invariants, put the file back."""
    EXAMPLES[kind] = EXAMPLES.get(kind, 0) + 1
    path = root / name
    path.write_bytes(data)
    try:
        dataset = validate(root)
    finally:
        path.write_bytes(ORIGINAL[name])
    assert_sound(dataset)


def assert_sound(dataset) -> None:
    for problem in dataset.problems:
        text = problem.format()
        assert problem.rule in SCHEMA.rules, text
        assert problem.file and " — expected " in text and text.endswith(f"[{problem.rule}]")
    failed = {p.file for p in dataset.errors}
    for ret in dataset.returns:
        if ret.file in failed or ret.slug not in dataset.authorities:
            continue
        # Accepted: everything below must hold.
        _summary(ret)
        for key in FUNNEL_COUNTS:
            value = ret.get(f"funnel.{key}")
            if value is None:
                assert key not in REQUIRED_STAGES, f"{ret.file}: required funnel.{key} missing"
                continue
            assert value in SYMBOLS or (type(value) is int and value >= 0), f"{ret.file}: funnel.{key} = {value!r}"
        # Optional since counting facts (counting.contacts_include_referrals) say it; when given, a yes or no.
        assert type(ret.get("funnel.contacts_include_referrals")) in (bool, type(None))
        authority = dataset.authorities[ret.slug]
        for dimension, tables in (ret.data.get("breakdowns") or {}).items():
            assert dimension in SCHEMA.dimensions
            crosswalk = authority.crosswalk(dimension)
            for table in tables:
                assert isinstance(table, dict) and table.get("base") in SCHEMA.enum_values("base")
                for row in table["rows"]:
                    assert row["label"] in crosswalk, f"{ret.file}: {dimension} label {row['label']!r}"
                    count, percent = row.get("count"), row.get("percent")
                    assert count is not None or percent is not None
                    assert count is None or count in SYMBOLS or (type(count) is int and count >= 0), count
                    assert percent is None or percent in SYMBOLS or (
                        type(percent) in (int, float) and 0 <= percent <= 100), percent


@FUZZ
@given(data=st.data())
def test_structured_mutations_of_the_returns(root, data):
    name = data.draw(st.sampled_from(RETURNS))
    tree, raw = copy.deepcopy(TREES[name]), {}
    for _ in range(data.draw(st.integers(1, 4))):
        mutate(tree, data, raw)
    check(root, name, render(tree, raw), "structured")


@FUZZ
@given(data=st.data())
def test_structured_mutations_of_the_authorities(root, data):
    name = data.draw(st.sampled_from(AUTHORITY_FILES))
    tree, raw = copy.deepcopy(TREES[name]), {}
    for _ in range(data.draw(st.integers(1, 3))):
        mutate(tree, data, raw)
    check(root, name, render(tree, raw), "authority")


SPECIAL_BYTES = [b": ", b"- ", b"\n", b"  ", b"\t", b"[", b"]", b"{", b"}", b'"', b"'", b"&a ", b"*a", b"!!", b"<<: ",
                 b"#", b"|", b">", b"%", b"@", b"`", b",", b"?", b"\x00", b"\x07", b"\xff", b"\xef\xbb\xbf", b"\xc3",
                 b"-", b"0", b"9", b".", b"~", b"[x]", b"---\n", b"...\n", b"\r"]


@FUZZ
@given(data=st.data())
def test_byte_level_mutations_of_the_returns(root, data):
    name = data.draw(st.sampled_from(RETURNS))
    blob = bytearray(ORIGINAL[name])
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(blob)))
        how = data.draw(st.sampled_from(["flip", "insert", "special", "delete", "duplicate"]))
        if how == "flip" and at < len(blob):
            blob[at] = data.draw(st.integers(0, 255))
        elif how == "insert":
            blob[at:at] = data.draw(st.binary(min_size=1, max_size=4))
        elif how == "special":
            blob[at:at] = data.draw(st.sampled_from(SPECIAL_BYTES))
        elif how == "delete":
            del blob[at:at + data.draw(st.integers(1, 40))]
        elif how == "duplicate":
            blob[at:at] = blob[at:at + data.draw(st.integers(1, 200))]
    check(root, name, bytes(blob), "bytes")


def test_the_unmutated_tree_is_sound(root):
    dataset = validate(root)
    assert dataset.errors == []
    assert_sound(dataset)
    for name in RETURNS:  # and what the structured fuzzer writes, before mutation, is still valid
        (root / name).write_bytes(render(copy.deepcopy(TREES[name]), {}))
    try:
        dataset = validate(root)
    finally:
        for name in RETURNS:
            (root / name).write_bytes(ORIGINAL[name])
    assert dataset.errors == [], [p.format() for p in dataset.errors]


def test_report_examples_run():
    """Runs last in this file: prints how many examples each fuzzer tried (pytest -s shows it)."""
    print(f"\nfuzz examples run: {EXAMPLES} (total {sum(EXAMPLES.values())})")
