"""market rules: a checkout collection limit that applies to each item (Singapore's SGD 400);
preferences with thresholds match the country of shipment (shipped_from), not origins

Revision ID: b3f1c8e2d4a7
Revises: a7c3e9d1f052
Create Date: 2026-12-07 09:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3f1c8e2d4a7'
down_revision = 'a7c3e9d1f052'
branch_labels = None
depends_on = None


RULES = sa.table('market_rules', sa.column('id', sa.Integer),
                 sa.column('preferences', sa.JSON))
THRESHOLDS = ('duty_free_threshold', 'tax_free_threshold')


def _move_countries(source: str, target: str) -> None:
    """Stored preferences with thresholds list their countries under `target`, not `source`
    (the validator now refuses thresholds by origin), so rules keep working unreloaded.
    """
    bind = op.get_bind()
    for rule_id, preferences in bind.execute(sa.select(RULES.c.id, RULES.c.preferences)).all():
        moved = [{**row, target: row.get(source) or [], source: []}
                 if any(row.get(key) is not None for key in THRESHOLDS) and row.get(source)
                 else row for row in preferences or []]
        if moved != (preferences or []):
            bind.execute(RULES.update().where(RULES.c.id == rule_id).values(preferences=moved))


def upgrade():
    with op.batch_alter_table('market_rules') as batch_op:
        batch_op.add_column(sa.Column('checkout_limit_per_item', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
    _move_countries('origins', 'shipped_from')


def downgrade():
    _move_countries('shipped_from', 'origins')
    with op.batch_alter_table('market_rules') as batch_op:
        batch_op.drop_column('checkout_limit_per_item')
