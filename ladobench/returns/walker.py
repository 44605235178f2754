"""Check a parsed YAML tree against a schema record, returning its clean values and every problem."""
from __future__ import annotations

import difflib
import math
import re

from ladobench.core.paths import SLUG
from ladobench.core.problems import Problem
from ladobench.core.schema import NUMERIC_TYPES, Record, Schema
from ladobench.core.text import control_character, nfc, odd_characters, plain_form
from ladobench.returns.yamlsafe import Scalar, YList, YMap

INVALID = object()
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_NUMBERISH = re.compile(r"^-?[\d,]+(\.\d+)?%?$")
_EXPECT = {
    "count": 'a whole number of 0 or more, or a symbol such as "[x]"',
    "percent": 'a percentage from 0 to 100, or a symbol such as "[x]"',
    "fte": 'a number of full-time equivalents, or a symbol such as "[x]"',
    "number": 'a number of 0 or more, or a symbol such as "[x]"',
    "boolean": "true or false",
    "text": "text",
    "markdown": "text (markdown)",
}


def describe(node) -> str:
    """How a value looks to the person who typed it."""
    if isinstance(node, YMap):
        return "a section (key: value pairs)"
    if isinstance(node, YList):
        return "a list"
    if node.value is None:
        return "nothing"
    text = node.raw if len(node.raw) <= 60 else node.raw[:57] + "..."
    return f"'{text}'" if isinstance(node.value, str) else text


def suggest(word: str, choices) -> str:
    odd = odd_characters(word, ascii_only=True)
    if odd:  # a key that looks right but is not: name what cannot be seen
        meant = plain_form(word)
        retype = f"retype it as '{meant}'" if meant in choices else "retype it"
        return f"It contains {odd}; {retype}."
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"Did you mean '{close[0]}'?" if close else ""


