"""Lays out the template workbook: a sheet per section, drop-downs, definitions as notes, structure locked."""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from ladobench.core.problems import InputError, Problem
from ladobench.core.schema import NUMERIC_TYPES, Schema
from ladobench.spreadsheet.layout import (
    ABOUT,
    ABOUT_FIRST,
    ABOUT_ROWS,
    BOLD,
    FIRST_ROW,
    HEADING,
    INPUT,
    LABEL_KEY,
    LISTS,
    SPARE_ITEMS,
    TEXT_FORMAT,
    VERSION,
    WRAP,
    Sheet,
    expectation,
    plan,
    ref,
    symbols_hint,
)

_NUMBER_TEST = {"count": "AND({c}>=0,{c}=INT({c}))", "percent": "AND({c}>=0,{c}<=100)",
                "fte": "{c}>=0", "number": "{c}>=0"}
_GREY = Font(italic=True, color="666666")
MAX_CELL = 32_767  # Excel truncates longer text without a word


def _instructions(schema: Schema) -> list[str]:
    return [
        "Type your figures in the yellow cells. Everything else is locked, so the return keeps its shape.",
        "Numbers only: no commas and no % signs. Percentages are numbers from 0 to 100 (53.6, not 0.536).",
        f"Where there is no figure, type {symbols_hint(schema)}. 0 always means a true zero.",
        "Point at a yellow cell (or its red corner) to see what the figure means; the Definition column says the same.",
        "Breakdown sheets (category of harm, sector, outcome, ...) each hold tables that split one stage of the funnel. "
        "Pick your own category labels from the drop-down: they are the local labels of the crosswalk in "
        "authority.yaml. To use a new label, add it to the crosswalk first, then make the template again.",
        "Leave a table, row or section blank if you do not need it: blank rows are ignored.",
        "Notes and Discrepancies name a figure by its field, for example funnel.concluded (the sheet's name, a dot, "
        "and the Field column) or breakdowns.sector[0] (shown beside each table).",
        "When you have finished, save the workbook as .xlsx and run: python build.py import FILE.xlsx. "
        "Every problem is reported with its sheet and cell, for example Funnel!C5.",
        "The authority and the year above are fixed. For another year, make a new template: "
        "python build.py template --authority SLUG --period YYYY-YY.",
    ]


class _Book:
    def __init__(self, schema: Schema, authority: dict):
        self.schema, self.authority = schema, authority
        self.wb = Workbook()
        self.lists: dict[str, tuple[str, list[str]]] = {}  # name -> (range, values), written to the Lists sheet
        self.checks: dict[str, dict[tuple, list[tuple[int, int]]]] = {}

    # --- cells -------------------------------------------------------------------------------
    def heading(self, ws, row: int, values: list[str], notes: list[str] | None = None):
        for col, text in enumerate(values, 1):
            cell = ws.cell(row, col, text)
            cell.font, cell.fill = BOLD, HEADING
            if notes and notes[col - 1]:
                cell.comment = _note(notes[col - 1])

    def input(self, ws, row: int, col: int, value, typ, note: str = "", labels: str = ""):
        cell = ws.cell(row, col)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if isinstance(value, str) and len(value) > MAX_CELL:
            raise InputError([Problem("value_too_long", ref(ws.title, row, col), None, "",
                                      f"text of {len(value):,} characters", f"at most {MAX_CELL:,} characters, "
                                      "the most a spreadsheet cell holds", "Shorten the text in the return first.")])
        if value is not None:
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # text starting with "=" stays text, not a formula
        cell.protection, cell.fill, cell.alignment = Protection(locked=False), INPUT, WRAP
        if not (typ in NUMERIC_TYPES or typ == "boolean"):
            cell.number_format = TEXT_FORMAT
        if note:
            cell.comment = _note(note)
        spec = self._spec(typ, labels)
        if spec:
            self.checks.setdefault(ws.title, {}).setdefault(spec, []).append((row, col))

    def _spec(self, typ, labels: str):
        if isinstance(typ, dict):
            return None  # several values in one cell: the import checks each
        if labels:
            return ("list", labels, "label")
        if typ in NUMERIC_TYPES:
            return ("number", typ)
        if typ == "boolean":
            return ("list", '"TRUE,FALSE"', typ)
        choices = {"rule": self.schema.return_rules, "stage": self.schema.stages, "dimension": list(self.schema.dimensions)}
        values = self.schema.enum_values(typ) if typ in self.schema.enums else choices.get(typ)
        return ("list", self.choice_list(typ, values), typ) if values else None

    def choice_list(self, name: str, values: list[str]) -> str:
        if name not in self.lists:
            col = get_column_letter(len(self.lists) + 1)
            self.lists[name] = (f"{LISTS}!${col}$2:${col}${max(len(values), 1) + 1}", list(values))
        return self.lists[name][0]

    # --- finishing ---------------------------------------------------------------------------
    def finish(self):
        ws = self.wb.create_sheet(LISTS)
        for col, (name, (_, values)) in enumerate(self.lists.items(), 1):
            ws.cell(1, col, name).font = BOLD
            for row, value in enumerate(values, 2):
                ws.cell(row, col, value).data_type = "s"
        ws.sheet_state = "hidden"
        for sheet in self.wb.worksheets:
            for spec, cells in self.checks.get(sheet.title, {}).items():
                for dv in self._validations(spec, cells):
                    sheet.add_data_validation(dv)
            sheet.protection.sheet = True
            sheet.protection.formatColumns = sheet.protection.formatRows = False  # resizing is harmless
        self.wb.security = WorkbookProtection(lockStructure=True)
        self.wb.properties.creator = self.wb.properties.lastModifiedBy = "ladobench"
        return self.wb

    def _validations(self, spec, cells):
        areas = [f"{get_column_letter(col)}{first}:{get_column_letter(col)}{last}" for col, first, last in _runs(cells)]
        if spec[0] == "list":  # absolute ranges: one validation covers every area
            dv = DataValidation(type="list", formula1=spec[1], allow_blank=True)
            dv.error = ("Pick a label from the list: they are the local labels of your crosswalk in authority.yaml. "
                        "To use a new one, add it to the crosswalk first, then make the template again."
                        if spec[2] == "label" else "Pick a value from the list.")
            dv.errorTitle, dv.showErrorMessage = "Not allowed here", True
            for area in areas:
                dv.add(area)
            yield dv
            return
        for area in areas:
            # A custom formula is relative to the first cell of its area, so each run gets its own.
            c = area.split(":")[0]
            symbols = ",".join(f'{c}="{s}"' for s in self.schema.return_symbols)
            formula = f"IF(ISNUMBER({c}),{_NUMBER_TEST[spec[1]].format(c=c)},OR({symbols}))"
            dv = DataValidation(type="custom", formula1=formula, allow_blank=True)
            dv.prompt = dv.error = expectation(self.schema, spec[1])
            dv.errorTitle, dv.showErrorMessage, dv.showInputMessage = "Not allowed here", True, True
            dv.add(area)
            yield dv


