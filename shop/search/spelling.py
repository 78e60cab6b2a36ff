"""Closest known word for a typo (the PostgreSQL backend's "did you mean"; Whoosh has its own)."""

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


def closest(word: str, known: dict[str, int], limit: int = 2) -> str | None:
    """The known word nearest to `word` sharing its first letter; the most frequent on ties."""
    best = None
    for candidate, frequency in known.items():
        if candidate[:1] != word[:1]:
            continue
        d = distance(word, candidate, limit)
        if d <= limit and (best is None or (d, -frequency) < best[0]):
            best = ((d, -frequency), candidate)
    return best[1] if best else None
