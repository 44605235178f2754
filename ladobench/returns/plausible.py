"""Checks of what a file says against the world: years that have ended, dates that can be, names that stay distinct.

The crosswalk and groups.yaml checks live here too: each says what makes a mapping or a group ambiguous.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from ladobench.core import paths
from ladobench.core.model import Authority
from ladobench.core.problems import Problem
from ladobench.core.reference import load_reference
from ladobench.core.schema import Schema, load_schema
from ladobench.core.text import nfc
from ladobench.returns.reading import walk_file


def earliest_period() -> str:
    return str(load_schema().publishing.get("periods", {}).get("earliest", "2000-01"))


def last_ended_period(today: date | None = None) -> str:
    """The latest financial year that has ended (they end on 31 March)."""
    today = today or date.today()
    start = today.year - 1 if today.month >= 4 else today.year - 2
    return f"{start}-{(start + 1) % 100:02d}"


def period_floor_problem(period: str, shown: str) -> Problem | None:
    """A period before the floor in schema/publishing.yaml (a year that has not ended is returns/counting.py's)."""
    earliest = earliest_period()
    if paths.period_start(period) < paths.period_start(earliest):
        return Problem("period_implausible", shown, None, "", f"the period '{period}', before {earliest}",
                       f"a year from {earliest} on that has ended",
                       "Rename the file to the year the figures cover, e.g. 2023-24.yaml.")
    return None


def published_problem(data: dict, lines: dict, period: str, shown: str, today: date | None = None) -> Problem | None:
    """source.published (YYYY-MM) after this month, or before the period it reports on began (April)."""
    published = (data.get("source") or {}).get("published")
    if not isinstance(published, str) or len(published) != 7:
        return None  # absent, or refused already as not YYYY-MM
    today = today or date.today()
    began = f"{paths.period_start(period)}-04"
    now = f"{today.year}-{today.month:02d}"
    if published > now:
        found, expected = f"'{published}', a month that has not come yet", f"the month it was published, {now} or earlier"
    elif published < began:
        found, expected = f"'{published}', before the period {period} began", f"a month from {began} on"
    else:
        return None
    return Problem("published_implausible", shown, lines.get("source.published"), "source.published", found, expected,
                   "Give the month the report was published, e.g. 2024-10.")


def check_crosswalk(authority: Authority, problems: list[Problem]):
    """Each local label once per taxonomy, each mapped to a code (otherwise the last one would silently win);
    no code twice in one entry; no two labels that differ only in case or Unicode form mapped differently."""
    for dim, entries in (authority.data.get("crosswalk") or {}).items():
        seen: dict[str, int] = {}
        folded: dict[str, tuple[str, int, tuple]] = {}
        for i, entry in enumerate(entries or []):
            if not entry or "local" not in entry:
                continue
            path, local = f"crosswalk.{dim}[{i}]", entry["local"]
            line = authority.lines.get(path)
            written = f"{path}.code" in authority.lines or f"{path}.codes" in authority.lines  # present but invalid
            if not entry.get("code") and not entry.get("codes") and not written:
                problems.append(Problem("missing_required", authority.file, line, f"{path}.code",
                                        f"the label '{local}' with no code", "code: (one common code) or codes: (several)",
                                        "Add the common code from schema/taxonomies.yaml this label maps to."))
            if local in seen:
                problems.append(Problem("label_duplicate", authority.file, line, f"{path}.local",
                                        f"'{local}' a second time (first at line {seen[local]})", "each local label once per taxonomy",
                                        "Keep one entry; if the label maps to several codes, list them under codes:."))
            seen.setdefault(local, line)
            codes = [c for c in entry.get("codes") or [] if c]
            for j, code in enumerate(codes):
                if code in codes[:j]:
                    problems.append(Problem("code_duplicate", authority.file, authority.lines.get(f"{path}.codes[{j}]", line),
                                            f"{path}.codes[{j}]", f"the code '{code}' a second time in the list",
                                            "each code once", f"Remove the second '{code}'."))
            mapped = tuple(sorted(set(codes or ([entry["code"]] if entry.get("code") else []))))
            key = nfc(str(local)).casefold()
            first = folded.get(key)
            if first and first[0] != local and first[2] != mapped:
                problems.append(Problem("label_duplicate", authority.file, line, f"{path}.local",
                                        f"'{local}', which differs from '{first[0]}' (line {first[1]}) only in capitals "
                                        f"or Unicode form, mapped to {', '.join(mapped) or 'nothing'} not "
                                        f"{', '.join(first[2]) or 'nothing'}",
                                        "labels that read the same mapped to the same codes",
                                        "Use one spelling of the label, or map both to the same code."))
            folded.setdefault(key, (local, line, mapped))


def _groups_refused(problem: Problem) -> Problem:
    """The advice for an empty or shapeless groups.yaml: a groups file, not a return."""
    if problem.rule not in ("file_empty", "yaml_not_mapping"):
        return problem
    return Problem(problem.rule, problem.file, problem.line, "", problem.found,
                   "groups: followed by a list of peer groups (id, name, members)",
                   "Add a group as in the example in the 'Adding an authority' guide, or delete groups.yaml if there "
                   "are no peer groups.")


def check_groups(root: Path, schema: Schema, dataset) -> None:
    path = root / paths.GROUPS_FILE
    if not path.is_file() or path.is_symlink():
        return  # a link is refused by discover()
    walker, data = walk_file(schema, path, paths.display(path, root), schema.authority_records, "groups_file")
    dataset.problems.extend(_groups_refused(p) for p in walker.problems)
    if not data:
        return
    ref, ids = load_reference(), set()
    for i, group in enumerate(data.get("groups") or []):
        if not group:
            continue
        gid, where = group.get("id"), walker.lines.get(f"groups[{i}].id")
        if gid in ids:
            dataset.problems.append(Problem("label_duplicate", walker.file, where, f"groups[{i}].id",
                                            f"the group id '{gid}' a second time", "unique ids"))
        if gid in paths.RESERVED_GROUP_IDS:
            dataset.problems.append(Problem("group_id_reserved", walker.file, where, f"groups[{i}].id",
                                            f"the group id '{gid}', the name of a page or folder the site makes",
                                            f"an id other than {', '.join(paths.RESERVED_GROUP_IDS)}",
                                            f"Name the group, e.g. {gid}-peer-group."))
            continue
        ids.add(gid)
        members: dict[str, int] = {}
        for j, member in enumerate(group.get("members") or []):
            line = walker.lines.get(f"groups[{i}].members[{j}]")
            if member and member not in ref.index:
                dataset.problems.append(Problem("authority_unknown", walker.file, line,
                                                f"groups[{i}].members[{j}]", f"'{member}'", "a slug from reference/authorities.csv"))
            elif member in members:
                dataset.problems.append(Problem("label_duplicate", walker.file, line, f"groups[{i}].members[{j}]",
                                                f"'{member}' a second time (members[{members[member]}])",
                                                "each member once (the group page counts members)",
                                                f"Remove the second '{member}'."))
            members.setdefault(member, j)
        dataset.groups.append(group)
