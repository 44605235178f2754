"""The annual return as a locked spreadsheet template, generated from schema/, for teams who keep figures in Excel."""
from __future__ import annotations

import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from . import paths
from .problems import InputError, Problem
from .schema import Field, Record, Schema, load_schema
from .walker import Walker
from .yamlsafe import YamlRefused, load

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


def write_atomic(path: Path, data: bytes) -> None:
    """Write a whole file or nothing: a half-written return or workbook is worse than none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would hide the file from the rest of the team
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _FixedZip(zipfile.ZipFile):
    """A zip whose entries carry a fixed date instead of the time of writing."""

    def writestr(self, name, data, compress_type=None, compresslevel=None):
        if not isinstance(name, zipfile.ZipInfo):
            name = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            name.compress_type, name.external_attr = self.compression, 0o600 << 16
        super().writestr(name, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        # openpyxl writes each worksheet through a temporary file, whose time would leak in.
        self.writestr(arcname or str(filename), Path(filename).read_bytes(), compress_type, compresslevel)


def workbook_bytes(wb: Workbook) -> bytes:
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    ExcelWriter(wb, _FixedZip(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)).save()
    return buf.getvalue()


def _read(file: Path, root: Path, records: dict, record: str):
    schema = load_schema()
    shown = paths.display(file, root)
    try:
        tree = load(file.read_bytes(), shown)
    except YamlRefused as refused:
        raise InputError([refused.problem])
    walker = Walker(schema, records, shown)
    data = walker.walk(tree, record, "", 1)
    if not isinstance(data, dict):
        raise InputError(walker.problems)
    return data, walker.problems


def check_identity(root: Path, slug: str, period: str, where=("--authority", "--period")) -> Path:
    """The authority's folder, once the slug is known, the year well formed and authority.yaml there."""
    from .reference import load_reference
    from .scaffold import close_slugs

    if slug not in load_reference().index:
        close = close_slugs(slug)
        raise InputError([Problem("authority_unknown", where[0], None, "", f"'{slug}'",
                                  "an authority's short name from reference/authorities.csv, e.g. kent",
                                  f"Did you mean {' or '.join(close)}?" if close else "")])
    if not paths.period_ok(period):
        raise InputError([Problem("period_invalid", where[1], None, "", f"'{period}'",
                                  "a financial year written YYYY-YY, such as 2023-24",
                                  "Write the year the figures cover: the second year follows the first.")])
    auth = root / slug / paths.AUTHORITY_FILE
    if not auth.is_file():
        raise InputError([Problem("authority_missing", paths.display(auth, root), None, "", "no authority.yaml",
                                  f"authority.yaml for {slug}, with its crosswalk",
                                  f"Run python build.py new {slug} first, then fill in the crosswalk.")])
    return auth


def load_authority(root: Path, slug: str) -> dict:
    schema = load_schema()
    data, _ = _read(root / slug / paths.AUTHORITY_FILE, root, schema.authority_records, schema.authority_root)
    return data


def load_return(root: Path, file: Path) -> dict:
    """A committed return as the validator reads it; refuses one whose figures could not all be placed."""
    schema = load_schema()
    data, problems = _read(file, root, schema.records, schema.root)
    blocking = [p for p in problems if p.rule != "missing_required"]
    if blocking:
        raise InputError(blocking)
    return data


def template(root: Path, slug: str, period: str, out: Path) -> bool:
    """Write the template for one authority and year; True when it was pre-filled from an existing return."""
    from .spreadsheet_write import build_workbook

    root = Path(root)
    check_identity(root, slug, period)
    authority = load_authority(root, slug)
    existing = root / slug / f"{period}.yaml"
    data = load_return(root, existing) if existing.exists() else {}
    wb = build_workbook(load_schema(), slug, period, authority, data)
    write_atomic(Path(out), workbook_bytes(wb))
    return bool(data)
