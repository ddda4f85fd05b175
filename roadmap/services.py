"""Writes that touch several models at once."""

import json
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, router, transaction
from django.db.models import F, Model
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.text import slugify

from .models import (
    Milestone,
    PlanChange,
    ProgressEvent,
    RemovedItem,
    Resource,
    Roadmap,
    RoadmapAddress,
    SiteVersion,
    Stage,
    Status,
    StudySession,
    Topic,
    noon_on,
)

# The client event an answer to a change of progress fires (HX-Trigger-After-Settle): every
# widget that shows progress listens for it (hx-trigger="progress-changed from:body").
PROGRESS_CHANGED = "progress-changed"
# The client event an answer to a change of logged time fires: the hours shown listen for it.
TIME_CHANGED = "time-changed"


def milestone_set_status(
    *, milestone: Milestone, status: str, at: datetime | None = None
) -> Milestone:
    """Set a milestone's status, record the change in the event log, and mark the roadmap changed.

    Setting the status it already has changes nothing and records nothing. Raises
    ValueError, saying what the statuses are, for one that is not one of them.
    """
    with transaction.atomic(), SiteVersion.objects.counted_once(progress=True):
        # Re-read under lock so two requests racing on one milestone each log the
        # transition they really made.
        current = Milestone.objects.select_for_update().get(pk=milestone.pk)
        # The time is read only now, holding the lock: a change that waited for it is later
        # than the one before it, so the log sorted by time is the order of the commits.
        at = at or timezone.now()
        previous = current.status
        if previous != status:
            current.apply_status(status, at)
            current.save(update_fields=["status", "started_at", "completed_at"])
            ProgressEvent.objects.create(
                roadmap_id=current.roadmap_id,
                milestone_id=current.pk,
                from_status=previous,
                to_status=status,
                at=at,
            )
            Roadmap.objects.filter(pk=current.roadmap_id).mark_changed()
    # The caller's object, with its related rows already loaded, now shows the stored state.
    milestone.status = current.status
    milestone.started_at = current.started_at
    milestone.completed_at = current.completed_at
    return milestone


def _running_for_update(learner) -> StudySession | None:
    return (
        StudySession.objects.select_for_update()
        .running()
        .filter(learner=learner)
        .select_related("milestone")
        .first()
    )


def _stop(session: StudySession, at: datetime) -> StudySession:
    session.stop(at)
    session.save(update_fields=["ended_at", "minutes", "capped"])
    Roadmap.objects.filter(pk=session.roadmap_id).mark_changed()
    return session


def timer_start(*, milestone: Milestone, at: datetime | None = None) -> StudySession:
    """Start the learner's timer on `milestone`. A timer running on another milestone is
    stopped first (one runs at a time); one already running here just goes on."""
    learner_id = milestone.roadmap.owner_id
    with transaction.atomic(), SiteVersion.objects.counted_once(progress=True):
        running = _running_for_update(learner_id)
        at = at or timezone.now()
        if running is not None:
            if running.milestone_id == milestone.pk:
                return running
            _stop(running, at)
        session = StudySession.objects.create(
            learner_id=learner_id,
            roadmap_id=milestone.roadmap_id,
            milestone=milestone,
            started_at=at,
        )
        Roadmap.objects.filter(pk=milestone.roadmap_id).mark_changed()
    return session


def timer_stop(*, learner, at: datetime | None = None) -> StudySession | None:
    """Stop the learner's running timer, if any: its minutes are the time it ran, or the cap
    (TIMER_CAP) flagged for correction where it was left running longer."""
    with transaction.atomic(), SiteVersion.objects.counted_once(progress=True):
        running = _running_for_update(learner)
        if running is None:
            return None
        return _stop(running, at or timezone.now())


def session_add(*, milestone: Milestone, day: date, minutes: int, note: str = "") -> StudySession:
    """Log minutes studied on `day` by hand, filed at noon that day in the roadmap's zone."""
    roadmap = milestone.roadmap
    started = noon_on(day, roadmap.time_zone)
    with transaction.atomic(), SiteVersion.objects.counted_once(progress=True):
        session = StudySession.objects.create(
            learner_id=roadmap.owner_id,
            roadmap_id=roadmap.pk,
            milestone=milestone,
            started_at=started,
            ended_at=started + timedelta(minutes=minutes),
            minutes=minutes,
            note=note,
            by_hand=True,
        )
        Roadmap.objects.filter(pk=roadmap.pk).mark_changed()
    return session


