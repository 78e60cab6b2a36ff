"""Settings, engines, money formatting, translations and migrations."""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from shop import config
from shop.extensions import db
from shop.money import format_vnd, parse_vnd
from shop.text import fold, slugify
from tests.conftest import PRODUCTION_SETTINGS

ROOT = Path(__file__).resolve().parents[1]


def test_secret_key_is_required_in_production(tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        config.load({"SHOP_ENV": "production", "INSTANCE_PATH": str(tmp_path)})
    settings = config.load({"SHOP_ENV": "production", "SECRET_KEY": "s3cret",
                            "INSTANCE_PATH": str(tmp_path), **PRODUCTION_SETTINGS})
    assert settings["SECRET_KEY"] == "s3cret" and settings["SESSION_COOKIE_SECURE"] is True


def test_production_requires_the_shops_own_registration(tmp_path):
    base = {"SHOP_ENV": "production", "SECRET_KEY": "s3cret", "INSTANCE_PATH": str(tmp_path)}
    with pytest.raises(RuntimeError, match="SHOP_LEGAL_NAME is missing"):
        config.load(base)
    with pytest.raises(RuntimeError, match="SHOP_TAX_CODE is missing or not valid"):
        config.load({**base, **PRODUCTION_SETTINGS, "SHOP_TAX_CODE": "12345"})
    with pytest.raises(RuntimeError, match="SHOP_INVOICE_SYMBOL is missing or not valid"):
        config.load({**base, **PRODUCTION_SETTINGS, "SHOP_INVOICE_SYMBOL": "C26"})
    settings = config.load({**base, **PRODUCTION_SETTINGS})
    assert (settings["SHOP_TAX_CODE"], settings["SHOP_INVOICE_TEMPLATE"],
            settings["SHOP_INVOICE_SYMBOL"]) == ("0100000000-001", "1", "C26TVC")
    # a local run invoices under the demo registration, named as such
    assert "bản chạy thử" in config.load({"INSTANCE_PATH": str(tmp_path)})["SHOP_LEGAL_NAME"]


def test_a_local_secret_key_is_made_once(tmp_path):
    first = config.load({"INSTANCE_PATH": str(tmp_path)})["SECRET_KEY"]
    assert len(first) >= 32 and config.load({"INSTANCE_PATH": str(tmp_path)})["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_settings_come_from_the_environment(tmp_path):
    settings = config.load({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "postgresql+psycopg://x/y",
                            "STRIPE_SECRET_KEY": "sk_test_1", "SEARCH_INDEX_DIR": "/srv/index"})
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://x/y"
    assert settings["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    assert settings["STRIPE_SECRET_KEY"] == "sk_test_1" and settings["SEARCH_INDEX_DIR"] == "/srv/index"
    default = config.load({"INSTANCE_PATH": str(tmp_path)})
    assert default["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'shop.db'}"
    assert default["SEARCH_INDEX_DIR"] == str(tmp_path / "search-index")


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite settings")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_the_migrations_match_the_models():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_reference_data_comes_with_the_schema():
    from shop.places.models import FormerProvince, Province, Region, Ward

    counts = [db.session.query(m).count() for m in (Region, Province, Ward, FormerProvince)]
    assert counts == [6, 34, 3321, 63]
    assert db.session.get(FormerProvince, "02").province_code == "08"  # Hà Giang -> Tuyên Quang


@pytest.mark.parametrize(("amount", "vi", "en"), [
    (250000, "250.000 ₫", "₫250,000"), (0, "0 ₫", "₫0"), (1234567890, "1.234.567.890 ₫", "₫1,234,567,890"),
    (-5000, "-5.000 ₫", "-₫5,000"),
])
def test_prices_are_shown_the_local_way(amount, vi, en):
    assert format_vnd(amount, "vi") == vi and format_vnd(amount, "en") == en


def test_money_is_never_a_float():
    with pytest.raises(TypeError):
        format_vnd(2.5)
    assert parse_vnd("250.000 ₫") == 250000 and parse_vnd("250,000") == 250000
    with pytest.raises(ValueError):
        parse_vnd("12.5k")


def test_folding_and_slugs():
    assert fold("Chè Đinh Tân Cương") == "che dinh tan cuong"
    assert fold("Ô mai") == "o mai"
    decomposed = "Cha\u0300 phe\u0302"  # 'Chà phê' typed with combining marks
    assert fold(decomposed) == "cha phe"
    assert slugify("Trà xanh Fìn Hò!") == "tra-xanh-fin-ho"


def test_every_interface_text_has_a_vietnamese_translation():
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}
    messages = {found[2] for found in extract_from_dir(
        str(ROOT), method_map=[("shop/**.py", "python"), ("templates/**.html", "jinja2")],
        keywords=keywords)}
    assert len(messages) > 100
    with (ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    missing = []
    for message in messages:
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(msgid)
        if entry is None or not entry.string or entry.fuzzy or (
                isinstance(entry.string, tuple) and not all(entry.string)):
            missing.append(msgid)
    assert sorted(missing) == []


def test_an_unexpected_error_is_a_clean_500(database_url, tmp_path):
    from shop import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x",
                      "INSTANCE_PATH": str(tmp_path)})

    @app.get("/boom")
    @app.get("/api/v1/boom")
    def boom():
        raise RuntimeError("a bug")

    client = app.test_client()
    page = client.get("/boom")
    assert page.status_code == 500 and "Đã có lỗi" in page.get_data(as_text=True)
    api = client.get("/api/v1/boom")
    assert api.status_code == 500 and api.get_json()["error"]["code"] == "server_error"


def test_reading_an_amount_typed_in_a_form():
    from shop.money import read_amount

    assert read_amount("") is None and read_amount("  ") is None
    assert read_amount("480.000") == 480000 and read_amount("480000 ₫") == 480000
    for bad in ("12,5k", "-3", "10000000001"):
        with pytest.raises(ValueError):
            read_amount(bad)
