"""Validate every return and authority file at once: shape, pandera cell checks, cross-field rules."""
from __future__ import annotations

import contextlib
import gc
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ladobench.core import paths
from ladobench.core.model import Authority, Return
from ladobench.core.problems import Problem, sort_key
from ladobench.core.reference import load_reference
from ladobench.core.schema import Schema, load_schema
from ladobench.returns.counting import crosswalk_problems, period_problem
from ladobench.returns.reading import discover, jobs_of, read, walk_file
from ladobench.returns.rules import check_return, fmt

# One pandera check per rule name, over every numeric cell of every file in one frame, so
# failures come back together (lazy) and each carries its stable rule name.
_CELL_CHECKS = {
    "negative_count": (lambda d: (d.kind != "count") | (d.value >= 0), 'a whole number of 0 or more, or a symbol such as "[x]"'),
    "fractional_count": (lambda d: (d.kind != "count") | (d.value < 0) | (d.value == d.value.round()), "a whole number"),
    "percent_range": (lambda d: (d.kind != "percent") | d.value.between(0, 100), "a percentage from 0 to 100"),
    "negative_number": (lambda d: ~d.kind.isin(["fte", "number"]) | (d.value >= 0), "a number of 0 or more"),
}
CELLS = pa.DataFrameSchema(
    {"file": pa.Column(str), "path": pa.Column(str), "line": pa.Column(int),
     "kind": pa.Column(str, pa.Check.isin(["count", "percent", "fte", "number"])), "value": pa.Column(float)},
    checks=[pa.Check(fn, name=name) for name, (fn, _) in _CELL_CHECKS.items()],
)
JUMP = 2.0  # a stage more than doubling or halving since last year earns a warning
JUMP_MIN = 20  # below this, year-on-year swings are noise


@dataclass
class Dataset:
    """Everything read from an authorities folder, and every problem found."""

    root: Path
    authorities: dict[str, Authority] = field(default_factory=dict)
    returns: list[Return] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    def returns_of(self, slug: str) -> list[Return]:
        """The returns of one authority, in the order of self.returns.

        For the finished dataset (validate() returns it sorted): the index is made again if returns are
        added, removed or the list replaced, not if it is reordered in place.
        """
        key = (id(self.returns), len(self.returns), id(self.returns[0]) if self.returns else 0,
               id(self.returns[-1]) if self.returns else 0)
        if getattr(self, "_index_key", None) != key:
            index: dict[str, list[Return]] = {}
            for r in self.returns:
                index.setdefault(r.slug, []).append(r)
            self._index, self._index_key = index, key
        return list(self._index.get(slug, ()))


def _check_identity(authority: Authority, problems: list[Problem]):
    ref = load_reference()
    if authority.slug not in ref.index:
        close = [s for s in ref.index if s.startswith(authority.slug[:4])][:3]
        problems.append(Problem("authority_unknown", authority.file, None, "", f"the authority folder '{authority.slug}'",
                                "a slug from reference/authorities.csv",
                                f"Use the authority's slug{' (perhaps ' + ', '.join(close) + ')' if close else ''}; "
                                "python build.py new SLUG creates the folder."))
        return
    row = ref.loc[authority.slug]
    for key, expected in (("name", row["name"]), ("ons_code", row["ons_code"]),
                          ("dfe_number", int(row["dfe_number"])), ("region", row["region_code"])):
        value = authority.data.get(key)
        if value is not None and str(value) != str(expected):
            problems.append(Problem("identity_mismatch", authority.file, authority.lines.get(key), key, f"'{value}'",
                                    f"'{expected}', as in reference/authorities.csv"))


def _check_crosswalk(authority: Authority, problems: list[Problem]):
    """Each local label once per taxonomy, each mapped to a code (otherwise the last one would silently win)."""
    for dim, entries in (authority.data.get("crosswalk") or {}).items():
        seen: dict[str, int] = {}
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


def _check_groups(root: Path, schema: Schema, dataset: Dataset):
    path = root / paths.GROUPS_FILE
    if not path.exists():
        return
    walker, data = walk_file(schema, path, paths.display(path, root), schema.authority_records, "groups_file")
    dataset.problems.extend(walker.problems)
    if not data:
        return
    ref, ids = load_reference(), set()
    for i, group in enumerate(data.get("groups") or []):
        if not group:
            continue
        if group.get("id") in ids:
            dataset.problems.append(Problem("label_duplicate", walker.file, walker.lines.get(f"groups[{i}].id"),
                                            f"groups[{i}].id", f"the group id '{group['id']}' a second time", "unique ids"))
        ids.add(group.get("id"))
        for j, member in enumerate(group.get("members") or []):
            if member and member not in ref.index:
                dataset.problems.append(Problem("authority_unknown", walker.file, walker.lines.get(f"groups[{i}].members[{j}]"),
                                                f"groups[{i}].members[{j}]", f"'{member}'", "a slug from reference/authorities.csv"))
        dataset.groups.append(group)


