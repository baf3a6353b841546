"""Ads reviewed in the moderation queue: a campaign's rejection reason code, and
"partner" notices that name a campaign and what happened to it.

Revision ID: a6c3e9d1f284
Revises: 746ed214d242
Create Date: 2026-12-06 23:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'a6c3e9d1f284'
down_revision = '746ed214d242'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rejection_code', sa.String(length=32), nullable=True))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('campaign_event', sa.String(length=16), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notifications_campaign_id_campaigns'),
                                    'campaigns', ['campaign_id'], ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notifications_campaign_id_campaigns'),
                                 type_='foreignkey')
        batch_op.drop_column('campaign_event')
        batch_op.drop_column('campaign_id')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('rejection_code')
