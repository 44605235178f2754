"""The template workbook's layout: its sheets, rows and styles, shared by writing it and reading it back."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ladobench.core.schema import Field, Record, Schema

VERSION = 1
FIXED_TIME = datetime(2024, 4, 1)  # every template carries the same timestamps, so two runs are byte-identical
FIRST_ROW = 5  # rows 1-2 title and definition, row 4 column headings
SPARE_ITEMS = 20  # empty rows below a list: the sheets are locked, so nobody can insert rows
ABOUT, LISTS = "About", "Lists"
LABEL_KEY = "label"  # the breakdown row field that holds a local label from the crosswalk
ABOUT_ROWS = {"name": "Authority", "slug": "Authority (short name)", "period": "Financial year",
              "version": "Template version"}  # rows 4 to 7 of the About sheet, labels in A and values in B
ABOUT_FIRST = 4
INPUT = PatternFill("solid", fgColor="FFF2CC")
HEADING = PatternFill("solid", fgColor="D9E1F2")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
TEXT_FORMAT = "@"  # stops Excel turning "March 2025" into a date or "FALSE" into a yes/no value


@dataclass(frozen=True)
class Sheet:
    """One sheet of the template and the part of the return it holds."""

    kind: str  # section | list | map | breakdown
    name: str
    path: str  # where its data sits: funnel, narrative.themes, notes, breakdowns.sector
    record: Record | None = None  # section: the record; list: an item; breakdown: a table
    fields: tuple[Field, ...] = ()  # the fields shown as cells
    dimension: str = ""
    rows_field: Field | None = None  # breakdown: the table's list of rows
    row_record: Record | None = None


def title(key: str) -> str:
    return key.replace("_", " ").capitalize()


def ref(sheet: str, row: int, col: int) -> str:
    """A cell as Excel writes it, so it can be pasted into the Name Box: 'Harm category'!B12."""
    name = sheet if sheet.replace("_", "").isalnum() else "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{get_column_letter(col)}{row}"


def cell_type(schema: Schema, typ) -> bool:
    """Whether a field fits in one cell: a scalar, or a short list of scalars written with commas."""
    if isinstance(typ, dict):
        return "list" in typ and isinstance(typ["list"], str) and typ["list"] not in schema.records
    return typ not in schema.records


def plan(schema: Schema) -> list[Sheet]:
    """The template's sheets, in order, derived from the return record of schema/return.yaml."""
    sheets, records = [], schema.records
    for f in records[schema.root].fields:
        typ = f.type
        if isinstance(typ, str) and typ in records:
            rec = records[typ]
            sheets.append(Sheet("section", title(f.key), f.key, rec, tuple(x for x in rec.fields if cell_type(schema, x.type))))
            for sub in rec.fields:
                if not cell_type(schema, sub.type):
                    item = records[sub.type["list"]]
                    sheets.append(Sheet("list", title(sub.key), f"{f.key}.{sub.key}", item, item.fields))
        elif isinstance(typ, dict) and typ.get("map") == "dimension":
            table = records[typ["of"]["list"]]
            rows = next(x for x in table.fields if not cell_type(schema, x.type))
            for dim in schema.dimensions:
                sheets.append(Sheet("breakdown", title(dim), f"{f.key}.{dim}", table,
                                    tuple(x for x in table.fields if x is not rows), dim, rows, records[rows.type["list"]]))
        elif isinstance(typ, dict) and "map" in typ:
            sheets.append(Sheet("map", title(f.key), f.key, None, (f,)))
        else:
            item = records[typ["list"]]
            sheets.append(Sheet("list", title(f.key), f.key, item, item.fields))
    return sheets


def symbols_hint(schema: Schema) -> str:
    return ", ".join(f'{s} if {schema.symbols[s].meaning}' for s in schema.return_symbols)


def expectation(schema: Schema, typ) -> str:
    """What a cell takes, in words, for prompts and error boxes."""
    words = {"count": "A whole number of 0 or more", "percent": "A percentage from 0 to 100 (53.6, not 0.536)",
             "fte": "Full-time equivalents, 0 or more", "number": "A number of 0 or more"}
    if isinstance(typ, dict):
        return "One or more, separated by commas."
    if typ in words:
        return f"{words[typ]}, or type {symbols_hint(schema)}."
    return {"boolean": "TRUE or FALSE.", "month": "A month written YYYY-MM, e.g. 2024-10.",
            "url": "A web address starting with https://"}.get(typ, "")
