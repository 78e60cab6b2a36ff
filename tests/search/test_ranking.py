"""The array scoring of `shop.search.ranking` gives the scores Whoosh's own matchers give.

Whoosh scores a query document by document; the shop scores the same query tree over whole
posting lists. Both are compared here on one index: the same documents, the same scores to
the last few digits, over one segment, several segments and with documents deleted.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import query as Q

from shop.search import analysis, ranking, whoosh_index
from shop.search.documents import Document

DOCS = [
    Document(1, "Chè Tân Cương Thái Nguyên", "HTX Chè Tân Cương", "Tân Cương · Thái Nguyên · Trung du",
             "Trà xanh sao sấy thủ công. Chè búp, chè móc câu."),
    Document(2, "Nước mắm Phú Quốc", "Công ty Nước mắm Khải Hoàn", "Phú Quốc · An Giang · Kiên Giang",
             "Nước mắm cá cơm truyền thống, ủ chượp 12 tháng."),
    Document(3, "Mật ong bạc hà Đồng Văn", "HTX Mật ong Đồng Văn", "Đồng Văn · Tuyên Quang · Hà Giang",
             "Mật ong hoa bạc hà của cao nguyên đá."),
    Document(4, "Ô mai mơ Hàng Đường", "Cơ sở Ô mai Hà Nội", "Hoàn Kiếm · Hà Nội", "Ô mai mơ gừng."),
    Document(5, "Trà hoa vàng Ba Chẽ", "HTX Trà hoa vàng", "Ba Chẽ · Quảng Ninh",
             "Trà hoa vàng, chè hoa vàng."),
    Document(6, "Cà phê Arabica Cầu Đất", "HTX Cà phê Cầu Đất", "Xuân Trường · Lâm Đồng",
             "Cà phê rang mộc, cà phê chè."),
    Document(7, "Gạo ST25 Sóc Trăng", "HTX Gạo Sóc Trăng", "Mỹ Xuyên · Cần Thơ · Sóc Trăng",
             "Gạo thơm, gạo ngon nhất thế giới."),
    Document(8, "Chè shan tuyết Hà Giang", "HTX Chè Hoàng Su Phì", "Hoàng Su Phì · Tuyên Quang · Hà Giang",
             "Chè shan tuyết cổ thụ. Trà xanh."),
]
QUERIES = ["che", "chè thái nguyên", "tra xanh", "nuoc mam phu quoc", "mat ong", "o mai", "ha giang",
           "ca phe", "gao st25", "tea", "coffee", "fish sauce", "honey", "htx", "che ha giang",
           "hoa vang", "cao nguyen da"]


def whoosh_scores(directory: Path, plan: analysis.Plan) -> dict[int, float]:
    """Product id -> score, as Whoosh's own search computes it."""
    searcher = whoosh_index.open_index(directory).searcher()
    try:
        pids = searcher.reader().column_reader("pid")
        hits = searcher.search(whoosh_index.build_query(plan), limit=None)
        return {pids[docnum]: score for docnum, score in hits.items()}
    finally:
        searcher.close()


def array_scores(directory: Path, plan: analysis.Plan) -> dict[int, float]:
    searcher = whoosh_index.open_index(directory).searcher()
    try:
        postings = ranking.Postings(searcher)
        ids, scores = ranking.evaluate(whoosh_index.build_query(plan), postings)
        pids = postings.product_ids()
        return {int(pids[i]): float(s) for i, s in zip(ids, scores, strict=True)}
    finally:
        searcher.close()


def assert_same_scores(directory: Path) -> None:
    for text in QUERIES:
        plan = analysis.plan(text, prefix=False)  # Whoosh scores a prefix differently (below)
        expected, found = whoosh_scores(directory, plan), array_scores(directory, plan)
        assert found.keys() == expected.keys(), text
        for product_id, score in expected.items():
            assert found[product_id] == pytest.approx(score, rel=1e-6), (text, product_id)


@pytest.fixture
def directory(tmp_path) -> Path:
    return tmp_path / "index"


def test_scores_are_whooshs_on_one_segment(directory):
    whoosh_index.rebuild(directory, DOCS, timeout=5)
    assert len(whoosh_index.open_index(directory).reader().leaf_readers()) == 1
    assert array_scores(directory, analysis.plan("che", prefix=False)).keys() == {1, 5, 6, 8}
    assert_same_scores(directory)


def test_scores_are_whooshs_over_several_segments_with_deletions(directory):
    whoosh_index.rebuild(directory, DOCS[:4], timeout=5)
    for doc in DOCS[4:]:  # one commit each, as catalog changes arrive
        whoosh_index.write(directory, [doc], [], timeout=5)
    whoosh_index.write(directory, [], [2], timeout=5)  # a product left search
    renamed = Document(3, "Mật ong rừng Đồng Văn", DOCS[2].people, DOCS[2].places, DOCS[2].body)
    whoosh_index.write(directory, [renamed], [], timeout=5)  # replaced: the old one is deleted
    assert len(whoosh_index.open_index(directory).reader().leaf_readers()) > 1
    assert 2 not in array_scores(directory, analysis.plan("nuoc mam", prefix=False))
    assert_same_scores(directory)


def test_a_word_being_typed_scores_its_boost_once_for_any_completion(directory):
    """Whoosh sums the completions' term scores; the shop gives a completion its boost alone,
    so that a short prefix with many completions does not outrank the words typed whole."""
    whoosh_index.rebuild(directory, DOCS, timeout=5)
    searcher = whoosh_index.open_index(directory).searcher()
    try:
        postings = ranking.Postings(searcher)
        ids, scores = ranking.evaluate(Q.Prefix("places", "gi", boost=0.5), postings)
        assert sorted(postings.product_ids()[ids].tolist()) == [2, 3, 8]  # Kiên Giang, Hà Giang
        assert scores.tolist() == [0.5, 0.5, 0.5]
        assert ranking.evaluate(Q.Prefix("places", "zz"), postings)[0].tolist() == []
    finally:
        searcher.close()
    typed = analysis.plan("che ha gi")
    assert typed.units[-1].prefix
    assert set(array_scores(directory, typed)) == {8}
