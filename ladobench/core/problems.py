"""Located, user-facing validation problems with stable rule names, and how they are printed."""
from __future__ import annotations

from dataclasses import dataclass, field


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

    def format(self) -> str:
        from ladobench.core.schema import load_schema  # the rule catalogue supplies severity and default fix

        rule = load_schema().rules.get(self.rule)
        fix = self.fix or (rule.fix if rule else "")
        where = f"{self.file}:{self.line}" if self.line else self.file
        subject = f" {self.path}" if self.path else ""
        text = f"{where}{subject}: found {self.found} — expected {self.expected}."
        if fix:
            text += f" {fix}"
        return f"{text} [{self.rule}]"

    @property
    def is_error(self) -> bool:
        from ladobench.core.schema import load_schema

        if self.severity:
            return self.severity == "error"
        rule = load_schema().rules.get(self.rule)
        return rule is None or rule.severity == "error"


def sort_key(problem: Problem):
    return (problem.file, problem.line or 0, problem.path, problem.rule, problem.found)


class InputError(Exception):
    """Bad input that stops a command: printed as located problems, exit status 1, no traceback."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(p.format() for p in problems))
        self.problems = problems
