"""Words shoppers use for the same product, in Vietnamese and English.

Each line is a set of equivalent phrases, written as the catalog writes them; a query word or
phrase found here (folded) matches any of them, and their Vietnamese spelling ranks higher.
"""

from __future__ import annotations

from shop.text import fold

EQUIVALENTS: tuple[tuple[str, ...], ...] = (
    ("chè", "trà", "tea"),
    ("cà phê", "cafe", "coffee"),
    ("nước mắm", "fish sauce"),
    ("gạo", "rice"),
    ("mật ong", "honey"),
    ("muối", "salt"),
    ("tỏi", "garlic"),
    ("kẹo", "candy", "sweets"),
    ("bánh", "cake", "cakes"),
    ("bánh tráng", "rice paper"),
    ("mực", "squid"),
    ("chả mực", "squid cake"),
    ("tôm", "shrimp", "prawn"),
    ("yến sào", "tổ yến", "bird nest", "birds nest", "swiftlet nest"),
    ("ngọc trai", "pearl", "pearls"),
    ("gốm", "ceramic", "ceramics", "pottery"),
    ("mây", "rattan"),
    ("tre", "bamboo"),
    ("đèn", "lamp"),
    ("vải thiều", "vải", "lychee", "litchi"),
    ("sầu riêng", "durian"),
    ("mắc ca", "macca", "macadamia"),
    ("quýt", "mandarin", "tangerine"),
    ("dừa", "coconut"),
    ("mì", "noodle", "noodles"),
    ("tương", "soy sauce", "soybean sauce"),
    ("du lịch", "tourism", "travel", "tour", "homestay"),
    ("dược liệu", "herbal", "herb", "herbs"),
    ("atiso", "actiso", "artichoke"),
    ("hoa vàng", "golden camellia"),
    ("khô", "dried"),
    ("bột", "powder", "ground"),
)

_LOOKUP: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
for _line in EQUIVALENTS:
    _runs = tuple(tuple(phrase.split()) for phrase in _line)
    for _run in _runs:
        _LOOKUP[tuple(fold(w) for w in _run)] = _runs
_LONGEST = max(len(run) for run in _LOOKUP)


def expand(words: list[str]) -> list[tuple[tuple[str, ...], list[tuple[str, ...]], list[str]]]:
    """Group folded query words into runs (longest known phrase first), each with its folded
    alternatives and the Vietnamese words (with diacritics) of its synonyms."""
    groups, i = [], 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            run = tuple(words[i:i + size])
            if run in _LOOKUP or size == 1:
                synonyms = _LOOKUP.get(run, ())
                alternatives = [run] + [folded for alt in synonyms
                                        if (folded := tuple(fold(w) for w in alt)) != run]
                spelled = [w for alt in synonyms for w in alt if fold(w) != w]
                groups.append((run, alternatives, spelled))
                i += size
                break
    return groups


def vocabulary() -> dict[str, int]:
    """The folded words of the table, for correcting typos of words no document contains."""
    return {w: 1 for run in _LOOKUP for w in run}
