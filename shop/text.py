"""Vietnamese text: folding diacritics away (for matching and slugs) and slugs."""

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """'Chè Đinh Tân Cương' -> 'che dinh tan cuong': NFC, lower case, marks and đ folded."""
    text = unicodedata.normalize("NFC", text).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slugify(text: str, max_length: int = 200) -> str:
    """'Chè Đinh Tân Cương' -> 'che-dinh-tan-cuong'."""
    return _NON_ALNUM.sub("-", fold(text)).strip("-")[:max_length].rstrip("-") or "item"
