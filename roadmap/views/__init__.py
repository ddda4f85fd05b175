"""Roadmap views: pages (pages.py), writes (status.py), the dashboard (dashboard.py)."""

from .cohort import curriculum_detail
from .dashboard import badge, dashboard, quarter_review
from .pages import (
    milestone_detail,
    roadmap_detail,
    roadmap_new,
    roadmap_update,
    topic_detail,
)
from .settings import roadmap_delete, roadmap_settings
from .status import milestone_notes, milestone_status

__all__ = [
    "badge",
    "curriculum_detail",
    "dashboard",
    "milestone_detail",
    "milestone_notes",
    "milestone_status",
    "quarter_review",
    "roadmap_delete",
    "roadmap_detail",
    "roadmap_new",
    "roadmap_settings",
    "roadmap_update",
    "topic_detail",
]
