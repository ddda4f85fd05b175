from django.apps import AppConfig
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_migrate,
    post_save,
    pre_delete,
)


class RoadmapConfig(AppConfig):
    name = "roadmap"
    verbose_name = "Roadmaps"

    def ready(self):
        from . import signals  # noqa: PLC0415 (models are ready only now)

        post_save.connect(signals.row_saved, dispatch_uid="site-version-saved")
        post_delete.connect(signals.row_deleted, dispatch_uid="site-version-deleted")
        m2m_changed.connect(signals.relation_changed, dispatch_uid="site-version-related")
        post_migrate.connect(
            signals.release_migrated, sender=self, dispatch_uid="site-version-release"
        )
        # Before the deletion: a learner's account deleted with its roadmaps clears their
        # addresses' owner, which it could not do for a row written after it.
        pre_delete.connect(
            signals.keep_deleted_address,
            sender=self.get_model("Roadmap"),
            dispatch_uid="keep-address",
        )
