"""notifications about shipments: no actor, the shipment and status, once per status

Revision ID: 876a834f5f58
Revises: e2ed903abd46
Create Date: 2026-12-06 13:47:00.898682

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '876a834f5f58'
down_revision = 'e2ed903abd46'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('follow', 'like', 'comment', 'reply', 'mention')"
NEW_KINDS = "kind IN ('follow', 'like', 'comment', 'reply', 'mention', 'shipment')"


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shipment_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('shipment_status', sa.String(length=24), nullable=True))
        batch_op.alter_column('actor_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_notifications_shipment_id_shipment_status'), ['shipment_id', 'shipment_status'])
        batch_op.create_foreign_key(batch_op.f('fk_notifications_shipment_id_shipments'), 'shipments', ['shipment_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_constraint(batch_op.f('ck_notifications_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notifications_kind'), NEW_KINDS)
        batch_op.create_check_constraint(
            batch_op.f('ck_notifications_shipment'),
            "(kind = 'shipment') = (shipment_id IS NOT NULL)")


def downgrade():
    op.execute("DELETE FROM notifications WHERE kind = 'shipment'")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notifications_shipment'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_notifications_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notifications_kind'), OLD_KINDS)
        batch_op.drop_constraint(batch_op.f('fk_notifications_shipment_id_shipments'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_notifications_shipment_id_shipment_status'), type_='unique')
        batch_op.alter_column('actor_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('shipment_status')
        batch_op.drop_column('shipment_id')
