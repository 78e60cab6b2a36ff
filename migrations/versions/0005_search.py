"""Search: the retry queue of index updates, and the documents of the PostgreSQL full-text backend.

On PostgreSQL this also creates the `unaccent` extension, and the index over
`search_document.tsv` is a GIN index; SQLite gets a plain one (its search backend is Whoosh
and the table stays empty there).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 08:40:00.000000

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _postgres() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    if _postgres():
        op.execute('CREATE EXTENSION IF NOT EXISTS unaccent')
    op.create_table('search_pending',
    sa.Column('product_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('queued_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('product_id', name=op.f('pk_search_pending'))
    )
    op.create_table('search_document',
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('people', sa.Text(), nullable=False),
    sa.Column('places', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('tsv', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=True),
    sa.Column('exact', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_search_document_product_id_product'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('product_id', name=op.f('pk_search_document'))
    )
    op.create_index('ix_search_document_tsv', 'search_document', ['tsv'], unique=False,
                    postgresql_using='gin')


def downgrade():
    op.drop_index('ix_search_document_tsv', table_name='search_document')
    op.drop_table('search_document')
    op.drop_table('search_pending')
