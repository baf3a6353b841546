"""cache versions: the tokens of the rule book, rates and shipping profiles processes keep

Revision ID: a7c3e9d1f052
Revises: d5e2b7c9a1f3
Create Date: 2026-12-07 06:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e9d1f052'
down_revision = 'd5e2b7c9a1f3'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'cache_versions',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('token', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_cache_versions')),
    )
    # Market rules, duty rates and regional taxes (app.services.markets.rule_cache), rate
    # snapshots (app.services.fx.conversion) and shipping profiles
    # (app.services.checkout.shipping_terms); without its row a group is never kept.
    op.bulk_insert(table, [{'name': name, 'token': 0}
                           for name in ('rule_book', 'fx_rates', 'shipping')])


def downgrade():
    op.drop_table('cache_versions')