def session_edit(
    *, session: StudySession, day: date, minutes: int, note: str, time_zone: str
) -> StudySession:
    """Correct a stopped session: its day (a timed one keeps its clock time), its minutes and
    note. A corrected session is no longer flagged as capped. Raises ValueError for a
    session whose timer is still running."""
    with transaction.atomic(), SiteVersion.objects.counted_once(progress=True):
        current = StudySession.objects.select_for_update().get(pk=session.pk)
        if current.is_running:
            raise ValueError("The timer is still running: stop it before correcting it.")
        tz = ZoneInfo(time_zone)
        if current.by_hand:
            started = noon_on(day, time_zone)
        else:
            clock = current.started_at.astimezone(tz).time()
            started = datetime.combine(day, clock, tzinfo=tz)
        current.started_at = started
        current.ended_at = started + timedelta(minutes=minutes)
        current.minutes = minutes
        current.note = note
        current.capped = False
        current.save(update_fields=["started_at", "ended_at", "minutes", "note", "capped"])
        Roadmap.objects.filter(pk=current.roadmap_id).mark_changed()
    return current


def session_delete(*, session: StudySession) -> None:
    with transaction.atomic(), SiteVersion.objects.counted_once(progress=True):
        StudySession.objects.filter(pk=session.pk).delete()
        Roadmap.objects.filter(pk=session.roadmap_id).mark_changed()


def roadmap_create(*, owner, **fields) -> Roadmap:
    """Start an empty roadmap of `owner`'s: no stages yet, no curriculum behind it."""
    with transaction.atomic(), SiteVersion.objects.counted_once():
        roadmap = Roadmap.objects.create(owner=owner, **fields)
        Roadmap.objects.filter(pk=roadmap.pk).mark_changed()
    return roadmap


# What a fork copies of each row: the plan, and nothing the learner did with it. A field
# added to these models is copied only once it is named here (tests/roadmap/test_fork.py
# fails until each new field is either here or known to be the learner's own).
FORK_FIELDS = {
    # Items the learner added are the copy's learner's too: a curriculum update keeps them.
    Stage: ("key", "title", "summary", "position", "added_by_learner"),
    Topic: ("key", "slug", "title", "summary", "position", "added_by_learner"),
    Resource: ("type", "title", "url", "position"),
    Milestone: (
        "key",
        "slug",
        "title",
        "description",
        "kind",
        "estimated_hours",
        "optional",
        "proof",
        "position",
        "target_metric",
        "target_value",
        "target_direction",
        "target_tolerance",
        "added_by_learner",
    ),
}


def fork_name(*, original: Roadmap, owner) -> tuple[str, str]:
    """The title and a free address a copy of `original` is offered by default."""
    title = f"{original.title[:190]} (my copy)"
    return title, Roadmap.objects.free_slug(f"{owner.get_username()}-{original.slug}")


def _structure(model, row: dict) -> dict:
    return {name: row[name] for name in FORK_FIELDS[model]}


