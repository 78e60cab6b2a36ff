"""The Whoosh backend: one index folder on this host, written by any process under its lock.

Writers wait for Whoosh's file lock up to a timeout, so several gunicorn workers (or a
reindex and a worker) never lose each other's documents. A rebuild writes every document
into one writer and commits with CLEAR, so readers see the old index until the new one is whole.
"""

from __future__ import annotations

import fcntl
import shutil
import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.writing import CLEAR

from shop.search import ranking
from shop.search.analysis import Plan, exact_words, words
from shop.search.documents import Document
from shop.search.spelling import distance

FIELD_BOOSTS = {"name": 8.0, "people": 2.0, "places": 3.0}
PHRASE_FIELDS = ("name", "places")
EXACT_BOOST = 10.0
SPELLED_BOOST = 3.0
PREFIX_BOOST = 0.5
SYNONYM_BOOST = 0.7
PAIR_BOOST = 2.0


class IndexUnavailable(Exception):
    """The index folder is missing or cannot be read."""


class WordTokenizer(Tokenizer):
    """Tokens are the analyzer's words: folded, or exact (with diacritics) for the *_exact fields."""

    def __init__(self, exact: bool = False):
        self.exact = exact

    def __eq__(self, other):
        return type(other) is type(self) and other.exact == self.exact

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        found = exact_words(value) if self.exact else words(value)
        for position, word in enumerate(found):
            token.text = token.original = word
            token.boost, token.stopped = 1.0, False
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = token.endchar = start_char
            yield token


def schema() -> Schema:
    """`all` decides what matches (every word, no positions: cheap to walk); the other fields
    only rank what matched, and only the short ones keep positions for phrases."""
    folded, exact = WordTokenizer(), WordTokenizer(exact=True)
    return Schema(id=ID(stored=True, unique=True), pid=NUMERIC(int, bits=64, sortable=True),
                  all=TEXT(analyzer=folded, phrase=False),
                  name=TEXT(analyzer=folded), places=TEXT(analyzer=folded),
                  people=TEXT(analyzer=folded, phrase=False), exact=TEXT(analyzer=exact, phrase=False))


def _fields(doc: Document) -> dict:
    return {"id": str(doc.product_id), "pid": doc.product_id, "name": doc.name,
            "people": doc.people, "places": doc.places, "exact": f"{doc.name} · {doc.places}",
            "all": "\n".join((doc.name, doc.people, doc.places, doc.body))}