def _cell_problems(cells: list[tuple]) -> list[tuple[str, str, Problem]]:
    if not cells:
        return []
    frame = pd.DataFrame(cells, columns=["file", "path", "line", "kind", "value"])
    try:
        CELLS.validate(frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as err:
        failures = err.failure_cases
    out, done = [], set()
    for check, index in zip(failures["check"], failures["index"]):
        # A frame-wide check fails once per column: report each (check, cell) once.
        if check not in _CELL_CHECKS or pd.isna(index) or (check, int(index)) in done:
            continue
        done.add((check, int(index)))
        row = frame.loc[int(index)]
        found = fmt(row.value) if row.kind == "count" else f"{row.value:g}"
        out.append((row.file, row.path, Problem(check, row.file, int(row.line), row.path, found, _CELL_CHECKS[check][1])))
    return out


def _year_on_year(dataset: Dataset, schema: Schema):
    by_key = {(r.slug, r.period): r for r in dataset.returns}
    for ret in dataset.returns:
        prev = by_key.get((ret.slug, paths.previous_period(ret.period)))
        if not prev:
            continue
        for stage in schema.stages:
            now, before = ret.number(f"funnel.{stage}"), prev.number(f"funnel.{stage}")
            if now is None or before is None or max(now, before) < JUMP_MIN or f"funnel.{stage}" in (ret.data.get("notes") or {}):
                continue
            if now > before * JUMP or now < before / JUMP:
                dataset.problems.append(Problem("year_on_year_jump", ret.file, ret.line(f"funnel.{stage}"), f"funnel.{stage}",
                                                f"{fmt(now)}, against {fmt(before)} in {prev.period}",
                                                "a change of less than half or double"))


@contextlib.contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while a stage builds objects that all live on.

    Reading a few hundred returns makes millions of small objects; the collector would rescan
    them again and again and find nothing to free (a third of the time at 150 authorities).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def validate(root: Path = paths.AUTHORITIES_DIR, only: list[Path] | None = None) -> Dataset:
    """Read and check every file under root (or only the authorities of the given paths)."""
    with gc_paused():
        return _validate(root, only)


def _validate(root: Path, only: list[Path] | None) -> Dataset:
    schema = load_schema()
    root = Path(root)
    dataset = Dataset(root)
    found, dataset.problems = discover(root)
    if not root.is_dir():
        dataset.problems.append(Problem("path_pattern", str(root), None, "", "no such folder", "the authorities folder",
                                        "Give --root the authorities folder, or run build.py from the repository."))
    wanted = None
    if only:
        wanted, slugs = set(), set()
        for p in only:
            resolved = p.resolve()
            fix = f"Name a return or an authority folder inside {root}, e.g. {root / 'kent'}."
            if resolved != root.resolve() and root.resolve() not in resolved.parents:
                dataset.problems.append(Problem("path_pattern", str(p), None, "", f"a path outside {root}",
                                                "a return or an authority folder inside the authorities folder", fix))
            elif not resolved.exists():
                dataset.problems.append(Problem("path_pattern", str(p), None, "", "a path that does not exist",
                                                "a return or an authority folder inside the authorities folder", fix))
            else:
                wanted.add(resolved)
                slugs.add(resolved.relative_to(root.resolve()).parts[0] if resolved != root.resolve() else None)
        if None not in slugs:  # naming the authorities folder itself means everything
            found = {s: f for s, f in found.items() if s in slugs}
        else:
            wanted = None
    jobs = jobs_of(root, found)
    walked = dict(zip((job[0] for job in jobs), read(schema, jobs)))
    cells, cell_owner = [], {}
    for slug, files in found.items():
        auth_path = root / slug / paths.AUTHORITY_FILE
        authority = None
        if auth_path in files:
            result = walked[auth_path]
            dataset.problems.extend(result.problems)
            cells.extend(result.cells)
            if result.data is not None:
                authority = Authority(slug, result.file, result.data, result.lines)
                dataset.authorities[slug] = authority
                _check_identity(authority, dataset.problems)
                _check_crosswalk(authority, dataset.problems)
                dataset.problems.extend(crosswalk_problems(authority))
        else:
            dataset.problems.append(Problem("authority_missing", paths.display(root / slug, root), None, "",
                                            f"returns for '{slug}' but no authority.yaml", "authority.yaml beside the returns"))
        for f in files:
            if f.name == paths.AUTHORITY_FILE:
                continue
            shown = paths.display(f, root)
            if not paths.period_ok(f.stem):
                dataset.problems.append(Problem("period_invalid", shown, None, "", f"the period '{f.stem}'",
                                                "a financial year YYYY-YY such as 2023-24, or a calendar year YYYY"))
                continue
            result = walked[f]
            dataset.problems.extend(result.problems)
            cells.extend(result.cells)
            if result.data is not None:
                ret = Return(slug, f.stem, shown, result.data, result.lines, result.invalid)
                dataset.returns.append(ret)
                cell_owner[shown] = ret
    for file, path, problem in _cell_problems(cells):
        dataset.problems.append(problem)
        if file in cell_owner:
            cell_owner[file].invalid.add(path)
    for ret in dataset.returns:
        dataset.problems.extend(check_return(ret, dataset.authorities.get(ret.slug)))
        period = period_problem(ret, dataset.authorities.get(ret.slug))
        if period:
            dataset.problems.append(period)
    _year_on_year(dataset, schema)
    _check_groups(root, schema, dataset)
    if wanted is not None:
        outside = {str(p) for p in only} | {str(root)}
        shown_wanted = {paths.display(p, root) for p in wanted}
        keep = lambda p: (any(p.file == w or p.file.startswith(w + "/") for w in shown_wanted)
                          or p.file.endswith(paths.AUTHORITY_FILE) or p.file in outside
                          or p.file in {paths.display(root / slug, root) for slug in found})  # "no authority.yaml"
        dataset.problems = [p for p in dataset.problems if keep(p)]
    dataset.returns.sort(key=lambda r: (r.slug, r.period))
    dataset.problems.sort(key=sort_key)
    return dataset
