"""Indexes the producer dashboard needs: a producer's order lines, and counter sales of its packs.

Without them the dashboard read every order line of the shop (half a million at the national
scale of `shop generate`) to sum one producer's weeks.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 13:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_line_producer_id'), ['producer_id'], unique=False)
    with op.batch_alter_table('pos_sale_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pos_sale_line_variant_id'), ['variant_id'], unique=False)


def downgrade():
    with op.batch_alter_table('pos_sale_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pos_sale_line_variant_id'))
    with op.batch_alter_table('order_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_line_producer_id'))
