"""Search as the shop uses it: ranking rules, visibility on the day, filters and facets,
keeping the index right after catalog changes, and what happens when the index is gone."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from pathlib import Path

import pytest

from shop import search
from shop.catalog import registry
from shop.catalog import services as catalog
from shop.catalog.queries import Filters
from shop.extensions import db
from shop.search import analysis
from shop.search.models import SearchPending
from tests import builders


def found(text: str, day: date, **filters) -> list[str]:
    return [p.name for p in search.query(text, Filters(**filters), day).items]


def test_the_analyzer_composes_lowercases_folds_and_keeps_short_words():
    decomposed = unicodedata.normalize("NFD", "Ô mai Đường An Giang")
    assert analysis.words(decomposed) == ["o", "mai", "duong", "an", "giang"]
    assert analysis.exact_words(decomposed) == ["ô", "mai", "đường", "an", "giang"]
    assert analysis.words("the a of") == ["the", "a", "of"]


def test_synonyms_join_vietnamese_and_english_phrases():
    plan = analysis.plan("fish sauce ", prefix=True)
    assert [unit.alternatives for unit in plan.units] == [(("fish", "sauce"), ("nuoc", "mam"))]
    assert plan.spelled == ("mắm", "nước")


def test_words_with_diacritics_rank_above_their_folded_look_alikes(backend, today):
    builders.product("Chế phẩm nghệ vàng")
    builders.product("Chè xanh Thái")
    assert found("chè", today)[0] == "Chè xanh Thái"
    assert found("chế", today)[0] == "Chế phẩm nghệ vàng"
    assert sorted(found("che", today)) == ["Chè xanh Thái", "Chế phẩm nghệ vàng"]


def test_a_new_product_is_found_as_soon_as_it_is_certified(backend, today):
    item = builders.product("Mật ong bạc hà Đồng Văn", stars=None)
    assert found("mat ong dong van", today) == []
    catalog.certify(item, stars=4, decision_number="9/QĐ-UBND", decision_date=date(2025, 9, 1),
                    issuer_level="province", today=today)
    assert found("mat ong dong van", today) == ["Mật ong bạc hà Đồng Văn"]
    assert found("honey", today) == ["Mật ong bạc hà Đồng Văn"]


def test_an_expiring_certificate_leaves_the_results_on_the_day_without_a_reindex(backend, today):
    builders.product("Miến dong Bình Liêu", decision_date=date(2023, 11, 22))
    assert found("mien dong", today) == ["Miến dong Bình Liêu"]
    assert found("mien dong", today + timedelta(days=1)) == []


def test_a_suspended_product_leaves_the_results(backend, today):
    item = builders.product("Nấm linh chi Tây Ninh")
    assert found("linh chi", today) == ["Nấm linh chi Tây Ninh"]
    registry.suspend_product(item, "mẫu kiểm tra không đạt", actor_id=None)
    assert found("linh chi", today) == []
    assert search.suggest("linh ch", today) == []


def test_a_product_changed_while_searches_run_is_found_once(backend, today):
    item = builders.product("Nấm linh chi Tây Ninh")
    for _ in range(3):  # each search between the writes keeps its engine open
        assert found("linh chi", today) == ["Nấm linh chi Tây Ninh"]
        search.refresh([item.id])
    registry.suspend_product(item, "mẫu kiểm tra không đạt", actor_id=None)
    registry.reinstate_product(item, actor_id=None, today=today)
    assert found("linh chi", today) == ["Nấm linh chi Tây Ninh"]


def test_filters_facets_sorts_and_pages_apply_to_the_matches(backend, today):
    maker = builders.producer(province_code="19")
    builders.product("Trà xanh một", maker=maker, stars=3, price_vnd=300_000)
    builders.product("Trà xanh hai", maker=maker, stars=4, price_vnd=100_000)
    builders.product("Trà sen ba", stars=4, price_vnd=200_000, group="beverages")
    builders.product("Bánh chưng", stars=5)
    page = search.query("tra", Filters(stars=(4,), sort="price_asc"), today)
    assert [p.name for p in page.items] == ["Trà xanh hai", "Trà sen ba"]
    assert page.total == 2
    assert page.facets["stars"] == {"3": 1, "4": 2, "5": 0}
    assert page.facets["group"]["food"] == 1 and page.facets["group"]["beverages"] == 1
    second = search.query("tra", Filters(sort="price_desc", per_page=2, page=2), today)
    assert [p.name for p in second.items] == ["Trà xanh hai"]
    assert second.total == 3 and second.pages == 2


def test_a_typo_finds_the_product_and_says_what_it_searched(backend, today):
    builders.product("Bánh cáy làng Nguyễn")
    page = search.query("banh cay nguen", Filters(), today)
    assert [p.name for p in page.items] == ["Bánh cáy làng Nguyễn"]
    assert page.suggestion == "banh cay nguyen"
    nothing = search.query("zzzzqqq", Filters(), today)
    assert (nothing.total, nothing.suggestion) == (0, None)


def test_suggestions_complete_the_word_being_typed(backend, today):
    builders.product("Nước mắm Phú Quốc")
    builders.product("Nước cốt dừa")
    assert [p.name for p in search.suggest("nuoc mam phu q", today)] == ["Nước mắm Phú Quốc"]
    assert {p.name for p in search.suggest("nuoc", today)} == {"Nước mắm Phú Quốc", "Nước cốt dừa"}


def test_snippets_mark_the_matched_words_and_escape_the_rest(backend, today):
    builders.product("Gạo tám thơm", description="Gạo <b>tám</b> & nếp thơm dẻo")
    page = search.query("gao tam", Filters(), today)
    snippet = page.snippets[page.items[0].id]
    assert str(snippet) == "<mark>Gạo</mark> &lt;b&gt;<mark>tám</mark>&lt;/b&gt; &amp; nếp thơm dẻo"


def test_a_failed_index_update_is_queued_and_retried_never_raised(app, monkeypatch, today):
    monkeypatch.setitem(app.config, "SEARCH_INDEX_DIR", "/dev/null/search-index")
    item = builders.product("Cốm làng Vòng")  # indexing fails, the product is still created
    assert db.session.get(SearchPending, item.id).attempts >= 1
    monkeypatch.undo()
    assert search.retry_pending() == 0
    assert found("com lang vong", today) == ["Cốm làng Vòng"]


def test_a_missing_index_answers_from_the_database_and_is_rebuilt(app, today):
    builders.product("Chè Shan tuyết Suối Giàng")
    directory = Path(app.config["SEARCH_INDEX_DIR"])
    _remove(directory)
    page = search.query("che shan tuyet", Filters(), today)
    assert ([p.name for p in page.items], page.degraded) == (["Chè Shan tuyết Suối Giàng"], True)
    search.wait_for_rebuild()
    page = search.query("che shan tuyet", Filters(), today)
    assert ([p.name for p in page.items], page.degraded) == (["Chè Shan tuyết Suối Giàng"], False)


def test_a_damaged_index_answers_from_the_database_and_is_rebuilt(app, today):
    builders.product("Rượu táo mèo Bắc Hà")
    directory = Path(app.config["SEARCH_INDEX_DIR"])
    for path in directory.iterdir():
        if path.name.endswith((".toc", ".seg")):
            path.write_bytes(b"not an index")
    page = search.query("ruou tao meo", Filters(), today)
    assert ([p.name for p in page.items], page.degraded) == (["Rượu táo mèo Bắc Hà"], True)
    search.wait_for_rebuild()
    page = search.query("ruou tao meo", Filters(), today)
    assert ([p.name for p in page.items], page.degraded) == (["Rượu táo mèo Bắc Hà"], False)


def test_reindex_rebuilds_from_the_database(backend, today):
    builders.product("Hồng không hạt Bắc Kạn")
    builders.product("Miến dong Bắc Kạn", stars=None)  # a draft: not indexed
    assert search.reindex() == 1
    assert found("bac kan", today) == ["Hồng không hạt Bắc Kạn"]


def test_search_reindex_command_shows_progress(app, today):
    builders.product("Bưởi Diễn")
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "indexed 1 products\n"
    assert "Indexing products" in result.stderr
    assert found("buoi dien", today) == ["Bưởi Diễn"]


def _remove(directory: Path) -> None:
    import shutil

    shutil.rmtree(directory)


@pytest.fixture(autouse=True)
def _no_rebuild_left_running():
    yield
    search.wait_for_rebuild()


def test_a_failing_full_text_query_answers_from_the_database(app, monkeypatch, today):
    builders.product("Cốm làng Vòng")
    monkeypatch.setitem(app.config, "SEARCH_BACKEND", "postgres")
    if db.engine.dialect.name == "postgresql":
        db.session.execute(db.text("ALTER TABLE search_document RENAME TO search_document_away"))
        db.session.commit()
    try:
        page = search.query("com lang vong", Filters(), today)
    finally:
        if db.engine.dialect.name == "postgresql":
            db.session.rollback()
            db.session.execute(db.text("ALTER TABLE search_document_away RENAME TO search_document"))
            db.session.commit()
    assert ([p.name for p in page.items], page.degraded) == (["Cốm làng Vòng"], True)
