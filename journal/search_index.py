# ruff: noqa: S608 (the SQL here is put together from this module's own names and constants)
"""The search index: one table that database triggers keep in step with what is searchable.

Posts, stages, topics and milestones are copied into `journal_search` (title, text and tags;
the kind, id and roadmap of each row) by triggers, so the index follows every save, edit and
delete, bulk writes and the curriculum loader included. On SQLite it is an FTS5 table; on
PostgreSQL a table with a weighted tsvector and a GIN index. journal/search.py reads it.

Each trigger reads only its own table's row; a post's tied topics are matched while
searching. On SQLite, Django alters a table by copying it, dropping the old one and renaming
the copy: the rename fails if a trigger on some other table names the dropped one, and the
table's own triggers are dropped with it. So a migration that alters one of these tables on
SQLite must end with `migrations.RunPython(install_index, migrations.RunPython.noop)`, which
puts them back.
"""

from dataclasses import dataclass

from .models import Post


@dataclass(frozen=True)
class _Source:
    """A table the index copies, and how one of its rows becomes an index row.

    The expressions name the row `{row}`: `new` in a trigger, the table itself when filling;
    `{kind_label}` is the label of a post's kind.
    """

    kind: str
    table: str
    # SQLite rowids are shared by all kinds in one table: rowid = id * 4 + code.
    code: int
    title: str
    body: str
    tags: str
    watched: tuple[str, ...]


def _post_kind_label(row: str) -> str:
    labels = " ".join(
        f"WHEN '{value}' THEN '{label.replace(chr(39), chr(39) * 2)}'"
        for value, label in Post.Kind.choices
    )
    return f"CASE {row}.kind {labels} ELSE {row}.kind END"


SOURCES = (
    _Source(
        kind="post",
        table="journal_post",
        code=0,
        title="{row}.title",
        body="{row}.summary || ' ' || {row}.body",
        tags="{kind_label}",
        watched=("title", "summary", "body", "kind", "roadmap_id"),
    ),
    _Source(
        kind="stage",
        table="roadmap_stage",
        code=1,
        title="{row}.title",
        body="{row}.summary",
        tags="''",
        watched=("title", "summary", "roadmap_id"),
    ),
    _Source(
        kind="topic",
        table="roadmap_topic",
        code=2,
        title="{row}.title",
        body="{row}.summary",
        tags="''",
        watched=("title", "summary", "roadmap_id"),
    ),
    _Source(
        kind="milestone",
        table="roadmap_milestone",
        code=3,
        title="{row}.title",
        body="{row}.description",
        tags="''",
        watched=("title", "description", "roadmap_id"),
    ),
)


def _values(source: _Source, row: str) -> list[str]:
    """The index row's text columns for `source`, reading the row named `row`."""
    names = {"row": row, "kind_label": _post_kind_label(row)}
    return [source.title.format(**names), source.body.format(**names), source.tags.format(**names)]


def sqlite_rowid(kind: str, pk: int) -> int:
    """Where the row for `kind` `pk` is on SQLite, whose one table numbers every kind's rows."""
    return pk * 4 + next(source.code for source in SOURCES if source.kind == kind)


def _sqlite_install() -> list[str]:
    statements = [
        # Porter stemming, so "models" finds "model"; accents folded, so "naive" finds "naïve".
        "CREATE VIRTUAL TABLE IF NOT EXISTS journal_search USING fts5("
        "title, body, tags, kind UNINDEXED, object_id UNINDEXED, roadmap_id UNINDEXED, "
        "tokenize = 'porter unicode61 remove_diacritics 2')",
        "DELETE FROM journal_search",
    ]
    for s in SOURCES:
        columns = "rowid, title, body, tags, kind, object_id, roadmap_id"
        title, body, tags = _values(s, "new")
        insert = (
            f"INSERT INTO journal_search ({columns}) VALUES (new.id * 4 + {s.code}, "
            f"{title}, {body}, {tags}, '{s.kind}', new.id, new.roadmap_id);"
        )
        delete = f"DELETE FROM journal_search WHERE rowid = old.id * 4 + {s.code};"
        changed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in s.watched)
        name = f"journal_search_{s.kind}"
        title, body, tags = _values(s, s.table)
        statements += [
            f"CREATE TRIGGER IF NOT EXISTS {name}_insert AFTER INSERT ON {s.table} "
            f"BEGIN {insert} END",
            f"CREATE TRIGGER IF NOT EXISTS {name}_update AFTER UPDATE ON {s.table} "
            f"WHEN {changed} BEGIN {delete} {insert} END",
            f"CREATE TRIGGER IF NOT EXISTS {name}_delete AFTER DELETE ON {s.table} "
            f"BEGIN {delete} END",
            f"INSERT INTO journal_search ({columns}) SELECT id * 4 + {s.code}, "
            f"{title}, {body}, {tags}, '{s.kind}', id, roadmap_id FROM {s.table}",
        ]
    return statements


