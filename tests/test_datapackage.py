"""The open-data downloads read back as an analyst reads them: a Frictionless Data Package (v2) with keys that
validates against its files, area codes that join, integers typed integer, one symbol convention, a licence."""
import csv
import io
import json
import re

import frictionless
import pandas as pd
import pytest

from ladobench.core.paths import REFERENCE_CSV
from ladobench.publish.downloads import generate
from ladobench.publish.package import PROFILE, spec
from ladobench.returns.validate import validate
from ladobench.stats.published import publish


def _boolean(cell: str) -> bool:
    if cell not in ("True", "False"):  # (Frictionless' default true and false values include these)
        raise ValueError(cell)
    return cell == "True"


CASTS = {"string": str, "number": float, "integer": int, "boolean": _boolean}
TABLES = ("metrics", "comparisons", "returns")


@pytest.fixture(scope="module")
def files():
    return generate(publish(validate()))


@pytest.fixture(scope="module")
def package(files):
    return json.loads(files["downloads/datapackage.json"])


@pytest.fixture(scope="module")
def reference():
    return pd.read_csv(REFERENCE_CSV, dtype=str, keep_default_na=False).set_index("slug")


def _table(files, name) -> list[dict]:
    return list(csv.DictReader(io.StringIO(files[f"downloads/{name}.csv"])))


def _categories(field) -> set:
    return {c["value"] if isinstance(c, dict) else c for c in field.get("categories", [])}


def _check_table(resource: dict, text: str) -> int:
    """Header = schema fields; every cell castable or missing; integers written as integers; coded cells in their categories."""
    fields = resource["schema"]["fields"]
    missing = set(resource["schema"]["missingValues"])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [f["name"] for f in fields], resource["name"]
    for line, row in enumerate(rows[1:], start=2):
        assert len(row) == len(fields), (resource["path"], line)
        for cell, field in zip(row, fields):
            if cell in missing:
                continue
            try:
                CASTS[field["type"]](cell)
            except ValueError:
                pytest.fail(f"{resource['path']}:{line} {field['name']}: '{cell}' is not {field['type']}")
            assert not re.fullmatch(r"-?\d+\.0+", cell), f"{resource['path']}:{line} {field['name']}: {cell} is a whole number"
            if field.get("categories"):
                assert (int(cell) if field["type"] == "integer" else cell) in _categories(field), (resource["path"], line, field["name"])
    return len(rows) - 1


def test_every_resource_exists_and_every_table_matches_its_schema(files, package):
    checked = 0
    assert {f"downloads/{r['path']}" for r in package["resources"]} | {"downloads/datapackage.json"} == set(files)
    for resource in package["resources"]:
        content = files[f"downloads/{resource['path']}"]
        if resource.get("type") == "table":
            checked += _check_table(resource, content)
            assert all(f.get("description") for f in resource["schema"]["fields"])
        elif resource["format"] == "json":
            assert isinstance(json.loads(content), list)
    assert checked > 500


