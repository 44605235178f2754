"""Read a filled-in template back into a return, check it exactly as the site would, then write its YAML."""
from __future__ import annotations

import re
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

from ladobench.core import paths
from ladobench.core.problems import InputError, Problem
from ladobench.core.schema import NUMERIC_TYPES, Schema, load_schema
from ladobench.spreadsheet.layout import ABOUT, ABOUT_FIRST, ABOUT_ROWS, FIRST_ROW, Sheet, plan, ref
from ladobench.spreadsheet.limits import check_archive, formulas_without_values
from ladobench.spreadsheet.return_yaml import dump_return
from ladobench.spreadsheet.template import check_identity, load_authority, write_atomic

_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_TRUE, _FALSE = {"true", "yes"}, {"false", "no"}
_PARENT = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")
_CELL = re.compile(r"^(?:'(.+)'|([^!]+))!([A-Z]+)(\d+)$")
# The validator's advice speaks of YAML; in the workbook the same fix is a cell to fill in.
_CELL_FIXES = {
    "missing_required": "Fill in the cell.",
    "wrong_type": "Type the value in the form described; point at the cell to see its definition.",
}
_TYPE_FIXES = {"boolean": "Choose TRUE or FALSE.", **{t: "Fill in the figure; if it is not available, type [x]."
                                                       for t in NUMERIC_TYPES}}


@dataclass
class Imported:
    file: str  # the return as the user knows it: authorities/kent/2023-24.yaml
    warnings: list[Problem]
    created: bool
    written: bool


def convert(value, typ, number_format: str = "General", labels: list[str] = ()):
    """A cell's value as the return holds it; anything unusable is passed on for the validator to name."""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n")
        if not value.strip():
            return None
    if value is None:
        return None
    if isinstance(typ, dict):  # several values in one cell, written with commas
        parts = [convert(p, typ["list"]) for p in (re.split(r"[,;\n]", value) if isinstance(value, str) else [value])]
        return [p for p in parts if p is not None] or None
    if typ in NUMERIC_TYPES:
        if isinstance(value, str) and _PLAIN_NUMBER.match(value.strip()):
            value = float(value.strip())  # a number typed into a text-formatted cell
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in number_format:
            value = round(value * 100, 10)  # Excel stores 26% as 0.26
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value.strip() if isinstance(value, str) else (value.isoformat() if isinstance(value, date) else value)
    if typ == "boolean":
        if isinstance(value, (int, float)) and "BOOLEAN" in number_format.upper():
            return bool(value)  # LibreOffice can keep TRUE as 1 shown in a yes/no format
        word = value.strip().lower() if isinstance(value, str) else None
        return True if word in _TRUE else False if word in _FALSE else value
    if isinstance(value, bool):  # Excel turned a label such as FALSE into a yes/no value
        text = str(value).upper()
        return next((label for label in labels if label.upper() == text), text)
    if isinstance(value, datetime) and typ == "month":
        return value.strftime("%Y-%m")
    if isinstance(value, date):
        return value.strftime("%Y-%m") if typ == "month" else value.strftime("%d %B %Y").lstrip("0")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text.strip() if typ not in ("text", "markdown") else text.strip(" \t")


