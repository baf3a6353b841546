"""order conversations: messages between a shopper and the store, and their notices

Revision ID: 8e3f5a2b1c74
Revises: 7d2e4f1a9b63
Create Date: 2026-12-06 19:40:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '8e3f5a2b1c74'
down_revision = '7d2e4f1a9b63'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('follow', 'like', 'comment', 'reply', 'mention', 'shipment', 'return')"
NEW_KINDS = ("kind IN ('follow', 'like', 'comment', 'reply', 'mention', 'shipment', 'return', "
             "'message')")


def upgrade():
    op.create_table(
        'order_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('side', sa.String(length=8), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("side IN ('shopper', 'store')", name=op.f('ck_order_messages_side')),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'],
                                name=op.f('fk_order_messages_author_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'],
                                name=op.f('fk_order_messages_order_id_orders'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_order_messages')),
    )
    op.create_index('ix_order_messages_order_id_id', 'order_messages', ['order_id', 'id'])
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notifications_order_id_orders'), 'orders',
                                    ['order_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_constraint(batch_op.f('ck_notifications_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notifications_kind'), NEW_KINDS)
        batch_op.create_check_constraint(batch_op.f('ck_notifications_order'),
                                         "(kind = 'message') = (order_id IS NOT NULL)")


def downgrade():
    op.execute("DELETE FROM notifications WHERE kind = 'message'")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notifications_order'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_notifications_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notifications_kind'), OLD_KINDS)
        batch_op.drop_constraint(batch_op.f('fk_notifications_order_id_orders'),
                                 type_='foreignkey')
        batch_op.drop_column('order_id')
    op.drop_index('ix_order_messages_order_id_id', table_name='order_messages')
    op.drop_table('order_messages')
