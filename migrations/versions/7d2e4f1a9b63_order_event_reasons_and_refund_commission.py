"""order events' reasons as codes; the commissionable part of refunds

Order events: the platform's reasons as codes, worded in the reader's language.
Refunds: the part that gave back items or shipping, on which the commission is returned.

Revision ID: 7d2e4f1a9b63
Revises: 5b1e7c2d9a40
Create Date: 2026-12-06 19:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d2e4f1a9b63'
down_revision = '5b1e7c2d9a40'
branch_labels = None
depends_on = None

REASON_CODES = ("reason_code IS NULL OR reason_code IN ('payment_succeeded', 'shipment_sent', "
                "'all_delivered', 'refund_issued', 'cancelled_by_merchant')")


def upgrade():
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_code', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('reason_params', sa.JSON(), server_default='{}',
                                      nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_order_events_reason_code'),
                                         REASON_CODES)
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('commissionable_refunded_minor', sa.Integer(),
                                      server_default='0', nullable=False))
        batch_op.create_check_constraint(
            batch_op.f('ck_orders_commissionable_refunded_minor'),
            'commissionable_refunded_minor >= 0 '
            'AND commissionable_refunded_minor <= refunded_minor')
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('commissionable_minor', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.create_check_constraint(
            batch_op.f('ck_refunds_commissionable_minor'),
            'commissionable_minor >= 0 AND commissionable_minor <= amount_minor')
    # Earlier rows logged the platform's reasons as English sentences: give the ones that
    # carry nothing else their code, so they read in the viewer's language too.
    op.execute("UPDATE order_events SET reason_code = 'payment_succeeded', reason = '' "
               "WHERE reason LIKE 'payment % succeeded'")
    op.execute("UPDATE order_events SET reason_code = 'all_delivered', reason = '' "
               "WHERE reason = 'every shipment was delivered'")


def downgrade():
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_refunds_commissionable_minor'), type_='check')
        batch_op.drop_column('commissionable_minor')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_orders_commissionable_refunded_minor'),
                                 type_='check')
        batch_op.drop_column('commissionable_refunded_minor')
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_order_events_reason_code'), type_='check')
        batch_op.drop_column('reason_params')
        batch_op.drop_column('reason_code')