@contextmanager
def _folder_lock(directory: Path):
    """Only one process creates or replaces the index folder at a time."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    with open(directory.parent / f".{directory.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def open_index(directory: Path, create: bool = False):
    """The index in `directory`; created empty when missing and `create` is set."""
    try:
        if whoosh_index.exists_in(str(directory)):
            return whoosh_index.open_dir(str(directory))
    except Exception as error:  # a damaged table of contents or segment
        raise IndexUnavailable(f"{directory}: {error}") from error
    if not create:
        raise IndexUnavailable(f"{directory}: no index")
    with _folder_lock(directory):
        if not whoosh_index.exists_in(str(directory)):
            directory.mkdir(parents=True, exist_ok=True)
            return whoosh_index.create_in(str(directory), schema())
    return whoosh_index.open_dir(str(directory))


def write(directory: Path, docs: Iterable[Document], deleted: Iterable[int], timeout: float) -> None:
    """Add or replace `docs` and delete `deleted`, waiting up to `timeout` s for the lock."""
    ix = open_index(directory, create=True)
    writer = ix.writer(timeout=timeout, delay=0.05)
    try:
        for product_id in deleted:
            writer.delete_by_term("id", str(product_id))
        for doc in docs:
            writer.update_document(**_fields(doc))
        writer.commit()
    except BaseException:
        _abandon(writer)
        raise


def _abandon(writer) -> None:
    """Give up a writer whose work or commit failed, and above all its lock.

    A commit that fails while flushing its segment (a full disk: ENOSPC) leaves the writer
    open and holding the index lock, and `cancel()` fails the same way as it closes the same
    files; the lock must go anyway, or every later writer of this process waits for it in vain.
    The table of contents is untouched, so readers keep the index as it was; the half-written
    segment files are removed by the next commit.
    """
    try:
        writer.cancel()
    except Exception:
        lock = getattr(writer, "writelock", None)
        if lock is not None and getattr(lock, "fd", None) is not None:
            lock.release()
        writer.is_closed = True


# A rebuild keeps every posting in memory and sorts it once: with Whoosh's default of 128 MB
# the postings of 20,000 products were pickled to run files and merged back (a third of the
# build time). About 2 million postings for 20,000 products take well under 1 GB.
REBUILD_MEMORY_MB = 2048


def _rebuild_codec():
    """Whoosh's codec without the per-posting field-length statistics: the writer reads every
    posting's document length back from disk to store each block's shortest and longest
    document (another fifth of the build). Those only tighten the upper bound of a block's
    score, which ranks nothing: scores use the document lengths, which are still written."""
    from whoosh.codec import default_codec

    codec = default_codec()
    codec.length_stats = False
    return codec


def rebuild(directory: Path, docs: Iterable[Document], timeout: float,
            progress: Callable[[int], None] = lambda n: None) -> int:
    """Replace the whole index with `docs`; a damaged folder is cleared first."""
    try:
        ix = open_index(directory, create=True)
    except IndexUnavailable:
        with _folder_lock(directory):
            shutil.rmtree(directory, ignore_errors=True)
        ix = open_index(directory, create=True)
    writer = ix.writer(timeout=timeout, delay=0.05, limitmb=REBUILD_MEMORY_MB, codec=_rebuild_codec())
    count = 0
    try:
        for doc in docs:
            writer.add_document(**_fields(doc))
            count += 1
            progress(1)
        writer.commit(mergetype=CLEAR)
    except BaseException:
        _abandon(writer)
        raise
    return count


def _run(field: str, run: tuple[str, ...], boost: float = 1.0):
    if len(run) == 1:
        return Q.Term(field, run[0], boost=boost)
    if field in PHRASE_FIELDS:
        return Q.Phrase(field, list(run), boost=boost)
    return Q.And([Q.Term(field, w) for w in run], boost=boost)


def match_query(plan: Plan):
    """What must match: every unit, by one of its alternatives (or the typed prefix)."""
    units = []
    for unit in plan.units:
        options = [_run("all", run) for run in unit.alternatives]
        if unit.prefix:  # the word being typed completes to words of names and places only
            options += [Q.Prefix(field, unit.typed[0], boost=PREFIX_BOOST) for field in PHRASE_FIELDS]
        units.append(Q.Or(options))
    return Q.And(units)


def build_query(plan: Plan):
    """The match, ranked: typed words above their synonyms, in the name above the places and
    producer, words spelled with their diacritics and typed words side by side above the rest."""
    bonus = []
    for unit in plan.units:
        bonus += [_run("name", run, FIELD_BOOSTS["name"] * (1.0 if run == unit.typed else SYNONYM_BOOST))
                  for run in unit.alternatives]
        bonus += [_run(field, unit.typed, FIELD_BOOSTS[field]) for field in ("places", "people")]
    bonus += [Q.Term("exact", w, boost=EXACT_BOOST) for w in plan.exact]
    bonus += [Q.Term("exact", w, boost=SPELLED_BOOST) for w in plan.spelled]
    bonus += [Q.Phrase(field, list(pair), boost=FIELD_BOOSTS[field] * PAIR_BOOST)
              for pair in plan.pairs for field in PHRASE_FIELDS]
    return Q.AndMaybe(match_query(plan), Q.Or(bonus))


# One open searcher per thread and index folder: opening the index reads its table of contents
# and every segment, which cost more than most queries. The searcher is kept while the index is
# unchanged, and opened anew after any writer (of any process) committed. A
# folder removed and made again (a damaged index rebuilt) restarts Whoosh's generations and may
# get the old folder's inode back, so the key also holds the folder's change time, which moves
# with every file a commit adds or removes.
_searchers = threading.local()


def _searcher(directory: Path):
    cache = _searchers.__dict__.setdefault("by_folder", {})
    try:
        folder = directory.stat()
        key = (directory, folder.st_ino, folder.st_ctime_ns)
    except OSError as error:
        cache.pop(directory, None)
        raise IndexUnavailable(f"{directory}: {error}") from error
    cached = cache.pop(directory, None)
    try:
        if cached is not None and cached[0] == key and cached[1].up_to_date():
            searcher, postings = cached[1], cached[2]
        else:
            if cached is not None:  # not `refresh()`: its reused segment readers can keep
                cached[1].close()   # documents a later commit deleted
            searcher = open_index(directory).searcher()
            postings = ranking.Postings(searcher)
    except IndexUnavailable:
        raise
    except Exception as error:  # damaged under the open searcher
        raise IndexUnavailable(f"{directory}: {error}") from error
    cache[directory] = (key, searcher, postings)
    return searcher, postings


def version(directory: Path) -> str:
    """Which index answers now: the folder (made again after damage) and its generation."""
    searcher, _ = _searcher(directory)
    folder = directory.stat()
    return f"{folder.st_ino}.{folder.st_ctime_ns}.{searcher.reader().generation()}"


def search(directory: Path, plan: Plan, limit: int | None = None) -> list[int]:
    """Product ids matching the plan, best first: the query scored over whole posting lists
    (`shop.search.ranking`), with the scores Whoosh's own matchers would give."""
    _, postings = _searcher(directory)
    try:
        return ranking.ranked(build_query(plan), postings, limit)
    except Exception as error:
        _searchers.__dict__.get("by_folder", {}).pop(directory, None)
        raise IndexUnavailable(f"{directory}: {error}") from error


def corrections(directory: Path, plan: Plan, limit: int = 5) -> dict[str, list[str]]:
    """For each typed word the index does not know, the nearest words it does know, best first
    (an empty list when none is near)."""
    ix = open_index(directory)
    found = {}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for word in {w for unit in plan.units for w in unit.typed if len(w) >= 3}:
            if reader.doc_frequency("all", word):
                continue
            candidates = {}
            for field in (*FIELD_BOOSTS, "all"):
                for candidate in searcher.suggest(field, word, limit=limit, maxdist=2, prefix=1):
                    weight = reader.doc_frequency(field, candidate) * FIELD_BOOSTS.get(field, 1.0)
                    candidates[candidate] = candidates.get(candidate, 0) + weight
            found[word] = sorted(candidates, key=lambda c: (distance(word, c), -candidates[c]))[:limit]
    return found


def document_count(directory: Path) -> int:
    return open_index(directory).doc_count()