def roadmap_fork(
    *,
    original: Roadmap,
    owner,
    title: str | None = None,
    slug: str | None = None,
    **fields,
) -> Roadmap:
    """A new roadmap of `owner`'s with the structure of `original`, in a fixed number of queries.

    Its stages, topics (with their prerequisites and resources) and milestones (with their
    targets), the learner's own additions as much as the curriculum's, all not started.
    Nothing of what the original's learner did is copied: no status, dates, evidence, notes,
    results, events, study time or posts. The curriculum it follows is kept, so a later
    version of the curriculum can update the copy. `fields` are the copy's other settings
    (visibility, time zone, dates).
    """
    if not (title and slug):
        default_title, default_slug = fork_name(original=original, owner=owner)
        title, slug = title or default_title, slug or default_slug
    with transaction.atomic(), SiteVersion.objects.counted_once():
        # An address a deleted roadmap of theirs left is theirs again: no longer kept.
        RoadmapAddress.objects.filter(slug=slug).left_to(owner).delete()
        stages = original.stages.order_by("position", "pk").values("pk", *FORK_FIELDS[Stage])
        topics = original.topics.order_by("position", "pk").values(
            "pk", "stage_id", *FORK_FIELDS[Topic]
        )
        needs = Topic.prerequisites.through.objects.filter(
            from_topic__roadmap=original
        ).values_list("from_topic_id", "to_topic_id")
        resources = (
            Resource.objects.filter(topic__roadmap=original)
            .order_by("position", "pk")
            .values("topic_id", *FORK_FIELDS[Resource])
        )
        milestones = original.milestones.order_by("position", "pk").values(
            "topic_id", *FORK_FIELDS[Milestone]
        )

        roadmap = Roadmap.objects.create(
            owner=owner,
            title=title,
            slug=slug,
            summary=original.summary,
            curriculum_key=original.curriculum_key,
            curriculum_version=original.curriculum_version,
            forked_from=original,
            forked_from_address=original.get_absolute_url(),
            **fields,
        )
        stage_of = {row["pk"]: Stage(roadmap=roadmap, **_structure(Stage, row)) for row in stages}
        Stage.objects.bulk_create(stage_of.values())
        topic_of = {
            row["pk"]: Topic(
                roadmap=roadmap, stage=stage_of[row["stage_id"]], **_structure(Topic, row)
            )
            for row in topics
        }
        Topic.objects.bulk_create(topic_of.values())
        Topic.prerequisites.through.objects.bulk_create(
            Topic.prerequisites.through(from_topic=topic_of[topic], to_topic=topic_of[need])
            for topic, need in needs
        )
        Resource.objects.bulk_create(
            Resource(topic=topic_of[row["topic_id"]], **_structure(Resource, row))
            for row in resources
        )
        Milestone.objects.bulk_create(
            Milestone(
                roadmap=roadmap, topic=topic_of[row["topic_id"]], **_structure(Milestone, row)
            )
            for row in milestones
        )
        Roadmap.objects.filter(pk=roadmap.pk).mark_changed()
    return roadmap


# --- Shaping the plan: stages, topics and milestones added, edited, moved, removed ------------
# Each edit is one transaction that records a PlanChange and marks the roadmap changed.

PlanItem = Stage | Topic | Milestone


class EditRefused(ValueError):
    """An edit that cannot be made as asked; its message says why, and nothing changed."""


def what_of(item: PlanItem) -> str:
    return PlanChange.What(type(item).__name__.lower()).value


def parent_of(item: PlanItem) -> Stage | Topic | None:
    """The stage a topic is in, the topic a milestone is in; a stage has none."""
    if isinstance(item, Milestone):
        return item.topic
    if isinstance(item, Topic):
        return item.stage
    return None


def siblings_of(item: PlanItem, parent: Stage | Topic | None = None):
    """The rows ordered beside `item` in `parent` (its own by default), itself included."""
    if isinstance(item, Stage):
        rows = Stage.objects.filter(roadmap_id=item.roadmap_id)
    elif isinstance(item, Topic):
        rows = Topic.objects.filter(stage=parent or item.stage_id)
    else:
        rows = Milestone.objects.filter(topic=parent or item.topic_id)
    return rows.order_by("position", "pk")


def _record(item: PlanItem, kind: str, at: datetime, **fields) -> PlanChange:
    change = PlanChange.objects.create(
        roadmap_id=item.roadmap_id,
        at=at,
        kind=kind,
        what=what_of(item),
        key=item.key,
        title=item.title,
        **fields,
    )
    Roadmap.objects.filter(pk=item.roadmap_id).mark_changed()
    return change


def _learner_key(model: type[Model], roadmap_id: int, title: str) -> str:
    """A key for an item the learner adds: "my-" and its title, so that no curriculum's key
    (which an update matches items by) is ever the same."""
    base = "my-" + (slugify(title)[:50].strip("-") or model.__name__.lower())
    taken = set(
        model.objects.filter(roadmap_id=roadmap_id, key__startswith=base).values_list(
            "key", flat=True
        )
    )
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def _at_end(rows) -> int:
    last = rows.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


def stage_add(*, roadmap: Roadmap, title: str, summary: str = "", at=None) -> Stage:
    """A stage of the learner's own, after the last."""
    with transaction.atomic(), SiteVersion.objects.counted_once():
        stage = Stage.objects.create(
            roadmap=roadmap,
            key=_learner_key(Stage, roadmap.pk, title),
            title=title,
            summary=summary,
            position=_at_end(roadmap.stages.all()),
            added_by_learner=True,
        )
        _record(stage, PlanChange.Kind.ADDED, at or timezone.now())
    return stage


