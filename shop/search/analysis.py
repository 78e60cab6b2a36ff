"""The one analyzer of search: how documents and queries become words.

Unicode NFC first (decomposed input would otherwise split words at the marks), lower case,
then either the exact words (diacritics kept) or the folded ones (`shop.text.fold`: marks
dropped, đ -> d). No stop words and no minimum length: Vietnamese "Ô mai" and "An Giang"
must index whole.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from shop.search.synonyms import expand
from shop.text import fold

# A word is letters and digits, and the combining marks that NFC could not compose onto them
# ("q̀", "i̇" from "İ"): a stray mark must not split a word that folding would keep whole.
_WORD = re.compile(r"[^\W_](?:[^\W_]|[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f])*")
MAX_QUERY_LENGTH = 200


def exact_words(text: str) -> list[str]:
    """'Chè Đinh' -> ['chè', 'đinh']: NFC, lower case, diacritics kept."""
    return _WORD.findall(unicodedata.normalize("NFC", text).lower())


def words(text: str) -> list[str]:
    """'Chè Đinh' -> ['che', 'dinh']: the folded words both documents and queries index by."""
    return [_folded(word) for word in exact_words(text)]


@lru_cache(maxsize=200_000)
def _folded(word: str) -> str:
    return fold(word)


@dataclass(frozen=True)
class Unit:
    """One thing the shopper asked for: any of its alternatives (each a run of words) matches."""

    alternatives: tuple[tuple[str, ...], ...]
    typed: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Plan:
    """A query analysed: every unit must match; words typed with diacritics (`exact`), the
    Vietnamese spelling of synonyms (`spelled`) and typed words side by side (`pairs`, as in
    "lam dong") rank higher."""

    units: tuple[Unit, ...]
    exact: tuple[str, ...] = ()
    text: str = ""
    spelled: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()
    highlight: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.units


def plan(text: str, *, prefix: bool = True) -> Plan:
    """Analyse what the shopper typed; the last word may be a prefix unless followed by a space."""
    text = unicodedata.normalize("NFC", text)[:MAX_QUERY_LENGTH]
    typed = words(text)
    groups = expand(typed)
    last_open = prefix and bool(text) and not text[-1].isspace()
    units = tuple(
        Unit(tuple(alternatives), tuple(run),
             prefix=last_open and i == len(groups) - 1 and len(run) == 1
             and (i > 0 or len(run[0]) >= 2))
        for i, (run, alternatives, _) in enumerate(groups))
    exact = tuple(w for w in exact_words(text) if w != fold(w))
    spelled = tuple(sorted({w for *_, words_ in groups for w in words_} - set(exact)))
    highlight = tuple(sorted({w for u in units for alt in u.alternatives for w in alt}))
    pairs = tuple(zip(typed, typed[1:], strict=False))
    return Plan(units, exact, " ".join(typed), spelled, pairs, highlight)


def with_words(original: Plan, replaced: dict[str, str]) -> Plan:
    """The same query with some words corrected (the typo fallback)."""
    corrected = " ".join(replaced.get(w, w) for w in original.text.split())
    return plan(corrected, prefix=False)
