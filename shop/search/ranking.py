"""Scoring a Whoosh query with arrays: the BM25F sums of Whoosh's matchers, computed with numpy
over whole posting lists instead of one document at a time in Python.

Whoosh walks a query's matcher tree document by document: for a broad query (3,000 matches of
"che" or "du lich") that walk, not the database, was nine tenths of the time. Here each node of
the same query tree becomes a pair of arrays: the sorted document numbers it matches and their
scores. Terms are BM25F exactly as Whoosh scores them (its idf, its average field lengths, its
stored field lengths); And and Or add their parts' scores over the intersection and the union;
a phrase keeps the documents where the words stand side by side and scores as its words; a
prefix scores its boost alone; AndMaybe adds the optional part where it matches.

A `Postings` belongs to one open searcher (one generation of the index): what it reads from the
index is kept until the searcher is replaced after a commit, and several threads may share it.
"""

from __future__ import annotations

import threading
from functools import reduce

import numpy as np
from whoosh import query as Q
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length

K1, B = 1.2, 0.75  # Whoosh's BM25F defaults, which the index was always scored with
SPAN = 1 << 20  # positions of one document in a phrase field stay below this
MAX_CACHED_TERMS = 20_000
_NO_IDS = np.zeros(0, dtype=np.int64)
_NO_SCORES = np.zeros(0, dtype=np.float64)
# Whoosh stores a field's length in a byte; this is its table back to lengths (0: no field).
_LENGTHS = np.array([1] + [byte_to_length(b) for b in range(1, 256)], dtype=np.float64)


class Postings:
    """The posting lists and field lengths of one open searcher, read when first needed."""

    def __init__(self, searcher):
        self.reader = searcher.reader()
        self.doc_count = self.reader.doc_count_all()
        self._terms: dict = {}
        self._lengths: dict[str, np.ndarray] = {}
        self._prefixes: dict = {}
        self._lock = threading.Lock()

    def term(self, field: str, word: str, positions: bool = False):
        """(document numbers, term frequencies, position keys or None) of a word in a field."""
        key = (field, word, positions)
        found = self._terms.get(key)
        if found is None:
            found = self._read_term(field, word, positions)
            with self._lock:
                if len(self._terms) >= MAX_CACHED_TERMS:
                    self._terms.clear()
                self._terms[key] = found
        return found

    def _read_term(self, field: str, word: str, positions: bool):
        if (field, word) not in self.reader:
            return _NO_IDS, _NO_SCORES, (_NO_IDS if positions else None)
        decode = self.reader.schema[field].format.decode_positions if positions else None
        ids, weights, keys = [], [], []
        for leaf, offset in self.reader.leaf_readers():
            if (field, word) not in leaf:
                continue
            leaf_ids, leaf_weights, leaf_values = _read_postings(leaf.postings(field, word), positions)
            ids.append(np.asarray(leaf_ids, dtype=np.int64) + offset)
            weights.append(np.asarray(leaf_weights, dtype=np.float64))
            if positions:
                keys += [(offset + d) * SPAN + min(p, SPAN - 1)
                         for d, v in zip(leaf_ids, leaf_values, strict=True) for p in decode(v)]
        if not ids:
            return _NO_IDS, _NO_SCORES, (_NO_IDS if positions else None)
        return (np.concatenate(ids), np.concatenate(weights),
                np.array(keys, dtype=np.int64) if positions else None)

    def prefixed(self, field: str, prefix: str) -> np.ndarray:
        """The documents with a word in `field` that starts with `prefix`."""
        key = (field, prefix)
        found = self._prefixes.get(key)
        if found is None:
            parts = [np.fromiter(self.reader.postings(field, word).all_ids(), dtype=np.int64)
                     for word in self.reader.expand_prefix(field, prefix)]
            found = _union(parts)
            with self._lock:
                if len(self._prefixes) >= MAX_CACHED_TERMS:
                    self._prefixes.clear()
                self._prefixes[key] = found
        return found

    def lengths(self, field: str) -> np.ndarray:
        """Every document's stored length of `field`, as Whoosh's scorer reads it."""
        found = self._lengths.get(field)
        if found is None:
            found = np.concatenate([_leaf_lengths(leaf, field) for leaf, _ in self.reader.leaf_readers()]
                                   or [np.ones(0)])
            with self._lock:
                self._lengths[field] = found
        return found

    def product_ids(self) -> np.ndarray:
        """The product id of every document number."""
        found = self._lengths.get("\0pid")
        if found is None:
            found = np.fromiter(self.reader.column_reader("pid"), dtype=np.int64, count=self.doc_count)
            with self._lock:
                self._lengths["\0pid"] = found
        return found

    def idf(self, field: str, word: str) -> float:
        return float(np.log(self.doc_count / (self.reader.doc_frequency(field, word) + 1)) + 1)

    def average_length(self, field: str) -> float:
        return (self.reader.field_length(field) / (self.doc_count or 1)) or 1.0


