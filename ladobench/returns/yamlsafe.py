"""Read untrusted YAML into plain values that remember their line numbers, refusing anything clever."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml

from ladobench.core.problems import Problem
from ladobench.returns.yamlhints import odd_indent, one_space

MAX_BYTES = 1_000_000
MAX_DEPTH = 24
# Only the tags YAML resolves plain values to; anything else was written explicitly (!!python/...).
_CORE = "tag:yaml.org,2002:"
ALLOWED_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")}
_SCALAR_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null")}
_STR, _INT = _CORE + "str", _CORE + "int"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_RESOLVER = _LOADER("")  # resolves tags exactly as the loader's own composer does
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


def _too_deep(file: str, line: int | None) -> Problem:
    return Problem("yaml_syntax", file, line, "", "lists or sections nested too deeply", f"at most {MAX_DEPTH} levels",
                   "A return is a few sections of rows: remove the extra [ or { brackets (or indentation) on this line.")


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
    odd = odd_indent(text, file)
    if odd:  # the parser would notice a line later, with a phrase about mapping values
        raise YamlRefused(odd)
    try:
        root = _compose(text, file)
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
        if "nesting depth" in str(err.problem) or "nesting depth" in str(err.context):
            # The parser's own limit (PyYAML 6.0.4 and later), said in the return's terms.
            raise YamlRefused(_too_deep(file, line))
        what = " ".join(filter(None, [err.context, err.problem]))
        if err.context and err.context_mark and err.problem_mark and err.context_mark.line != err.problem_mark.line:
            # An unclosed quote is only noticed lines later: say where the broken part began.
            what = f"{err.problem}, {err.context} that starts on line {err.context_mark.line + 1}"
        odd = one_space(text, line)
        if odd:  # a top-level name uncommented by deleting "#" but not the space after it
            raise YamlRefused(Problem("yaml_syntax", file, odd[0], "", f"'{odd[1]}' indented by one space",
                                      "a top-level name at the left edge, like the other sections",
                                      f"Delete the space before '{odd[1].strip()}' on line {odd[0]}."))
        raise YamlRefused(Problem("yaml_syntax", file, line, "", what or "text that is not YAML",
                                  "well-formed YAML"))
    except yaml.YAMLError as err:
        raise YamlRefused(Problem("yaml_syntax", file, None, "", str(err).splitlines()[0], "well-formed YAML"))
    except RecursionError:
        raise YamlRefused(_too_deep(file, None))
    if root is None:
        raise YamlRefused(Problem("file_empty", file, None, "", "an empty file", "a return"))
    return root


def _compose(text: str, file: str):
    """The document as YMap/YList/Scalar, from one pass over libyaml's event stream; None if empty.

    Anchors, aliases and deep nesting are refused from the events, before anything is built (the C
    composer recurses once per nesting level and crashes the interpreter, not a RecursionError, on
    a few hundred thousand '[' characters, well under MAX_BYTES). Tags are resolved as yaml.compose
    resolves them. Problems are reported in the order the two-pass reading (check every event, then
    yaml.compose, then convert the nodes) reported them: a refused event anywhere first, then a
    second document, then the first problem with a node, key or tag in document order.
    """
    depth = 0  # open collections, as the event check counts them
    stack: list = []  # open collections being built: [container, node depth, path, pending key, key line]
    root = root_mark = None
    documents = 0
    second = None  # the ComposerError yaml.compose raises for a second document
    refused = None  # the first problem with a node; once set, only the event checks still run
    for event in yaml.parse(text, Loader=_LOADER):
        kind = _KIND.get(event.__class__)
        if kind is None:
            kind = _kind(event)
        if kind == _OTHER:
            continue  # stream start and end, document end
        if kind == _ALIAS:
            raise YamlRefused(Problem("yaml_alias", file, event.start_mark.line + 1, "", f"the alias *{event.anchor}",
                                      "every value written out"))
        if kind <= _MAP and event.anchor is not None:
            raise YamlRefused(Problem("yaml_alias", file, event.start_mark.line + 1, "", f"the anchor &{event.anchor}",
                                      "every value written out"))
        if kind == _SEQ or kind == _MAP:
            depth += 1
            if depth > MAX_DEPTH + 1:
                raise YamlRefused(_too_deep(file, event.start_mark.line + 1))
        elif kind == _END:
            depth -= 1
        elif kind == _DOCUMENT:
            if second is None:
                documents += 1
                if documents == 2:  # yaml.compose composed the first document, whatever was in it, then said this
                    second = yaml.composer.ComposerError("expected a single document in the stream", root_mark,
                                                         "but found another document", event.start_mark)
            continue
        if refused is not None or second is not None:
            continue
        if kind == _END:
            stack.pop()
            continue
        line = event.start_mark.line + 1
        scalar = kind == _SCALAR
        tag = event.tag
        if tag is None or tag == "!":
            if not scalar:
                tag = _RESOLVER.resolve(yaml.SequenceNode if kind == _SEQ else yaml.MappingNode, None, event.implicit)
            elif len(event.value) <= 64:
                tag = _scalar_tag(event.value, event.implicit)
            else:  # long text: rarely repeated, and a cache of it could grow large
                tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
        if stack:
            parent = stack[-1]
        else:
            parent = None
            root_mark = event.start_mark  # the first node: nothing can have been refused before it
        if parent is not None and parent[3] is None and parent[0].__class__ is YMap:
            # A key. It is checked, never converted, as yaml.compose + _convert did.
            if tag == _MERGE:
                refused = Problem("yaml_alias", file, line, "", "a merge key (<<)", "every value written out")
            elif tag not in ALLOWED_TAGS:
                refused = Problem("yaml_tag", file, line, "", f"the tag {_short_tag(tag)}", "plain values without tags")
            elif not scalar:
                refused = Problem("yaml_syntax", file, line, "", "a list or section used as a key",
                                  "a plain name before the colon")
            else:
                key, out = event.value, parent[0]
                if key in out:
                    refused = Problem("yaml_duplicate_key", file, line, f"{parent[2]}.{key}" if parent[2] else key,
                                      f"'{key}' a second time (first on line {out.key_lines[key]})", "each key once")
                else:
                    parent[3], parent[4] = key, line
            continue
        node_depth = parent[1] + 1 if parent is not None else 0
        if tag not in ALLOWED_TAGS:
            refused = Problem("yaml_tag", file, line, "", f"the tag {_short_tag(tag)}", "plain values without tags")
            continue
        if node_depth > MAX_DEPTH:
            refused = _too_deep(file, line)
            continue
        if scalar:
            value = event.value if tag == _STR else _scalar_value(yaml.ScalarNode(tag, event.value, event.start_mark,
                                                                                  event.end_mark, style=event.style))
            node = Scalar(value, event.value, line, event.style in ("'", '"'))
        elif kind == _SEQ:
            node = YList()
            node.line, node.item_lines = line, []
        else:
            node = YMap()
            node.line, node.key_lines = line, {}
        if parent is None:
            root, path = node, ""
        elif parent[0].__class__ is YMap:
            key = parent[3]
            parent[0][key] = node
            parent[0].key_lines[key] = parent[4]
            parent[3] = None
            path = f"{parent[2]}.{key}" if parent[2] else key
        else:
            path = f"{parent[2]}[{len(parent[0])}]"
            parent[0].append(node)
            parent[0].item_lines.append(line)
        if not scalar:
            stack.append([node, node_depth, path, None, None])
    if second is not None:
        raise second
    if refused is not None:
        raise YamlRefused(refused)
    return root


_OTHER, _SCALAR, _SEQ, _MAP, _END, _ALIAS, _DOCUMENT = range(7)
_KIND = {yaml.ScalarEvent: _SCALAR, yaml.SequenceStartEvent: _SEQ, yaml.MappingStartEvent: _MAP,
         yaml.SequenceEndEvent: _END, yaml.MappingEndEvent: _END, yaml.AliasEvent: _ALIAS,
         yaml.DocumentStartEvent: _DOCUMENT, yaml.DocumentEndEvent: _OTHER, yaml.StreamStartEvent: _OTHER,
         yaml.StreamEndEvent: _OTHER}
_MERGE = _CORE + "merge"


def _kind(event) -> int:
    """The kind of an event whose class is not in _KIND (a subclass): by isinstance, as before."""
    for cls, kind in _KIND.items():
        if isinstance(event, cls):
            return kind
    return _OTHER


@lru_cache(maxsize=8192)
def _scalar_tag(value: str, implicit: tuple) -> str:
    """The tag yaml.compose gives an untagged short scalar (labels and numbers repeat from file to file)."""
    return _RESOLVER.resolve(yaml.ScalarNode, value, implicit)


def _scalar_value(node):
    if node.tag == _STR:
        return node.value  # what the constructor returns for a string, without its per-call cost
    if node.tag == _CORE + "timestamp":
        return node.value  # dates stay as written; fields that want a month check the text
    if node.tag in (_CORE + "int", _CORE + "float") and (not _PLAIN_NUMBER.match(node.value) or _OCTAL.match(node.value)):
        return node.value  # 010, 0x1F, 0b11, 1:30: kept as typed, so a count field rejects it
    if node.tag not in _SCALAR_TAGS:
        return node.value  # !!map or !!seq on a plain value
    if node.tag == _INT and node.value.isascii() and node.value.isdigit() and len(node.value) <= 640:
        return int(node.value)  # 0 or digits not starting with 0 (octal-looking ones returned above): the constructor's result
    try:
        return _CONSTRUCTOR.construct_object(node, deep=False)
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError, yaml.YAMLError):
        return node.value  # !!int abc, !!bool maybe, 2024-02-30: the text as typed
    finally:
        _CONSTRUCTOR.constructed_objects.clear()  # it would otherwise keep every node ever read


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag


def plain(node):
    """YMap/YList/Scalar back to plain Python values (for storage and downloads)."""
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, list):
        return [plain(v) for v in node]
    return {k: plain(v) for k, v in node.items()}
