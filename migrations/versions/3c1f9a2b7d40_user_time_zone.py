"""users choose a time zone (an IANA name; NULL follows the browser)

Revision ID: 3c1f9a2b7d40
Revises: 876a834f5f58
Create Date: 2026-12-06 16:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c1f9a2b7d40'
down_revision = '876a834f5f58'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
