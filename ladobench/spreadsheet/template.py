"""The annual return as a locked spreadsheet template, generated from schema/, for teams who keep figures in Excel."""
from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from ladobench.core import paths
from ladobench.core.problems import InputError, Problem
from ladobench.core.schema import load_schema
from ladobench.returns.walker import Walker
from ladobench.returns.yamlsafe import YamlRefused, load
from ladobench.spreadsheet.layout import FIXED_TIME


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
    from ladobench.core.reference import close_slugs, load_reference

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
    from ladobench.spreadsheet.write import build_workbook  # (openpyxl styles: only when a template is written)

    root = Path(root)
    check_identity(root, slug, period)
    authority = load_authority(root, slug)
    existing = root / slug / f"{period}.yaml"
    data = load_return(root, existing) if existing.exists() else {}
    wb = build_workbook(load_schema(), slug, period, authority, data)
    write_atomic(Path(out), workbook_bytes(wb))
    return bool(data)
