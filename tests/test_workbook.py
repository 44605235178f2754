"""The downloads workbook as a spreadsheet user (and a screen reader) meets it: the Government Analysis Function's
guidance on releasing statistics in spreadsheets — cover, contents, notes, symbols, one Excel table per sheet."""
import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from ladobench.publish.downloads import generate
from ladobench.publish.package import columns
from ladobench.returns.validate import validate
from ladobench.stats.published import publish


@pytest.fixture(scope="module")
def files():
    return generate(publish(validate()))


@pytest.fixture(scope="module")
def book(files):
    return load_workbook(io.BytesIO(files["downloads/lado-benchmarks.xlsx"]))


def test_the_sheets_are_cover_contents_notes_symbols_then_one_table_each(book):
    assert book.sheetnames == ["Cover", "Contents", "Notes", "Symbols", "Metrics", "Returns"]
    for ws in book.worksheets:
        assert ws["A1"].value and ws["A1"].font.b, ws.title  # a title in A1
        assert not ws.merged_cells.ranges, ws.title
        assert len(ws.tables) == (0 if ws.title == "Cover" else 1), ws.title
    contents = [row for row in book["Contents"].iter_rows(min_row=4, values_only=True)]
    assert [r[0] for r in contents] == ["Notes", "Symbols", "Metrics", "Returns"]
    assert book["Contents"]["A5"].hyperlink.location == "'Symbols'!A1"


def test_the_cover_gives_title_period_as_at_source_licence_and_contact(book):
    cover = [c.value for c in book["Cover"]["A"] if c.value]
    text = "\n".join(cover)
    assert cover[0] == "LADO benchmarks — metrics and validated returns"
    for heading in ("Period covered", "As at", "Source", "Licence", "Contact", "Revisions"):
        assert heading in cover, heading
    assert "Financial years 2022-23 to 2023-24." in cover and "Data as at 31 March 2024" in text
    assert "Open Government Licence v3.0" in text and "nationalarchives.gov.uk" in text


def test_each_table_has_a_header_row_and_no_blank_row_or_column(book, files):
    for sheet, table in (("Metrics", "metrics"), ("Returns", "returns")):
        ws = book[sheet]
        (t,) = ws.tables.values()
        grid = [[c.value for c in row] for row in ws[t.ref]]
        assert grid[0] == columns(table) == [c.name for c in t.tableColumns]
        assert len(grid) - 1 == len(list(csv.reader(io.StringIO(files[f"downloads/{table}.csv"])))) - 1
        assert all(any(v is not None for v in row) for row in grid[1:])
        assert all(any(row[i] is not None for row in grid[1:]) for i, name in enumerate(grid[0]) if name != "revised")
        above = [ws.cell(r, 1).value for r in range(1, ws[t.ref.split(":")[0]].row)]
        assert all(above) and above[1].startswith("This worksheet contains one table")  # no blank row above it
        assert ws.freeze_panes == f"A{ws[t.ref.split(':')[0]].row + 1}"


def test_numbers_are_numbers_and_whole_counts_integers(book):
    ws = book["Metrics"]
    (t,) = ws.tables.values()
    grid = [[c.value for c in row] for row in ws[t.ref]]
    head = grid[0]
    kent = next(r for r in grid if r[head.index("authority")] == "kent" and r[head.index("period")] == "2023-24"
                and r[head.index("metric")] == "threshold_conversion")
    assert kent[head.index("numerator")] == 782 and type(kent[head.index("numerator")]) is int
    assert type(kent[head.index("time_period")]) is int and kent[head.index("new_la_code")] == "E10000016"
    assert round(kent[head.index("value")], 1) == 53.6
    symbols = [r[0] for r in book["Symbols"].iter_rows(min_row=4, values_only=True)]
    assert {"[x]", "[z]", "[c]", "[u]", "[r]"} == set(symbols)
    notes = [r for r in book["Notes"].iter_rows(min_row=4, values_only=True)]
    assert notes[0][0] == "[note 1]" and "[c]" in notes[0][1]


def test_the_table_parts_are_in_the_package(files):
    with zipfile.ZipFile(io.BytesIO(files["downloads/lado-benchmarks.xlsx"])) as zf:
        names = set(zf.namelist())
        types = zf.read("[Content_Types].xml").decode()
    tables = sorted(n for n in names if n.startswith("xl/tables/"))
    assert tables == [f"xl/tables/table{i}.xml" for i in range(1, 6)]
    assert all(f"/{t}" in types for t in tables) and "xl/worksheets/_rels/sheet5.xml.rels" in names