def test_the_package_is_data_package_v2_with_keys_licence_and_provenance(package):
    assert package["$schema"] == PROFILE and "profile" not in package
    assert frictionless.Package.effective_datapackage_version(package, None) == "v2"
    assert package["licenses"] == [{"name": "OGL-UK-3.0", "title": "Open Government Licence v3.0",
                                    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"}]
    assert package["created"] == "2024-03-31T00:00:00Z"  # dated by the data: the end of 2023-24, the latest year
    assert re.fullmatch(r"\d+\.\d+\.\d+\+[0-9a-f]{12}", package["version"]) and len(package["sources"]) >= 2
    tables = {r["name"]: r for r in package["resources"] if r.get("type") == "table"}
    assert set(tables) == {*TABLES, "authorities"}
    assert tables["metrics"]["schema"]["primaryKey"] == ["authority", "period", "metric"]
    assert tables["authorities"]["schema"]["primaryKey"] == ["slug"]
    for name in TABLES:
        keys = tables[name]["schema"]["foreignKeys"]
        assert {"fields": ["new_la_code"], "reference": {"resource": "authorities", "fields": ["ons_code"]}} in keys
        assert {"fields": ["old_la_code"], "reference": {"resource": "authorities", "fields": ["dfe_number"]}} in keys
    fields = {f["name"]: f for f in tables["metrics"]["schema"]["fields"]}
    assert _categories(fields["status"]) == {"[x]", "[z]", "[c]"} and "threshold_conversion" in _categories(fields["metric"])
    assert len(_categories(fields["region_code"])) == 9


def test_frictionless_validates_the_package_its_keys_and_catches_a_broken_code(files, tmp_path):
    for name, content in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    path = str(tmp_path / "downloads" / "datapackage.json")
    report = frictionless.validate(path)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert {*TABLES, "authorities"} <= {t.name for t in report.tasks if t.type == "table" and t.stats["rows"]}
    metrics = tmp_path / "downloads" / "metrics.csv"
    metrics.write_text(metrics.read_text(encoding="utf-8").replace(",E10000013,", ",E10000099,", 1), encoding="utf-8")
    broken = frictionless.validate(path)
    assert not broken.valid and {e[0] for e in broken.flatten(["type"])} == {"foreign-key"}


def test_every_row_of_every_table_has_the_area_codes_of_the_reference_table(files, reference):
    by_name = {}
    for name in TABLES:
        rows = _table(files, name)
        assert rows, name
        for row in rows:
            ref = reference.loc[row["authority"]]
            assert (row["new_la_code"], row["old_la_code"], row["region_code"], row["region_name"], row["la_name"]) == (
                ref["ons_code"], ref["dfe_number"], ref["region_code"], ref["region_name"], ref["name"]), (name, row)
            assert (row["country_code"], row["geographic_level"], row["time_identifier"]) == (
                "E92000001", "Local authority", "Financial year")
            assert row["time_period"] == row["period"][:4] + row["period"][5:]  # 2023-24 -> 202324
        by_name[name] = rows
    kent = next(r for r in by_name["metrics"] if r["authority"] == "kent" and r["period"] == "2023-24")
    assert (kent["new_la_code"], kent["old_la_code"], kent["time_period"]) == ("E10000016", "886", "202324")
    for record in json.loads(files["downloads/metrics.json"]) + json.loads(files["downloads/returns.json"]):
        ref = reference.loc[record["authority"]]
        assert (record["new_la_code"], record["old_la_code"]) == (ref["ons_code"], int(ref["dfe_number"]))


def test_metrics_joins_the_reference_table_on_the_ons_code_with_no_unmatched_row(files):
    metrics = pd.read_csv(io.StringIO(files["downloads/metrics.csv"]))
    reference = pd.read_csv(io.StringIO(files["downloads/authorities.csv"]))
    joined = metrics.merge(reference, left_on="new_la_code", right_on="ons_code", how="left", indicator=True)
    assert len(joined) == len(metrics) and (joined["_merge"] == "both").all()
    assert (joined["slug"] == joined["authority"]).all() and (joined["dfe_number"] == joined["old_la_code"]).all()


def test_integer_columns_read_back_as_integers_in_csv_json_and_the_workbook(files, package):
    for resource in (r for r in package["resources"] if r.get("type") == "table"):
        frame = pd.read_csv(io.StringIO(files[f"downloads/{resource['path']}"]), dtype_backend="numpy_nullable")
        for field in resource["schema"]["fields"]:
            if field["type"] == "integer" and frame[field["name"]].notna().any():
                assert str(frame[field["name"]].dtype) == "Int64", (resource["name"], field["name"])
    metrics = pd.read_csv(io.StringIO(files["downloads/metrics.csv"]))
    glos = metrics[(metrics.authority == "gloucestershire") & (metrics.metric == "contacts_rate")].iloc[0]
    text = files["downloads/metrics.csv"]
    assert ",968,133163," in text and "968.0" not in text and "133163.0" not in text
    assert glos["numerator"] == 968 and glos["denominator"] == 133163
    record = next(r for r in json.loads(files["downloads/metrics.json"])
                  if r["authority"] == "gloucestershire" and r["metric"] == "contacts_rate")
    assert type(record["numerator"]) is int and type(record["denominator"]) is int and type(record["time_period"]) is int
    comparisons = pd.read_csv(io.StringIO(files["downloads/comparisons.csv"]), dtype_backend="numpy_nullable")
    assert {str(comparisons[c].dtype) for c in ("areas", "n_members", "others_total", "old_la_code", "time_period")} == {"Int64"}


def test_one_symbol_convention_value_empty_and_status_beside_it(files):
    for name in ("metrics", "returns"):
        for row in _table(files, name):
            assert not row["value"].startswith("["), (name, row)
            if row["status"]:
                assert row["value"] == "" and row["status"] in ("[x]", "[z]", "[c]"), (name, row)
    rows = _table(files, "returns")
    assert any(r["status"] == "[c]" for r in rows) and any(r["status"] == "[x]" for r in rows)
    for row in rows:
        if row["status"] == "[c]":
            assert row["value"] == "" and row["percent"] == "", row


def test_the_published_tables_carry_the_seed_figures(files):
    rows = _table(files, "returns")
    kent = {r["field"]: r["value"] for r in rows if r["authority"] == "kent" and r["period"] == "2023-24" and r["table"] == ""}
    assert kent["funnel.referrals"] == "1458" and kent["funnel.met_threshold"] == "782"
    glos = [r for r in rows if r["authority"] == "gloucestershire" and r["field"] == "breakdowns.referral_source"]
    assert len(glos) == 29 and sum(int(r["value"]) for r in glos) == 968
    assert len({(r["authority"], r["period"], r["item"]) for r in rows}) == len(rows)  # the primary key is a key


def test_metadata_has_a_record_for_every_metric_in_the_table(files):
    records = {r["id"]: r for r in json.loads(files["downloads/metadata.json"])}
    assert {r["metric"] for r in _table(files, "metrics")} <= set(records)
    rate, share = records["contacts_rate"], records["substantiation_rate"]
    assert "ONS mid-2024" in rate["denominator"] and "Byar" in rate["interval"] and "10,000" in rate["method"]
    assert share["numerator"].startswith("breakdowns.outcome") and share["denominator"].startswith("funnel.concluded")
    assert "Wilson" in share["interval"] and any("[c]" in c for c in share["caveats"])
    for record in records.values():
        assert all(record[k] for k in ("definition", "numerator", "method", "interval", "comparability", "caveats", "source"))


def test_the_downloads_are_byte_identical_for_the_same_input(files):
    again = generate(publish(validate()))
    assert again == files


def test_the_spec_is_the_single_source_of_the_columns(files):
    for table in spec()["tables"]:
        header = files[f"downloads/{table['path']}"].split("\n", 1)[0].split(",")
        assert header == [f["name"] for f in spec()["area_fields"]] + [f["name"] for f in table["fields"]]


def test_time_columns_follow_the_returns_declared_kind_of_year():
    from ladobench.publish.areas import area

    assert {k: area("kent", "2023-24", "financial_year")[k] for k in ("time_period", "time_identifier")} == \
        {"time_period": 202324, "time_identifier": "Financial year"}
    assert area("devon", "2023", "calendar_year")["time_period"] == 2023
    assert area("devon", "2023", "not_known")["time_identifier"] == "Calendar year"  # the name says so
    assert area("kent", "2023-24", "academic_year")["time_identifier"] == "Academic year"
    assert area("kent", "2023-24", "not_known")["time_identifier"] == "Reporting year"  # never claimed financial
