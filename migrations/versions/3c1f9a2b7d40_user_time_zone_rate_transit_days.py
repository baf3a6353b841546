"""users choose a time zone (an IANA name; NULL follows the browser); shipping rates may
carry their own transit time

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

TRANSIT = ("(transit_days_min IS NULL AND transit_days_max IS NULL) OR (transit_days_min >= 0 "
           "AND transit_days_max >= transit_days_min AND transit_days_max <= 120)")


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))
    with op.batch_alter_table('shipping_rates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transit_days_min', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('transit_days_max', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_shipping_rates_transit_days'), TRANSIT)


def downgrade():
    with op.batch_alter_table('shipping_rates', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_shipping_rates_transit_days'), type_='check')
        batch_op.drop_column('transit_days_max')
        batch_op.drop_column('transit_days_min')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
