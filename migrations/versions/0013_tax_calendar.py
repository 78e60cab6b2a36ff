"""Tax by date: packs get a VAT category instead of a typed rate, the dated table of VAT
reductions (8% until 2026-12-31), invoices of the shop itself, and series per template.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 09:00:00.000000

Existing packs are classified from the rate their producer typed: `exempt` (and `0`) become
`not_subject`, `5` stays `5`, `8` and `10` become `10_reducible` unless the product is a rượu
or bia (goods under excise tax, never reduced: `10`). Order lines take their pack's category;
invoice lines keep their rate (`exempt` is now written `not_subject`) and are given the
category it implies. Salt is not subject to VAT: the demo's salt is corrected. Series numbers
continue from the highest number each seller issued per template, symbol and year.
"""
import re
from datetime import date

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

EXCISE = re.compile(r"(?<!\w)(rượu|bia|thuốc lá|xì gà)(?!\w)", re.IGNORECASE)
CATEGORIES = "vat_category IN ('not_subject', '5', '10_reducible', '10')"
IMMUTABLE = ('invoice', 'invoice_line')
MESSAGE = 'an issued invoice never changes: issue an adjustment invoice instead'


def category_of(rate, name):
    if rate in ('exempt', '0', 'not_subject'):
        return 'not_subject'
    if rate == '5':
        return '5'
    return '10' if EXCISE.search(name or '') else '10_reducible'


def upgrade():
    _reductions()
    _drop_triggers()
    _variants()
    _order_lines()
    _invoices()
    _invoice_lines()
    _series()
    _create_triggers()