def topic_add(*, stage: Stage, title: str, summary: str = "", at=None) -> Topic:
    """A topic of the learner's own, last in `stage`."""
    with transaction.atomic(), SiteVersion.objects.counted_once():
        topic = Topic.objects.create(
            roadmap_id=stage.roadmap_id,
            stage=stage,
            key=_learner_key(Topic, stage.roadmap_id, title),
            slug=Topic.objects.filter(roadmap_id=stage.roadmap_id).free_slug(title),
            title=title,
            summary=summary,
            position=_at_end(stage.topics.all()),
            added_by_learner=True,
        )
        _record(topic, PlanChange.Kind.ADDED, at or timezone.now(), detail=f"in “{stage.title}”")
    return topic


def milestone_add(
    *,
    topic: Topic,
    title: str,
    kind: str = Milestone.Kind.LEARN,
    estimated_hours: Decimal = Decimal(0),
    optional: bool = False,
    description: str = "",
    at=None,
) -> Milestone:
    """A milestone of the learner's own, last in `topic`, not started."""
    with transaction.atomic(), SiteVersion.objects.counted_once():
        milestone = Milestone.objects.create(
            roadmap_id=topic.roadmap_id,
            topic=topic,
            key=_learner_key(Milestone, topic.roadmap_id, title),
            slug=Milestone.objects.filter(roadmap_id=topic.roadmap_id).free_slug(title),
            title=title,
            kind=kind,
            estimated_hours=estimated_hours,
            optional=optional,
            description=description,
            position=_at_end(topic.milestones.all()),
            added_by_learner=True,
        )
        _record(
            milestone,
            PlanChange.Kind.ADDED,
            at or timezone.now(),
            detail=f"in “{topic.title}”, {_hours(estimated_hours)} h",
        )
    return milestone


def _hours(value) -> str:
    return f"{Decimal(value).normalize():f}"


def _record_title(item: PlanItem, old_title: str, at: datetime) -> None:
    if item.title != old_title:
        _record(item, PlanChange.Kind.RENAMED, at, before=old_title, after=item.title)


def _move_under(item: PlanItem, parent: Stage | Topic, at: datetime) -> None:
    """Put `item` last in another stage or topic, and record the move."""
    old = parent_of(item)
    item.position = _at_end(siblings_of(item, parent))
    if isinstance(item, Topic):
        item.stage = parent
    else:
        item.topic = parent
    item.save(update_fields=["position", "stage" if isinstance(item, Topic) else "topic"])
    _record(item, PlanChange.Kind.MOVED, at, detail=f"from “{old.title}” to “{parent.title}”")


def stage_edit(*, stage: Stage, title: str, summary: str, at=None) -> Stage:
    at = at or timezone.now()
    with transaction.atomic(), SiteVersion.objects.counted_once():
        old_title, old_summary = stage.title, stage.summary
        stage.title, stage.summary = title, summary
        stage.save(update_fields=["title", "summary"])
        _record_title(stage, old_title, at)
        if summary != old_summary:
            _record(stage, PlanChange.Kind.EDITED, at, detail="summary")
    return stage


def prerequisite_cycle(topic: Topic, prerequisites) -> list[Topic]:
    """The topics, `topic` first and last, of a cycle that `topic` needing `prerequisites`
    would close (A needs B, which needs A); empty where it would close none."""
    topics = {t.pk: t for t in Topic.objects.filter(roadmap_id=topic.roadmap_id)}
    needs: dict[int, list[int]] = {}
    for from_id, to_id in (
        Topic.prerequisites.through.objects.filter(from_topic__roadmap_id=topic.roadmap_id)
        .order_by("pk")
        .values_list("from_topic_id", "to_topic_id")
    ):
        needs.setdefault(from_id, []).append(to_id)
    needs[topic.pk] = [p.pk for p in prerequisites]
    # Depth first from the topic along what each topic needs; the path is kept in a list, so
    # a long chain cannot exhaust Python's stack.
    path, pending, seen = [topic.pk], [iter(needs[topic.pk])], {topic.pk}
    while pending:
        nxt = next(pending[-1], None)
        if nxt is None:
            pending.pop()
            path.pop()
        elif nxt == topic.pk:
            return [topics[pk] for pk in [*path, nxt]]
        elif nxt not in seen:
            seen.add(nxt)
            path.append(nxt)
            pending.append(iter(needs.get(nxt, [])))
    return []


