"""Roadmap views: pages and status changes in pages.py, the dashboard in dashboard.py."""

from .dashboard import badge, dashboard, quarter_review
from .pages import (
    healthz,
    home,
    milestone_detail,
    milestone_notes,
    milestone_status,
    roadmap_detail,
    roadmap_new,
    roadmap_update,
    topic_detail,
)

__all__ = [
    "badge",
    "dashboard",
    "healthz",
    "home",
    "milestone_detail",
    "milestone_notes",
    "milestone_status",
    "quarter_review",
    "roadmap_detail",
    "roadmap_new",
    "roadmap_update",
    "topic_detail",
]
