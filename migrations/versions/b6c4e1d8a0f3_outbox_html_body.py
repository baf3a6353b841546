"""E-mails may carry an HTML alternative (order confirmations show product photos).

Revision ID: b6c4e1d8a0f3
Revises: c4e1a7d9b203
Create Date: 2026-12-06 22:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b6c4e1d8a0f3'
down_revision = 'c4e1a7d9b203'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_html', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('outbox_emails', schema=None) as batch_op:
        batch_op.drop_column('body_html')