def topic_edit(
    *,
    topic: Topic,
    title: str,
    summary: str,
    stage: Stage,
    prerequisites: list[Topic],
    resources: list[tuple[str, str, str]],
    at=None,
) -> Topic:
    """Change a topic; `resources` (type, title, address) replace the ones it has.

    Raises EditRefused, naming the cycle, where a prerequisite would close one.
    """
    at = at or timezone.now()
    with transaction.atomic(), SiteVersion.objects.counted_once():
        cycle = prerequisite_cycle(topic, prerequisites)
        if cycle:
            raise EditRefused(
                "That would make a cycle of prerequisites: "
                + " needs ".join(f"“{t.title}”" for t in cycle)
                + ". Take one of them out."
            )
        old_title, old_summary = topic.title, topic.summary
        old_needs = set(topic.prerequisites.values_list("pk", flat=True))
        old_resources = list(
            topic.resources.order_by("position", "pk").values_list("type", "title", "url")
        )
        topic.title, topic.summary = title, summary
        topic.save(update_fields=["title", "summary"])
        _record_title(topic, old_title, at)
        if stage.pk != topic.stage_id:
            _move_under(topic, stage, at)
        edited = []
        if summary != old_summary:
            edited.append("summary")
        if {p.pk for p in prerequisites} != old_needs:
            topic.prerequisites.set(prerequisites)
            edited.append(PlanChange.PREREQUISITES)
        if [tuple(r) for r in resources] != old_resources:
            topic.resources.all().delete()
            Resource.objects.bulk_create(
                Resource(topic=topic, type=type_, title=r_title, url=url, position=i)
                for i, (type_, r_title, url) in enumerate(resources)
            )
            edited.append("resources")
        if edited:
            _record(topic, PlanChange.Kind.EDITED, at, detail=", ".join(edited))
    return topic


def milestone_edit(
    *,
    milestone: Milestone,
    title: str,
    description: str,
    kind: str,
    estimated_hours: Decimal,
    optional: bool,
    topic: Topic,
    at=None,
) -> Milestone:
    """Change a milestone's plan (never its progress): each kind of change is recorded."""
    at = at or timezone.now()
    with transaction.atomic(), SiteVersion.objects.counted_once():
        old = Milestone.objects.get(pk=milestone.pk)
        milestone.title, milestone.description, milestone.kind = title, description, kind
        milestone.estimated_hours, milestone.optional = estimated_hours, optional
        milestone.save(
            update_fields=["title", "description", "kind", "estimated_hours", "optional"]
        )
        _record_title(milestone, old.title, at)
        if topic.pk != old.topic_id:
            milestone.topic = old.topic
            _move_under(milestone, topic, at)
        if Decimal(estimated_hours) != old.estimated_hours:
            _record(
                milestone,
                PlanChange.Kind.REESTIMATED,
                at,
                before=_hours(old.estimated_hours),
                after=_hours(estimated_hours),
            )
        edited = []
        if kind != old.kind:
            edited.append(f"kind {old.get_kind_display()} → {milestone.get_kind_display()}")
        if optional != old.optional:
            edited.append("now optional" if optional else "now required")
        if description != old.description:
            edited.append("description")
        if edited:
            _record(milestone, PlanChange.Kind.EDITED, at, detail=", ".join(edited))
    return milestone


def _place(n: int) -> str:
    return f"place {n + 1}"


