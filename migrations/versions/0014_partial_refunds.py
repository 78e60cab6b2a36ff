"""Partial card refunds: a payment records how much the provider refunded of it, and may be
`partially_refunded`.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 12:00:00.000000

A payment already `refunded` was refunded whole.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('payment') as batch:
        batch.add_column(sa.Column('refunded_vnd', sa.BigInteger(), nullable=False, server_default='0'))
        batch.alter_column('status', existing_type=sa.String(length=16), type_=sa.String(length=20))
    op.execute("UPDATE payment SET refunded_vnd = amount_vnd WHERE status = 'refunded'")


def downgrade():
    op.execute("UPDATE payment SET status = 'refunded' WHERE status = 'partially_refunded'")
    op.execute("UPDATE customer_order SET payment_status = 'refunded' "
               "WHERE payment_status = 'partially_refunded'")
    with op.batch_alter_table('payment') as batch:
        batch.alter_column('status', existing_type=sa.String(length=20), type_=sa.String(length=16))
        batch.drop_column('refunded_vnd')
