"""`shop backup` and `shop restore`: a round trip gives back every table, row by row."""

import pytest
from sqlalchemy import create_engine, delete, select

from shop import backup
from shop.accounts.models import User
from shop.audit.models import AuditEntry
from shop.catalog.models import Product
from shop.extensions import db
from tests import builders
from tests.web.test_access import _someone_elses_order


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def snapshot(connection) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    return {table.name: [tuple(row) for row in connection.execute(
                select(table).order_by(*table.primary_key.columns))]
            for table in db.metadata.sorted_tables}


def live_snapshot() -> dict[str, list[tuple]]:
    db.session.commit()
    with db.engine.connect() as connection:
        return snapshot(connection)


@pytest.fixture
def shop_data():
    item = builders.product("Chè Thái Nguyên", sku="CHE-1")
    point = builders.sales_point("QN-HALONG")
    builders.user("manager@example.com", "staff:QN-HALONG:manager")
    _someone_elses_order(item, point)
    from shop.pos import devices

    devices.create_device(point, "Quầy 1")
    return item


def mutate(item) -> None:
    """Damage the live data the way a bad day would: rows gone, rows changed, rows added."""
    db.session.execute(delete(AuditEntry.__table__))
    db.session.get(Product, item.id).name = "đổi tên"
    builders.user("new@example.com")
    db.session.commit()


def test_sqlite_backup_then_restore_gives_back_every_row(app, shop_data, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the SQLite round trip; PostgreSQL has its own test")
    before = live_snapshot()
    assert before["customer_order"] and before["audit_entry"] and before["stock_movement"]
    target = tmp_path / "shop.db"
    result = run(app, "shop", "backup", str(target))
    assert result.exit_code == 0, result.output
    assert f"backed up to {target}" in result.output
    with create_engine(f"sqlite:///{target}").connect() as copy:
        assert snapshot(copy) == before  # the backup holds every row of every table

    mutate(shop_data)
    assert live_snapshot() != before
    result = run(app, "shop", "restore", str(target), "--yes")
    assert result.exit_code == 0, result.output
    assert live_snapshot() == before
    assert db.session.scalar(select(User).where(User.email == "new@example.com")) is None


def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(app, shop_data, tmp_path):
    before = live_snapshot()
    bad = tmp_path / "notes.db"
    bad.write_text("not a database")
    result = run(app, "shop", "restore", str(bad), "--yes")
    assert result.exit_code == 1
    assert live_snapshot() == before
    missing = run(app, "shop", "restore", str(tmp_path / "missing.db"), "--yes")
    assert missing.exit_code == 1 and "no such file" in missing.output + missing.stderr


def test_restore_refuses_a_backup_of_another_schema_revision(app, shop_data, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite files carry their revision")
    target = tmp_path / "old.db"
    assert run(app, "shop", "backup", str(target)).exit_code == 0
    with create_engine(f"sqlite:///{target}").begin() as copy:
        copy.exec_driver_sql("UPDATE alembic_version SET version_num = '0003'")
    before = live_snapshot()
    result = run(app, "shop", "restore", str(target), "--yes")
    assert result.exit_code == 1
    assert "schema revision 0003" in result.output + result.stderr
    assert live_snapshot() == before


def test_restore_asks_before_replacing(app, shop_data, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("uses a SQLite backup file")
    target = tmp_path / "shop.db"
    run(app, "shop", "backup", str(target))
    mutate(shop_data)
    changed = live_snapshot()
    result = run(app, "shop", "restore", str(target), input="n\n")
    assert result.exit_code == 1 and live_snapshot() == changed


def test_postgresql_backup_then_restore_gives_back_every_row(app, shop_data, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not backup.pg_available(backup.pg_dump_command(url, tmp_path / "x")):
        pytest.skip("pg_dump is not installed")
    before = live_snapshot()
    target = tmp_path / "shop.dump"
    result = run(app, "shop", "backup", str(target))
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0
    mutate(shop_data)
    assert live_snapshot() != before
    db.session.remove()
    result = run(app, "shop", "restore", str(target), "--yes")
    assert result.exit_code == 0, result.output + result.stderr
    assert live_snapshot() == before


def test_the_pg_dump_command_is_printed_without_the_password(tmp_path):
    command = backup.pg_dump_command("postgresql+psycopg://shop:s3cret@db.internal:5433/ocop",
                                     tmp_path / "shop.dump")
    shown = command.shown()
    assert "s3cret" not in shown
    assert shown == (f"PGPASSWORD=... PGHOST=db.internal PGPORT=5433 PGUSER=shop pg_dump "
                     f"--format=custom --no-owner --no-privileges --file={tmp_path / 'shop.dump'} ocop")
