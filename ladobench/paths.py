"""Where things live in the repository, and the file-name patterns that carry identity."""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "schema"
AUTHORITIES_DIR = ROOT / "authorities"
SITE_SRC = ROOT / "site_src"
SITE_DIR = ROOT / "site"

SLUG = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
AUTHORITY_FILE = "authority.yaml"
GROUPS_FILE = "groups.yaml"


def period_ok(period: str) -> bool:
    """A financial year YYYY-YY whose second year follows the first (2023-24, 1999-00)."""
    m = PERIOD.match(period)
    return bool(m) and (int(m.group(1)) + 1) % 100 == int(m.group(2))


def period_start(period: str) -> int:
    return int(period[:4])


def previous_period(period: str) -> str:
    start = period_start(period) - 1
    return f"{start}-{(start + 1) % 100:02d}"


@lru_cache(maxsize=64)
def _real(path: str) -> Path:
    """Path(path).resolve() of the few folders display() measures from (absolute paths), once each: it runs for every file."""
    return Path(path).resolve()


def display(path: Path, data_root: Path | None = None) -> str:
    """A path as the user knows it: authorities/kent/2023-24.yaml, wherever the data root lives."""
    resolved = Path(path).resolve()
    bases = ([_real(os.path.abspath(data_root)).parent] if data_root else []) + [_real(os.getcwd()), ROOT]
    for base in bases:
        try:
            return resolved.relative_to(base).as_posix()
        except ValueError:
            continue
    return resolved.as_posix()
