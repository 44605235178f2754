"""Read untrusted YAML into plain values that remember their line numbers, refusing anything clever."""
from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from .problems import Problem

MAX_BYTES = 1_000_000
MAX_DEPTH = 24
# Only the tags YAML resolves plain values to; anything else was written explicitly (!!python/...).
_CORE = "tag:yaml.org,2002:"
ALLOWED_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_TAB_INDENT = re.compile(r"^[ ]*\t", re.M)


@dataclass(slots=True)
class Scalar:
    """A scalar as written: its YAML value, its source text, and where it is."""

    value: object
    raw: str
    line: int
    quoted: bool


class YMap(dict):
    """A mapping that knows the line of each key."""

    __slots__ = ("line", "key_lines")


class YList(list):
    """A sequence that knows the line of each item."""

    __slots__ = ("line", "item_lines")


class YamlRefused(Exception):
    """The file cannot be read as a return; carries the located problem."""

    def __init__(self, problem: Problem):
        super().__init__(problem.format())
        self.problem = problem


def decode(data: bytes, file: str) -> str:
    """Bytes to text, with a located message for the encodings spreadsheets and Notepad produce."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"):
        raise YamlRefused(Problem("file_encoding", file, 1, "", "a UTF-16 or UTF-32 byte-order mark",
                                  "UTF-8 text", "Save the file as UTF-8 (not 'Unicode')."))
    try:
        return data.decode("utf-8-sig")  # a UTF-8 BOM from Windows editors is harmless
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise YamlRefused(Problem("file_encoding", file, line, "",
                                  f"the byte 0x{data[err.start]:02x}, which is not UTF-8", "UTF-8 text",
                                  "Save the file as UTF-8; this often comes from a spreadsheet's 'CSV' or 'Windows' encoding."))


def load(data: bytes, file: str):
    """Parse one YAML document into YMap/YList/Scalar; raise YamlRefused with a located problem."""
    if len(data) > MAX_BYTES:
        raise YamlRefused(Problem("file_too_large", file, None, "", f"{len(data):,} bytes",
                                  f"at most {MAX_BYTES:,} bytes"))
    text = decode(data, file)
    tab = _TAB_INDENT.search(text)
    if tab:
        line = text.count("\n", 0, tab.start()) + 1
        raise YamlRefused(Problem("yaml_tab", file, line, "", "a tab character in the indentation",
                                  "spaces"))
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        what = " ".join(filter(None, [err.context, err.problem]))
        raise YamlRefused(Problem("yaml_syntax", file, line, "", what or "text that is not YAML",
                                  "well-formed YAML"))
    except yaml.YAMLError as err:
        raise YamlRefused(Problem("yaml_syntax", file, None, "", str(err).splitlines()[0], "well-formed YAML"))
    except RecursionError:
        raise YamlRefused(Problem("yaml_syntax", file, None, "", "lists or sections nested too deeply",
                                  f"at most {MAX_DEPTH} levels"))
    if root is None:
        raise YamlRefused(Problem("file_empty", file, None, "", "an empty file", "a return"))
    return _convert(root, file, set(), 0)


def _convert(node, file: str, seen: set, depth: int):
    line = node.start_mark.line + 1
    if id(node) in seen:
        # The composer hands back the same node object for every alias of an anchor.
        raise YamlRefused(Problem("yaml_alias", file, line, "", "an alias (*name) to an anchor (&name)",
                                  "every value written out"))
    if node.tag not in ALLOWED_TAGS:
        raise YamlRefused(Problem("yaml_tag", file, line, "", f"the tag {_short_tag(node.tag)}",
                                  "plain values without tags"))
    if depth > MAX_DEPTH:
        raise YamlRefused(Problem("yaml_syntax", file, line, "", "lists or sections nested too deeply",
                                  f"at most {MAX_DEPTH} levels"))
    if isinstance(node, yaml.ScalarNode):
        value = _CONSTRUCTOR.construct_object(node, deep=False)
        if node.tag == _CORE + "timestamp":
            value = node.value  # dates stay as written; fields that want a month check the text
        return Scalar(value, node.value, line, node.style in ("'", '"'))
    seen.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        out = YList()
        out.line, out.item_lines = line, []
        for item in node.value:
            out.append(_convert(item, file, seen, depth + 1))
            out.item_lines.append(item.start_mark.line + 1)
        return out
    out = YMap()
    out.line, out.key_lines = line, {}
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        if key_node.tag == _CORE + "merge":
            raise YamlRefused(Problem("yaml_alias", file, key_line, "", "a merge key (<<)", "every value written out"))
        if not isinstance(key_node, yaml.ScalarNode):
            raise YamlRefused(Problem("yaml_syntax", file, key_line, "", "a list or section used as a key",
                                      "a plain name before the colon"))
        if key_node.tag not in ALLOWED_TAGS:
            raise YamlRefused(Problem("yaml_tag", file, key_line, "", f"the tag {_short_tag(key_node.tag)}",
                                      "plain values without tags"))
        key = key_node.value
        if key in out:
            raise YamlRefused(Problem("yaml_duplicate_key", file, key_line, key,
                                      f"'{key}' a second time (first on line {out.key_lines[key]})",
                                      "each key once"))
        out[key] = _convert(value_node, file, seen, depth + 1)
        out.key_lines[key] = key_line
    return out


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag


def plain(node):
    """YMap/YList/Scalar back to plain Python values (for storage and downloads)."""
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, list):
        return [plain(v) for v in node]
    return {k: plain(v) for k, v in node.items()}