def _sqlite_remove() -> list[str]:
    return [
        *(
            f"DROP TRIGGER IF EXISTS journal_search_{s.kind}_{event}"
            for s in SOURCES
            for event in ("insert", "update", "delete")
        ),
        "DROP TABLE IF EXISTS journal_search",
    ]


def _postgresql_install() -> list[str]:
    statements = [
        "CREATE TABLE IF NOT EXISTS journal_search ("
        "kind varchar(10) NOT NULL, object_id bigint NOT NULL, roadmap_id bigint NOT NULL, "
        "title text NOT NULL, body text NOT NULL, tags text NOT NULL, "
        # Weights: a title (A) counts most, then the kind of post (B), then the text (D).
        "document tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('english', title), 'A') || "
        "setweight(to_tsvector('english', tags), 'B') || "
        "setweight(to_tsvector('english', body), 'D')) STORED, "
        "PRIMARY KEY (kind, object_id))",
        "CREATE INDEX IF NOT EXISTS journal_search_document ON journal_search USING gin (document)",
        "DELETE FROM journal_search",
        # Django's flush empties tables with TRUNCATE, which row triggers do not see.
        "CREATE OR REPLACE FUNCTION journal_search_truncate() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "DELETE FROM journal_search WHERE kind = TG_ARGV[0]; RETURN NULL; END $$",
    ]
    for s in SOURCES:
        name = f"journal_search_{s.kind}"
        title, body, tags = _values(s, "new")
        changed = " OR ".join(f"old.{column} IS DISTINCT FROM new.{column}" for column in s.watched)
        statements += [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP <> 'INSERT' THEN "
            f"DELETE FROM journal_search WHERE kind = '{s.kind}' AND object_id = old.id; "
            "END IF; "
            "IF TG_OP <> 'DELETE' THEN "
            "INSERT INTO journal_search (kind, object_id, roadmap_id, title, body, tags) "
            f"VALUES ('{s.kind}', new.id, new.roadmap_id, {title}, {body}, {tags}); "
            "END IF; "
            "RETURN NULL; END $$",
            f"CREATE OR REPLACE TRIGGER {name}_write AFTER INSERT OR DELETE ON {s.table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}()",
            f"CREATE OR REPLACE TRIGGER {name}_update AFTER UPDATE ON {s.table} "
            f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {name}()",
            f"CREATE OR REPLACE TRIGGER {name}_truncate AFTER TRUNCATE ON {s.table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION journal_search_truncate('{s.kind}')",
        ]
        title, body, tags = _values(s, s.table)
        statements.append(
            "INSERT INTO journal_search (kind, object_id, roadmap_id, title, body, tags) "
            f"SELECT '{s.kind}', id, roadmap_id, {title}, {body}, {tags} FROM {s.table}"
        )
    return statements


def _postgresql_remove() -> list[str]:
    return [
        *(
            f"DROP TRIGGER IF EXISTS journal_search_{s.kind}_{event} ON {s.table}"
            for s in SOURCES
            for event in ("write", "update", "truncate")
        ),
        *(f"DROP FUNCTION IF EXISTS journal_search_{s.kind}()" for s in SOURCES),
        "DROP FUNCTION IF EXISTS journal_search_truncate()",
        "DROP TABLE IF EXISTS journal_search",
    ]


_INSTALL = {"sqlite": _sqlite_install, "postgresql": _postgresql_install}
_REMOVE = {"sqlite": _sqlite_remove, "postgresql": _postgresql_remove}


def install_index(apps, schema_editor) -> None:
    """Create the index and its triggers where missing, and fill it from the tables now.

    A migration's RunPython: safe to run again, which is how triggers dropped by a table's
    rebuild come back.
    """
    vendor = schema_editor.connection.vendor
    if vendor not in _INSTALL:
        raise NotImplementedError(f"Search needs SQLite or PostgreSQL, not {vendor}.")
    for statement in _INSTALL[vendor]():
        schema_editor.execute(statement, params=None)


def remove_index(apps, schema_editor) -> None:
    for statement in _REMOVE[schema_editor.connection.vendor]():
        schema_editor.execute(statement, params=None)
