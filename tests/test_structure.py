"""The package keeps its shape: import-linter's contracts hold, no package reaches into another's private names, and
no module grows past a size one can read whole without a reason written down here."""
from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "ladobench"
MAX_LINES = 320
# Modules allowed over MAX_LINES, each with the reason. An entry no longer over the limit fails too, so the list
# only ever names what is still long.
LONG_MODULES: dict[str, str] = {}


# --- import-linter ------------------------------------------------------------------------------

def test_import_linter_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.fail(f"import-linter is not installed beside {sys.executable} (pip install import-linter)")
    run = subprocess.run([str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300)
    report = run.stdout + run.stderr
    assert run.returncode == 0, report
    kept = [line for line in report.splitlines() if line.endswith(" KEPT")]
    assert len(kept) >= 2 and "0 broken" in report, report  # the layers and the no-circles contracts at least
    assert any(line.startswith("The pipeline is layered") for line in kept), report


# --- private names --------------------------------------------------------------------------------

def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts)  # ladobench.stats.__init__ for a package


def _package_of(module: str) -> str:
    """ladobench.stats for ladobench.stats.trend (and for ladobench.stats itself); ladobench.cli for a top module."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_imports(sources: dict[str, str], modules: set[str]) -> list[str]:
    """Where a module takes a _private name (or module) from another package: 'file:line: what'.

    sources: {module name (a package as its __init__): source}; modules: every module name of the package (to tell
    a module from a name).
    """
    found = []
    for module, text in sources.items():
        mine = _package_of(module)
        here = module.split(".")
        tree = ast.parse(text)
        aliases: dict[str, str] = {}  # a local name bound to another package's module
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                if node.level:  # relative: from the module's own package upwards
                    base = here[: len(here) - node.level]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                if not source.startswith("ladobench") or _package_of(source) == mine:
                    continue
                for a in node.names:
                    full = f"{source}.{a.name}"
                    if any(_is_private(p) for p in full.split(".")):
                        found.append(f"{module}:{node.lineno}: from {source} import {a.name}")
                    elif full in modules:
                        aliases[a.asname or a.name] = full
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith("ladobench") and _package_of(a.name) != mine:
                        if any(_is_private(p) for p in a.name.split(".")):
                            found.append(f"{module}:{node.lineno}: import {a.name}")
                        elif a.asname:
                            aliases[a.asname] = a.name
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                    and _is_private(node.attr)):
                found.append(f"{module}:{node.lineno}: {node.value.id}.{node.attr} ({aliases[node.value.id]})")
    return sorted(found)


def _package_sources() -> dict[str, str]:
    return {_module_name(p): p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py"))}


def test_no_package_imports_another_packages_private_names():
    sources = _package_sources()
    assert private_imports(sources, set(sources)) == []


def test_the_private_name_scan_finds_each_form():
    sources = {
        "ladobench.stats.metrics": textwrap.dedent("""
            from ladobench.returns.rules import _related, base_value
            from ladobench.returns import rules
            import ladobench.returns.walker as walker
            from ladobench.stats.trend import _recent      # the same package: allowed
            from ._own import x                           # the same package: allowed
            from ladobench.core._hidden import thing
            rules._fmt(1); walker._MONTH; rules.fmt(2); rules.__name__
        """),
        "ladobench.cli": "from ladobench.site.render import _LITERAL\nfrom ladobench import __version__\n",
    }
    modules = {"ladobench.returns.rules", "ladobench.returns.walker", "ladobench.stats.trend", "ladobench.core._hidden"}
    assert private_imports(sources, modules) == [
        "ladobench.cli:1: from ladobench.site.render import _LITERAL",
        "ladobench.stats.metrics:2: from ladobench.returns.rules import _related",
        "ladobench.stats.metrics:7: from ladobench.core._hidden import thing",
        "ladobench.stats.metrics:8: rules._fmt (ladobench.returns.rules)",
        "ladobench.stats.metrics:8: walker._MONTH (ladobench.returns.walker)",
    ]


# --- module size ----------------------------------------------------------------------------------

def _lengths() -> dict[str, int]:
    return {p.relative_to(REPO).as_posix(): len(p.read_text(encoding="utf-8").splitlines()) for p in sorted(PACKAGE.rglob("*.py"))}


def test_no_module_is_over_the_limit_without_a_reason():
    long = {name: n for name, n in _lengths().items() if n > MAX_LINES and name not in LONG_MODULES}
    assert not long, (f"modules over {MAX_LINES} lines: {long}. Split them by meaning, or add each to LONG_MODULES "
                      "in tests/test_structure.py with the reason it is better whole.")


def test_every_long_module_allowed_is_still_long():
    lengths = _lengths()
    assert all(reason.strip() for reason in LONG_MODULES.values())
    stale = [name for name in LONG_MODULES if lengths.get(name, 0) <= MAX_LINES]
    assert stale == [], f"no longer over {MAX_LINES} lines (or gone): remove from LONG_MODULES: {stale}"
