"""The relevance suite: what shoppers type over the demo catalog, and what must come first.

The demo catalog is loaded once for the module, on the fixed day of the suite (2026-11-22),
and indexed by both backends; every query runs on each.
"""

from __future__ import annotations

import unicodedata

import pytest

from shop import demo, search
from shop.catalog.queries import Filters
from tests.conftest import TODAY, _clean
from tests.search.conftest import BACKENDS, on_postgres, use_backend

FIRST = [
    # no diacritics
    ("che tan cuong", "Chè Đinh Tân Cương"),
    ("nuoc mam phu quoc", "Nước mắm Phú Quốc"),
    ("banh cay", "Bánh cáy làng Nguyễn"),
    ("vai thieu luc ngan", "Vải thiều Lục Ngạn"),
    ("sau rieng", "Sầu riêng Bàu Đồn"),
    ("toi ly son", "Tỏi Lý Sơn"),
    ("keo dua ben tre", "Kẹo dừa Đông Á"),
    ("keo cu do", "Kẹo cu đơ"),
    ("yen sao", "Yến sào Xứ Thanh"),
    ("gom bat trang", "Gốm men Suối Ngọc"),
    ("den may tre", "Đèn bàn mây tre"),
    ("tom kho rach goc", "Tôm khô Rạch Gốc"),
    ("ca gai leo", "Cao cà gai leo"),
    ("tra hoa vang", "Trà hoa vàng Ba Chẽ"),
    ("tuong xuan pha", "Tương Xuân Pha"),
    ("banh trang", "Bánh tráng siêu mỏng"),
    ("muc co to", "Mực ống Cô Tô khô"),
    ("st24", "Gạo thơm ST24"),
    ("trapaco", "Trà Actiso Sapa"),
    ("dak mar", "Cà phê rang xay DAKMARK"),
    # with diacritics, composed or decomposed
    ("Chè Đinh Tân Cương", "Chè Đinh Tân Cương"),
    ("chè búp tím", "Chè búp tím Thanh Ba"),
    (unicodedata.normalize("NFD", "Nước mắm"), "Nước mắm Phú Quốc"),
    ("Ngọc trai", "Ngọc trai Hạ Long"),
    # partial words (the word being typed)
    ("nuoc ma", "Nước mắm Phú Quốc"),
    ("che dinh tan cu", "Chè Đinh Tân Cương"),
    ("sau ri", "Sầu riêng Bàu Đồn"),
    ("quyt duo", "Quýt đường núi lửa"),
    # typos
    ("banh cay lang nguen", "Bánh cáy làng Nguyễn"),
    ("lang nguen", "Bánh cáy làng Nguyễn"),
    ("nuoc mam phu quc", "Nước mắm Phú Quốc"),
    ("sau rieg", "Sầu riêng Bàu Đồn"),
    ("macadamya", "Mắc ca Buôn Hồ"),
    # old province names (before the 2025 merger) and places
    ("ha giang", "Trà xanh Fìn Hò"),
    ("Hà Giang", "Trà xanh Fìn Hò"),
    ("thai binh", "Bánh cáy làng Nguyễn"),
    ("kien giang", "Nước mắm Phú Quốc"),
    ("kon tum", "Cà phê rang xay DAKMARK"),
    ("dak nong", "Quýt đường núi lửa"),
    ("dak lak", "Mắc ca Buôn Hồ"),
    # English, as tourists type
    ("fish sauce", "Nước mắm Phú Quốc"),
    ("coffee son la", "Cà phê bột nguyên chất Bích Thao"),
    ("pearl", "Ngọc trai Hạ Long"),
    ("squid cake", "Chả mực Hạ Long"),
    ("lychee", "Vải thiều Lục Ngạn"),
    ("durian", "Sầu riêng Bàu Đồn"),
    ("macadamia", "Mắc ca Buôn Hồ"),
    ("garlic", "Tỏi Lý Sơn"),
    ("salt", "Muối hạt Cà Mau"),
    ("coconut candy", "Kẹo dừa Đông Á"),
    ("bird nest", "Yến sào Xứ Thanh"),
    ("artichoke tea", "Trà Actiso Sapa"),
    ("pottery", "Gốm men Suối Ngọc"),
    ("bamboo lamp", "Đèn bàn mây tre"),
    ("homestay", "Du lịch bản làng Tày Thái Hải"),
    ("dried shrimp", "Tôm khô Rạch Gốc"),
    ("rice paper", "Bánh tráng siêu mỏng"),
    ("noodles", "Mì gạo Hùng Lô"),
    ("golden camellia", "Trà hoa vàng Ba Chẽ"),
]
TOP_3 = [
    ("tea", "Trà xanh Fìn Hò"),
    ("chè", "Chè Đinh Tân Cương"),
    ("coffee", "Cà phê Chư Mui"),
    ("cafe", "Cà phê bột nguyên chất Bích Thao"),
    ("rice", "Gạo thơm ST24"),
    ("squid", "Mực ống Cô Tô khô"),
    ("herbal", "Cao cà gai leo"),
    ("ha long", "Chả mực Hạ Long"),
    ("lam dong", "Cà phê Chư Mui"),
    ("tay ninh", "Bánh tráng siêu mỏng"),
]


@pytest.fixture(scope="module")
def _demo(app):
    """The demo catalog, loaded and indexed by each backend once for the module."""
    with app.app_context():
        for _ in demo.seed(TODAY):
            pass
        search.reindex()
        if on_postgres():
            app.config["SEARCH_BACKEND"] = "postgres"
            try:
                search.reindex()
            finally:
                app.config["SEARCH_BACKEND"] = "whoosh"
    yield
    with app.app_context():
        _clean(app)


@pytest.fixture(autouse=True)
def _database(app, _demo):
    """Each test reads the module's catalog; nothing is deleted between them."""
    with app.app_context():
        yield


@pytest.fixture(autouse=True)
def _fresh_index():
    """The module's index stays: built once by `_demo`."""
    yield


def names(text: str, count: int = 3) -> list[str]:
    return [p.name for p in search.query(text, Filters(), TODAY).items[:count]]


def test_the_suite_is_large_enough():
    assert len(FIRST) + len(TOP_3) >= 40


@pytest.mark.parametrize("engine", BACKENDS)
@pytest.mark.parametrize(("text", "expected"), FIRST)
def test_comes_first(app, monkeypatch, engine, text, expected):
    use_backend(app, monkeypatch, engine)
    assert names(text, 1) == [expected], names(text, 5)


@pytest.mark.parametrize("engine", BACKENDS)
@pytest.mark.parametrize(("text", "expected"), TOP_3)
def test_in_the_top_three(app, monkeypatch, engine, text, expected):
    use_backend(app, monkeypatch, engine)
    assert expected in names(text), names(text, 5)