def _read_postings(matcher, values: bool) -> tuple[list, list, list]:
    """A posting list's document numbers, weights and (when asked) values, read a block at a
    time from Whoosh's own codec (documents deleted from the segment left out), or one posting
    at a time from any other matcher."""
    deleted = None
    if isinstance(matcher, FilterMatcher) and getattr(matcher, "_exclude", False):
        deleted, matcher = matcher._ids, matcher.child
    ids, weights, found = [], [], []
    if isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids += matcher._ids
            weights += matcher._weights
            if values:
                matcher._read_values()
                found += matcher._values
            matcher._next_block()
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            if values:
                found.append(matcher.value())
            matcher.next()
    if deleted:
        kept = [i for i, d in enumerate(ids) if d not in deleted]
        ids, weights = [ids[i] for i in kept], [weights[i] for i in kept]
        found = [found[i] for i in kept] if values else found
    return ids, weights, found


def _leaf_lengths(segment, field: str) -> np.ndarray:
    """One segment's lengths of `field`: its byte column read whole, or document by document
    when the segment does not keep them as Whoosh's own codec does."""
    count = segment.doc_count_all()
    try:
        column = segment._perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN)
        if column is None:
            return np.ones(count)
        raw = column._dbfile.get(column._basepos, count * column._fixedlen)
        return _LENGTHS[np.frombuffer(raw, dtype=np.uint8)]
    except AttributeError:
        return np.array([segment.doc_field_length(d, field, 1) or 1 for d in range(count)],
                        dtype=np.float64)


def _bm25(postings: Postings, field: str, word: str, ids, weights) -> np.ndarray:
    if not len(ids):  # a word no document has (an empty index has no idf to speak of)
        return _NO_SCORES
    lengths = postings.lengths(field)[ids]
    norm = K1 * ((1 - B) + B * lengths / postings.average_length(field))
    return postings.idf(field, word) * (weights * (K1 + 1)) / (weights + norm)


# Sets of document numbers are sorted arrays without repeats. (numpy's union1d and unique hash
# their input, which took milliseconds for a few thousand numbers; sorting takes microseconds.)
def _distinct(ordered: np.ndarray) -> np.ndarray:
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _union(parts: list[np.ndarray]) -> np.ndarray:
    parts = [p for p in parts if len(p)]
    if len(parts) <= 1:
        return parts[0] if parts else _NO_IDS
    return _distinct(np.sort(np.concatenate(parts), kind="stable"))


def _intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if not len(a) or not len(b):
        return _NO_IDS
    return np.intersect1d(a, b, assume_unique=True)


def _at(ids: np.ndarray, scores: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The scores of `wanted` documents (0 for those not in `ids`)."""
    if not len(ids) or not len(wanted):
        return np.zeros(len(wanted))
    where = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
    return np.where(ids[where] == wanted, scores[where], 0.0)


def evaluate(q, postings: Postings) -> tuple[np.ndarray, np.ndarray]:
    """(sorted document numbers, their scores) of a query tree."""
    if isinstance(q, Q.Term):
        ids, weights, _ = postings.term(q.fieldname, q.text)
        return ids, q.boost * _bm25(postings, q.fieldname, q.text, ids, weights)
    if isinstance(q, Q.Phrase):
        return _phrase(q, postings)
    if isinstance(q, Q.Prefix):
        ids = postings.prefixed(q.fieldname, q.text)
        return ids, np.full(len(ids), float(q.boost))
    if isinstance(q, Q.AndMaybe):
        ids, scores = evaluate(q.a, postings)
        extra_ids, extra = evaluate(q.b, postings)
        return ids, (scores + _at(extra_ids, extra, ids)) * q.boost
    if isinstance(q, Q.And):
        parts = [evaluate(sub, postings) for sub in q.subqueries]
        ids = reduce(_intersection, (p[0] for p in parts)) if parts else _NO_IDS
        return ids, q.boost * sum((_at(*p, ids) for p in parts), np.zeros(len(ids)))
    if isinstance(q, Q.Or):
        parts = [evaluate(sub, postings) for sub in q.subqueries]
        ids = _union([p[0] for p in parts])
        scores = np.zeros(len(ids))
        for part_ids, part_scores in parts:
            scores[np.searchsorted(ids, part_ids)] += part_scores
        return ids, q.boost * scores
    if q is Q.NullQuery:
        return _NO_IDS, _NO_SCORES
    raise TypeError(f"no array scoring for {type(q).__name__}")


def _phrase(q, postings: Postings) -> tuple[np.ndarray, np.ndarray]:
    terms = [postings.term(q.fieldname, word, positions=True) for word in q.words]
    ends = terms[0][2]
    for _, _, keys in terms[1:]:
        ends = _intersection(ends + 1, keys)
    ids = _distinct(ends // SPAN)
    scores = sum((_at(t_ids, _bm25(postings, q.fieldname, word, t_ids, t_weights), ids)
                  for word, (t_ids, t_weights, _) in zip(q.words, terms, strict=True)), np.zeros(len(ids)))
    return ids, q.boost * scores


def ranked(q, postings: Postings, limit: int | None = None) -> list[int]:
    """Product ids of the matches, best first (ties by document number, as Whoosh)."""
    ids, scores = evaluate(q, postings)
    order = np.lexsort((ids, -scores))
    if limit is not None:
        order = order[:limit]
    return postings.product_ids()[ids[order]].tolist()
