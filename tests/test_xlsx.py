"""The streaming XLSX writer of the downloads workbook: what a spreadsheet user opens."""
from __future__ import annotations

import csv
import io
import shutil
import subprocess
import zipfile
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from ladobench.publish.xlsx import MAX_CELL_TEXT, Sheet, column_letter, write_workbook

ROWS = [
    {"authority": "kent", "period": "2023-24", "metric": "threshold_conversion", "numerator": 782, "value": 53.635116598},
    {"authority": "=HYPERLINK(\"http://evil\")", "period": " padded & <tagged> ", "metric": "bell\x07here", "numerator": None,
     "value": float("nan")},
    {"authority": "gloucestershire", "period": "2022-23", "metric": "substantiation", "numerator": 155, "value": True},
]
COLUMNS = ["authority", "period", "metric", "numerator", "value"]


@pytest.fixture(scope="module")
def book() -> bytes:
    return write_workbook({"metrics": (COLUMNS, ROWS), "empty": (["a"], [])}, title="Benchmarks & more")


def test_values_read_back_as_written(book):
    wb = load_workbook(io.BytesIO(book))
    assert wb.sheetnames == ["metrics", "empty"]
    ws = wb["metrics"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == tuple(COLUMNS)
    assert rows[1] == ("kent", "2023-24", "threshold_conversion", 782, 53.635117)  # 6 decimal places, as the CSV
    assert rows[3] == ("gloucestershire", "2022-23", "substantiation", 155, True)
    assert ws.freeze_panes == "A2" and ws.tables["metrics"].ref == "A1:E4"  # an Excel table (ListObject), its own filter
    assert ws.tables["metrics"].autoFilter.ref == "A1:E4" and not ws.merged_cells.ranges
    assert ws["A1"].font.b and not ws["A2"].font.b
    assert list(wb["empty"].iter_rows(values_only=True)) == [("a",)]
    assert wb["empty"].tables["empty"].ref == "A1:A2"  # a table with no rows keeps one empty body row


def test_a_sheet_with_a_title_and_lines_puts_its_table_under_them():
    sheet = Sheet("data", ["n", "label"], {"n": [1, 2.0, 2.5], "label": ["a", "b", None]}, title="Table 1: numbers",
                  lines=["This worksheet contains one table.", ("Source", 3)])
    cover = Sheet("cover", title="A title", lines=["One paragraph."])
    contents = Sheet("contents", ["Sheet name", "Title"], [{"Sheet name": "data", "Title": "Table 1"}], links="Sheet name")
    wb = load_workbook(io.BytesIO(write_workbook({"cover": cover, "contents": contents, "data": sheet})))
    ws = wb["data"]
    assert [r for r in ws.iter_rows(values_only=True)] == [
        ("Table 1: numbers", None), ("This worksheet contains one table.", None), ("Source", None), ("n", "label"),
        (1, "a"), (2, "b"), (2.5, None)]  # 2.0 is written as the whole number it is
    assert type(ws["A6"].value) is int and ws["A1"].font.b and ws["A1"].font.sz == 15
    assert ws.tables["data"].ref == "A4:B7" and ws.freeze_panes == "A5"
    assert not wb["cover"].tables and wb["cover"]["A2"].value == "One paragraph."
    assert wb["contents"]["A2"].hyperlink.location == "'data'!A1"


def test_text_is_never_a_formula_and_hostile_text_is_made_safe(book):
    ws = load_workbook(io.BytesIO(book))["metrics"]
    assert ws["A3"].value == "=HYPERLINK(\"http://evil\")" and ws["A3"].data_type == "s"
    assert ws["B3"].value == " padded & <tagged> "  # escaped, spaces kept
    assert ws["C3"].value == "bellhere"  # a control character XML cannot hold is dropped
    assert ws["D3"].value is None and ws["E3"].value is None  # missing and NaN are empty cells, never 0


def test_every_part_is_well_formed_xml_and_the_bytes_are_reproducible(book):
    with zipfile.ZipFile(io.BytesIO(book)) as zf:
        names = zf.namelist()
        assert {"[Content_Types].xml", "xl/workbook.xml", "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"} <= set(names)
        for name in names:
            ElementTree.fromstring(zf.read(name))
        assert {info.date_time for info in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert write_workbook({"metrics": (COLUMNS, ROWS), "empty": (["a"], [])}, title="Benchmarks & more") == book


def test_long_text_is_cut_to_what_a_cell_holds_and_says_so():
    book = write_workbook({"t": (["text"], [["x" * (MAX_CELL_TEXT + 10)]])})
    value = load_workbook(io.BytesIO(book))["t"]["A2"].value
    assert len(value) == MAX_CELL_TEXT and value.endswith("…")


def test_many_rows_span_blocks_in_order():
    rows = [[i, f"row {i}"] for i in range(12_345)]
    got = list(load_workbook(io.BytesIO(write_workbook({"t": (["n", "label"], rows)})), read_only=True)["t"].iter_rows(values_only=True))
    assert len(got) == 12_346 and got[-1] == (12_344, "row 12344") and got[5_001] == (5_000, "row 5000")


def test_bad_sheet_names_are_refused():
    for name in ("a/b", "x" * 32, ""):
        with pytest.raises(ValueError):
            write_workbook({name: (["a"], [])})


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_libreoffice_opens_it(book, tmp_path):
    (tmp_path / "book.xlsx").write_bytes(book)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "csv",
                    "--outdir", str(tmp_path), str(tmp_path / "book.xlsx")], check=True, capture_output=True, timeout=120)
    rows = list(csv.reader((tmp_path / "book.csv").open(encoding="utf-8")))
    assert rows[0] == COLUMNS
    assert rows[1] == ["kent", "2023-24", "threshold_conversion", "782", "53.635117"]
    assert rows[2][0] == "=HYPERLINK(\"http://evil\")"  # shown as text, not evaluated
