"""Highlighted snippets: the words that matched, marked in the product's own text, HTML-escaped."""

from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup, escape

from shop.text import fold

_WORD = re.compile(r"[^\W_]+")


def _matches(word: str, wanted: frozenset[str], prefix: str | None) -> bool:
    folded = fold(word)
    return folded in wanted or bool(prefix and folded.startswith(prefix))


def snippet(text: str, wanted: frozenset[str], prefix: str | None = None,
            width: int = 160) -> Markup | None:
    """About `width` characters around the first matching word, matches in <mark>; None if none."""
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    spans = [m.span() for m in _WORD.finditer(text) if _matches(m.group(), wanted, prefix)]
    if not spans:
        return None
    start = max(0, spans[0][0] - width // 3)
    if start:
        start = text.find(" ", start) + 1 or start
    end = min(len(text), start + width)
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > spans[0][1] else end
    parts, at = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        parts += [escape(text[at:s]), Markup("<mark>"), escape(text[s:e]), Markup("</mark>")]
        at = e
    parts.append(escape(text[at:end]))
    return Markup("…" if start else "") + Markup("").join(parts) + Markup("…" if end < len(text) else "")
