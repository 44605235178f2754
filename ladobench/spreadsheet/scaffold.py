"""Start a new authority's folder from the reference table, so a LADO begins with a file that already validates."""
from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import yaml

from ladobench.core import paths
from ladobench.core.problems import InputError, Problem
from ladobench.core.reference import close_slugs, load_reference
from ladobench.core.schema import load_schema


def latest_period(today: date | None = None) -> str:
    """The last financial year that has ended: the one an annual report is written about."""
    today = today or date.today()
    end = today.year if today.month >= 4 else today.year - 1
    return f"{end - 1}-{end % 100:02d}"


def _scalar(value) -> str:
    """A value as it would follow "key: ", quoted only if YAML needs it."""
    return yaml.safe_dump({"k": value}, width=10_000, allow_unicode=True)[3:].rstrip("\n")


def _comment(text: str, indent: int, width: int = 96) -> list[str]:
    prefix = " " * indent + "# "
    return textwrap.wrap(text, width - len(prefix), initial_indent=prefix, subsequent_indent=prefix + "  ")


def authority_yaml(slug: str) -> str:
    """The text of a new authority.yaml: identity filled in, stages and crosswalk waiting, with guidance."""
    schema, row = load_schema(), load_reference().loc[slug]
    name = row["name"]
    intro = (f"{name}: identity (must agree with reference/authorities.csv), counting terms and the crosswalk "
             f"from {name}'s own categories to the common codes in schema/taxonomies.yaml.")
    lines = textwrap.wrap(intro, 94, initial_indent="# ", subsequent_indent="# ") + textwrap.wrap(
        f"Made by python build.py new {slug}. Next: fill in stages and the crosswalk from your annual report "
        "(site_src/adding-an-authority.md explains how), then run python build.py validate.",
        94, initial_indent="# ", subsequent_indent="# ", break_on_hyphens=False) + [
        f"name: {_scalar(name)}",
        f"ons_code: {_scalar(row['ons_code'])}",
        f"dfe_number: {int(row['dfe_number'])}",
        f"region: {_scalar(row['region_code'])}",
        f"# service: {name} LADO Service   <- what your service calls itself",
        "",
        "# Your own word for each stage of the funnel, and what it counts where that differs from the",
        "# common definition. Remove the # from \"stages:\" and from each stage you name.",
        # The # takes the place of nothing: deleting it leaves the line indented as YAML needs.
        "#stages:",
    ]
    funnel = schema.records["funnel"]
    for stage in schema.stages:
        lines += [f"#  {stage}:   # {funnel.get(stage).display}", '#    term: ""', '#    note: ""']
    lines += [
        "",
        "# For each taxonomy, every label your reports use and the common code it stands for. Replace []",
        "# with one line per label, for example:",
        "#   harm_category:",
        "#     - {local: Physical abuse, code: physical}",
        "#     - {local: Wider workforce, codes: [health, police, other], note: Several sectors combined.}",
        "# A common code none of your labels maps to is shown as not comparable for you, never as 0.",
        "crosswalk:",
    ]
    for key, dim in schema.dimensions.items():
        codes = ", ".join(f"{c.code} ({c.label})" for c in dim.codes)
        lines += _comment(f"{dim.title}. Common codes: {codes}.", 2)
        lines.append(f"  {key}: []")
    lines += ["", "# How you count: your figures are compared only with others that count the same way. A fact left",
              "# out (or not_known) is not known: those figures are published but never compared. Remove the # from",
              "# \"counting:\" and from each fact you give, keeping one of the values listed.", "# counting:"]
    for f in schema.records["counting"].fields:
        values = schema.enum_values(f.type) if f.type in schema.enums else []
        lines.append(f"#   {f.key}: " + (" | ".join(values) if values else '""'))
    return "\n".join(lines) + "\n"


def new_authority(root: Path, slug: str, template_out: Path | None = None, period: str | None = None):
    """Create root/slug/authority.yaml and a blank template; returns both paths."""
    from ladobench.spreadsheet.template import template, write_atomic

    root = Path(root)
    if slug not in load_reference().index:
        close = close_slugs(slug)
        raise InputError([Problem("authority_unknown", "build.py new", None, "", f"'{slug}'",
                                  "an authority's short name from reference/authorities.csv, e.g. kent or "
                                  "barking-and-dagenham",
                                  f"Did you mean {' or '.join(close)}?" if close else
                                  "Look the authority up in reference/authorities.csv (the slug column).")])
    folder = root / slug
    if folder.exists():
        raise InputError([Problem("authority_exists", paths.display(folder, root), None, "",
                                  "a folder that already exists", "a new authority",
                                  f"Nothing was changed. Edit {paths.display(folder / paths.AUTHORITY_FILE, root)} "
                                  f"instead, or make a template with python build.py template --authority {slug} "
                                  "--period YYYY-YY.")])
    period = period or latest_period()
    if not paths.period_ok(period):
        raise InputError([Problem("period_invalid", "--period", None, "", f"'{period}'",
                                  "a financial year written YYYY-YY, such as 2023-24")])
    auth = folder / paths.AUTHORITY_FILE
    write_atomic(auth, authority_yaml(slug).encode("utf-8"))
    out = Path(template_out) if template_out else folder / f"{slug}-{period}.xlsx"
    template(root, slug, period, out)
    return auth, out
