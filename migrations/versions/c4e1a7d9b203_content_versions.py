"""content version: the counter cached public pages are keyed by

Revision ID: c4e1a7d9b203
Revises: c3f1a7d2b840
Create Date: 2026-12-06 22:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e1a7d9b203'
down_revision = 'c3f1a7d2b840'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'content_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_content_versions')),
    )
    # The one row every write moves on (app.core.page_cache); without it nothing is cached.
    op.bulk_insert(table, [{'id': 1, 'version': 0}])


def downgrade():
    op.drop_table('content_versions')
