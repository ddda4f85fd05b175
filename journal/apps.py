from django.apps import AppConfig
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_delete, post_migrate

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


def keep_deleted_address(sender, instance, using, **kwargs):
    """A deleted post's address stays out of use (its roadmap's deletion included)."""
    from .models import PostAddress  # noqa: PLC0415 (models load after the app config)

    PostAddress.objects.using(using).get_or_create(
        slug=instance.slug, defaults={"author_id": instance.author_id}
    )


class JournalConfig(AppConfig):
    name = "journal"
    verbose_name = "Journal"

    def ready(self):
        post_migrate.connect(keep_search_index, sender=self, dispatch_uid="keep-search-index")
        post_delete.connect(
            keep_deleted_address, sender=self.get_model("Post"), dispatch_uid="keep-address"
        )
