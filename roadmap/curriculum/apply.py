"""The writes a curriculum makes: a roadmap started from a file, or a plan carried out.

An update does what its UpdatePlan says and nothing else, so the review a learner reads
before applying it is the update.
"""

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from ..models import Milestone, Resource, Roadmap, SiteVersion, Stage, Topic, unique_slug
from .format import CurriculumSpec
from .plan import Action, Step, UpdatePlan, plan_update


@dataclass
class LoadReport:
    """What loading a curriculum did, in milestones, read from the plan it carried out."""

    roadmap: Roadmap
    created: bool
    plan: UpdatePlan

    def _milestones(self, action: Action) -> list[Step]:
        return [step for step in self.plan.milestones if step.action is action]

    @property
    def added(self) -> int:
        return len(self._milestones(Action.ADD))

    @property
    def updated(self) -> int:
        return len(self._milestones(Action.UPDATE))

    @property
    def removed(self) -> int:
        return len(self._milestones(Action.REMOVE))

    @property
    def kept(self) -> list[Milestone]:
        """Milestones gone from the file that stay for the learner's work on them."""
        return [step.row for step in self._milestones(Action.KEEP)]


def roadmap_create_from_curriculum(
    *, spec: CurriculumSpec, owner: AbstractBaseUser, fields: dict | None = None
) -> LoadReport:
    """Start a roadmap from `spec`; `fields` (title, slug, dates...) override the file's."""
    fields = dict(fields or {})
    with transaction.atomic():
        fields.setdefault("slug", Roadmap.objects.free_slug(spec.key))
        fields.setdefault("title", spec.title)
        fields.setdefault("summary", spec.summary)
        roadmap = Roadmap.objects.create(
            owner=owner, curriculum_key=spec.key, curriculum_version=spec.version, **fields
        )
        # Against a roadmap with no rows yet every step is an addition: one path writes both.
        plan = plan_update(spec, roadmap)
        roadmap_apply_plan(plan=plan)
    return LoadReport(roadmap=roadmap, created=True, plan=plan)


class PlanChanged(Exception):
    """What an update would do is no longer what the learner reviewed; `plan` is what it is now."""

    def __init__(self, plan: UpdatePlan):
        self.plan = plan
        super().__init__("The update's plan changed since it was reviewed.")


def roadmap_update_from_curriculum(
    *, roadmap: Roadmap, spec: CurriculumSpec, reviewed: str | None = None
) -> LoadReport:
    """Bring `roadmap` up to `spec`, keeping all progress: plan, then carry out that plan.

    With `reviewed`, the fingerprint of the plan the learner saw, nothing is written unless
    the plan is still exactly that one (PlanChanged otherwise).
    """
    with transaction.atomic():
        # Planned inside the transaction, so nothing the plan read can change before it is done.
        plan = plan_update(spec, roadmap)
        if reviewed is not None and reviewed != plan.fingerprint:
            raise PlanChanged(plan)
        roadmap_apply_plan(plan=plan)
    return LoadReport(roadmap=roadmap, created=False, plan=plan)


def roadmap_apply_plan(*, plan: UpdatePlan) -> None:
    """Write exactly the steps of `plan`: add, update and remove; a kept row is not touched.

    A topic of the file gets the prerequisites the plan decided, the learner's own among them.

    Parents are written before children and removals come last, so a milestone moving out
    of a topic that goes is in its new topic before the old one is deleted.
    """
    roadmap = plan.roadmap
    with transaction.atomic(), SiteVersion.objects.counted_once():
        stages = _write_stages(roadmap, plan.stages)
        topics = _write_topics(roadmap, plan.topics, stages)
        _write_milestones(roadmap, plan.milestones, topics)
        # A topic of the file may need one gone from it that stays, or one the learner added.
        topics |= {step.key: step.row for step in plan.topics if step.action is Action.KEEP}
        for step in _written(plan.topics):
            topics[step.key].prerequisites.set([topics[key] for key in step.prerequisites])

        for model, steps in [
            (Milestone, plan.milestones),
            (Topic, plan.topics),
            (Stage, plan.stages),
        ]:
            gone = [step.row.pk for step in steps if step.action is Action.REMOVE]
            if gone:
                model.objects.filter(roadmap=roadmap, pk__in=gone).delete()

        roadmap.curriculum_key = plan.spec.key
        roadmap.curriculum_version = plan.spec.version
        roadmap.save(update_fields=["curriculum_key", "curriculum_version", "updated_at"])


def _written(steps: list[Step]) -> list[Step]:
    return [step for step in steps if step.action in (Action.ADD, Action.UPDATE)]


def _write_stages(roadmap: Roadmap, steps: list[Step]) -> dict[str, Stage]:
    stages = {}
    for step in _written(steps):
        stage = step.row or Stage(roadmap=roadmap, key=step.key)
        stage.title, stage.summary = step.spec.title, step.spec.summary
        stage.position = step.position
        stage.save()
        stages[step.key] = stage
    return stages


def _write_topics(
    roadmap: Roadmap, steps: list[Step], stages: dict[str, Stage]
) -> dict[str, Topic]:
    slugs = {step.row.slug for step in steps if step.row is not None}
    topics = {}
    for step in _written(steps):
        topic = step.row or Topic(roadmap=roadmap, key=step.key, slug=unique_slug(step.key, slugs))
        topic.stage, topic.position = stages[step.parent], step.position
        topic.title, topic.summary = step.spec.title, step.spec.summary
        topic.save()
        topic.resources.all().delete()
        Resource.objects.bulk_create(
            Resource(topic=topic, type=r.type, title=r.title, url=r.url, position=i)
            for i, r in enumerate(step.spec.resources)
        )
        topics[step.key] = topic
    return topics


def _write_milestones(roadmap: Roadmap, steps: list[Step], topics: dict[str, Topic]) -> None:
    slugs = {step.row.slug for step in steps if step.row is not None}
    for step in _written(steps):
        milestone = step.row or Milestone(
            roadmap=roadmap, key=step.key, slug=unique_slug(step.key, slugs)
        )
        spec = step.spec
        milestone.topic, milestone.position = topics[step.parent], step.position
        milestone.title, milestone.description = spec.title, spec.description
        milestone.kind, milestone.estimated_hours = spec.kind, spec.hours
        milestone.optional, milestone.proof = spec.optional, spec.evidence
        if step.action is Action.ADD or step.retargeted:
            milestone.set_target(spec.target)
        milestone.save()


def load_curriculum(
    spec: CurriculumSpec, *, owner, roadmap: Roadmap | None = None, **roadmap_fields
) -> LoadReport:
    """Create a roadmap from `spec`, or bring `roadmap` up to it, keeping all progress.

    On an update `owner` and `roadmap_fields` are not used: the roadmap keeps its own.
    """
    if roadmap is None:
        return roadmap_create_from_curriculum(spec=spec, owner=owner, fields=roadmap_fields)
    return roadmap_update_from_curriculum(roadmap=roadmap, spec=spec)
