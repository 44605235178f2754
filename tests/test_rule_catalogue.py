"""The rule catalogue is closed: every rule ladobench raises is in schema/rules.yaml, and every rule there is raised.

The code is read, not run: an AST scan of ladobench/ finds every call that names a rule (a Problem, a Breach, or a
function that passes its argument on to one) and reads the name from a string, a conditional between strings, a
local variable assigned them, or a variable checked against a module-level dict of rules. A name it cannot read
fails the scan, so a new way of raising a rule has to be made readable here first.
"""
from __future__ import annotations

import ast
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from ladobench.cli import main
from ladobench.core.paths import AUTHORITIES_DIR
from ladobench.core.problems import Problem, UnknownRule
from ladobench.core.schema import load_schema

PACKAGE = Path(__file__).resolve().parent.parent / "ladobench"
TESTS = Path(__file__).resolve().parent


class _Function(ast.NodeVisitor):
    """Each call's innermost enclosing function (or None at module level)."""

    def __init__(self):
        self.stack, self.calls = [], []

    def visit_FunctionDef(self, node):
        self.stack.append(node)
        self.generic_visit(node)
        self.stack.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node):
        self.calls.append((node, self.stack[-1] if self.stack else None))
        self.generic_visit(node)


def _callee(call: ast.Call) -> str:
    return call.func.id if isinstance(call.func, ast.Name) else call.func.attr if isinstance(call.func, ast.Attribute) else ""


def _rule_arg(call: ast.Call):
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg == "rule"), None)


def _params(fn) -> set[str]:
    a = fn.args
    return {p.arg for p in a.posonlyargs + a.args + a.kwonlyargs}


def scan(sources: dict[str, str]) -> tuple[dict[str, list[str]], list[str]]:
    """({rule: [where it is raised]}, [calls whose rule name could not be read]) for {file name: source}."""
    trees = {name: ast.parse(text) for name, text in sources.items()}
    # Classes whose first field is the rule name (Problem, Breach) carry a rule.
    carriers = {c.name for t in trees.values() for c in ast.walk(t) if isinstance(c, ast.ClassDef)
                and (f := next((s for s in c.body if isinstance(s, ast.AnnAssign)), None)) is not None
                and isinstance(f.target, ast.Name) and f.target.id == "rule"}
    calls = {}
    for name, tree in trees.items():
        v = _Function()
        v.visit(tree)
        calls[name] = v.calls
    # A function that hands one of its parameters to a carrier as the rule carries a rule too (Walker.problem).
    grew = True
    while grew:
        grew = False
        for found in calls.values():
            for call, fn in found:
                arg = _rule_arg(call)
                if (_callee(call) in carriers and fn is not None and isinstance(arg, ast.Name)
                        and arg.id in _params(fn) and fn.name not in carriers):
                    carriers.add(fn.name)
                    grew = True
    rules: dict[str, list[str]] = {}
    unread: list[str] = []
    for name, found in calls.items():
        module_dicts = {t.id: node.value for node in trees[name].body if isinstance(node, ast.Assign)
                        and isinstance(node.value, ast.Dict) for t in node.targets if isinstance(t, ast.Name)}
        for call, fn in found:
            if _callee(call) not in carriers:
                continue
            where = f"{name}:{call.lineno}"
            names = _read(_rule_arg(call), fn, module_dicts)
            if names is None:
                unread.append(where)
            for rule in names or ():
                rules.setdefault(rule, []).append(where)
    return rules, unread


