"""Stock versions per product: a sale makes only the pages of its product again, and the
listings only when a product runs out or comes back.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 15:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'product_stock',
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.Column('in_stock', sa.Boolean(), nullable=False),
        sa.Column('stock_generation', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['product_id'], ['product.id'],
                                name=op.f('fk_product_stock_product_id_product'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('product_id', name=op.f('pk_product_stock')),
    )


def downgrade():
    op.drop_table('product_stock')
