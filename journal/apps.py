from django.apps import AppConfig
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_migrate, pre_delete

SEARCH_MIGRATION = ("journal", "0003_search_index")


def keep_search_index(sender, using, **kwargs):
    """After every migrate: SQLite drops a table's triggers when a migration rebuilds the
    table, so the search index's are put back (where missing) whenever anything migrated."""
    connection = connections[using]
    if SEARCH_MIGRATION not in MigrationRecorder(connection).applied_migrations():
        return
    from .search_index import install_index  # noqa: PLC0415 (needs the models loaded)

    with connection.schema_editor() as editor:
        install_index(None, editor)


class JournalConfig(AppConfig):
    name = "journal"
    verbose_name = "Journal"

    def ready(self):
        from . import signals  # noqa: PLC0415 (models are ready only now)

        post_migrate.connect(keep_search_index, sender=self, dispatch_uid="keep-search-index")
        pre_delete.connect(
            signals.keep_deleted_address, sender="journal.Post", dispatch_uid="keep-address"
        )
        pre_delete.connect(
            signals.keep_deleted_roadmaps_post_addresses,
            sender="roadmap.Roadmap",
            dispatch_uid="keep-post-addresses",
        )
