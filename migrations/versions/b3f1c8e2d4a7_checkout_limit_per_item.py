"""market rules: a checkout collection limit that applies to each item (Singapore's SGD 400)

Revision ID: b3f1c8e2d4a7
Revises: a7c3e9d1f052
Create Date: 2026-12-07 09:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3f1c8e2d4a7'
down_revision = 'a7c3e9d1f052'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('market_rules') as batch_op:
        batch_op.add_column(sa.Column('checkout_limit_per_item', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('market_rules') as batch_op:
        batch_op.drop_column('checkout_limit_per_item')