class Walker:
    """Walks one file's tree; collects problems, numeric cells (for pandera) and field lines."""

    def __init__(self, schema: Schema, records: dict[str, Record], file: str):
        self.schema, self.records, self.file = schema, records, file
        self.problems: list[Problem] = []
        self.cells: list[tuple] = []  # (file, path, line, kind, value)
        self.lines: dict[str, int] = {}
        self.invalid: set[str] = set()
        self._dimension = ""

    def problem(self, rule, line, path, found, expected, fix=""):
        self.problems.append(Problem(rule, self.file, line, path, found, expected, fix))
        self.invalid.add(path)
        return INVALID

    def walk(self, node, typ, path: str, line: int):
        self.lines[path] = line
        if isinstance(typ, dict):
            return self._list(node, typ["list"], path, line) if "list" in typ else self._map(node, typ, path, line)
        if typ in self.records:
            return self._record(node, self.records[typ], path, line)
        if typ in NUMERIC_TYPES:
            return self._number(node, typ, path, line)
        return self._scalar(node, typ, path, line)

    def _record(self, node, record: Record, path, line):
        if not isinstance(node, YMap):
            return self.problem("wrong_type", line, path, describe(node),
                                f"a section with the fields of {record.title.lower()}: {', '.join(record.keys)}")
        out = {}
        for key, child in node.items():
            field = record.get(key)
            child_path = f"{path}.{key}" if path else key
            child_line = node.key_lines[key]
            if field is None:
                self.problem("unknown_key", child_line, child_path, f"the key '{key}'",
                             f"one of the fields of {record.title.lower()}: {', '.join(record.keys)}",
                             suggest(key, record.keys) or "Remove it, or move the figure to other_figures.")
                continue
            value = self.walk(child, field.type, child_path, child_line)
            if value is not INVALID:
                out[key] = value
        for field in record.fields:
            if field.required and field.key not in node:
                child_path = f"{path}.{field.key}" if path else field.key
                self.problem("missing_required", node.line, child_path, f"no '{field.key}' in {record.title.lower()}",
                             f"'{field.key}': {field.definition.strip().rstrip('.') or field.display}")
        return out

    def _list(self, node, item_type, path, line):
        if not isinstance(node, YList):
            return self.problem("wrong_type", line, path, describe(node), "a list (each item on a line starting with '- ')")
        out = []
        for i, (child, child_line) in enumerate(zip(node, node.item_lines)):
            value = self.walk(child, item_type, f"{path}[{i}]", child_line)
            out.append(None if value is INVALID else value)
        return out

    def _map(self, node, typ, path, line):
        if not isinstance(node, YMap):
            return self.problem("wrong_type", line, path, describe(node), "a section (key: value pairs)")
        keys_kind, out = typ["map"], {}
        for key, child in node.items():
            child_path, child_line = f"{path}.{key}", node.key_lines[key]
            if keys_kind == "dimension" and key not in self.schema.dimensions:
                self.problem("dimension_unknown", child_line, child_path, f"the taxonomy '{key}'",
                             f"one of {', '.join(self.schema.dimensions)}", suggest(key, self.schema.dimensions))
                continue
            if keys_kind == "stage" and key not in self.schema.stages:
                self.problem("stage_term_unknown", child_line, child_path, f"the stage '{key}'",
                             f"one of {', '.join(self.schema.stages)}", suggest(key, self.schema.stages))
                continue
            self._dimension = key if keys_kind == "dimension" else self._dimension
            value = self.walk(child, typ["of"], child_path, child_line)
            if value is not INVALID:
                out[key] = value
        return out

    def _number(self, node, kind, path, line):
        if isinstance(node, YList) and len(node) == 1 and isinstance(node[0], Scalar) \
                and f"[{node[0].raw}]" in self.schema.symbols:
            symbol = f"[{node[0].raw}]"
            return self.problem("symbol_unquoted", line, path, f"{symbol} without quotes (YAML reads it as a list)",
                                f'the symbol in quotes: "{symbol}"')
        if not isinstance(node, Scalar) or node.value is None or isinstance(node.value, bool):
            fix = 'If the figure is not available, write "[x]".' if isinstance(node, Scalar) and node.value is None else ""
            return self.problem("wrong_type", line, path, describe(node), _EXPECT[kind], fix)
        value = node.value
        if isinstance(value, (int, float)):
            try:
                finite = math.isfinite(value)
            except OverflowError:  # an integer with hundreds of digits
                finite = False
            if not finite:
                return self.problem("wrong_type", line, path, describe(node), _EXPECT[kind])
            self.cells.append((self.file, path, line, kind, float(value)))
            return int(value) if float(value).is_integer() else float(value)
        text = str(value).strip()
        if text in self.schema.return_symbols:
            return text
        if text.startswith("[") and text.endswith("]"):
            return self.problem("symbol_unknown", line, path, f"the symbol '{text}'",
                                " or ".join(f'"{s}"' for s in self.schema.return_symbols))
        fix = ""
        if _NUMBERISH.match(text):
            fix = f"Write the number alone, without commas or a % sign: {text.replace(',', '').rstrip('%')}."
        return self.problem("wrong_type", line, path, describe(node), _EXPECT[kind], fix)

    def _scalar(self, node, typ, path, line):
        if not isinstance(node, Scalar) or node.value is None:
            return self.problem("wrong_type", line, path, describe(node), _EXPECT.get(typ, f"a {typ.replace('_', ' ')}"))
        if typ == "boolean":
            if isinstance(node.value, bool):
                return node.value
            return self.problem("wrong_type", line, path, describe(node), "true or false")
        text = nfc(node.raw)  # the text as typed: 'No' stays 'No', '1.50' stays '1.50'; é in one Unicode form
        control = control_character(text)
        if control:  # an escape sequence in a page, a download or a message would act on whatever shows it
            return self.problem("text_control_character", line, path, f"the control character {control}",
                                "text without control characters")
        choices = self._choices(typ)
        if choices is not None and text not in choices:
            rule = "crosswalk_unknown_code" if typ == "code" else "value_invalid"
            return self.problem(rule, line, path, f"'{text}'", f"one of {', '.join(choices)}",
                                suggest(text, choices))
        if typ == "url" and not text.startswith("https://"):
            return self.problem("value_invalid", line, path, f"'{text}'", "a web address starting with https://")
        if typ == "month" and not _MONTH.match(text):
            return self.problem("value_invalid", line, path, f"'{text}'", "a month written YYYY-MM, e.g. 2024-10")
        if typ == "slug" and not SLUG.match(text):
            return self.problem("value_invalid", line, path, f"'{text}'",
                                "lower-case letters, digits and single hyphens, e.g. south-west-lado-network")
        return text

    def _choices(self, typ):
        if typ in self.schema.enums:
            return self.schema.enum_values(typ)
        if typ == "rule":
            return self.schema.return_rules
        if typ == "code":
            return self.schema.dimensions[self._dimension].code_names if self._dimension else None
        if typ == "stage":
            return self.schema.stages
        return None
