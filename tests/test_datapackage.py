"""The open-data downloads: a Frictionless datapackage.json that validates against the files it describes."""
import csv
import io
import json

import pytest
from openpyxl import load_workbook

from ladobench.publish.downloads import generate
from ladobench.returns.validate import validate
from ladobench.stats.published import publish

CASTS = {"string": str, "number": float, "integer": int}


@pytest.fixture(scope="module")
def files():
    return generate(publish(validate()))


def _check_table(resource: dict, text: str) -> int:
    """Frictionless' table checks, written out: header = schema fields, every cell castable or a missing value."""
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
    return len(rows) - 1


def test_every_resource_exists_and_every_table_matches_its_schema(files):
    package = json.loads(files["downloads/datapackage.json"])
    assert package["profile"] == "data-package"
    checked = 0
    for resource in package["resources"]:
        content = files[f"downloads/{resource['path']}"]
        if resource.get("profile") == "tabular-data-resource":
            checked += _check_table(resource, content)
            assert all(f.get("description") for f in resource["schema"]["fields"])
        elif resource["format"] == "json":
            assert isinstance(json.loads(content), list)
    assert checked > 500


def test_the_published_tables_carry_the_seed_figures(files):
    rows = list(csv.DictReader(io.StringIO(files["downloads/returns.csv"])))
    kent = {r["field"]: r["value"] for r in rows if r["authority"] == "kent" and r["period"] == "2023-24" and r["table"] == ""}
    assert kent["funnel.referrals"] == "1458" and kent["funnel.met_threshold"] == "782"
    glos = [r for r in rows if r["authority"] == "gloucestershire" and r["field"] == "breakdowns.referral_source"]
    assert len(glos) == 29 and sum(int(r["value"]) for r in glos) == 968


def test_the_workbook_holds_the_same_tables(files):
    package = json.loads(files["downloads/datapackage.json"])
    book = load_workbook(io.BytesIO(files["downloads/lado-benchmarks.xlsx"]), read_only=True)
    assert book.sheetnames == ["metrics", "returns"]
    for resource in (r for r in package["resources"] if r.get("profile") == "tabular-data-resource" and r["name"] in book.sheetnames):
        sheet = book[resource["name"]]
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == [f["name"] for f in resource["schema"]["fields"]]
        assert len(rows) - 1 == len(list(csv.reader(io.StringIO(files[f"downloads/{resource['path']}"])))) - 1
    metrics = list(book["metrics"].iter_rows(values_only=True))
    header = metrics[0]
    kent = next(r for r in metrics if r[header.index("authority")] == "kent" and r[header.index("metric")] == "threshold_conversion"
                and r[header.index("period")] == "2023-24")
    assert kent[header.index("numerator")] == 782 and round(kent[header.index("value")], 1) == 53.6


def test_the_workbook_is_byte_identical_for_the_same_input(files):
    again = generate(publish(validate()))
    assert again["downloads/lado-benchmarks.xlsx"] == files["downloads/lado-benchmarks.xlsx"]


def test_frictionless_validates_the_package_when_installed(files, tmp_path):
    frictionless = pytest.importorskip("frictionless")
    for name, content in files.items():
        if name.startswith("downloads/"):
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    report = frictionless.validate(str(tmp_path / "downloads" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
