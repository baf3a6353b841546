"""Interest profiles for a personal Discover, "not interested" dismissals, the purchase job's mark.

Revision ID: ff27410ba66d
Revises: ba67499f7a13
Create Date: 2026-12-06 22:32:31.183646

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ff27410ba66d'
down_revision = 'ba67499f7a13'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('interest_job_marks',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_interest_job_marks'))
    )
    op.create_table('interest_weights',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('topic', 'creator', 'store', 'language')", name=op.f('ck_interest_weights_kind')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_interest_weights_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interest_weights')),
    sa.UniqueConstraint('user_id', 'kind', 'target_id', 'language', name=op.f('uq_interest_weights_user_id_kind_target_id_language'))
    )
    with op.batch_alter_table('interest_weights', schema=None) as batch_op:
        batch_op.create_index('ix_interest_weights_user_kind_weight', ['user_id', 'kind', 'weight'], unique=False)

    op.create_table('feed_dismissals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['note_id'], ['notes.id'], name=op.f('fk_feed_dismissals_note_id_notes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_feed_dismissals_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_dismissals')),
    sa.UniqueConstraint('user_id', 'note_id', name=op.f('uq_feed_dismissals_user_id_note_id'))
    )
    with op.batch_alter_table('feed_dismissals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_dismissals_note_id'), ['note_id'], unique=False)



def downgrade():
    with op.batch_alter_table('feed_dismissals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_dismissals_note_id'))

    op.drop_table('feed_dismissals')
    with op.batch_alter_table('interest_weights', schema=None) as batch_op:
        batch_op.drop_index('ix_interest_weights_user_kind_weight')

    op.drop_table('interest_weights')
    op.drop_table('interest_job_marks')
