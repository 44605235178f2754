"""Where things live, and the file-name patterns that carry identity.

In a checkout, schema/, reference/, site_src/ and mkdocs.yml are the repository's own. Installed with
`pip install .`, the same files ship inside the package (ladobench/data/, see pyproject.toml), and the
authorities folder, the generated pages and the site are those of the folder the command runs in.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent
_CHECKOUT = _PACKAGE.parent
IN_CHECKOUT = (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "schema" / "return.yaml").is_file()
DATA = _CHECKOUT if IN_CHECKOUT else _PACKAGE / "data"  # schema/, reference/, site_src/ (hand-written), mkdocs.yml
ROOT = _CHECKOUT if IN_CHECKOUT else Path.cwd()  # where authorities/, site_src/ and site/ are by default
SCHEMA_DIR = DATA / "schema"
REFERENCE_CSV = DATA / "reference" / "authorities.csv"
POPULATIONS_CSV = DATA / "reference" / "populations.csv"  # 0-17 population by ONS mid-year estimate
STATIC_PAGES = DATA / "site_src"  # the hand-written pages and assets
MKDOCS_YML = DATA / "mkdocs.yml"
AUTHORITIES_DIR = ROOT / "authorities"
SITE_SRC = ROOT / "site_src"
SITE_DIR = ROOT / "site"

SLUG = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
AUTHORITY_FILE = "authority.yaml"
GROUPS_FILE = "groups.yaml"
# Names the site gives pages and folders under groups/ (groups/index.md, groups/data/): no group id may take one.
RESERVED_GROUP_IDS = ("index", "data")


def period_ok(period: str) -> bool:
    """A financial or academic year YYYY-YY whose second year follows the first (2023-24, 1999-00), or a calendar year YYYY."""
    m = PERIOD.match(period)
    return bool(m) and (m.group(2) is None or (int(m.group(1)) + 1) % 100 == int(m.group(2)))


def is_calendar(period: str) -> bool:
    """A calendar-year period, named YYYY."""
    return len(period) == 4


def period_start(period: str) -> int:
    return int(period[:4])


def previous_period(period: str) -> str:
    start = period_start(period) - 1
    return str(start) if is_calendar(period) else f"{start}-{(start + 1) % 100:02d}"


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
