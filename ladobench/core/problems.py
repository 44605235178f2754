"""Located, user-facing validation problems with stable rule names, and how they are printed."""
from __future__ import annotations

from dataclasses import dataclass, field

from ladobench.core.schema import Rule, load_schema
from ladobench.core.text import visible


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one file: where it is, what was found, what was expected, how to fix it."""

    rule: str
    file: str
    line: int | None
    path: str
    found: str
    expected: str
    fix: str = ""
    severity: str = field(default="", compare=False)

    def __post_init__(self):
        catalogue(self.rule)  # an unknown rule fails where the problem is made, in every test that makes it

    def format(self) -> str:
        fix = self.fix or catalogue(self.rule).fix
        where = f"{self.file}:{self.line}" if self.line else self.file
        subject = f" {self.path}" if self.path else ""
        text = f"{where}{subject}: found {self.found} — expected {self.expected}."
        if fix:
            text += f" {fix}"
        # Control characters from a file (an escape sequence would retitle or clear a terminal or CI log),
        # zero-width and direction marks are shown as visible escapes: \x1b, \u200b.
        return visible(f"{text} [{self.rule}]")

    @property
    def is_error(self) -> bool:
        return (self.severity or catalogue(self.rule).severity) == "error"


class UnknownRule(ValueError):
    """A problem named a rule that is not in schema/rules.yaml: a programming error, not bad input.

    The catalogue ships with the package and tests/test_rule_catalogue.py checks every rule the code
    raises against it, so no user should meet this; the command line reports it in one line, without
    a traceback.
    """


def catalogue(name: str) -> Rule:
    """The rule called name in schema/rules.yaml (its severity and default fix); UnknownRule if there is none."""
    rule = load_schema().rules.get(name)
    if rule is None:
        raise UnknownRule(f"the rule '{name}' is not in schema/rules.yaml")
    return rule


def sort_key(problem: Problem):
    return (problem.file, problem.line or 0, problem.path, problem.rule, problem.found)


class InputError(Exception):
    """Bad input that stops a command: printed as located problems, exit status 1, no traceback."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(p.format() for p in problems))
        self.problems = problems


SHOWN_PER_FILE = 50


def capped(problems: list[Problem], limit: int = SHOWN_PER_FILE) -> list[Problem]:
    """At most `limit` problems per file, in order, then one line saying how many more that file has.

    Ten thousand bad keys would otherwise bury the first, which usually explains the rest."""
    counts: dict[str, int] = {}
    for p in problems:
        counts[p.file] = counts.get(p.file, 0) + 1
    if all(n <= limit for n in counts.values()):
        return list(problems)
    out, seen = [], {}
    for p in problems:
        seen[p.file] = seen.get(p.file, 0) + 1
        if seen[p.file] <= limit:
            out.append(p)
        elif seen[p.file] == limit + 1:
            more = counts[p.file] - limit
            out.append(Problem("problems_not_shown", p.file, None, "", f"{more:,} more problem{'s' if more != 1 else ''} "
                               "in this file, not shown", f"at most {limit} shown per file",
                               "Fix the ones shown first (one cause, such as a wrong indentation or a pasted block, "
                               "often explains many), then validate again.", severity="error"))
    return out
