"""Vietnamese text: NFC normalisation and diacritic-free folding for matching."""

from __future__ import annotations

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


_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet will show, never run: a leading =, +, -, @ gets a "'" before it.

    Only for free text (file names, names as sent); "-" alone stays as is.
    """
    if text and text.startswith(_FORMULA_LEADS) and text != "-":
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
