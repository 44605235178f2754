"""Reading the returns: find the files, parse each one and walk it against the schema.

This module imports nothing heavy (no pandas), so that the build can start reading at once: with a
lot to read, a forked process takes files from the front of the list while the build imports what
the rest of validation needs, then the build takes files from the back until the two meet.
"""
from __future__ import annotations

import gc
from pathlib import Path
from typing import NamedTuple

from . import paths
from .background import Background, TwoEnds, can_fork
from .problems import Problem
from .schema import Schema, load_schema
from .walker import Walker
from .yamlsafe import YamlRefused, load

# Below this (about 20 returns) a second process is not worth starting. Above it, the build starts one
# before its imports, which take about a second: time in which a second core reads a lot of returns.
PARALLEL_MIN_BYTES = 100_000


def discover(root: Path):
    """(authority folders → their yaml files) and problems with names that do not fit the pattern."""
    found: dict[str, list[Path]] = {}
    problems = []
    for entry in sorted(root.iterdir()) if root.is_dir() else []:
        shown = paths.display(entry, root)
        if entry.is_file():
            if entry.suffix.lower() in (".yaml", ".yml") and entry.name != paths.GROUPS_FILE:
                problems.append(Problem("path_pattern", shown, None, "", "a YAML file directly in authorities/",
                                        "authorities/<slug>/<YYYY-YY>.yaml", "Move it into its authority's folder."))
            continue
        if not entry.is_dir() or entry.name.startswith("."):
            continue
        if not paths.SLUG.match(entry.name):
            problems.append(Problem("path_pattern", shown, None, "", f"the folder name '{entry.name}'",
                                    "an authority slug: lower-case letters, digits and hyphens, e.g. kent"))
            continue
        files = []
        for f in sorted(entry.iterdir()):
            if f.suffix.lower() not in (".yaml", ".yml") or not f.is_file():  # 2023-24.YAML too
                continue
            if f.name == paths.AUTHORITY_FILE or (f.suffix == ".yaml" and paths.PERIOD.match(f.stem)):
                files.append(f)
            else:
                fix = f"Rename it {f.stem}.yaml." if f.suffix != ".yaml" else ""
                problems.append(Problem("path_pattern", paths.display(f, root), None, "", f"the file name '{f.name}'",
                                        "authority.yaml or a financial year such as 2023-24.yaml", fix))
        found[entry.name] = files
    return found, problems


def jobs_of(root: Path, found: dict[str, list[Path]]) -> list[tuple[Path, str, bool]]:
    """Every file to read, in order: (path, shown, is_authority_file)."""
    jobs = []
    for slug, files in found.items():
        auth_path = root / slug / paths.AUTHORITY_FILE
        if auth_path in files:
            jobs.append((auth_path, paths.display(auth_path, root), True))
        for f in files:
            if f.name != paths.AUTHORITY_FILE and paths.period_ok(f.stem):
                jobs.append((f, paths.display(f, root), False))
    return jobs


def walk_file(schema: Schema, file_path: Path, shown: str, records: dict, root: str):
    walker = Walker(schema, records, shown)
    try:
        tree = load(file_path.read_bytes(), shown)
    except YamlRefused as refused:
        walker.problems.append(refused.problem)
        return walker, None
    except OSError as err:
        walker.problems.append(Problem("file_encoding", shown, None, "", f"a file that cannot be read ({err.strerror})",
                                       "a readable file"))
        return walker, None
    data = walker.walk(tree, root, "", 1)
    if not isinstance(data, dict):
        walker.problems = [Problem("yaml_not_mapping", shown, 1, "", "a single value or a list at the top",
                                   "sections such as source: and funnel:")]
        return walker, None
    return walker, data


class Walked(NamedTuple):
    """What reading one file gives the rest of validation: plain values, so it can come back from another process."""

    file: str
    problems: list
    cells: list
    lines: dict
    invalid: set
    data: dict | None


def _walk_one(schema: Schema, job) -> Walked:
    path, shown, is_authority = job
    records, root = (schema.authority_records, schema.authority_root) if is_authority else (schema.records, schema.root)
    walker, data = walk_file(schema, path, shown, records, root)
    return Walked(walker.file, walker.problems, walker.cells, walker.lines, walker.invalid, data)


def _read_end(schema: Schema, jobs: list, ends: TwoEnds, front: bool) -> dict[int, Walked]:
    enabled = gc.isenabled()
    gc.disable()  # every object made here lives on: the collector would find nothing to free
    try:
        out = {}
        while (i := ends.take(front)) is not None:
            out[i] = _walk_one(schema, jobs[i])
        return out
    finally:
        if enabled:
            gc.enable()


class Reading:
    """Reading(schema, jobs) starts reading now; .result() gives one Walked per job, in order.

    With more than PARALLEL_MIN_BYTES to read and fork available, a forked process starts at once
    on the front of the list; .result() reads from the back in this process until the two meet,
    so however long the build spent meanwhile, neither waits for the other. Otherwise everything
    is read in .result(). The results are the same either way.
    """

    def __init__(self, schema: Schema, jobs: list):
        self.schema, self.jobs = schema, jobs
        self._ends = self._other = None
        if len(jobs) > 1 and can_fork() and _total_size(jobs) >= PARALLEL_MIN_BYTES:
            self._ends = TwoEnds(len(jobs))
            self._other = Background(_read_end, schema, jobs, self._ends, True)
            if not self._other.forked:  # (can_fork() said yes a moment ago)
                self._ends = self._other = None

    def result(self) -> list[Walked]:
        if self._other is None:
            return [_walk_one(self.schema, job) for job in self.jobs]
        with self._other:
            mine = _read_end(self.schema, self.jobs, self._ends, False)
            theirs = self._other.result()
        mine.update(theirs)
        return [mine[i] for i in range(len(self.jobs))]


def _total_size(jobs: list) -> int:
    total = 0
    for path, _, _ in jobs:
        try:
            total += path.stat().st_size
        except OSError:
            pass
    return total


class Started(NamedTuple):
    """Files found under root and being read (see start())."""

    root: Path
    found: dict
    problems: list
    jobs: list
    reading: Reading


def start(root: Path) -> Started:
    """Find every file under root and start reading them (validate(root, started=...) finishes the work)."""
    root = Path(root)
    found, problems = discover(root)
    jobs = jobs_of(root, found)
    return Started(root, found, problems, jobs, Reading(load_schema(), jobs))
