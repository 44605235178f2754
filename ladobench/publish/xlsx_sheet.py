"""The worksheets of the streaming XLSX writer (ladobench.publish.xlsx): text lines above a table.

The downloads workbook holds hundreds of thousands of rows. openpyxl keeps an object per cell (even
in write-only mode) and took 15 s and hundreds of MB for 153 authorities × 5 years; this writes
each sheet's XML straight into the zip, a block of rows at a time, in a fraction of that.

A sheet is a title in A1, lines of text under it in column A (one paragraph a cell, as the
Government Analysis Function's guidance on releasing statistics in spreadsheets asks), then at
most one table: a header row in bold, frozen, marked as an Excel table (a ListObject, with its
own filter), and the rows, with no blank row or column and no merged cell. Text is always a text
cell: a value starting with "=" is never a formula.
"""
from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

MAX_CELL_TEXT = 32_767  # the most an Excel cell holds
FIXED = (1980, 1, 1, 0, 0, 0)  # zip timestamps: the same tables give the same bytes
_NEEDS_WORK = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|^\s|\s$")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_BLOCK = 5_000  # rows joined and compressed at a time
# Cell styles (ladobench.publish.xlsx.STYLES): plain, bold (table headers), title, heading, wrapped text.
PLAIN, BOLD, TITLE, HEADING, WRAP = range(5)


@dataclass
class Sheet:
    """One worksheet: a title in A1, lines of text under it, then a table (if it has columns).

    rows: sequences in column order, dicts, or the columns themselves as {column: values}.
    lines: text, or (text, style) for a heading. links: a column whose cells link to the sheets
    they name (a contents table). widths: column widths by column name (by position without a table).
    """
    name: str
    columns: list[str] = field(default_factory=list)
    rows: list | dict = field(default_factory=list)
    title: str = ""
    lines: list = field(default_factory=list)
    links: str = ""
    widths: dict[str, float] = field(default_factory=dict)

    @property
    def header_row(self) -> int:
        """The row number of the table's header: right under the title and lines."""
        return (1 if self.title else 0) + len(self.lines) + 1

    @property
    def n_rows(self) -> int:
        if isinstance(self.rows, dict):
            return len(next(iter(self.rows.values()), []))
        return len(self.rows)

    @property
    def last_row(self) -> int:
        """The table's last row; a table with no rows keeps one empty row (Excel wants a body)."""
        return self.header_row + max(self.n_rows, 1)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class Strings(dict):
    """The shared string table: each distinct text once, numbered in order of first use."""

    def __missing__(self, text: str) -> int:
        self[text] = index = len(self)
        return index

    def xml(self) -> str:
        items = "".join(f"<si>{_text(text)}</si>" for text in self)
        return f'{HEAD}<sst xmlns="{MAIN}" uniqueCount="{len(self)}">{items}</sst>'


def _text(value: str) -> str:
    if len(value) > MAX_CELL_TEXT:
        value = value[: MAX_CELL_TEXT - 1] + "…"
    if not _NEEDS_WORK.search(value):
        return f"<t>{value}</t>"
    value = escape(_ILLEGAL.sub("", value))
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f"<t{space}>{value}</t>"


def _number(value: float):
    """A finite float as a cell holds it: 6 decimal places, a whole number as an integer (968, not 968.0)."""
    value = round(value, 6)
    return int(value) if value.is_integer() else value


def _other(ref: str, n: int, value, strings: Strings) -> str:
    """The rare cells: empty, non-finite, booleans and anything that is not text or a number."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}{n}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}{n}"><v>{_number(float(value))!r}</v></c>'
    return f'<c r="{ref}{n}" t="s"><v>{strings[str(value)]}</v></c>'


def _column(ref: str, values: list, numbers: list[str], strings: Strings) -> list[str]:
    """One column's cells for the rows numbered (as text) in numbers: a comprehension, as this runs for millions of cells."""
    texts: dict[str, str] = {}  # the end of a text cell, for each text of this column: labels and codes repeat

    def text_cell(value: str) -> str:
        cell = texts[value] = f'" t="s"><v>{strings[value]}</v></c>'
        return cell

    head = '<c r="' + ref
    return [head + n + (texts.get(v) or text_cell(v)) if type(v) is str else
            f'{head}{n}"><v>{v}</v></c>' if type(v) is int else
            f'{head}{n}"><v>{_number(v)!r}</v></c>' if type(v) is float and v - v == 0 else
            _other(ref, int(n), v, strings) for n, v in zip(numbers, values)]


