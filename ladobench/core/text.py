"""Characters a person cannot see or tell apart: shown as escapes in messages, and named when they break a match."""
from __future__ import annotations

import re
import unicodedata

# Latin look-alikes from other scripts that turn up in pasted text (Cyrillic and Greek letters
# drawn the same as a, c, e, o, p, x, y ...): mapped to the Latin letter they pass for.
_LOOK_ALIKES = str.maketrans({
    "а": "a", "с": "c", "е": "e", "о": "o", "р": "p", "х": "x", "у": "y", "і": "i", "ј": "j", "ѕ": "s", "һ": "h",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "І": "I", "К": "K", "М": "M",
    "О": "O", "Р": "P", "Т": "T", "Х": "X", "У": "Y", "ο": "o", "α": "a", "ν": "v", "ι": "i", "κ": "k", "ρ": "p",
    "τ": "t", "υ": "u", "Α": "A", "Β": "B", "Ε": "E", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Χ": "X", "Υ": "Y", "Ζ": "Z",
})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 and C1 controls but tab, newline and carriage return


def _escape(ch: str) -> str:
    n = ord(ch)
    if ch in "\n\t\r":
        return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}[ch]
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"


def visible(text: str) -> str:
    """Text safe to print to a terminal or CI log: every character that is not printable as itself (controls,
    escape sequences, zero-width and direction marks, non-breaking spaces) becomes a visible escape such as \\x1b."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in text)


def nfc(text: str) -> str:
    """One Unicode form for text that looks the same (é typed as one character or as e + accent)."""
    return text if text.isascii() or unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def control_character(text: str) -> str:
    """'U+001B ESCAPE at character 5' for the first control character in text, or ''."""
    m = _CONTROL.search(text)
    return f"{character_name(m.group(0))} at character {m.start() + 1}" if m else ""


def character_name(ch: str) -> str:
    name = unicodedata.name(ch, "") or {"\x1b": "ESCAPE", "\x07": "BELL", "\x08": "BACKSPACE", "\x7f": "DELETE"}.get(
        ch, "CONTROL CHARACTER")
    return f"U+{ord(ch):04X} {name}"


def _suspect(ch: str, ascii_only: bool) -> bool:
    if ascii_only:
        return not ch.isascii() or not ch.isprintable()
    return not ch.isprintable() or unicodedata.category(ch) == "Cf" or ch in _LOOK_ALIKE_KEYS


_LOOK_ALIKE_KEYS = {chr(k) for k in _LOOK_ALIKES}


def odd_characters(text: str, ascii_only: bool = False) -> str:
    """Name the characters that make text differ from what it looks like, each with where it is:
    "U+200B ZERO WIDTH SPACE after 'refer'". ascii_only: every character outside ASCII is suspect (keys)."""
    if text.isascii() and text.isprintable():
        return ""
    names = []
    for i, ch in enumerate(text):
        if _suspect(ch, ascii_only):
            where = f"after '{visible(text[:i])}'" if i else "at the start"
            names.append(f"{character_name(ch)} {where}")
    if len(names) > 3:
        names = names[:3] + [f"{len(names) - 3} more"]
    return "; ".join(names)


def plain_form(text: str) -> str:
    """text without invisible characters, look-alikes as the Latin letter they pass for, NFC, spaces collapsed:
    what a person reading the text believes it says."""
    text = "".join(ch for ch in nfc(text) if unicodedata.category(ch) not in ("Cf", "Cc") or ch in "\t\n")
    return " ".join(text.translate(_LOOK_ALIKES).split())
