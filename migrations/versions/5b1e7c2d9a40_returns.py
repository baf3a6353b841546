"""returns: return requests and lines, return parcels, store return window, refundable duty

Revision ID: 5b1e7c2d9a40
Revises: 3c1f9a2b7d40
Create Date: 2026-12-06 16:30:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '5b1e7c2d9a40'
down_revision = '3c1f9a2b7d40'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('follow', 'like', 'comment', 'reply', 'mention', 'shipment')"
NEW_KINDS = "kind IN ('follow', 'like', 'comment', 'reply', 'mention', 'shipment', 'return')"
RETURN_STATES = "status IN ('requested', 'approved', 'in_transit', 'received', 'refunded', 'refused', 'cancelled')"
RETURN_REASONS = ("reason IN ('damaged', 'defective', 'wrong_item', 'not_as_described', "
                  "'size_or_fit', 'changed_mind', 'arrived_late', 'other')")


def upgrade():
    with op.batch_alter_table('stores', schema=None) as batch_op:
        batch_op.add_column(sa.Column('return_window_days', sa.Integer(), server_default='30',
                                      nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_stores_return_window_days'),
                                         'return_window_days BETWEEN 0 AND 365')
    with op.batch_alter_table('market_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duty_tax_refundable_on_return', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('direction', sa.String(length=8),
                                      server_default='outbound', nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_shipments_direction'),
                                         "direction IN ('outbound', 'return')")
    op.create_table(
        'return_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('store_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.String(length=24), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('refusal_reason', sa.Text(), nullable=False),
        sa.Column('shipment_id', sa.Integer(), nullable=True),
        sa.Column('refund_id', sa.Integer(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('refunded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(RETURN_STATES, name=op.f('ck_return_requests_status')),
        sa.CheckConstraint(RETURN_REASONS, name=op.f('ck_return_requests_reason')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'],
                                name=op.f('fk_return_requests_decided_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'],
                                name=op.f('fk_return_requests_order_id_orders'),
                                ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['refund_id'], ['refunds.id'],
                                name=op.f('fk_return_requests_refund_id_refunds'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['shipment_id'], ['shipments.id'],
                                name=op.f('fk_return_requests_shipment_id_shipments'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['store_id'], ['stores.id'],
                                name=op.f('fk_return_requests_store_id_stores'),
                                ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_return_requests_user_id_users'),
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_return_requests')),
        sa.UniqueConstraint('refund_id', name=op.f('uq_return_requests_refund_id')),
        sa.UniqueConstraint('shipment_id', name=op.f('uq_return_requests_shipment_id')),
    )
    with op.batch_alter_table('return_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_requests_order_id'), ['order_id'],
                              unique=False)
        batch_op.create_index('ix_return_requests_store_status',
                              ['store_id', 'status', 'id'], unique=False)
        batch_op.create_index('ix_return_requests_user', ['user_id', 'id'], unique=False)
    op.create_table(
        'return_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('return_request_id', sa.Integer(), nullable=False),
        sa.Column('order_line_id', sa.Integer(), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.Column('received_quantity', sa.Integer(), nullable=False),
        sa.Column('restocked_quantity', sa.Integer(), nullable=False),
        sa.Column('restock_warehouse_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('quantity > 0', name=op.f('ck_return_lines_quantity')),
        sa.CheckConstraint('received_quantity >= 0 AND received_quantity <= quantity',
                           name=op.f('ck_return_lines_received_quantity')),
        sa.CheckConstraint('restocked_quantity >= 0 AND restocked_quantity <= received_quantity',
                           name=op.f('ck_return_lines_restocked_quantity')),
        sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'],
                                name=op.f('fk_return_lines_order_line_id_order_lines'),
                                ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['restock_warehouse_id'], ['warehouses.id'],
                                name=op.f('fk_return_lines_restock_warehouse_id_warehouses'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['return_request_id'], ['return_requests.id'],
                                name=op.f('fk_return_lines_return_request_id_return_requests'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_return_lines')),
        sa.UniqueConstraint('return_request_id', 'order_line_id',
                            name=op.f('uq_return_lines_return_request_id_order_line_id')),
    )
    with op.batch_alter_table('return_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_lines_order_line_id'), ['order_line_id'],
                              unique=False)
    op.create_table(
        'return_photos',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('return_request_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.SmallInteger(), nullable=False),
        sa.Column('keys', sa.JSON(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.CheckConstraint('position >= 0', name=op.f('ck_return_photos_position')),
        sa.ForeignKeyConstraint(['return_request_id'], ['return_requests.id'],
                                name=op.f('fk_return_photos_return_request_id_return_requests'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_return_photos')),
        sa.UniqueConstraint('return_request_id', 'position',
                            name=op.f('uq_return_photos_return_request_id_position')),
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('return_request_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('return_status', sa.String(length=16), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_notifications_return_request_id_return_requests'),
            'return_requests', ['return_request_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_constraint(batch_op.f('ck_notifications_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notifications_kind'), NEW_KINDS)
        batch_op.create_check_constraint(
            batch_op.f('ck_notifications_return_request'),
            "(kind = 'return') = (return_request_id IS NOT NULL)")


def downgrade():
    op.execute("DELETE FROM notifications WHERE kind = 'return'")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notifications_return_request'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_notifications_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notifications_kind'), OLD_KINDS)
        batch_op.drop_constraint(batch_op.f('fk_notifications_return_request_id_return_requests'),
                                 type_='foreignkey')
        batch_op.drop_column('return_status')
        batch_op.drop_column('return_request_id')
    op.drop_table('return_photos')
    with op.batch_alter_table('return_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_lines_order_line_id'))
    op.drop_table('return_lines')
    with op.batch_alter_table('return_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_return_requests_user')
        batch_op.drop_index('ix_return_requests_store_status')
        batch_op.drop_index(batch_op.f('ix_return_requests_order_id'))
    op.drop_table('return_requests')
    op.execute("DELETE FROM shipments WHERE direction = 'return'")
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_shipments_direction'), type_='check')
        batch_op.drop_column('direction')
    with op.batch_alter_table('market_rules', schema=None) as batch_op:
        batch_op.drop_column('duty_tax_refundable_on_return')
    with op.batch_alter_table('stores', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_stores_return_window_days'), type_='check')
        batch_op.drop_column('return_window_days')