def _block(sheet: Sheet, first: int) -> list[list]:
    """The values of rows first.. first + _BLOCK, column by column."""
    rows, columns = sheet.rows, sheet.columns
    if isinstance(rows, dict):
        return [list(rows[c][first:first + _BLOCK]) if c in rows else [None] * len(next(iter(rows.values()))[first:first + _BLOCK])
                for c in columns]
    block = rows[first:first + _BLOCK]
    if isinstance(block[0], dict):
        return [[row.get(c) for row in block] for c in columns]
    return [list(col) for col in zip(*block)]


def _top(sheet: Sheet, strings: Strings) -> str:
    """The title and the lines of text above the table, one cell each in column A."""
    rows = []
    lines = ([(sheet.title, TITLE)] if sheet.title else []) + [line if isinstance(line, tuple) else (line, PLAIN)
                                                                  for line in sheet.lines]
    for n, (text, style) in enumerate(lines, 1):
        s = f' s="{style}"' if style else ""
        rows.append(f'<row r="{n}"><c r="A{n}" t="s"{s}><v>{strings[str(text)]}</v></c></row>')
    return "".join(rows)


def _hyperlinks(sheet: Sheet) -> str:
    """Links from a contents column to the sheets its cells name (in-workbook: no relationship needed)."""
    if not sheet.links or sheet.links not in sheet.columns or isinstance(sheet.rows, dict):
        return ""
    col = sheet.columns.index(sheet.links)
    ref = column_letter(col)
    links = []
    for n, row in enumerate(sheet.rows, sheet.header_row + 1):
        name = row.get(sheet.links) if isinstance(row, dict) else row[col]
        links.append(f'<hyperlink ref="{ref}{n}" location={quoteattr(_quoted(name))} display={quoteattr(str(name))}/>')
    return f"<hyperlinks>{''.join(links)}</hyperlinks>"


def _quoted(name: str) -> str:
    return "'" + str(name).replace("'", "''") + "'!A1"


def write_sheet(zf: zipfile.ZipFile, part: str, sheet: Sheet, strings: Strings, table: bool) -> None:
    """Write one worksheet, a block of rows at a time. table: the sheet's table is a ListObject (rId1)."""
    columns = sheet.columns
    refs = [column_letter(i) for i in range(len(columns))]
    h = sheet.header_row
    widths = {c: max(10, min(40, len(str(c)) + 4)) for c in columns} | sheet.widths
    cols = "".join(f'<col min="{i}" max="{i}" width="{widths[c]}" customWidth="1"/>' for i, c in enumerate(columns, 1))
    if not columns and sheet.widths:
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(sheet.widths.values(), 1))
    last = f"{refs[-1]}{sheet.last_row}" if columns else f"A{max(h - 1, 1)}"
    pane = (f'<pane ySplit="{h}" topLeftCell="A{h + 1}" activePane="bottomLeft" state="frozen"/>'
            f'<selection pane="bottomLeft" activeCell="A{h + 1}" sqref="A{h + 1}"/>') if columns else ""
    info = zipfile.ZipInfo(part, FIXED)
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = 1  # (compress_level from Python 3.13) 4x faster than the default 6, the file 1/4 larger
    with zf.open(info, "w", force_zip64=True) as out:
        buffer = io.TextIOWrapper(out, encoding="utf-8", newline="")
        buffer.write(f'{HEAD}<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><dimension ref="A1:{last}"/>'
                     f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
                     f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{cols}</cols>" if cols else ""}<sheetData>')
        buffer.write(_top(sheet, strings))
        if columns:
            header = "".join(f'<c r="{ref}{h}" t="s" s="{BOLD}"><v>{strings[str(c)]}</v></c>' for ref, c in zip(refs, columns))
            buffer.write(f'<row r="{h}">{header}</row>')
            for first in range(0, sheet.n_rows, _BLOCK):
                values = _block(sheet, first)
                numbers = [str(n) for n in range(first + h + 1, first + h + 1 + len(values[0]))]
                cells = [_column(ref, col, numbers, strings) for ref, col in zip(refs, values)]
                buffer.write("".join(f'<row r="{n}">{"".join(row)}</row>' for n, row in zip(numbers, zip(*cells))))
        buffer.write(f'</sheetData>{_hyperlinks(sheet)}'
                     '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                     + ('<tableParts count="1"><tablePart r:id="rId1"/></tableParts>' if table else "") + '</worksheet>')
        buffer.flush()
        buffer.detach()