def item_move(
    *,
    item: PlanItem,
    direction: str = "",
    position: int | None = None,
    parent: Stage | Topic | None = None,
    at=None,
) -> PlanChange:
    """Move `item` one place up or down, or to `position` (counted from 0) in `parent` (its
    own by default), and return the change recorded, whose detail says where it went.
    Raises EditRefused where that is where it is already, or out of reach."""
    at = at or timezone.now()
    with transaction.atomic(), SiteVersion.objects.counted_once():
        old_parent = parent_of(item)
        parent = parent or old_parent
        rows = list(siblings_of(item, parent).select_for_update())
        same_parent = parent is None or parent.pk == old_parent.pk
        old_index = next((i for i, row in enumerate(rows) if row.pk == item.pk), None)
        others = [row for row in rows if row.pk != item.pk]
        if direction in ("up", "down"):
            if not same_parent:
                raise EditRefused("Move up or down within its own stage or topic.")
            index = old_index + (-1 if direction == "up" else 1)
            if not 0 <= index <= len(others):
                where = "first" if direction == "up" else "last"
                raise EditRefused(f"“{item.title}” is {where} already: nothing to move.")
        elif position is not None:
            if not 0 <= position <= len(others):
                raise EditRefused(
                    f"There is no {_place(position)} to move “{item.title}” to: "
                    f"choose from 1 to {len(others) + 1}."
                )
            index = position
        else:
            raise EditRefused("Say where to move it: up, down, or a place.")
        if same_parent and index == old_index:
            raise EditRefused(f"“{item.title}” is at {_place(index)} already: nothing moved.")
        if not same_parent:
            if isinstance(item, Topic):
                item.stage = parent
            else:
                item.topic = parent
            item.save(update_fields=["stage" if isinstance(item, Topic) else "topic"])
        others.insert(index, item)
        for n, row in enumerate(others):
            row.position = n
        type(item).objects.bulk_update(others, ["position"])
        where = f"to {_place(index)} of {len(others)}"
        if parent is not None:
            where += f" in “{parent.title}”"
        if not same_parent:
            where = f"from “{old_parent.title}” " + where
        return _record(item, PlanChange.Kind.MOVED, at, detail=where)


class _ExactEncoder(DjangoJSONEncoder):
    """Times with their microseconds, which DjangoJSONEncoder rounds to milliseconds: the
    event log comes back to the microsecond, and stays in the same order."""

    def default(self, o):
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


def _serialised(objects: list[Model]) -> list[dict]:
    """Rows as Django's serialiser writes them, without many-to-many fields: the rows of
    their join tables are among `objects` themselves, so both ends of each tie come back."""
    rows = serializers.serialize("python", objects)
    for row, obj in zip(rows, objects, strict=True):
        for m2m in obj._meta.many_to_many:
            row["fields"].pop(m2m.name, None)
    return rows


# What the summary of a removal names, by each model's label: singular and plural.
_COUNTED = [
    ("roadmap.topic", "topic", "topics"),
    ("roadmap.milestone", "milestone", "milestones"),
    ("roadmap.progressevent", "status change", "status changes"),
    ("roadmap.studysession", "study session", "study sessions"),
    ("roadmap.result", "result", "results"),
    ("roadmap.evidence", "evidence link", "evidence links"),
    (Milestone.posts.through._meta.label_lower, "tie to a post", "ties to posts"),
    (Topic.posts.through._meta.label_lower, "tie to a post", "ties to posts"),
]


def _removal_summary(counts: Counter) -> str:
    named: dict[tuple[str, str], int] = {}
    for label, one, many in _COUNTED:
        named[(one, many)] = named.get((one, many), 0) + counts[label]
    return ", ".join(f"{n} {one if n == 1 else many}" for (one, many), n in named.items() if n)


def _collected(item: PlanItem, using: str) -> list[Model]:
    """Every row that removing `item` deletes with it, parents before children."""
    collector = Collector(using=using)
    collector.collect([item])
    collector.sort()
    # The collector orders rows for deleting, children first; restoring goes the other way.
    groups = list(collector.data.items())[::-1]
    objects = [obj for _model, instances in groups for obj in sorted(instances, key=lambda o: o.pk)]
    for queryset in collector.fast_deletes:
        objects += list(queryset)
    return objects


# Rows that are the plan itself; anything else removed with an item is the learner's.
_PLAN_ROWS = {"roadmap.stage", "roadmap.topic", "roadmap.milestone", "roadmap.resource"}


