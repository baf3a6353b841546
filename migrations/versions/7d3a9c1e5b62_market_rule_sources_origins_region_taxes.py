"""markets: rule sources and check dates, flat low-value duty, origin preferences, region taxes

Revision ID: 7d3a9c1e5b62
Revises: 5b1e7c2d9a40
Create Date: 2026-12-06 19:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d3a9c1e5b62'
down_revision = 'e798a2981df1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('market_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_url', sa.String(length=500), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('source_title', sa.String(length=300), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('verified_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('low_value_item_duty_minor', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('preferences', sa.JSON(), server_default='[]',
                                      nullable=False))
        batch_op.create_check_constraint(
            batch_op.f('ck_market_rules_low_value_item_duty_minor'),
            'low_value_item_duty_minor IS NULL OR low_value_item_duty_minor >= 0')
    op.create_table(
        'region_taxes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('region', sa.String(length=8), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('effective_to', sa.Date(), nullable=True),
        sa.Column('rate', sa.String(length=64), nullable=False),
        sa.Column('includes_shipping', sa.Boolean(), nullable=False),
        sa.Column('collected_by', sa.String(length=16), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('source_url', sa.String(length=500), nullable=False),
        sa.Column('verified_on', sa.Date(), nullable=True),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.CheckConstraint("collected_by IN ('customs', 'marketplace')",
                           name=op.f('ck_region_taxes_collected_by')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_region_taxes')),
        sa.UniqueConstraint('country', 'region', 'effective_from',
                            name=op.f('uq_region_taxes_country_region_effective_from')),
    )


def downgrade():
    op.drop_table('region_taxes')
    with op.batch_alter_table('market_rules', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_market_rules_low_value_item_duty_minor'),
                                 type_='check')
        batch_op.drop_column('preferences')
        batch_op.drop_column('low_value_item_duty_minor')
        batch_op.drop_column('verified_on')
        batch_op.drop_column('source_title')
        batch_op.drop_column('source_url')
