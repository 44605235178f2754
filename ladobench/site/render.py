"""Render page templates to markdown, escaping every string from a return so nothing in it runs."""
from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path

import markdown as md
import nh3
from jinja2 import Environment, FileSystemLoader, Undefined
from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Characters that markdown or HTML would interpret; as entities they display literally.
# "!" too: "!!! danger" at the start of a footnote would open a warning box (admonition), "![" an image.
_LITERAL = {c: f"&#{ord(c)};" for c in "&<>[]()|*_`\\#{}!"}
# At the start of a line a list marker makes a list ("- x", "+ x", "1. x", "1) x"): its mark becomes an entity.
_LIST_START = re.compile(r"^(?:[-+]|\d{1,9}\.)(?=\s|$)")  # ")" is an entity already
_LITERAL_RE = re.compile("|".join(re.escape(c) for c in _LITERAL))
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SAFE_URL = re.compile(r"^[A-Za-z0-9._/#-]+$")
NARRATIVE_TAGS = {"p", "ul", "ol", "li", "strong", "em", "b", "i", "a", "h3", "h4", "blockquote", "code", "br", "hr"}


def literal(value) -> str:
    """Text from a return, shown exactly as typed: no markdown, no HTML, no links."""
    text = "" if value is None else str(value)
    return _literal(text) if len(text) <= 200 else _literal.__wrapped__(text)


@lru_cache(maxsize=65536)  # names, labels and codes repeat on every page
def _literal(text: str) -> str:
    text = _BIDI.sub("", text)  # direction overrides would make "txt.exe" read "exe.txt"
    text = _LITERAL_RE.sub(lambda m: _LITERAL[m.group(0)], text)
    text = " ".join(text.split())  # one line: a newline would break a table row or a list item
    return _LIST_START.sub(lambda m: m.group(0)[:-1] + f"&#{ord(m.group(0)[-1])};", text)


def finalize(value):
    """What {{ value }} writes: the text of a return made literal, numbers formatted, Markup as it is.

    (A plain string: with autoescape off, jinja writes what this returns as it is.)
    """
    kind = type(value)
    if kind is str:  # by far the most common
        return literal(value)
    if kind is Markup or isinstance(value, Markup):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return fmt_number(value)
    return literal(value)


def fmt_number(value, decimals: int | None = None) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "[x]"
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    return f"{value:,.{decimals}f}"


def url(path: str) -> Markup:
    """A link target the build made itself (slugs, metric ids); refuses anything else."""
    if not _SAFE_URL.match(path):
        raise ValueError(f"unsafe link target {path!r}")
    return Markup(path)


def narrative(text: str | None) -> Markup:
    """Narrative markdown → HTML with raw HTML shown as text and only harmless tags and https links kept."""
    if not text:
        return Markup("")
    escaped = _BIDI.sub("", str(text)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    html = md.markdown(escaped, extensions=[], output_format="html")
    clean = nh3.clean(html, tags=NARRATIVE_TAGS, attributes={"a": {"href"}}, url_schemes={"https", "mailto"},
                      link_rel="noopener noreferrer", attribute_filter=_https_only)
    # markdown="0" keeps Python-Markdown from re-reading the sanitised HTML.
    return Markup(f'<div class="lb-narrative" markdown="0">\n{clean}\n</div>')


def _https_only(tag: str, attribute: str, value: str) -> str | None:
    """nh3 keeps scheme-less links (its url_schemes judge only those with a scheme): a protocol-relative
    //host/path would load from another host over whatever the page used, so only https: and mailto: stay."""
    if attribute == "href" and not value.lower().startswith(("https://", "mailto:")):
        return None
    return value


def code(value) -> Markup:
    """A name shown as code: an HTML <code> element, since entities inside a markdown code span show literally."""
    return Markup(f"<code>{literal(value)}</code>")


_ROOTS = ("funnel", "timeliness", "staffing", "breakdowns", "children", "counting", "notes", "measured_as",
          "other_figures", "source", "narrative", "discrepancies", "periods", "stages", "crosswalk")
_IDENT = re.compile(rf"(?<![\w/.<-])(?:(?:{'|'.join(_ROOTS)})(?:\.\w+|\[\d+\])+|[a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?![\w-])")


def idents(value) -> Markup:
    """Schema text for the reference pages, literal, with every field path and snake_case name in it set as code:
    there a name is something to type, and the page shows it as one (never as a word of a sentence)."""
    text, out, at = " ".join(str(value or "").split()), [], 0

    def part(piece: str) -> str:  # literal() trims a piece's ends: keep the spaces around each name
        return (" " if piece[:1] == " " else "") + literal(piece) + (" " if piece[-1:] == " " and piece.strip() else "")

    for m in _IDENT.finditer(text):
        out += [part(text[at:m.start()]), code(m.group(0))]
        at = m.end()
    return Markup("".join(out) + part(text[at:]))


def meta(value) -> Markup:
    """Text for a double-quoted front matter value: literal, and no double quote to end the YAML string early.
    Material prints title and description without escaping, so they stay entity-escaped HTML text."""
    return Markup(literal(value).replace('"', "&#34;"))


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(Environment):
    def getattr(self, obj, attribute):
        """row.key on a dict, without first raising and catching an AttributeError (jinja tries getattr first)."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def environment() -> Environment:
    env = _Environment(loader=FileSystemLoader(TEMPLATES), undefined=Undefined, finalize=finalize,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    # raw: only for macro output, whose own variables were already escaped.
    env.filters.update(num=lambda v, d=None: Markup(fmt_number(v, d)), url=url, narrative=narrative, literal=literal, code=code, idents=idents, meta=meta,
                       raw=Markup)
    return env


def write_if_changed(path: Path, content: str | bytes) -> bool:
    """Write only when the bytes differ, so an unchanged rebuild touches nothing (mkdocs serve stays quick)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    if path.exists() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True
