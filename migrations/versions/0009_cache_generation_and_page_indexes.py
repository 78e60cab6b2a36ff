"""Cache generation counter; indexes the storefront's queries need on PostgreSQL.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 11:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    generation = op.create_table('cache_generation',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_cache_generation'))
    )
    op.bulk_insert(generation, [{'name': 'catalog', 'value': 0}])
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.create_index('ix_product_by_stars', [sa.text('stars DESC'), 'name', 'id'], unique=False)
        batch_op.create_index('ix_product_by_price', ['min_price_vnd', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index('ix_product_by_price')
        batch_op.drop_index('ix_product_by_stars')
    op.drop_table('cache_generation')
