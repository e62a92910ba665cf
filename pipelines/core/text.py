"""Vietnamese text: NFC normalisation and diacritic-free folding for matching."""

from __future__ import annotations

import os
import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z%()/=+\-. ]")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str | None) -> str:
    """Lower-case, strip tone and vowel marks (đ → d), collapse spaces.

    "  Xã ĐÔNG  Hà " → "xa dong ha"; NFC and NFD inputs fold alike.
    """
    if text is None:
        return ""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D").lower()
    stripped = _NON_WORD.sub(" ", stripped)
    return _SPACES.sub(" ", stripped).strip()


# What a spreadsheet would run as a formula when a cell starts with it.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet will show, never run: a leading =, +, -, @ gets a "'" before it.

    Only for free text (file names, names as sent); "-" alone stays as is.
    """
    if text and text.startswith(FORMULA_LEADS) and text != "-":
        return "'" + text
    return text


def markdown_table(frame, limit: int = 50) -> str:
    """A Polars frame as a Markdown table for asset metadata (the first `limit` rows)."""
    if frame.is_empty():
        return "_(none)_"
    head = frame.head(limit)
    lines = ["| " + " | ".join(head.columns) + " |", "|" + "---|" * len(head.columns)]
    for row in head.iter_rows():
        lines.append("| " + " | ".join("" if v is None else str(v).replace("|", "\\|") for v in row) + " |")
    if frame.height > limit:
        lines.append(f"\n… {frame.height - limit} more")
    return "\n".join(lines)


def readable_name(name: str) -> str:
    """A file name as an officer can read it, and as the warehouse can store it.

    A name that is not UTF-8 on disk (what unzipping a Windows archive gives) is decoded
    as Windows-1258, the code page of Vietnamese Windows, where that works, else its odd
    bytes are written as \\xNN; control characters (a CR or LF in a name) are written as
    \\xNN too, so a name never breaks a line of a report.
    """
    raw = os.fsencode(name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1258")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in nfc(text))


# A cell as sent is quoted up to this many characters: enough to find it, too few to copy a
# record out of a file that carries more than the figures (a list of children by mistake).
QUOTE_LIMIT = 40


def quote_short(value: object) -> object:
    """`value`, cut to QUOTE_LIMIT characters (with "…") when it is a longer text."""
    if isinstance(value, str) and len(value) > QUOTE_LIMIT:
        return value[: QUOTE_LIMIT - 1] + "…"
    return value