def _read(node, fn, module_dicts) -> set[str] | None:
    """The rule names an expression can hold; an empty set for a name passed on; None when unreadable."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        a, b = _read(node.body, fn, module_dicts), _read(node.orelse, fn, module_dicts)
        return None if a is None or b is None else a | b
    if isinstance(node, ast.Attribute) and node.attr == "rule":
        return set()  # an existing problem's or breach's rule, passed on: read where it was made
    if isinstance(node, ast.Name) and fn is not None:
        if node.id in _params(fn):
            return set()  # a forwarding function: its callers are read instead
        values = [s.value for s in ast.walk(fn) if isinstance(s, ast.Assign)
                  and any(isinstance(t, ast.Name) and t.id == node.id for t in s.targets)]
        if values:
            read = [_read(v, fn, module_dicts) for v in values]
            return None if any(r is None for r in read) else set().union(*read)
        # A loop variable guarded by `name in RULES_DICT` / `name not in RULES_DICT`: the dict's keys.
        for c in ast.walk(fn):
            if (isinstance(c, ast.Compare) and isinstance(c.left, ast.Name) and c.left.id == node.id
                    and isinstance(c.ops[0], (ast.In, ast.NotIn)) and isinstance(c.comparators[0], ast.Name)
                    and c.comparators[0].id in module_dicts):
                keys = module_dicts[c.comparators[0].id].keys
                if keys and all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in keys):
                    return {k.value for k in keys}
    return None


@pytest.fixture(scope="module")
def raised():
    sources = {p.relative_to(PACKAGE.parent).as_posix(): p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py"))}
    return scan(sources)


def test_every_rule_name_in_the_code_can_be_read(raised):
    _, unread = raised
    assert unread == [], f"rule names the scan cannot read (write them as strings, or teach scan() the new form): {unread}"


def test_every_rule_raised_is_in_the_catalogue(raised):
    rules, _ = raised
    missing = {r: w for r, w in rules.items() if r not in load_schema().rules}
    assert not missing, f"rules raised in ladobench/ but missing from schema/rules.yaml: {missing}"


def test_every_rule_in_the_catalogue_is_raised(raised):
    rules, _ = raised
    unused = [r for r in load_schema().rules if r not in rules]
    assert not unused, f"rules in schema/rules.yaml that nothing in ladobench/ raises: {unused}"


def test_the_scan_reads_every_form_the_code_uses(raised):
    rules, _ = raised
    assert "ladobench/returns/walker.py" in str(rules["crosswalk_unknown_code"])  # a conditional, via Walker.problem
    assert "ladobench/returns/validate.py" in str(rules["fractional_count"])  # a pandera check named by a dict key
    assert "ladobench/returns/rules.py" in str(rules["stage_nesting"])  # a Breach
    assert "ladobench/site/mkdocs.py" in str(rules["site_build"])
    assert len(rules) == len(load_schema().rules) >= 45


def test_the_scan_refuses_what_it_cannot_read():
    source = textwrap.dedent('''
        from dataclasses import dataclass
        @dataclass
        class Problem:
            rule: str
        CHECKS = {"from_a_dict": 1}
        def forward(rule, line):
            return Problem(rule)
        def f(x, rows):
            kind = "a" if x else "b"
            forward("c", 1)
            for check in rows:
                if check not in CHECKS:
                    continue
                Problem(check)
            Problem(kind)
            Problem(pick_a_rule())
            Problem(f"rule_{x}")
    ''')
    rules, unread = scan({"m.py": source})
    assert set(rules) == {"a", "b", "c", "from_a_dict"}
    assert unread == ["m.py:17", "m.py:18"]


# --- an unknown rule is a programming error -------------------------------------------------------

def test_an_unknown_rule_fails_where_the_problem_is_made():
    with pytest.raises(UnknownRule, match="'no_such_rule' is not in schema/rules.yaml"):
        Problem("no_such_rule", "authorities/kent/2023-24.yaml", 3, "funnel.referrals", "x", "y")
    assert Problem("year_on_year_jump", "f", 1, "", "x", "y").is_error is False  # known rules keep their severity
    assert Problem("site_build", "f", None, "", "x", "y").is_error is True


def test_an_unknown_rule_reaches_a_user_as_one_line_without_a_traceback(monkeypatch, capsys):
    def validate(root, only=None):
        Problem("no_such_rule", "authorities/kent/2023-24.yaml", 3, "", "x", "y")

    monkeypatch.setattr("ladobench.returns.validate.validate", validate)
    status = main(["validate"])
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "ladobench itself is at fault" in err and "no_such_rule" in err


# --- the rules of other commands' input: each is met by a user the way it says ----------------------

def test_the_other_commands_rules_are_asserted_by_name_in_tests():
    """Return rules each have a broken fixture (test_validation.py); the others are each named in a test."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in TESTS.glob("test_*.py"))
    others = [r.name for r in load_schema().rules.values() if r.applies_to != "returns"]
    assert len(others) >= 6
    assert [r for r in others if f'"{r}"' not in text and f"[{r}]" not in text] == []


def test_a_text_too_long_for_a_cell_is_refused_by_template(tmp_path, capsys):
    root = tmp_path / "authorities"
    shutil.copytree(AUTHORITIES_DIR, root, ignore=shutil.ignore_patterns("*.xlsx"))
    ret = root / "kent" / "2023-24.yaml"
    data = yaml.safe_load(ret.read_text(encoding="utf-8"))
    data["source"]["note"] = "word " * 7000  # 35,000 characters, over a cell's 32,767
    ret.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    out = tmp_path / "kent.xlsx"
    status = main(["--root", str(root), "template", "--authority", "kent", "--period", "2023-24", "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 1 and "Traceback" not in err
    assert "found text of 35,000 characters — expected at most 32,767 characters" in err and err.strip().endswith("[value_too_long]")
    assert not out.exists()


def test_rule_texts_in_the_catalogue_are_filled_from_the_methodology():
    jump = load_schema().rules["year_on_year_jump"].checks
    assert "more than doubled or fallen by more than half" in jump and "under 20 in both years" in jump
    assert "{" not in "".join(r.checks + r.fix for r in load_schema().rules.values())
