"""bilingual topics (linked aliases) and questions across the border

Revision ID: c3f1a7d2b840
Revises: a6c3e9d1f284
Create Date: 2026-12-06 22:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3f1a7d2b840'
down_revision = 'a6c3e9d1f284'
branch_labels = None
depends_on = None

# Recreating `notes` in a SQLite batch drops the FTS5 triggers of e94bcd8632f2: drop the
# search objects before and re-create (and rebuild) them after, as that migration asks.
SQLITE_SEARCH_UP = [
    "CREATE VIRTUAL TABLE fts_notes USING fts5(title, body, search_grams, content='notes', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER fts_notes_after_insert AFTER INSERT ON notes BEGIN "
    "INSERT INTO fts_notes(rowid, title, body, search_grams) "
    "VALUES (new.id, new.title, new.body, new.search_grams); END",
    "CREATE TRIGGER fts_notes_after_delete AFTER DELETE ON notes BEGIN "
    "INSERT INTO fts_notes(fts_notes, rowid, title, body, search_grams) "
    "VALUES ('delete', old.id, old.title, old.body, old.search_grams); END",
    "CREATE TRIGGER fts_notes_after_update AFTER UPDATE OF title, body, search_grams ON notes "
    "BEGIN "
    "INSERT INTO fts_notes(fts_notes, rowid, title, body, search_grams) "
    "VALUES ('delete', old.id, old.title, old.body, old.search_grams); "
    "INSERT INTO fts_notes(rowid, title, body, search_grams) "
    "VALUES (new.id, new.title, new.body, new.search_grams); END",
    "INSERT INTO fts_notes(fts_notes) VALUES ('rebuild')",
]
SQLITE_SEARCH_DOWN = [
    "DROP TRIGGER IF EXISTS fts_notes_after_update",
    "DROP TRIGGER IF EXISTS fts_notes_after_delete",
    "DROP TRIGGER IF EXISTS fts_notes_after_insert",
    "DROP TABLE IF EXISTS fts_notes",
]
BEST_ANSWER = sa.text("is_best_answer")


def _sqlite(statements):
    if op.get_bind().dialect.name == "sqlite":
        for statement in statements:
            op.execute(statement)


def upgrade():
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('canonical_id', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_topics_not_own_canonical'),
                                         'canonical_id <> id')
        batch_op.create_index(batch_op.f('ix_topics_canonical_id'), ['canonical_id'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_topics_canonical_id_topics'), 'topics',
                                    ['canonical_id'], ['id'], ondelete='SET NULL')

    # Covering: a topic page reads its notes' ids from the index alone.
    op.create_index('ix_note_topics_topic_id_note_id', 'note_topics', ['topic_id', 'note_id'])
    op.drop_index('ix_note_topics_topic_id', table_name='note_topics')

    _sqlite(SQLITE_SEARCH_DOWN)
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('question_to', sa.String(length=6), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_notes_question_to'),
                                         "question_to IN ('china', 'abroad')")
    _sqlite(SQLITE_SEARCH_UP)

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_best_answer', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
    op.create_index('uq_comments_note_id_best_answer', 'comments', ['note_id'], unique=True,
                    sqlite_where=BEST_ANSWER, postgresql_where=BEST_ANSWER)


def downgrade():
    op.drop_index('uq_comments_note_id_best_answer', table_name='comments',
                  sqlite_where=BEST_ANSWER, postgresql_where=BEST_ANSWER)
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_column('is_best_answer')

    _sqlite(SQLITE_SEARCH_DOWN)
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_notes_question_to'), type_='check')
        batch_op.drop_column('question_to')
    _sqlite(SQLITE_SEARCH_UP)

    op.create_index('ix_note_topics_topic_id', 'note_topics', ['topic_id'])
    op.drop_index('ix_note_topics_topic_id_note_id', table_name='note_topics')

    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_topics_canonical_id_topics'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_topics_canonical_id'))
        batch_op.drop_constraint(batch_op.f('ck_topics_not_own_canonical'), type_='check')
        batch_op.drop_column('canonical_id')
