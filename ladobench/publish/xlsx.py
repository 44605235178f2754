"""A streaming XLSX writer for plain tables, fast enough for hundreds of thousands of rows.

The worksheets are written by ladobench.publish.xlsx_sheet; this writes the package around them:
content types, the workbook and its relationships, styles, shared strings and, for each sheet with
a table, the table part that marks it as an Excel table (a ListObject: xl/tables/tableN.xml and the
sheet's relationship to it). What it writes is the smallest package Excel, LibreOffice and openpyxl
open without repair, with fixed timestamps so the same tables give the same bytes.
"""
from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape, quoteattr

from ladobench.publish.xlsx_sheet import (
    FIXED,
    HEAD,
    MAIN,
    MAX_CELL_TEXT,
    REL,
    Sheet,
    Strings,
    column_letter,
    write_sheet,
)

__all__ = ["MAX_CELL_TEXT", "Sheet", "column_letter", "write_workbook"]

_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_FONT = '<name val="Calibri"/><family val="2"/>'
STYLES = (f'{HEAD}<styleSheet xmlns="{MAIN}">'
          f'<fonts count="4"><font><sz val="11"/>{_FONT}</font><font><b/><sz val="11"/>{_FONT}</font>'
          f'<font><b/><sz val="15"/>{_FONT}</font><font><b/><sz val="13"/>{_FONT}</font></fonts>'
          '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
          '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
          '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
          '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
          '<xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
          '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment wrapText="1" vertical="top"/></xf>'
          '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def table_name(sheet: str) -> str:
    """An Excel table name from a sheet name: letters, digits and _, starting with a letter, never a cell reference."""
    name = re.sub(r"\W", "_", sheet)
    return "Table_" + name if not name[:1].isalpha() or re.fullmatch(r"[A-Za-z]{1,3}\d+|[RrCc]\d*", name) else name


def _table_xml(number: int, sheet: Sheet) -> str:
    ref = f"A{sheet.header_row}:{column_letter(len(sheet.columns) - 1)}{sheet.last_row}"
    name = table_name(sheet.name)
    columns = "".join(f"<tableColumn id={quoteattr(str(i))} name={quoteattr(str(c))}/>" for i, c in enumerate(sheet.columns, 1))
    return (f'{HEAD}<table xmlns="{MAIN}" id="{number}" name="{name}" displayName="{name}" ref="{ref}" '
            f'headerRowCount="1" totalsRowShown="0"><autoFilter ref="{ref}"/>'
            f'<tableColumns count="{len(sheet.columns)}">{columns}</tableColumns>'
            '<tableStyleInfo name="TableStyleLight9" showFirstColumn="0" showLastColumn="0" showRowStripes="1" '
            'showColumnStripes="0"/></table>')


def write_package(sheets: list[Sheet], title: str) -> bytes:
    buf = io.BytesIO()

    def part(path: str, text: str):
        info = zipfile.ZipInfo(path, FIXED)
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, text.encode("utf-8"))

    tables = {i: t for t, i in enumerate((i for i, s in enumerate(sheets, 1) if s.columns), 1)}  # sheet -> table number
    n = len(sheets)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.worksheet+xml"/>'
                            for i in range(1, n + 1))
        overrides += "".join(f'<Override PartName="/xl/tables/table{t}.xml" ContentType="{_CT}.table+xml"/>'
                             for t in tables.values())
        part("[Content_Types].xml",
             f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
             f'{overrides}<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
             f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
             '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
             '</Types>')
        part("_rels/.rels",
             f'{HEAD}<Relationships xmlns="{_PKG}">'
             f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
             '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
             'core-properties" Target="docProps/core.xml"/></Relationships>')
        part("docProps/core.xml",
             f'{HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
             'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>' + escape(title) + '</dc:title>'
             '<dc:creator>ladobench</dc:creator><dc:language>en-GB</dc:language></cp:coreProperties>')
        part("xl/workbook.xml",
             f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}"><bookViews><workbookView/></bookViews><sheets>'
             + "".join(f'<sheet name={quoteattr(s.name)} sheetId="{i}" r:id="rId{i}"/>' for i, s in enumerate(sheets, 1))
             + "</sheets></workbook>")
        part("xl/_rels/workbook.xml.rels",
             f'{HEAD}<Relationships xmlns="{_PKG}">'
             + "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                       for i in range(1, n + 1))
             + f'<Relationship Id="rId{n + 1}" Type="{REL}/styles" Target="styles.xml"/>'
             f'<Relationship Id="rId{n + 2}" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
             '</Relationships>')
        part("xl/styles.xml", STYLES)
        strings = Strings()
        for i, sheet in enumerate(sheets, 1):
            write_sheet(zf, f"xl/worksheets/sheet{i}.xml", sheet, strings, table=i in tables)
            if i in tables:
                part(f"xl/worksheets/_rels/sheet{i}.xml.rels",
                     f'{HEAD}<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{REL}/table" '
                     f'Target="../tables/table{tables[i]}.xml"/></Relationships>')
                part(f"xl/tables/table{tables[i]}.xml", _table_xml(tables[i], sheet))
        part("xl/sharedStrings.xml", strings.xml())
    return buf.getvalue()


def write_workbook(tables: dict[str, tuple[list[str], list] | Sheet], title: str = "") -> bytes:
    """An XLSX with a sheet per entry: {sheet name: Sheet or (columns, rows)}, rows in column order or as dicts.

    A (columns, rows) pair is a sheet whose table starts at A1. Sheet names must be valid Excel names
    (at most 31 characters, none of []:*?/\\).
    """
    sheets = []
    for name, value in tables.items():
        sheet = value if isinstance(value, Sheet) else Sheet(name, list(value[0]), value[1])
        sheet.name = name
        if not sheet.columns and not (sheet.title or sheet.lines):
            raise ValueError(f"sheet {name!r} has no columns")
        if not name or len(name) > 31 or re.search(r"[\[\]:*?/\\]", name):
            raise ValueError(f"not a valid sheet name: {name!r}")
        if len(set(sheet.columns)) != len(sheet.columns):
            raise ValueError(f"sheet {name!r} repeats a column name")
        sheets.append(sheet)
    return write_package(sheets, title)
