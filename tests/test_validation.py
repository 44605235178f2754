"""Every validation rule has a broken fixture, and each fixture is caught, named and located.

The fixtures are in tests/fixtures/broken/ (see its README.md): small patches of the real Kent and
Gloucestershire files, each breaking one thing.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from validation_support import apply_spec, copy_authorities, shown

from ladobench.cli import main
from ladobench.core.schema import load_schema

BROKEN = Path(__file__).parent / "fixtures" / "broken"
RULES = load_schema().return_rules  # the rules of return files; other commands' rules are tested with them
FIXTURES = sorted(BROKEN.glob("*.yaml")) + sorted(p for p in BROKEN.iterdir() if p.is_dir())


def rule_of(fixture: Path) -> str:
    """The rule a fixture is for: the longest rule name its file name starts with."""
    return max((r for r in RULES if fixture.name.startswith(r)), key=len, default="")


def test_rule_catalogue_is_read():
    assert len(RULES) == len(set(RULES)) >= 39
    severities = {r.name: r.severity for r in load_schema().rules.values()}
    assert set(severities.values()) == {"error", "warning"}
    assert {n for n, s in severities.items() if s == "warning"} == {"discrepancy_unused", "year_on_year_jump",
                                                                    "note_reveals_suppressed"}


@pytest.mark.parametrize("rule", RULES)
def test_every_rule_has_a_broken_fixture(rule):
    named = [f.name for f in FIXTURES if rule_of(f) == rule]
    assert named, f"no fixture tests/fixtures/broken/{rule}*.yaml for the rule {rule} in schema/rules.yaml"


def test_every_fixture_names_a_rule():
    assert [f.name for f in FIXTURES if not rule_of(f)] == []


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.name for f in FIXTURES])
def test_broken_fixture(fixture, tmp_path, capsys, monkeypatch):
    rule = rule_of(fixture)
    spec = yaml.safe_load(fixture.read_text(encoding="utf-8"))
    expect = spec["expect"]
    root = copy_authorities(tmp_path / "data")
    apply_spec(root, spec)
    monkeypatch.chdir(tmp_path)  # anything a hostile file managed to run would land here

    status = main(["--root", str(root), "validate"])
    out, err = capsys.readouterr()

    assert status == expect["status"], err
    assert "Traceback" not in out + err
    messages = [m for m in err.splitlines() if m]
    mine = [m for m in messages if m.endswith(f"[{rule}]")]
    assert mine, f"no [{rule}] message in:\n{err}"
    file = shown(root, expect["file"].removeprefix("authorities/"))
    where = f"{file}:{expect['line']}" if expect["line"] else file
    subject = f"{where} {expect['path']}:" if expect["path"] else f"{where}:"
    severity = "error" if expect["status"] else "warning"
    located = [m for m in mine if m.startswith(f"{severity}: {subject} found ")]
    assert located, f"expected a message starting '{severity}: {subject} found', got:\n" + "\n".join(mine)
    message = located[0]
    assert " — expected " in message
    if expect.get("contains"):
        assert expect["contains"] in message
    # One message per problem: nothing repeated, nothing else unless the fixture says why.
    assert len(messages) == len(set(messages)), err
    allowed = {rule, *expect.get("also", [])}
    assert [m for m in messages if m[m.rindex("[") + 1:-1] not in allowed] == []
    if expect["status"] == 0:
        assert all(m.startswith("warning: ") for m in messages)
    assert not list(tmp_path.glob("ladobench-pwned*"))
    assert not (Path.cwd() / "ladobench-pwned").exists()
