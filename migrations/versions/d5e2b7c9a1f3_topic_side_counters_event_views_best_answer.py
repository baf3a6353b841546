"""Both sides' counts of a topic group kept on its canonical topic; notes hidden in some
market indexed; event page views; "bestanswer" notices

Revision ID: d5e2b7c9a1f3
Revises: c3a91d0e5b27
Create Date: 2026-12-07 02:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5e2b7c9a1f3'
down_revision = "c3a91d0e5b27"
branch_labels = None
depends_on = None

COUNTERS = ('group_china_notes', 'group_abroad_notes', 'group_questions_to_china',
            'group_questions_to_abroad')
HIDDEN_SOMEWHERE = sa.text("hidden_markets <> ''")
OLD_KINDS = ("kind IN ('follow', 'like', 'comment', 'reply', 'mention', 'shipment', 'return', "
             "'message', 'moderation', 'partner', 'event', "
             "'co_invite', 'co_accept', 'co_decline', 'co_agree', 'co_cancel', 'co_expire', 'co_leave')")
NEW_KINDS = ("kind IN ('follow', 'like', 'comment', 'reply', 'mention', 'shipment', 'return', "
             "'message', 'moderation', 'partner', 'event', 'bestanswer', "
             "'co_invite', 'co_accept', 'co_decline', 'co_agree', 'co_cancel', 'co_expire', 'co_leave')")
# Each group's distinct shown notes, by side (the rule of feed.side_clause) and question.
GROUP_COUNTS = sa.text("""
SELECT m.root,
       SUM(CASE WHEN n.language = 'zh' AND (n.region = 'CN' OR n.region IS NULL) THEN 1 ELSE 0 END),
       SUM(CASE WHEN n.language = 'zh' AND (n.region = 'CN' OR n.region IS NULL) THEN 0 ELSE 1 END),
       SUM(CASE WHEN n.question_to = 'china' THEN 1 ELSE 0 END),
       SUM(CASE WHEN n.question_to = 'abroad' THEN 1 ELSE 0 END)
FROM (SELECT DISTINCT COALESCE(t.canonical_id, t.id) AS root, nt.note_id
      FROM note_topics nt JOIN topics t ON t.id = nt.topic_id) m
JOIN notes n ON n.id = m.note_id
WHERE n.status = 'published' AND n.moderation_state IN ('visible', 'age_gated')
GROUP BY m.root
""")


def upgrade():
    with op.batch_alter_table('topics', schema=None) as batch_op:
        for column in COUNTERS:
            batch_op.add_column(sa.Column(column, sa.Integer(), server_default='0',
                                          nullable=False))
    bind = op.get_bind()
    update = sa.text("UPDATE topics SET group_china_notes = :c, group_abroad_notes = :a, "
                     "group_questions_to_china = :qc, group_questions_to_abroad = :qa "
                     "WHERE id = :id")
    rows = [{"id": root, "c": c or 0, "a": a or 0, "qc": qc or 0, "qa": qa or 0}
            for root, c, a, qc, qa in bind.execute(GROUP_COUNTS)]
    if rows:
        bind.execute(update, rows)

    op.create_index('ix_notes_hidden_id', 'notes', ['id', 'hidden_markets', 'status',
                                                    'moderation_state', 'language', 'region',
                                                    'question_to'], unique=False,
                    sqlite_where=HIDDEN_SOMEWHERE, postgresql_where=HIDDEN_SOMEWHERE)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('view_count', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.create_check_constraint(batch_op.f('ck_events_view_count'), 'view_count >= 0')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notifications_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notifications_kind'), NEW_KINDS)


def downgrade():
    op.execute("DELETE FROM notifications WHERE kind = 'bestanswer'")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notifications_kind'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_notifications_kind'), OLD_KINDS)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_events_view_count'), type_='check')
        batch_op.drop_column('view_count')

    op.drop_index('ix_notes_hidden_id', table_name='notes')

    with op.batch_alter_table('topics', schema=None) as batch_op:
        for column in reversed(COUNTERS):
            batch_op.drop_column(column)
