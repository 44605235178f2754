"""Where the pages across authorities live: regions by name (regions/south-east.md), one page per year with the
latest year at the plain name and earlier years at name-YYYY-YY.md, the same for regions, peer groups and metrics."""
from __future__ import annotations

import re

from ladobench.core.reference import regions


def slug(name: str) -> str:
    """A name as a URL part: "Yorkshire and the Humber" -> "yorkshire-and-the-humber"."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def region_page(code: str) -> str:
    """The page name of a region (ONS code E12...) without .md: its name as a slug; "" for an unknown code."""
    name = regions().get(code, "")
    return slug(name) if name else ""


def page_name(base: str, period: str, latest: str) -> str:
    """A page across authorities for one year: base.md for the latest year, base-YYYY-YY.md for the others."""
    return f"{base}.md" if period == latest else f"{base}-{period}.md"


def year_links(periods: list[str], base: str, period: str) -> list[dict]:
    """The same page in every year with returns, oldest first, the one for period marked current."""
    latest = periods[-1] if periods else period
    return [{"period": p, "href": page_name(base, p, latest), "current": p == period} for p in periods]