class _Reader:
    """Reads the sheets back, remembering the cell of every field path so problems can point at it."""

    def __init__(self, wb, authority: dict):
        self.wb = wb
        self.crosswalk = authority.get("crosswalk") or {}
        self.cells: dict[str, str] = {}  # field path -> 'Sheet'!C5
        self.types: dict[str, object] = {}  # field path -> its type, for advice on an empty cell
        self.problems: list[Problem] = []

    def read(self, ws, row, col, typ, dimension=""):
        cell = ws.cell(row, col)
        labels = [e.get("local", "") for e in self.crosswalk.get(dimension) or [] if isinstance(e, dict)]
        return convert(cell.value, typ, cell.number_format or "General", labels)

    def section(self, ws, sheet: Sheet) -> dict:
        fields, found = {f.key: f for f in sheet.fields}, {}
        self.cells[sheet.path] = ref(ws.title, FIRST_ROW, 3)
        for row in range(FIRST_ROW, ws.max_row + 1):
            f = fields.get(ws.cell(row, 1).value)
            if f:
                self.cells[f"{sheet.path}.{f.key}"] = ref(ws.title, row, 3)
                self.types[f"{sheet.path}.{f.key}"] = f.type
                found[f.key] = self.read(ws, row, 3, f.type)
        return {k: found[k] for k in fields if found.get(k) is not None}

    def grid(self, ws, header_row: int, fields, first: int, last: int, path: str, dimension=""):
        """Items of a table laid out one per row; blank rows are skipped and do not take a number."""
        columns = {col: f for col in range(1, ws.max_column + 1) for f in fields
                   if ws.cell(header_row, col).value == f.display}
        items = []
        for row in range(first, last + 1):
            values = {f.key: self.read(ws, row, col, f.type, dimension) for col, f in columns.items()}
            if all(v is None for v in values.values()):
                continue
            item_path = f"{path}[{len(items)}]"
            self.cells[item_path] = ref(ws.title, row, min(columns))
            for col, f in columns.items():
                self.cells[f"{item_path}.{f.key}"] = ref(ws.title, row, col)
                self.types[f"{item_path}.{f.key}"] = f.type
            items.append({f.key: values[f.key] for f in fields if values.get(f.key) is not None})
        return items

    def listing(self, ws, sheet: Sheet) -> list:
        self.cells[sheet.path] = ref(ws.title, FIRST_ROW, 2)
        return self.grid(ws, FIRST_ROW - 1, sheet.fields, FIRST_ROW, ws.max_row, sheet.path)

    def mapping(self, ws, sheet: Sheet) -> dict:
        f, out, where = sheet.fields[0], {}, {}
        for row in range(FIRST_ROW, ws.max_row + 1):
            key, text = self.read(ws, row, 2, f.type["map"]), self.read(ws, row, 3, f.type["of"])
            if key is None and text is None:
                continue
            if key is None or text is None:
                col = 2 if key is None else 3
                self.problems.append(Problem("missing_required", ref(ws.title, row, col), None, "",
                                             "a note with no field" if key is None else f"the field '{key}' with no note",
                                             "a field and its note", "Fill in both cells, or clear both."))
            elif key in out:
                self.problems.append(Problem("note_duplicate", ref(ws.title, row, 2), None, "",
                                             f"a second note on '{key}' (the first is at {where[key]})",
                                             "one note per field", "Combine the two notes into one."))
            else:
                out[key], where[key] = text, ref(ws.title, row, 2)
                self.cells[f"{sheet.path}.{key}"] = where[key]
        return out

    def breakdown(self, ws, sheet: Sheet) -> list:
        fields = {f.display: f for f in sheet.fields}
        starts = [r for r in range(FIRST_ROW, ws.max_row + 1) if str(ws.cell(r, 1).value or "").startswith("Table ")]
        tables = []
        for n, start in enumerate(starts):
            end = starts[n + 1] - 1 if n + 1 < len(starts) else ws.max_row
            table, field_rows, header = {}, {}, None
            for row in range(start + 1, end + 1):
                label = ws.cell(row, 1).value
                if label in fields:
                    field_rows[fields[label].key] = row
                    table[fields[label].key] = self.read(ws, row, 2, fields[label].type)
                elif label == "#":
                    header = row
            path = f"{sheet.path}[{len(tables)}]"
            rows = self.grid(ws, header, sheet.row_record.fields, header + 1, end, f"{path}.{sheet.rows_field.key}",
                             sheet.dimension) if header else []
            if all(v is None for v in table.values()) and not rows:
                continue
            self.cells[path] = ref(ws.title, start, 1)
            self.cells[f"{path}.{sheet.rows_field.key}"] = ref(ws.title, header or start, 2)
            for key, row in field_rows.items():
                self.cells[f"{path}.{key}"] = ref(ws.title, row, 2)
                self.types[f"{path}.{key}"] = next(f.type for f in sheet.fields if f.key == key)
            item = {f.key: table[f.key] for f in sheet.fields if table.get(f.key) is not None}
            if rows:
                item[sheet.rows_field.key] = rows
            tables.append(item)
        return tables

    def order(self, problem: Problem):
        """Problems in the order of the workbook: sheet by sheet, row by row; other files first."""
        m = _CELL.match(problem.file)
        if not m:
            return (-1, 0, "", problem.file)
        sheet = (m.group(1) or m.group(2)).replace("''", "'")
        index = self.wb.sheetnames.index(sheet) if sheet in self.wb.sheetnames else len(self.wb.sheetnames)
        return (index, int(m.group(4)), m.group(3).rjust(3), problem.rule)

    def lookup(self, path: str) -> str:
        """The cell of a field path, or of the nearest thing above it that has one."""
        while path:
            if path in self.cells:
                return self.cells[path]
            parent = _PARENT.sub("", path)
            path = "" if parent == path else parent
        return ""


def _identity(wb, workbook: str) -> tuple[str, str]:
    if ABOUT not in wb.sheetnames:
        raise InputError([Problem("workbook_not_template", workbook, None, "", "a workbook with no About sheet",
                                  "a spreadsheet made by python build.py template",
                                  "Make a template with python build.py template --authority SLUG --period YYYY-YY "
                                  "and copy your figures into it.")])
    ws, values = wb[ABOUT], {}
    for key in ("slug", "period"):
        row = ABOUT_FIRST + list(ABOUT_ROWS).index(key)
        values[key] = str(ws.cell(row, 2).value or "").strip()
        if ws.cell(row, 1).value != ABOUT_ROWS[key] or not values[key]:
            raise InputError([Problem("workbook_not_template", ref(ABOUT, row, 2), None, "",
                                      f"no {ABOUT_ROWS[key].lower()}", "the authority and year the template was made for",
                                      "Make a new template with python build.py template.")])
    return values["slug"], values["period"]


