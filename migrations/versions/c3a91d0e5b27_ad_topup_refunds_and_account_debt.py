"""Card refunds of ad top-ups made at the provider, and the debt they leave on an account.

Revision ID: c3a91d0e5b27
Revises: 3c9d2e4f7a18
Create Date: 2026-12-07 02:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a91d0e5b27'
down_revision = "3c9d2e4f7a18"
branch_labels = None
depends_on = None

OLD_KINDS = ("'topup', 'topup_refund', 'campaign_reserve', 'campaign_release', "
             "'partnership_reserve', 'partnership_release', 'partnership_fee', "
             "'placement_charge', 'placement_refund', 'adjustment'")
NEW_KINDS = OLD_KINDS + ", 'debt_repayment'"


def upgrade():
    op.create_table('ad_topup_refunds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topup_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('provider_refund_id', sa.String(length=255), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('debited_minor', sa.Integer(), nullable=False),
    sa.Column('debt_minor', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_minor > 0', name=op.f('ck_ad_topup_refunds_amount_minor')),
    sa.CheckConstraint('debited_minor >= 0 AND debt_minor >= 0', name=op.f('ck_ad_topup_refunds_parts')),
    sa.CheckConstraint('debited_minor + debt_minor = amount_minor', name=op.f('ck_ad_topup_refunds_parts_sum')),
    sa.ForeignKeyConstraint(['account_id'], ['ad_accounts.id'], name=op.f('fk_ad_topup_refunds_account_id_ad_accounts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['topup_id'], ['ad_topups.id'], name=op.f('fk_ad_topup_refunds_topup_id_ad_topups'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ad_topup_refunds')),
    sa.UniqueConstraint('provider_refund_id', name=op.f('uq_ad_topup_refunds_provider_refund_id'))
    )
    with op.batch_alter_table('ad_topup_refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ad_topup_refunds_topup_id'), ['topup_id'], unique=False)

    with op.batch_alter_table('ad_accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('debt_minor', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_ad_accounts_debt_minor'), 'debt_minor >= 0')

    with op.batch_alter_table('ad_ledger_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ad_ledger_entries_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_ad_ledger_entries_kind'), f"kind IN ({NEW_KINDS})")


def downgrade():
    op.execute("DELETE FROM ad_ledger_entries WHERE kind = 'debt_repayment'")
    with op.batch_alter_table('ad_ledger_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ad_ledger_entries_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_ad_ledger_entries_kind'), f"kind IN ({OLD_KINDS})")

    with op.batch_alter_table('ad_accounts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ad_accounts_debt_minor'), type_='check')
        batch_op.drop_column('debt_minor')

    with op.batch_alter_table('ad_topup_refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ad_topup_refunds_topup_id'))

    op.drop_table('ad_topup_refunds')
