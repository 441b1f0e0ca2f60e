"""Plain-text output that keeps one record per line, whatever a name contains.

File names, object keys and error messages can hold a newline, a tab, an escape
sequence or a right-to-left override; printed raw, they split a record over two
lines or rewrite the terminal. :func:`clean` escapes them, Python-style (``\\n``,
``\\t``, ``\\x1b``, ``\\u202e``), leaving every printable character (CJK, accents,
emoji joiners) as it is. JSON and CSV output need none of this: both formats
quote their own.
"""

from __future__ import annotations

import sys
import unicodedata
from typing import Final

_NAMED: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: Bidirectional controls (can reorder what the terminal shows) and line/paragraph separators.
_ESCAPED_FORMAT: Final = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029\ufeff"
)


def _escape(ch: str) -> str:
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(value: object) -> str:
    """``str(value)`` with control characters, bidi controls and lone surrogates escaped."""
    text = str(value)
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable():
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs") or ch in _ESCAPED_FORMAT:
            out.append(_escape(ch))
        else:  # other separators and format characters (no-break space, zero-width joiner): shown as they are
            out.append(ch)
    return "".join(out)


def out(text: str) -> None:
    """One line on stdout (``text`` already built from :func:`clean`-ed values)."""
    print(text, flush=True)


def err(text: str) -> None:
    """One line on stderr."""
    print(text, file=sys.stderr)
