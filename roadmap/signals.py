"""Every saved or deleted row of what the site shows counts as a change of the site.

The receivers listen to every model and keep those of the apps whose rows pages show, plus
the accounts (a learner's name is on their pages). Writes that bypass signals (`update()`,
`bulk_create()`) go through `Roadmap.objects...mark_changed()`, which counts one too.
"""

from django.conf import settings
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

from .models import RoadmapAddress, SiteVersion

# The version's last column: before it, the table cannot take a count.
VERSION_MIGRATION = ("roadmap", "0012_site_version_beyond_progress_second")

SHOWN_APPS = {"roadmap", "journal", "learners"}
# Rows no page shows: counting them would only empty the cache for nothing.
NOT_SHOWN = {
    "roadmap.siteversion",
    "learners.attempt",
    "learners.invitation",
    "journal.upload",
}


def _is_shown(sender) -> bool:
    meta = getattr(sender, "_meta", None)
    # Migrations' historical models run before the version's table may exist.
    if meta is None or sender.__module__ == "__fake__":
        return False
    if meta.label_lower == settings.AUTH_USER_MODEL.lower():
        return True
    return meta.app_label in SHOWN_APPS and meta.label_lower not in NOT_SHOWN


def row_saved(sender, update_fields=None, raw=False, using=None, **kwargs):
    # A login writes last_login, which no page shows.
    if raw or not _is_shown(sender) or update_fields == frozenset({"last_login"}):
        return
    SiteVersion.objects.db_manager(using).bump()


def row_deleted(sender, using=None, **kwargs):
    if _is_shown(sender):
        SiteVersion.objects.db_manager(using).bump()


def relation_changed(sender, action, using=None, **kwargs):
    if action.startswith("post_") and _is_shown(sender):
        SiteVersion.objects.db_manager(using).bump()


def keep_deleted_address(sender, instance, using, **kwargs):
    """A deleted roadmap's address stays out of use, as its old addresses do."""
    RoadmapAddress.objects.using(using).get_or_create(
        slug=instance.slug, defaults={"owner_id": instance.owner_id}
    )


def release_migrated(sender, using, plan=None, **kwargs):
    """After every migrate, as a release runs it, count a change: the feeds' and the
    sitemap's date moves, so a reader asking by date alone gets the new release's markup
    rather than a 304 until the site's next change. (`flush` sends the signal too, with no
    plan: it empties the tables, the version's with them.)"""
    if plan is None:
        return
    if VERSION_MIGRATION in MigrationRecorder(connections[using]).applied_migrations():
        SiteVersion.objects.db_manager(using).bump()
