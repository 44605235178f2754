"""What a workbook must be before it is parsed: an .xlsx archive of bounded size, rows and XML without entities.

The YAML route refuses a return over 1 MB before parsing it; this is the same for a workbook. The limits
are checked on the archive's own index (uncompressed sizes) and by counting rows in the sheets' XML as it
streams, so a workbook that unpacks to gigabytes or holds a million rows is refused in a second, in
little memory, with a message that says what to remove.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ladobench.core.problems import InputError, Problem

MAX_UNPACKED = 16_000_000  # bytes of XML once unpacked; the template unpacks to about 0.4 MB
MAX_PART = 8_000_000  # bytes of any one part (a sheet, the shared text)
MAX_ROWS = 5_000  # rows on any one sheet; the template's longest sheet has about 120
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .xls files and of password-protected .xlsx files
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")
_DTD = re.compile(rb"<\x00?!\x00?(?:D\x00?O\x00?C\x00?T\x00?Y\x00?P\x00?E|E\x00?N\x00?T\x00?I\x00?T\x00?Y)", re.I)
_SHEET = re.compile(rb'<sheet\b[^>]*?\bname="([^"]*)"[^>]*?\br:id="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?\bId="([^"]*)"[^>]*?\bTarget="([^"]*)"')
_REL_REVERSED = re.compile(rb'<Relationship\b[^>]*?\bTarget="([^"]*)"[^>]*?\bId="([^"]*)"')
_ROW = re.compile(rb"<(?:\w+:)?row[\s/>]")
_SAVE_AS = "Open it in Excel or LibreOffice and save it as Excel Workbook (.xlsx), then import that file."


def _refuse(name: str, found: str, expected: str, fix: str):
    raise InputError([Problem("workbook_unreadable", name, None, "", found, expected, fix)])


def _not_a_zip(xlsx: Path, name: str):
    with open(xlsx, "rb") as f:
        head = f.read(1 << 16)
    if head.startswith(_CFB):
        if _ENCRYPTED in head:
            _refuse(name, "a workbook protected with a password (its contents are encrypted)",
                    "a workbook saved without a password",
                    "Open it in Excel, choose File > Info > Protect Workbook > Encrypt with Password, clear the "
                    "password, save, and import it again.")
        _refuse(name, "an Excel 97-2003 workbook (.xls)", "an .xlsx file made by python build.py template", _SAVE_AS)
    text = head[:4096]
    if text and not any(b < 9 or 13 < b < 32 for b in text):
        _refuse(name, "a text file (such as .csv), not an Excel workbook", "an .xlsx file made by python build.py template",
                _SAVE_AS)
    _refuse(name, "a file that is not an Excel workbook", "an .xlsx file made by python build.py template", _SAVE_AS)


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part name (xl/worksheets/sheet8.xml) -> sheet name (Sector), from the workbook's own index."""
    try:
        book, rels = archive.read("xl/workbook.xml"), archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {rid: target for rid, target in _REL.findall(rels)}
    targets.update({rid: target for target, rid in _REL_REVERSED.findall(rels)})
    out = {}
    for name, rid in _SHEET.findall(book):
        target = targets.get(rid, b"").decode("utf-8", "replace")
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        out[part] = name.decode("utf-8", "replace").replace("&amp;", "&").replace("&apos;", "'")
    return out


def _what(part: str, sheets: dict[str, str]) -> str:
    if part in sheets:
        return f"the '{sheets[part]}' sheet"
    if part.endswith("sharedStrings.xml"):
        return "the text of the cells (a very long text pasted into a cell)"
    if "/media/" in part:
        return "a picture"
    return part