def read_workbook(xlsx: Path, root: Path):
    """The return a workbook holds, its identity and the cell of every field path."""
    name = Path(xlsx).name
    check_archive(Path(xlsx), name)  # size, rows, entities and encryption, before anything is parsed
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's notes about Excel extensions it skips are not the user's concern
            wb = load_workbook(xlsx, data_only=True)
    except FileNotFoundError:
        raise InputError([Problem("workbook_unreadable", str(xlsx), None, "", "no such file", "a filled-in template")])
    except Exception:  # openpyxl raises many kinds of error for a file that is not a workbook
        raise InputError([Problem("workbook_unreadable", str(xlsx), None, "", "a file that is not an Excel workbook",
                                  "an .xlsx file made by python build.py template",
                                  "If it was saved as .xls, .ods or .csv, open it and save it as Excel Workbook (.xlsx).")])
    slug, period = _identity(wb, name)
    rows = {key: ABOUT_FIRST + i for i, key in enumerate(ABOUT_ROWS)}
    check_identity(root, slug, period, where=(ref(ABOUT, rows["slug"], 2), ref(ABOUT, rows["period"], 2)))
    schema = load_schema()
    reader = _Reader(wb, load_authority(root, slug))
    parts = {}
    for sheet in plan(schema):
        if sheet.name not in wb.sheetnames:
            raise InputError([Problem("workbook_not_template", name, None, "", f"no sheet called '{sheet.name}'",
                                      "every sheet of the template", "Make a new template and copy your figures into it.")])
        ws = wb[sheet.name]
        parts[sheet.path] = {"section": reader.section, "list": reader.listing, "map": reader.mapping,
                             "breakdown": reader.breakdown}[sheet.kind](ws, sheet)
    reader.problems.extend(formulas_without_values(Path(xlsx), ref))
    if reader.problems:
        raise InputError(sorted(reader.problems, key=reader.order))
    return slug, period, _assemble(schema, parts), reader


def _assemble(schema: Schema, parts: dict) -> dict:
    """The return in schema order; a required section is kept even when empty, so its fields are named."""
    out = {}
    for f in schema.records[schema.root].fields:
        if isinstance(f.type, str) and f.type in schema.records:
            section = dict(parts.get(f.key) or {})
            merged = {s.key: section.get(s.key, parts.get(f"{f.key}.{s.key}")) for s in schema.records[f.type].fields}
            merged = {k: v for k, v in merged.items() if v not in (None, [], {})}
            if merged or f.required:
                out[f.key] = merged
        elif isinstance(f.type, dict) and f.type.get("map") == "dimension":
            tables = {d: parts[f"{f.key}.{d}"] for d in schema.dimensions if parts.get(f"{f.key}.{d}")}
            if tables:
                out[f.key] = tables
        elif parts.get(f.key):
            out[f.key] = parts[f.key]
    return out


def _check(root: Path, slug: str, period: str, text: str):
    """Validate the new return beside the authority's other files, in a copy, so nothing real changes."""
    from ladobench.returns.validate import validate

    with tempfile.TemporaryDirectory(prefix="ladobench-import-") as tmp:
        copy = Path(tmp) / root.resolve().name  # same folder name, so messages show the real paths
        (copy / slug).mkdir(parents=True)
        for f in sorted((root / slug).iterdir()):
            if f.is_file() and not f.is_symlink() and f.suffix in (".yaml", ".yml") and f.name != f"{period}.yaml":
                shutil.copy2(f, copy / slug / f.name)
        target = copy / slug / f"{period}.yaml"
        target.write_text(text, encoding="utf-8")
        return validate(copy, [target]).problems, paths.display(target, copy)


def _header(target: Path, authority: dict, period: str, workbook: str) -> str:
    if target.exists():
        lines = target.read_text(encoding="utf-8").splitlines()
        kept = []
        for line in lines:
            if not line.startswith("#"):
                break
            kept.append(line)
        if kept:
            return "\n".join(kept) + "\n"
    return f"# {authority.get('name', '')} LADO annual return {period}, imported from {workbook}.\n"


def import_workbook(xlsx: Path, root: Path, dry_run: bool = False) -> Imported:
    root, name = Path(root), Path(xlsx).name
    slug, period, data, reader = read_workbook(Path(xlsx), root)
    target = root / slug / f"{period}.yaml"
    text = _header(target, load_authority(root, slug), period, name) + dump_return(data)
    problems, shown = _check(root, slug, period, text)
    located = []
    for p in problems:
        if p.file == shown:
            cell = reader.lookup(p.path)
            fix = (p.fix or _CELL_FIXES.get(p.rule, "")) if cell else p.fix
            typ = reader.types.get(p.path)
            if p.rule == "missing_required" and cell and isinstance(typ, str):
                fix = _TYPE_FIXES.get(typ, fix)
            p = Problem(p.rule, cell or name, None, "" if cell else p.path, p.found, p.expected, fix, p.severity)
        located.append(p)
    located.sort(key=reader.order)
    if any(p.is_error for p in located):
        raise InputError(located)
    created = not target.exists()
    if not dry_run:
        write_atomic(target, text.encode("utf-8"))
    return Imported(paths.display(target, root), located, created, not dry_run)