def _reductions():
    table = op.create_table(
        'vat_reduction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('percent', sa.Integer(), nullable=False),
        sa.Column('resolution', sa.String(length=120), nullable=False),
        sa.Column('decree', sa.String(length=120), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_vat_reduction_period')),
        sa.CheckConstraint('percent BETWEEN 0 AND 9', name=op.f('ck_vat_reduction_percent')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'],
                                name=op.f('fk_vat_reduction_updated_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_vat_reduction')),
        sa.UniqueConstraint('starts_on', name=op.f('uq_vat_reduction_starts_on')),
    )
    from shop.clock import utcnow
    op.bulk_insert(table, [{
        'starts_on': date(2025, 7, 1), 'ends_on': date(2026, 12, 31), 'percent': 8,
        'resolution': 'Nghị quyết số 204/2025/QH15', 'decree': 'Nghị định số 174/2025/NĐ-CP',
        'updated_at': utcnow().replace(tzinfo=None), 'updated_by_id': None}])


def _variants():
    with op.batch_alter_table('variant') as batch:
        batch.add_column(sa.Column('vat_category', sa.String(length=12), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT variant.id, variant.vat_rate, product.name FROM variant "
        "JOIN product ON product.id = variant.product_id")).all()
    _update(bind, 'variant', [(category_of(rate, name), id_) for id_, rate, name in rows])
    bind.execute(sa.text(
        "UPDATE variant SET vat_category = 'not_subject' WHERE product_id IN "
        "(SELECT id FROM product WHERE lower(name) LIKE 'muối%')"))
    with op.batch_alter_table('variant') as batch:
        batch.drop_constraint(op.f('ck_variant_vat_rate'), type_='check')
        batch.drop_column('vat_rate')
        batch.alter_column('vat_category', existing_type=sa.String(length=12), nullable=False)
        batch.create_check_constraint('vat_category', CATEGORIES)


def _order_lines():
    with op.batch_alter_table('order_line') as batch:
        batch.add_column(sa.Column('vat_category', sa.String(length=12), nullable=True))
        batch.add_column(sa.Column('is_service', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT order_line.id, order_line.vat_rate, product.name FROM order_line "
        "JOIN variant ON variant.id = order_line.variant_id "
        "JOIN product ON product.id = variant.product_id")).all()
    _update(bind, 'order_line', [(category_of(rate, name), id_) for id_, rate, name in rows])
    bind.execute(sa.text(
        "UPDATE order_line SET is_service = :yes WHERE variant_id IN (SELECT variant.id FROM "
        "variant JOIN product ON product.id = variant.product_id "
        "WHERE product.product_group = 'tourism')"), {"yes": True})
    with op.batch_alter_table('order_line') as batch:
        batch.drop_column('vat_rate')
        batch.alter_column('vat_category', existing_type=sa.String(length=12), nullable=False)


def _invoices():
    with op.batch_alter_table('invoice') as batch:
        batch.add_column(sa.Column('seller', sa.String(length=24), nullable=True))
        batch.add_column(sa.Column('reduction_vnd', sa.BigInteger(), nullable=False,
                                   server_default='0'))
        batch.add_column(sa.Column('reduction_basis', sa.String(length=120), nullable=False,
                                   server_default=''))
    op.execute("UPDATE invoice SET seller = 'producer:' || CAST(producer_id AS VARCHAR)")
    with op.batch_alter_table('invoice') as batch:
        batch.alter_column('seller', existing_type=sa.String(length=24), nullable=False)
        batch.alter_column('producer_id', existing_type=sa.Integer(), nullable=True)
        batch.alter_column('shipment_id', existing_type=sa.Integer(), nullable=True)
        batch.drop_constraint(op.f('uq_invoice_producer_id_symbol_number'), type_='unique')
        batch.create_unique_constraint(op.f('uq_invoice_seller_template_symbol_number'),
                                       ['seller', 'template', 'symbol', 'number'])
        batch.create_check_constraint('seller', "producer_id IS NOT NULL OR seller = 'shop'")


def _invoice_lines():
    with op.batch_alter_table('invoice_line') as batch:
        batch.add_column(sa.Column('vat_category', sa.String(length=12), nullable=True))
        batch.add_column(sa.Column('is_service', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.alter_column('vat_rate', existing_type=sa.String(length=6), type_=sa.String(length=12))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, vat_rate, name FROM invoice_line")).all()
    _update(bind, 'invoice_line', [(category_of(rate, name), id_) for id_, rate, name in rows])
    bind.execute(sa.text("UPDATE invoice_line SET vat_rate = 'not_subject' WHERE vat_rate = 'exempt'"))
    bind.execute(sa.text(
        "UPDATE invoice_line SET is_service = :yes WHERE sku IN (SELECT variant.sku FROM variant "
        "JOIN product ON product.id = variant.product_id WHERE product.product_group = 'tourism')"),
        {"yes": True})
    with op.batch_alter_table('invoice_line') as batch:
        batch.alter_column('vat_category', existing_type=sa.String(length=12), nullable=False)


def _series():
    op.rename_table('invoice_series', 'invoice_series_old')
    if op.get_bind().dialect.name == 'postgresql':  # the old table keeps its constraint names
        op.execute('ALTER TABLE invoice_series_old RENAME CONSTRAINT pk_invoice_series '
                   'TO pk_invoice_series_old')
        op.execute('ALTER TABLE invoice_series_old RENAME CONSTRAINT ck_invoice_series_last_number '
                   'TO ck_invoice_series_old_last_number')
    op.create_table(
        'invoice_series',
        sa.Column('seller', sa.String(length=24), nullable=False),
        sa.Column('template', sa.String(length=1), nullable=False),
        sa.Column('symbol', sa.String(length=6), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('last_number', sa.Integer(), nullable=False),
        sa.CheckConstraint('last_number BETWEEN 0 AND 99999999',
                           name=op.f('ck_invoice_series_last_number')),
        sa.PrimaryKeyConstraint('seller', 'template', 'symbol', 'year', name=op.f('pk_invoice_series')),
    )
    # A series starts at 1 each year and the symbol carries the year: the year is the symbol's.
    op.execute(
        "INSERT INTO invoice_series (seller, template, symbol, year, last_number) "
        "SELECT seller, template, symbol, 2000 + CAST(SUBSTR(symbol, 2, 2) AS INTEGER), MAX(number) "
        "FROM invoice GROUP BY seller, template, symbol")
    op.drop_table('invoice_series_old')


def _update(bind, table, pairs):
    if pairs:
        bind.execute(sa.text(f"UPDATE {table} SET vat_category = :category WHERE id = :id"),
                     [{"category": category, "id": id_} for category, id_ in pairs])


def _drop_triggers():
    for table in IMMUTABLE:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_immutable" + (
            f" ON {table}" if op.get_bind().dialect.name == 'postgresql' else ""))


def _create_triggers():
    """The triggers of migration 0004 again (rebuilding a table on SQLite drops its triggers)."""
    for table in IMMUTABLE:
        if op.get_bind().dialect.name == 'postgresql':
            op.execute(f"CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION refuse_invoice_update()")
        else:
            op.execute(f"CREATE TRIGGER {table}_immutable BEFORE UPDATE ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")


RATE_OF = {'not_subject': 'exempt', '5': '5', '10_reducible': '8', '10': '10'}


def downgrade():
    """Back to typed rates (a category becomes the rate it had in 2026). The shop's own
    invoices have no producer and cannot go back: the downgrade refuses while any exists."""
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT COUNT(*) FROM invoice WHERE producer_id IS NULL")).scalar():
        raise RuntimeError("the shop has issued invoices of its own; they cannot be downgraded")
    _drop_triggers()
    op.rename_table('invoice_series', 'invoice_series_new')
    if bind.dialect.name == 'postgresql':
        op.execute('ALTER TABLE invoice_series_new RENAME CONSTRAINT pk_invoice_series '
                   'TO pk_invoice_series_new')
        op.execute('ALTER TABLE invoice_series_new RENAME CONSTRAINT ck_invoice_series_last_number '
                   'TO ck_invoice_series_new_last_number')
    op.create_table(
        'invoice_series',
        sa.Column('producer_id', sa.Integer(), nullable=False),
        sa.Column('symbol', sa.String(length=6), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('last_number', sa.Integer(), nullable=False),
        sa.CheckConstraint('last_number BETWEEN 0 AND 99999999', name=op.f('ck_invoice_series_last_number')),
        sa.ForeignKeyConstraint(['producer_id'], ['producer.id'], name=op.f('fk_invoice_series_producer_id_producer')),
        sa.PrimaryKeyConstraint('producer_id', 'symbol', 'year', name=op.f('pk_invoice_series')))
    op.execute("INSERT INTO invoice_series (producer_id, symbol, year, last_number) "
               "SELECT producer_id, symbol, 2000 + CAST(SUBSTR(symbol, 2, 2) AS INTEGER), MAX(number) "
               "FROM invoice GROUP BY producer_id, symbol")
    op.drop_table('invoice_series_new')
    bind.execute(sa.text("UPDATE invoice_line SET vat_rate = 'exempt' WHERE vat_rate = 'not_subject'"))
    with op.batch_alter_table('invoice_line') as batch:
        batch.drop_column('is_service')
        batch.drop_column('vat_category')
    with op.batch_alter_table('invoice') as batch:
        batch.drop_constraint(op.f('ck_invoice_seller'), type_='check')
        batch.drop_constraint(op.f('uq_invoice_seller_template_symbol_number'), type_='unique')
        batch.create_unique_constraint(op.f('uq_invoice_producer_id_symbol_number'),
                                       ['producer_id', 'symbol', 'number'])
        batch.alter_column('producer_id', existing_type=sa.Integer(), nullable=False)
        batch.alter_column('shipment_id', existing_type=sa.Integer(), nullable=False)
        batch.drop_column('reduction_basis')
        batch.drop_column('reduction_vnd')
        batch.drop_column('seller')
    for table in ('order_line', 'variant'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('vat_rate', sa.String(length=6), nullable=True))
        for category, rate in RATE_OF.items():
            bind.execute(sa.text(f"UPDATE {table} SET vat_rate = :rate WHERE vat_category = :category"),
                         {"rate": rate, "category": category})
        with op.batch_alter_table(table) as batch:
            if table == 'variant':
                batch.drop_constraint(op.f('ck_variant_vat_category'), type_='check')
            else:
                batch.drop_column('is_service')
            batch.drop_column('vat_category')
            batch.alter_column('vat_rate', existing_type=sa.String(length=6), nullable=False)
            if table == 'variant':
                batch.create_check_constraint('vat_rate', "vat_rate IN ('exempt', '0', '5', '8', '10')")
    _create_triggers()
    op.drop_table('vat_reduction')
