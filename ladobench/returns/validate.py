"""Validate every return and authority file at once: shape, pandera cell checks, cross-field rules."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ladobench.core import paths
from ladobench.core.memory import gc_paused
from ladobench.core.model import Authority, Return
from ladobench.core.problems import Problem, sort_key
from ladobench.core.reference import load_reference
from ladobench.core.schema import Schema, load_schema
from ladobench.returns.counting import crosswalk_problems, period_problem
from ladobench.returns.plausible import check_crosswalk, check_groups, period_floor_problem, published_problem
from ladobench.returns.reading import discover, jobs_of, read
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
JUMP = load_schema().methodology.jump_factor  # a stage more than doubling or halving since last year earns a warning
JUMP_MIN = load_schema().methodology.jump_min_count  # below this, year-on-year swings are noise


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
                                                "a change of less than half or double" if JUMP == 2 else
                                                f"a change of less than {JUMP:g} times either way"))


def _free_text(dataset: Dataset):
    """Notes that state a count the site withholds: a warning each (returns/free_text.py)."""
    from ladobench.returns import free_text

    mine: dict[str, list[Return]] = {}
    for ret in dataset.returns:
        dataset.problems.extend(free_text.problems(ret, dataset.authorities.get(ret.slug)))
        mine.setdefault(ret.slug, []).append(ret)
    for slug, authority in dataset.authorities.items():
        dataset.problems.extend(free_text.authority_problems(authority, mine.get(slug, [])))


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
    if root.is_dir() and not only and not any(f.name != paths.AUTHORITY_FILE for files in found.values() for f in files):
        dataset.problems.append(Problem("nothing_to_publish", paths.display(root, root), None, "",
                                        "no returns in the folder", "at least one return, e.g. kent/2023-24.yaml",
                                        "Add an authority (python build.py new SLUG) and its first return, or give "
                                        "--root the folder that holds them."))
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
                check_crosswalk(authority, dataset.problems)
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
            implausible = period_floor_problem(f.stem, shown)
            if implausible:
                dataset.problems.append(implausible)
                continue
            result = walked[f]
            dataset.problems.extend(result.problems)
            cells.extend(result.cells)
            if result.data is not None:
                published = published_problem(result.data, result.lines, f.stem, shown)
                if published:
                    dataset.problems.append(published)
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
    _free_text(dataset)
    _year_on_year(dataset, schema)
    check_groups(root, schema, dataset)
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
