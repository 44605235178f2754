"""Reading the returns: find the files, parse each one and walk it against the schema."""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from ladobench.core import paths
from ladobench.core.problems import Problem
from ladobench.core.schema import Schema
from ladobench.returns.walker import Walker
from ladobench.returns.yamlsafe import YamlRefused, load


def _link(entry: Path, root: Path) -> Problem:
    shown = f"{paths.display(entry.parent, root)}/{entry.name}"  # the link itself, not where it points
    return Problem("path_link", shown, None, "", "a symbolic link", "a real file or folder inside the authorities folder",
                   "Put the file itself in the folder in place of the link: links are not followed, so nothing from "
                   "outside the folder is read or published.")


def discover(root: Path):
    """(authority folders → their yaml files) and problems with names that do not fit the pattern.

    Symbolic links are refused, never followed: a link could publish a file from anywhere on the machine."""
    found: dict[str, list[Path]] = {}
    problems = []
    for entry in sorted(root.iterdir()) if root.is_dir() else []:
        if entry.is_symlink():
            problems.append(_link(entry, root))
            continue
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
            if f.suffix.lower() not in (".yaml", ".yml"):
                continue
            if f.is_symlink():
                problems.append(_link(f, root))
                continue
            if not f.is_file():  # 2023-24.YAML too
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
    """What reading one file gives the rest of validation."""

    file: str
    problems: list
    cells: list
    lines: dict
    invalid: set
    data: dict | None


def read(schema: Schema, jobs: list) -> list[Walked]:
    """One Walked per job, in order."""
    out = []
    for path, shown, is_authority in jobs:
        records, root = (schema.authority_records, schema.authority_root) if is_authority else (schema.records, schema.root)
        walker, data = walk_file(schema, path, shown, records, root)
        out.append(Walked(walker.file, walker.problems, walker.cells, walker.lines, walker.invalid, data))
    return out
