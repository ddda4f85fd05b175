"""Curriculum files: read and check one whole, then start or update a roadmap from it.

format reads and checks a file; catalogue lists the curricula folder; plan decides what an
update does before anything is written; apply writes it.
"""

from .apply import (
    LoadReport,
    PlanChanged,
    load_curriculum,
    roadmap_apply_plan,
    roadmap_create_from_curriculum,
    roadmap_update_from_curriculum,
)
from .catalogue import CatalogueEntry, catalogue, newest_for
from .format import (
    CurriculumError,
    CurriculumSpec,
    MilestoneSpec,
    ResourceSpec,
    StageSpec,
    TopicSpec,
    parse_curriculum,
    read_curriculum,
)
from .plan import Action, Change, Reason, Step, UpdatePlan, plan_update

__all__ = [
    "Action",
    "CatalogueEntry",
    "Change",
    "CurriculumError",
    "CurriculumSpec",
    "LoadReport",
    "MilestoneSpec",
    "PlanChanged",
    "Reason",
    "ResourceSpec",
    "StageSpec",
    "Step",
    "TopicSpec",
    "UpdatePlan",
    "catalogue",
    "load_curriculum",
    "newest_for",
    "parse_curriculum",
    "plan_update",
    "read_curriculum",
    "roadmap_apply_plan",
    "roadmap_create_from_curriculum",
    "roadmap_update_from_curriculum",
]