def removal_preview(*, item: PlanItem) -> str:
    """What of the learner's removing `item` would take with it ("2 milestones marked done,
    3 status changes"), or "" where it holds nothing of theirs and needs no asking."""
    objects = _collected(item, router.db_for_write(type(item)))
    started = [
        obj
        for obj in objects
        if isinstance(obj, Milestone)
        and (obj.status != Status.NOT_STARTED or obj.evidence_url or obj.private_note)
    ]
    counts = Counter(
        obj._meta.label_lower
        for obj in objects
        if obj._meta.label_lower not in _PLAN_ROWS
        and obj._meta.label_lower != Topic.prerequisites.through._meta.label_lower
    )
    summary = _removal_summary(counts)
    if started:
        noun = "milestone" if len(started) == 1 else "milestones"
        mine = f"{len(started)} {noun} with a status, evidence or a note"
        summary = f"{mine}, {summary}" if summary else mine
    return summary


def item_remove(*, item: PlanItem, at=None) -> RemovedItem:
    """Remove a stage, topic or milestone with everything on it, kept as a RemovedItem that
    removal_undo brings back exactly: statuses, history, time, results, ties to posts."""
    at = at or timezone.now()
    using = router.db_for_write(type(item))
    with transaction.atomic(using=using), SiteVersion.objects.counted_once():
        parent = parent_of(item)
        objects = _collected(item, using)
        counts = Counter(obj._meta.label_lower for obj in objects)
        removed = RemovedItem.objects.create(
            roadmap_id=item.roadmap_id,
            what=what_of(item),
            key=item.key,
            title=item.title,
            parent_key=parent.key if parent else "",
            position=item.position,
            summary=_removal_summary(counts),
            rows=json.dumps(_serialised(objects), cls=_ExactEncoder),
            removed_at=at,
        )
        type(item).objects.filter(pk=item.pk).delete()
        _record(item, PlanChange.Kind.REMOVED, at, detail=removed.summary)
    return removed


def _missing_references(objects: list[Model]) -> set[tuple[type[Model], int]]:
    """The rows that `objects` point to and that neither they nor the database hold."""
    restored = {(type(obj), obj.pk) for obj in objects}
    wanted: dict[type[Model], set[int]] = {}
    for obj in objects:
        for field in obj._meta.concrete_fields:
            target = getattr(obj, field.attname) if field.is_relation else None
            model = field.related_model if field.is_relation else None
            if target is not None and (model, target) not in restored:
                wanted.setdefault(model, set()).add(target)
    missing = set()
    for model, pks in wanted.items():
        found = set(model._base_manager.filter(pk__in=pks).values_list("pk", flat=True))
        missing |= {(model, pk) for pk in pks - found}
    return missing


def removal_undo(*, removed: RemovedItem, at=None) -> PlanItem:
    """Bring back a removed stage, topic or milestone, and all that went with it, in its place.

    Ties to posts deleted since, and prerequisites on topics removed since, stay gone.
    Raises EditRefused after the undo window, where its stage or topic is gone too, or
    where an item added since took its address.
    """
    at = at or timezone.now()
    with transaction.atomic(), SiteVersion.objects.counted_once():
        removed = RemovedItem.objects.select_for_update().filter(pk=removed.pk).first()
        if removed is None:
            raise EditRefused("That removal was undone already.")
        if not removed.can_undo(at):
            raise EditRefused(
                f"“{removed.title}” was removed too long ago to bring back from here."
            )
        objects = [
            row.object for row in serializers.deserialize("python", json.loads(removed.rows))
        ]
        missing = _missing_references(objects)
        lost_ties = {
            id(obj)
            for obj in objects
            if obj._meta.auto_created
            and any(
                (field.related_model, getattr(obj, field.attname)) in missing
                for field in obj._meta.concrete_fields
                if field.is_relation
            )
        }
        objects = [obj for obj in objects if id(obj) not in lost_ties]
        if _missing_references(objects):
            parent = "stage" if removed.what == PlanChange.What.TOPIC else "topic"
            raise EditRefused(
                f"The {parent} that “{removed.title}” was in is gone too: bring it back first."
            )
        root = objects[0]
        siblings_of(root).filter(position__gte=removed.position).update(position=F("position") + 1)
        try:
            with transaction.atomic():
                for obj in objects:
                    obj.save_base(raw=True)
        except IntegrityError as exc:
            raise EditRefused(
                f"Something added since has the key or address of “{removed.title}”: "
                "rename or remove it, then undo again."
            ) from exc
        removed.delete()
        _record(root, PlanChange.Kind.RESTORED, at)
    return root
