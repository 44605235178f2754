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
_SCALAR_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null")}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_TAB_INDENT = re.compile(r"^[ ]*\t", re.M)
# YAML 1.1 reads 010 as 8, 0x10 as 16 and 1:30 as 90; a return means the digits it shows.
_PLAIN_NUMBER = re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][-+][0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$")
_OCTAL = re.compile(r"^[-+]?0[0-9_]+$")


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
    if b"\x00" in data:  # UTF-16 or UTF-32 without a byte-order mark: every other byte is 0
        raise YamlRefused(Problem("file_encoding", file, data.count(b"\n", 0, data.index(b"\x00")) + 1, "",
                                  "a NUL byte (the file looks like UTF-16 or UTF-32)", "UTF-8 text",
                                  "Save the file as UTF-8 (not 'Unicode')."))
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
        _check_events(text, file)
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.reader.ReaderError as err:
        # libyaml gives a byte offset into the UTF-8 text, the pure-Python reader a character offset.
        if _LOADER is yaml.SafeLoader:
            line = text.count("\n", 0, err.position) + 1
        else:
            line = text.encode("utf-8").count(b"\n", 0, err.position) + 1
        raise YamlRefused(Problem("yaml_syntax", file, line, "", f"the control character #x{err.character:04x}",
                                  "well-formed YAML",
                                  "Delete the invisible character (it often comes from pasting out of a PDF or spreadsheet)."))
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        what = " ".join(filter(None, [err.context, err.problem]))
        if err.context and err.context_mark and err.problem_mark and err.context_mark.line != err.problem_mark.line:
            # An unclosed quote is only noticed lines later: say where the broken part began.
            what = f"{err.problem}, {err.context} that starts on line {err.context_mark.line + 1}"
        raise YamlRefused(Problem("yaml_syntax", file, line, "", what or "text that is not YAML",
                                  "well-formed YAML"))
    except yaml.YAMLError as err:
        raise YamlRefused(Problem("yaml_syntax", file, None, "", str(err).splitlines()[0], "well-formed YAML"))
    except RecursionError:
        raise YamlRefused(Problem("yaml_syntax", file, None, "", "lists or sections nested too deeply",
                                  f"at most {MAX_DEPTH} levels"))
    if root is None:
        raise YamlRefused(Problem("file_empty", file, None, "", "an empty file", "a return"))
    return _convert(root, file, set(), 0, "")


def _check_events(text: str, file: str):
    """Refuse anchors, aliases and deep nesting from the event stream, before any tree is built.

    The C composer recurses once per nesting level and crashes the interpreter (not a
    RecursionError) on a few hundred thousand '[' characters, well under MAX_BYTES.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_LOADER):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            raise YamlRefused(Problem("yaml_alias", file, line, "", f"the alias *{event.anchor}",
                                      "every value written out"))
        if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)) and event.anchor is not None:
            raise YamlRefused(Problem("yaml_alias", file, line, "", f"the anchor &{event.anchor}",
                                      "every value written out"))
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH + 1:
                raise YamlRefused(Problem("yaml_syntax", file, line, "", "lists or sections nested too deeply",
                                          f"at most {MAX_DEPTH} levels"))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _scalar_value(node):
    if node.tag == _CORE + "timestamp":
        return node.value  # dates stay as written; fields that want a month check the text
    if node.tag in (_CORE + "int", _CORE + "float") and (not _PLAIN_NUMBER.match(node.value) or _OCTAL.match(node.value)):
        return node.value  # 010, 0x1F, 0b11, 1:30: kept as typed, so a count field rejects it
    if node.tag not in _SCALAR_TAGS:
        return node.value  # !!map or !!seq on a plain value
    try:
        return _CONSTRUCTOR.construct_object(node, deep=False)
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError, yaml.YAMLError):
        return node.value  # !!int abc, !!bool maybe, 2024-02-30: the text as typed
    finally:
        _CONSTRUCTOR.constructed_objects.clear()  # it would otherwise keep every node ever read


def _convert(node, file: str, seen: set, depth: int, path: str):
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
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        return Scalar(_scalar_value(node), node.value, line, node.style in ("'", '"'))
    if isinstance(node, yaml.SequenceNode):
        out = YList()
        out.line, out.item_lines = line, []
        for i, item in enumerate(node.value):
            out.append(_convert(item, file, seen, depth + 1, f"{path}[{i}]"))
            out.item_lines.append(item.start_mark.line + 1)
        return out
    out = YMap()
    out.line, out.key_lines = line, {}
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        if key_node.tag == _CORE + "merge":
            raise YamlRefused(Problem("yaml_alias", file, key_line, "", "a merge key (<<)", "every value written out"))
        if key_node.tag not in ALLOWED_TAGS:
            raise YamlRefused(Problem("yaml_tag", file, key_line, "", f"the tag {_short_tag(key_node.tag)}",
                                      "plain values without tags"))
        if not isinstance(key_node, yaml.ScalarNode):
            raise YamlRefused(Problem("yaml_syntax", file, key_line, "", "a list or section used as a key",
                                      "a plain name before the colon"))
        key = key_node.value
        key_path = f"{path}.{key}" if path else key
        if key in out:
            raise YamlRefused(Problem("yaml_duplicate_key", file, key_line, key_path,
                                      f"'{key}' a second time (first on line {out.key_lines[key]})",
                                      "each key once"))
        out[key] = _convert(value_node, file, seen, depth + 1, key_path)
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
