"""quote and order lines keep the product's English and Chinese titles

Revision ID: 9a4c6e2d8f15
Revises: 8e3f5a2b1c74
Create Date: 2026-12-06 19:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9a4c6e2d8f15'
down_revision = '8e3f5a2b1c74'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('quote_lines', 'order_lines'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('title_en', sa.String(length=200), nullable=True))
            batch_op.add_column(sa.Column('title_zh', sa.String(length=200), nullable=True))
    # Lines priced before this keep the product's current titles, the best record there is.
    for table in ('quote_lines', 'order_lines'):
        op.execute(f"UPDATE {table} SET title_en = (SELECT title_en FROM products "
                   f"WHERE products.id = {table}.product_id), title_zh = (SELECT title_zh "
                   f"FROM products WHERE products.id = {table}.product_id)")


def downgrade():
    for table in ('order_lines', 'quote_lines'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('title_zh')
            batch_op.drop_column('title_en')
