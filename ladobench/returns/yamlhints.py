"""Indentation the YAML parser misreports: said on the right line, with what to change."""
from __future__ import annotations

import re
import unicodedata

from ladobench.core.problems import Problem

# A non-breaking or other odd space (copied from a web page or Word) indenting a key or a list item.
_ODD_INDENT = re.compile(r"^[ ]*([\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff])[ \u00a0\u2000-\u200b\u202f]*"
                         r"(?:- |[A-Za-z_][\w.]*:)", re.M)
_ONE_SPACE = re.compile(r"^ (?! )([A-Za-z_][\w.-]*:)")


def odd_indent(text: str, file: str) -> Problem | None:
    """A non-breaking space in the indentation: the parser reports the next line, in its own terms."""
    odd = _ODD_INDENT.search(text)
    if not odd:
        return None
    ch = odd.group(1)
    name = unicodedata.name(ch, f"U+{ord(ch):04X}").lower()
    return Problem("yaml_tab", file, text.count("\n", 0, odd.start()) + 1, "",
                   f"a {name} (U+{ord(ch):04X}) in the indentation", "ordinary spaces",
                   "Replace the indentation on this line with ordinary spaces (a non-breaking space "
                   "often comes from copying out of a web page or a Word document).")


def one_space(text: str, line: int | None) -> tuple[int, str] | None:
    """The line near a parser error that starts with one space and a name, as "# stages:" becomes when only the #
    is deleted, if the file's own top-level names start at the left edge."""
    if not line:
        return None
    lines = text.split("\n", line)[:line]
    if not any(re.match(r"[A-Za-z_]", ln) for ln in lines):
        return None
    for number in range(min(line, len(lines)), max(line - 3, 0), -1):
        m = _ONE_SPACE.match(lines[number - 1])
        if m:
            return number, m.group(1)
    return None