def _runs(cells):
    """Cells grouped into unbroken runs down one column, so each validation's formula starts at its first cell."""
    runs = []
    for row, col in sorted(cells, key=lambda rc: (rc[1], rc[0])):
        if runs and runs[-1][0] == col and runs[-1][2] == row - 1:
            runs[-1][2] = row
        else:
            runs.append([col, row, row])
    return [tuple(r) for r in runs]


def _note(text: str) -> Comment:
    lines = sum(len(part) // 48 + 1 for part in text.split("\n"))
    return Comment(text, "ladobench", height=min(24 + 15 * lines, 400), width=320)


def _describe(schema: Schema, field) -> str:
    parts = [field.definition, expectation(schema, field.type)]
    if field.citation:
        parts.append(f"Source: {field.citation}.")
    return " ".join(p for p in parts if p)


def _widths(ws, widths: list[float]):
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _top(ws, heading: str, definition: str):
    ws["A1"], ws["A1"].font = heading, Font(bold=True, size=14)
    ws["A2"], ws["A2"].font = definition, _GREY


def _width_for(typ) -> float:
    return 14 if typ in NUMERIC_TYPES or typ == "boolean" else (70 if typ == "markdown" else 36)


# --- sheets ------------------------------------------------------------------------------------
def _about(book: _Book, ws, slug: str, period: str):
    _top(ws, "LADO annual return", "A return for the LADO benchmarking site, made by python build.py template.")
    values = {"name": book.authority.get("name", slug), "slug": slug, "period": period, "version": VERSION}
    for row, key in enumerate(ABOUT_ROWS, ABOUT_FIRST):
        ws.cell(row, 1, ABOUT_ROWS[key]).font = BOLD
        ws.cell(row, 2, values[key]).data_type = "s" if key != "version" else "n"
    ws.cell(9, 1, "How to fill this in").font = BOLD
    for row, text in enumerate(_instructions(book.schema), 10):
        ws.cell(row, 1, text).alignment = WRAP
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        ws.row_dimensions[row].height = 15 * (len(text) // 95 + 1)
    _widths(ws, [26, 90])


def _section(book: _Book, ws, sheet: Sheet, values: dict):
    _top(ws, sheet.record.title, sheet.record.definition)
    book.heading(ws, FIRST_ROW - 1, ["Field", "Label", "Value", "Definition"])
    terms = book.authority.get("stages") or {}
    for row, f in enumerate(sheet.fields, FIRST_ROW):
        ws.cell(row, 1, f.key)
        term = (terms.get(f.key) or {}).get("term")
        ws.cell(row, 2, f"{f.display} (your term: {term})" if term else f.display).alignment = WRAP
        book.input(ws, row, 3, values.get(f.key), f.type, _describe(book.schema, f))
        ws.cell(row, 4, _describe(book.schema, f)).alignment = WRAP
        if f.type == "markdown":
            text = str(values.get(f.key) or "")
            ws.row_dimensions[row].height = min(15 * (sum(len(p) // 90 + 1 for p in text.split("\n")) + 1), 400)
    wide = max(_width_for(f.type) for f in sheet.fields)
    _widths(ws, [28, 36, 90 if wide == 70 else (60 if wide == 36 else 16), 80])
    ws.freeze_panes = f"A{FIRST_ROW}"


def _list(book: _Book, ws, sheet: Sheet, items: list, heading: str, definition: str):
    _top(ws, heading, definition)
    book.heading(ws, FIRST_ROW - 1, ["#"] + [f.display for f in sheet.fields],
                 [""] + [_describe(book.schema, f) for f in sheet.fields])
    for i in range(len(items) + SPARE_ITEMS):
        row, item = FIRST_ROW + i, items[i] if i < len(items) else {}
        ws.cell(row, 1, i + 1).font = _GREY
        for col, f in enumerate(sheet.fields, 2):
            book.input(ws, row, col, (item or {}).get(f.key), f.type)
    _widths(ws, [5] + [_width_for(f.type) for f in sheet.fields])
    ws.freeze_panes = f"B{FIRST_ROW}"


def _map(book: _Book, ws, sheet: Sheet, mapping: dict):
    f = sheet.fields[0]
    _top(ws, f.title or sheet.name, f.definition)
    book.heading(ws, FIRST_ROW - 1, ["#", "Field", "Note"],
                 ["", "The field the note is about: the sheet's name, a dot and the Field column (funnel.concluded), "
                      "or the path shown beside a breakdown table (breakdowns.sector[0]).", f.definition])
    entries = list(mapping.items())
    for i in range(len(entries) + SPARE_ITEMS):
        key, text = entries[i] if i < len(entries) else (None, None)
        ws.cell(FIRST_ROW + i, 1, i + 1).font = _GREY
        book.input(ws, FIRST_ROW + i, 2, key, f.type["map"])
        book.input(ws, FIRST_ROW + i, 3, text, f.type["of"])
    _widths(ws, [5, 40, 100])
    ws.freeze_panes = f"B{FIRST_ROW}"


def _breakdown(book: _Book, ws, sheet: Sheet, tables: list):
    dim = book.schema.dimensions[sheet.dimension]
    _top(ws, dim.title, dim.definition or sheet.row_record.definition)
    local = [e["local"] for e in (book.authority.get("crosswalk") or {}).get(sheet.dimension) or []
             if isinstance(e, dict) and e.get("local")]
    ws["A3"] = ("Pick each row's label from the drop-down: your local labels, from the crosswalk in authority.yaml."
                if local else "No local labels yet: add them to the crosswalk in authority.yaml, then make the "
                              "template again.")
    labels = book.choice_list(f"labels:{sheet.dimension}", local) if local else ""
    row = FIRST_ROW
    for n in range(max(len(tables) + 1, 2)):
        table = tables[n] if n < len(tables) and isinstance(tables[n], dict) else {}
        book.heading(ws, row, [f"Table {n + 1}", f"{sheet.path}[{n}]", "", "", ""])
        ws.cell(row, 2).font = _GREY
        for f in sheet.fields:
            row += 1
            ws.cell(row, 1, f.display).font = BOLD
            book.input(ws, row, 2, table.get(f.key), f.type, _describe(book.schema, f))
            ws.cell(row, 5, _describe(book.schema, f)).alignment = WRAP
        row += 1
        book.heading(ws, row, ["#"] + [f.display for f in sheet.row_record.fields],
                     [""] + [_describe(book.schema, f) for f in sheet.row_record.fields])
        rows = [r for r in table.get(sheet.rows_field.key) or [] if isinstance(r, dict)]
        for i in range(max(len(rows), len(local), 1)):
            row += 1
            ws.cell(row, 1, i + 1).font = _GREY
            for col, f in enumerate(sheet.row_record.fields, 2):
                value = rows[i].get(f.key) if i < len(rows) else None
                book.input(ws, row, col, value, f.type, labels=labels if f.key == LABEL_KEY else "")
        row += 2
    _widths(ws, [14, 44, 14, 14, 80])


def build_workbook(schema: Schema, slug: str, period: str, authority: dict, data: dict) -> Workbook:
    book = _Book(schema, authority)
    about = book.wb.active
    about.title = ABOUT
    _about(book, about, slug, period)
    for sheet in plan(schema):
        ws = book.wb.create_sheet(sheet.name)
        head, _, sub = sheet.path.partition(".")
        part = data.get(head)
        if sheet.kind == "section":
            _section(book, ws, sheet, part if isinstance(part, dict) else {})
        elif sheet.kind == "breakdown":
            tables = (part or {}).get(sub) if isinstance(part, dict) else None
            _breakdown(book, ws, sheet, tables if isinstance(tables, list) else [])
        elif sheet.kind == "map":
            _map(book, ws, sheet, part if isinstance(part, dict) else {})
        else:
            items = (part or {}).get(sub) if sub and isinstance(part, dict) else part
            field = schema.records[schema.root].get(head)
            heading = sheet.name if sub else (field.title or sheet.name)
            definition = sheet.record.definition if sub else (field.definition or sheet.record.definition)
            _list(book, ws, sheet, items if isinstance(items, list) else [], heading, definition)
    return book.finish()
