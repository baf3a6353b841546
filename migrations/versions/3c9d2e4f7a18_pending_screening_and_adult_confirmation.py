"""Content waits as "pending" until screened; users' 18+ confirmation for age-gated items.

Revision ID: 3c9d2e4f7a18
Revises: ff27410ba66d
Create Date: 2026-12-07 02:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c9d2e4f7a18'
down_revision = 'ff27410ba66d'
branch_labels = None
depends_on = None

OLD_STATES = "moderation_state IN ('visible', 'held', 'removed', 'age_gated')"
NEW_STATES = "moderation_state IN ('visible', 'pending', 'held', 'removed', 'age_gated')"
SCREENED_TABLES = ('comments', 'products', 'notes')

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


def _sqlite(statements):
    if op.get_bind().dialect.name == "sqlite":
        for statement in statements:
            op.execute(statement)


def _states(check):
    _sqlite(SQLITE_SEARCH_DOWN)
    for table in SCREENED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'ck_{table}_moderation_state'), type_='check')
            batch_op.create_check_constraint(batch_op.f(f'ck_{table}_moderation_state'), check)
    _sqlite(SQLITE_SEARCH_UP)


def upgrade():
    _states(NEW_STATES)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('adult_confirmed_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('adult_confirmed_at')
    # Items still waiting for their screening job are held for a moderator instead.
    for table in SCREENED_TABLES:
        op.execute(f"UPDATE {table} SET moderation_state = 'held' "
                   "WHERE moderation_state = 'pending'")
    _states(OLD_STATES)