def check_archive(xlsx: Path, name: str) -> None:
    """Refuse, before openpyxl parses anything, a workbook too large to be a filled-in template."""
    try:
        archive = zipfile.ZipFile(xlsx)
    except FileNotFoundError:
        _refuse(str(xlsx), "no such file", "a filled-in template", "")
    except (zipfile.BadZipFile, OSError):
        _not_a_zip(xlsx, name)
    with archive:
        infos = archive.infolist()
        names = {i.filename for i in infos}
        if "xl/workbook.xml" not in names:
            if "mimetype" in names and b"opendocument" in archive.read("mimetype")[:100]:
                _refuse(name, "an OpenDocument spreadsheet (.ods)", "an .xlsx file made by python build.py template",
                        _SAVE_AS)
            _refuse(name, "a zip archive that is not an Excel workbook", "an .xlsx file made by python build.py template",
                    _SAVE_AS)
        total = sum(i.file_size for i in infos)
        biggest = max(infos, key=lambda i: i.file_size)
        if total > MAX_UNPACKED or biggest.file_size > MAX_PART:
            sheets = _sheet_names(archive) if biggest.filename != "xl/workbook.xml" else {}
            _refuse(name, f"a workbook that unpacks to {total:,} bytes, {biggest.file_size:,} of them in "
                          f"{_what(biggest.filename, sheets)}",
                    f"at most {MAX_UNPACKED:,} bytes, and {MAX_PART:,} in any one sheet (a filled-in template is "
                    "about 500,000)",
                    f"Remove what was pasted in besides the figures from {_what(biggest.filename, sheets)}, save, and "
                    "import it again.")
        for info in infos:
            if info.filename.endswith((".xml", ".rels", ".vml")):
                with archive.open(info) as part:
                    head = part.read(2048)
                if _DTD.search(head):
                    _refuse(name, f"XML that declares a document type or entities (<!DOCTYPE or <!ENTITY) in "
                                  f"{info.filename}", "an .xlsx file saved by Excel or LibreOffice, which never "
                                  "write them",
                            "The file was made or altered by another program; make a new template with python "
                            "build.py template and copy your figures into it.")
        sheets = _sheet_names(archive)
        for part, sheet in sheets.items():
            if part in names and _rows(archive, part) > MAX_ROWS:
                _refuse(name, f"more than {MAX_ROWS:,} rows on the '{sheet}' sheet",
                        f"at most {MAX_ROWS:,} rows on a sheet (the template's longest has about 120)",
                        f"Delete the rows below your figures on the '{sheet}' sheet (select them, right-click, "
                        "Delete), save, and import it again.")


def _rows(archive: zipfile.ZipFile, part: str) -> int:
    """The rows in a sheet's XML, counted as it streams; stops counting past the limit."""
    count, tail = 0, b""
    with archive.open(part) as f:
        while count <= MAX_ROWS:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            data = tail + chunk
            count += len(_ROW.findall(data))
            tail = data[-16:]
            count -= len(_ROW.findall(tail))  # counted again at the start of the next chunk
    return count


def formulas_without_values(xlsx: Path, ref) -> list[Problem]:
    """Cells holding a formula whose result was never saved (a workbook written by a program, not a spreadsheet
    application): read as empty, they would be reported as missing figures."""
    from openpyxl import load_workbook

    formulas = load_workbook(xlsx, read_only=True, data_only=False)
    values = load_workbook(xlsx, read_only=True, data_only=True)
    out = []
    try:
        for ws in formulas.worksheets:
            cached = values[ws.title].iter_rows()
            for row, saved in zip(ws.iter_rows(), cached):
                for cell, value in zip(row, saved):
                    text = getattr(cell, "value", None)
                    if isinstance(text, str) and text.startswith("=") and getattr(value, "value", None) is None:
                        out.append(Problem("workbook_unreadable", ref(ws.title, cell.row, cell.column), None, "",
                                           f"a formula ({text[:40]}) with no saved result",
                                           "a figure typed in, or a formula whose result the workbook holds",
                                           "Open the workbook in Excel or LibreOffice and save it (the result of "
                                           "the formula is saved with it), or type the figure in."))
    finally:
        formulas.close()
        values.close()
    return out
