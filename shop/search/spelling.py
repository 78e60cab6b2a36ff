"""Nearest known words for a typo: the "did you mean" of the PostgreSQL backend and of the
synonym table (Whoosh finds its own words with its automata)."""

from __future__ import annotations


def distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance of `a` and `b`, or limit + 1 as soon as it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def nearest(word: str, known: dict[str, int], limit: int = 3, most: int = 2) -> list[str]:
    """Known words within `most` edits of `word` sharing its first letter: nearest, then most frequent."""
    scored = [(d, -frequency, candidate) for candidate, frequency in known.items()
              if candidate[:1] == word[:1] and (d := distance(word, candidate, most)) <= most]
    return [candidate for *_, candidate in sorted(scored)[:limit]]
