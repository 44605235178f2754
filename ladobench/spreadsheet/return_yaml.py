"""Write a return as YAML that reads like the hand-written ones: block sections, one-line rows, symbols in quotes."""
from __future__ import annotations

import yaml

from ladobench.core.schema import load_schema

ROW_WIDTH = 150  # a list item shorter than this is written on one line, like the committed returns' rows
FOLD_AT = 90  # longer text is folded over several lines
WIDTH = 96


class _Row(dict):
    """A list item short enough to write on one line: {label: Physical abuse, count: 26}."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)  # indent lists under their key, as the committed returns do

    # A one-line row must stay on one line: the emitter consults best_width before each break.
    @property
    def best_width(self):
        return 1_000_000 if getattr(self, "flow_level", 0) else self._best_width

    @best_width.setter
    def best_width(self, value):
        self._best_width = value


def _str(dumper, value: str):
    style = None
    if value in load_schema().symbols:
        style = '"'  # "[x]" without quotes would be read back as a list
    elif "\n" in value:
        style = "|"
    elif len(value) > FOLD_AT:
        style = ">"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper, value: list):
    flat = bool(value) and not any(isinstance(v, (dict, list)) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flat)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(list, _list)
_Dumper.add_representer(dict, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=False))
_Dumper.add_representer(_Row, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True))


def _one_line(item: dict) -> bool:
    for value in item.values():
        if isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)):
            return False
        if isinstance(value, str) and "\n" in value:
            return False
    return sum(len(str(k)) + len(str(v)) + 4 for k, v in item.items()) <= ROW_WIDTH


def _mark(node):
    if isinstance(node, list):
        return [(_Row(_mark(v)) if isinstance(v, dict) and _one_line(v) else _mark(v)) for v in node]
    if isinstance(node, dict):
        return {k: _mark(v) for k, v in node.items()}
    return node


def dump_return(data: dict) -> str:
    """YAML text for a return, keys in the order given; a blank line between top-level sections."""
    text = yaml.dump(_mark(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=WIDTH)
    if yaml.safe_load(text) != data:  # never write a return that reads back differently
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=WIDTH)
    lines = text.splitlines()
    out = [line if i == 0 or not line[:1].isalpha() else "\n" + line for i, line in enumerate(lines)]
    return "\n".join(out) + "\n"
