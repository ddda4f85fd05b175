import threading
import time as pytime
from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import NamedTuple
from zoneinfo import ZoneInfo, available_timezones

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.db.models import Count, Q
from django.db.models.functions import Cast, Greatest
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify

from config.links import address

from . import kept, rules
from .rules import Status
from .stats import History, MilestoneRow, Quarter, SessionRow, quarter_review
from .targets import Direction, Target, Verdict, number, verdict


def _progress_counts(prefix: str) -> dict:
    """Count() expressions for the milestones reached through `prefix` ("" from milestones)."""

    def count(**conditions):
        return Count(
            f"{prefix}pk",
            filter=Q(**{f"{prefix}{field}": value for field, value in conditions.items()}),
        )

    return {
        "n_required": count(optional=False),
        "n_done": count(optional=False, status=Status.DONE),
        "n_in_progress": count(optional=False, status=Status.IN_PROGRESS),
        "n_skipped": count(optional=False, status=Status.SKIPPED),
        "n_optional": count(optional=True),
        "n_optional_done": count(optional=True, status=Status.DONE),
    }


@dataclass(frozen=True)
class Progress:
    """Where a set of milestones stands. Optional milestones are counted apart."""

    required: int = 0
    done: int = 0
    in_progress: int = 0
    skipped: int = 0
    optional: int = 0
    optional_done: int = 0

    @classmethod
    def of(cls, row) -> "Progress":
        get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
        return cls(
            required=get("n_required") or 0,
            done=get("n_done") or 0,
            in_progress=get("n_in_progress") or 0,
            skipped=get("n_skipped") or 0,
            optional=get("n_optional") or 0,
            optional_done=get("n_optional_done") or 0,
        )

    @classmethod
    def of_rows(cls, rows: Iterable) -> "Progress":
        """The counts with_progress() makes in SQL, made from milestone rows (an `optional`
        and a `status` each) already read."""
        counts = Counter((row.optional, row.status) for row in rows)
        return cls.of_counts((optional, status, n) for (optional, status), n in counts.items())

    @classmethod
    def of_counts(cls, counts: Iterable[tuple[bool, str, int]]) -> "Progress":
        """From how many milestones there are of each kind: (optional, status, how many)."""
        required = done = in_progress = skipped = optional = optional_done = 0
        for is_optional, status, n in counts:
            if is_optional:
                optional += n
                optional_done += n if status == rules.DONE else 0
            else:
                required += n
                if status == rules.DONE:
                    done += n
                elif status == rules.IN_PROGRESS:
                    in_progress += n
                elif status == rules.SKIPPED:
                    skipped += n
        return cls(required, done, in_progress, skipped, optional, optional_done)

    def __add__(self, other: "Progress") -> "Progress":
        return Progress(
            required=self.required + other.required,
            done=self.done + other.done,
            in_progress=self.in_progress + other.in_progress,
            skipped=self.skipped + other.skipped,
            optional=self.optional + other.optional,
            optional_done=self.optional_done + other.optional_done,
        )

    @property
    def not_started(self) -> int:
        return self.required - self.done - self.in_progress - self.skipped

    @property
    def counted(self) -> int:
        """How many milestones percent complete is taken over (see is_counted)."""
        return self.required - self.skipped

    @property
    def percent(self) -> int:
        if self.counted <= 0:
            return 0
        return round(100 * self.done / self.counted)


def unique_slug(base: str, taken: set[str]) -> str:
    """`base`, or base-2, base-3... whichever is not in `taken`; it is added to `taken`."""
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


class SlugQuerySet(models.QuerySet):
    """Rows addressed by a slug that no other row of the same kind has."""

    # The model ("app_label.Model") keeping the addresses rows of this kind had before, which
    # no row may take again; None where an address is free again once no row has it.
    former_addresses: str | None = None

    def free_slug(self, text: str, *, max_length: int = 80, avoid: Iterable[str] = ()) -> str:
        """`text` made into a slug that no row here has, none had before (former_addresses),
        and none in `avoid` (addresses about to be taken by rows not written yet):
        text, text-2, text-3..."""
        base = slugify(text)[: max_length - 4].strip("-") or "untitled"
        taken = set(self.filter(slug__startswith=base).values_list("slug", flat=True))
        if self.former_addresses:
            former = apps.get_model(self.former_addresses)._default_manager.using(self.db)
            taken |= set(former.filter(slug__startswith=base).values_list("slug", flat=True))
        return unique_slug(base, taken | set(avoid))


class ProgressQuerySet(SlugQuerySet):
    """Rows that own milestones: a roadmap, a stage, a topic."""

    # How a row of this model reaches its milestones.
    milestones_path = "milestones__"

    def with_progress(self):
        """Each row with its milestone counts, read through its `progress` property."""
        return self.annotate(**_progress_counts(self.milestones_path))

    def counted(self) -> list:
        """The rows, each with its progress, counted in one more query: grouped counts
        rather than with_progress()'s filtered counts across a join, a third of the time on
        SQLite for a page that lists a few roadmaps of hundreds of milestones."""
        rows = list(self)
        lookup = self.model.milestone_lookup
        milestones = Milestone.objects.filter(**{f"{lookup}__in": [row.pk for row in rows]})
        kinds: dict[int, list] = {}
        for pk, *kind in _status_counts(milestones, lookup):
            kinds.setdefault(pk, []).append(kind)
        for row in rows:
            row.progress = Progress.of_counts(kinds.get(row.pk, ()))
        return rows


class HasProgress:
    """The `progress` of a roadmap, stage or topic: from with_progress(), from its roadmap's
    counts (Roadmap.give_progress), or one query."""

    # How a milestone reaches a row of this model.
    milestone_lookup: str

    @cached_property
    def progress(self) -> "Progress":
        if hasattr(self, "n_required"):
            return Progress.of(self)
        milestones = Milestone.objects.filter(**{self.milestone_lookup: self.pk})
        return Progress.of_counts(_status_counts(milestones))


def _status_counts(milestones, *by: str) -> list[tuple]:
    """How many of `milestones` there are of each kind: (*by, optional, status, how many)
    rows, in one query.

    Grouped rows rather than with_progress()'s six filtered counts: the same numbers, for a
    third of the time the ORM takes to build that query."""
    return list(
        milestones.order_by().values_list(*by, "optional", "status").annotate(n=Count("pk"))
    )


class Tally:
    """A roadmap's milestones counted by kind, for each stage, each topic and in all; a
    stage's or a topic's Progress made when first asked for (a page shows a few of them)."""

    def __init__(self, counts: Iterable[tuple]):
        """`counts`: _status_counts by stage and topic."""
        self._kinds: dict[tuple[str, int], list] = {}
        total = []
        for stage_id, topic_id, *kind in counts:
            self._kinds.setdefault(("stage", stage_id), []).append(kind)
            self._kinds.setdefault(("topic", topic_id), []).append(kind)
            total.append(kind)
        self.total = Progress.of_counts(total)
        self._made: dict[tuple[str, int], Progress] = {}

    def of(self, part) -> Progress:
        """The progress of `part`, a stage or a topic of the roadmap."""
        key = ("stage" if isinstance(part, Stage) else "topic", part.pk)
        if key not in self._made:
            self._made[key] = Progress.of_counts(self._kinds.get(key, ()))
        return self._made[key]


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(
            f"“{value}” is not a time zone. Use a name such as Europe/London or America/New_York."
        )


class RoadmapQuerySet(ProgressQuerySet):
    # A renamed or deleted roadmap's address stays out of use.
    former_addresses = "roadmap.RoadmapAddress"

    def listed(self):
        """Roadmaps anyone may find in lists, feeds and the sitemap."""
        return self.filter(visibility=Roadmap.Visibility.PUBLIC)

    def visible_to(self, user):
        """Roadmaps a user may open by address: public and unlisted ones, and their own."""
        visible = Q(visibility__in=[Roadmap.Visibility.PUBLIC, Roadmap.Visibility.UNLISTED])
        if user.is_authenticated:
            visible |= Q(owner=user)
        return self.filter(visible)

    def progress_of(self, slug: str) -> str:
        """What a page of the roadmap at `slug` shows of progress, as text for the page cache
        (config/progress.py): the moment it last changed, which every status change and
        study session of it moves (mark_changed); "" where there is no such roadmap.

        In SQL, as SiteVersion's: asked before every page of a roadmap is rendered afresh
        for visitors, and the ORM took longer to build the query than to run it. The time
        is the database's own text of it (SQLite's) or its value: the same for one time."""
        connection = connections[self.db]
        quote = connection.ops.quote_name
        meta = self.model._meta
        changed, slug_column = (quote(meta.get_field(f).column) for f in ("updated_at", "slug"))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {changed} FROM {quote(meta.db_table)} WHERE {slug_column} = %s",  # noqa: S608 (its own table)
                [slug],
            )
            row = cursor.fetchone()
        return str(row[0]) if row and row[0] else ""

    def mark_changed(self) -> int:
        """Record that these roadmaps changed: ETags and feeds key on updated_at, and the
        site's version counts it, so no cached page shows them as they were."""
        SiteVersion.objects.db_manager(self.db).bump()
        return self.update(updated_at=timezone.now())


class Roadmap(HasProgress, models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        UNLISTED = "unlisted", "Unlisted: anyone with the link"
        PRIVATE = "private", "Private: only me"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roadmaps"
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.TextField(blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    started_on = models.DateField(default=timezone.localdate)
    target_date = models.DateField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    curriculum_key = models.CharField(max_length=60, blank=True)
    curriculum_version = models.PositiveIntegerField(null=True, blank=True)
    # The public roadmap this one was copied from, and its address then: the copy still says
    # where it came from after the original is renamed or deleted.
    forked_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="forks",
    )
    forked_from_address = models.CharField(max_length=200, blank=True, editable=False)
    # Signs the push webhook's deliveries (HMAC-SHA256 needs the secret itself, so it is
    # kept as it is); shown to the owner once, when made. Empty: the webhook is off.
    webhook_secret = models.CharField(max_length=64, blank=True, editable=False)
    show_hours = models.BooleanField(
        "show hours spent to visitors",
        default=False,
        help_text="Hours you log are private unless this is on.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Moves on every change to the roadmap or its progress: caches and ETags key on it.
    updated_at = models.DateTimeField(auto_now=True)

    objects = RoadmapQuerySet.as_manager()
    milestone_lookup = "roadmap"

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility__in=["public", "unlisted", "private"]),
                name="roadmap_visibility_valid",
            ),
            models.CheckConstraint(
                condition=Q(target_date__isnull=True) | Q(target_date__gte=models.F("started_on")),
                name="roadmap_target_after_start",
                violation_error_message="The target date must not be before the start date.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return address("roadmap:detail", self.slug)

    def move_to(self, slug: str) -> None:
        """Take a new address; the old one is kept so that links to it redirect here."""
        if slug == self.slug:
            return
        with transaction.atomic():
            RoadmapAddress.objects.filter(roadmap=self, slug=slug).delete()
            # A deleted roadmap of theirs may have left the address this one holds (taken
            # back): the record becomes this roadmap's.
            RoadmapAddress.objects.update_or_create(
                slug=self.slug, defaults={"roadmap": self, "owner_id": self.owner_id}
            )
            self.slug = slug
            self.save(update_fields=["slug", "updated_at"])

    @cached_property
    def tally(self) -> Tally:
        """Its milestones counted by topic and stage in one query, as they stood when first
        asked: every progress summary a page of the roadmap shows."""
        tally = Tally(self._counts_by_topic())
        self.progress = tally.total
        return tally

    def _counts_by_topic(self) -> list[tuple]:
        """_status_counts by stage and topic, in SQL: read on every page of the roadmap after
        each status change, and the ORM took longer to build the query than to run it."""
        connection = connections[self._state.db or "default"]

        def column(model, name: str) -> str:
            return connection.ops.quote_name(model._meta.get_field(name).column)

        def table(model) -> str:
            return connection.ops.quote_name(model._meta.db_table)

        sql = (
            f"SELECT t.{column(Topic, 'stage')}, m.{column(Milestone, 'topic')}, "  # noqa: S608 (our own tables and columns)
            f"m.{column(Milestone, 'optional')}, m.{column(Milestone, 'status')}, COUNT(*) "
            f"FROM {table(Milestone)} m JOIN {table(Topic)} t "
            f"ON t.{column(Topic, 'id')} = m.{column(Milestone, 'topic')} "
            f"WHERE m.{column(Milestone, 'roadmap')} = %s GROUP BY 1, 2, 3, 4"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.pk])
            return cursor.fetchall()

    def give_progress(self, *parts) -> None:
        """Give each of `parts` (stages and topics of this roadmap) its progress, and the
        roadmap its own, from the one query of its tally."""
        for part in parts:
            part.progress = self.tally.of(part)

    def stages_with_progress(self) -> list:
        """The stages with their progress, and the roadmap its own, in two queries."""
        stages = list(self.stages.all())
        self.give_progress(*stages)
        return stages

    def stages_counted(self, history) -> list:
        """The stages with their progress, as stages_with_progress() gives them, counted from
        the rows `history` (a stats.History of this roadmap) holds rather than again in SQL."""
        rows_of: dict[int, list] = {}
        for row in history.rows.values():
            rows_of.setdefault(history.stage_id_of_topic[row.topic_id], []).append(row)
        stages = list(self.stages.all())
        for stage in stages:
            stage.progress = Progress.of_rows(rows_of.get(stage.pk, ()))
        self.progress = sum((stage.progress for stage in stages), Progress())
        return stages

    def history(self, *, posts_digest: tuple | None = None):
        """Everything this roadmap's numbers are computed from (a stats.History), in 5 queries
        (4 given `posts_digest`, kept.posts_digest() just read)."""
        fields = ("pk", "topic_id", "status", "optional", "estimated_hours", "started_at")
        fields += ("title", "slug", "completed_at", "kind")
        milestones = _timed_rows(
            self.milestones.in_roadmap_order(), fields, times=(5, 8), make=MilestoneRow
        )
        stage_of_topic: dict[int, str] = {}
        stage_id_of_topic: dict[int, int] = {}
        prerequisites: dict[int, set[int]] = {}
        # A row per topic and prerequisite (None for a topic without): the maps in one query.
        for topic_id, stage_id, stage_title, prerequisite_id in self.topics.order_by().values_list(
            "pk", "stage_id", "stage__title", "prerequisites"
        ):
            stage_of_topic[topic_id] = stage_title
            stage_id_of_topic[topic_id] = stage_id
            if prerequisite_id is not None:
                prerequisites.setdefault(topic_id, set()).add(prerequisite_id)
        return History(
            rows={row.id: row for row in milestones},
            events=kept.events_of(self, partial(_read_rows, times=(3,))),
            posts=kept.posts_of(self, partial(_read_rows, times=(0,)), posts_digest),
            prerequisites=prerequisites,
            stage_of_topic=stage_of_topic,
            stage_id_of_topic=stage_id_of_topic,
            post_kinds=dict(self.posts.model.Kind.choices),
            sessions=[
                SessionRow(milestone_id, started_at, minutes, ended_at is None)
                for milestone_id, started_at, minutes, ended_at in self.study_sessions.order_by(
                    "started_at", "pk"
                ).values_list("milestone_id", "started_at", "minutes", "ended_at")
            ],
            milestone_kinds=dict(Milestone.Kind.choices),
            time_zone=self.time_zone,
            started_on=self.started_on,
            target=self.target_date,
        )

    def shows_hours_to(self, user) -> bool:
        """Hours spent are the owner's, and a visitor's only where the owner shows them."""
        return self.show_hours or (user.is_authenticated and user.pk == self.owner_id)

    def quarter_review(self, year: int, number: int, *, now: datetime | None = None):
        """One quarter's numbers (a stats.QuarterReview), for its page and its review post."""

        return quarter_review(self.history(), Quarter(year, number), now=now or timezone.now())


def _timed_rows(
    queryset, fields: tuple[str, ...], *, times: tuple[int, ...], make, plain: bool = False
) -> list:
    """A `make` (a named tuple) for each row of `queryset`'s `fields`, of which those
    numbered `times` are times (or None). `plain`: the other fields need no converting from
    what the database gives (whole numbers, text), so the rows are read from the cursor.

    A roadmap's history is thousands of rows, read on every uncached dashboard. On SQLite
    the times are read as the text SQLite keeps and parsed here, in one pass, rather than
    by the driver's converter and then the ORM's, row by row.
    """
    if connections[queryset.db].vendor != "sqlite":
        return [make(*row) for row in queryset.values_list(*fields)]  # aware times already
    texts = {f"{fields[n]}_text": Cast(fields[n], models.TextField()) for n in times}
    named = (f"{name}_text" if n in times else name for n, name in enumerate(fields))
    rows = queryset.annotate(**texts).values_list(*named)
    if plain:
        sql, params = rows.query.sql_with_params()
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    new = tuple.__new__
    if len(times) == 1:
        at = times[0]
        return [new(make, (*row[:at], _utc(row[at]), *row[at + 1 :])) for row in rows]
    converted = []
    for row in rows:
        values = list(row)
        for at in times:
            values[at] = _utc(values[at])
        converted.append(new(make, values))
    return converted


def _read_rows(rows, make, *, times: tuple[int, ...]) -> list:
    """History rows (of whole numbers, text and the `times`) as `make`s, named tuples whose
    fields are the columns."""
    return _timed_rows(rows, make._fields, times=times, make=make, plain=True)


def _utc(text: str | None) -> datetime | None:
    """A time as SQLite keeps it, in UTC without its offset, as an aware time."""
    return None if text is None else datetime.fromisoformat(text + "+00:00")


class RoadmapAddressQuerySet(models.QuerySet):
    def left_to(self, owner):
        """Addresses that `owner`'s deleted roadmaps had: theirs to take back, no one else's."""
        if owner is None:
            return self.none()
        return self.filter(roadmap=None, owner=owner)

    def kept_from(self, owner):
        """Addresses `owner` may not take: all but those left_to them."""
        if owner is None:
            return self
        return self.exclude(roadmap=None, owner=owner)

    def keeps(self, slug: str, *, owner=None, roadmap=None) -> bool:
        """Whether `slug` is kept from `owner`: another roadmap's former address than
        `roadmap`'s own, or a deleted roadmap's that was not theirs."""
        held = self.filter(slug=slug).kept_from(owner)
        if roadmap is not None and roadmap.pk:
            held = held.exclude(roadmap=roadmap)
        return held.exists()


class RoadmapAddress(models.Model):
    """An address a roadmap had: before it was renamed (links to it keep working), or before
    it was deleted (roadmap empty: no one else takes it). So "that address is in use" says
    nothing of whether a roadmap is public, private, renamed or gone."""

    roadmap = models.ForeignKey(
        Roadmap, null=True, blank=True, on_delete=models.SET_NULL, related_name="old_addresses"
    )
    # Whose it was: once the roadmap is deleted, they may take the address again (a new
    # roadmap, a rename, or an import of the export).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoadmapAddressQuerySet.as_manager()

    def __str__(self):
        return self.slug


class StageQuerySet(ProgressQuerySet):
    milestones_path = "topics__milestones__"


class Stage(HasProgress, models.Model):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="stages")
    key = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    # Added in the browser rather than by a curriculum file: no update removes or changes it.
    added_by_learner = models.BooleanField(default=False)

    objects = StageQuerySet.as_manager()
    milestone_lookup = "topic__stage"

    class Meta:
        ordering = ["roadmap", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "key"], name="stage_key_unique"),
        ]

    def __str__(self):
        return self.title

    @property
    def anchor(self) -> str:
        return f"stage-{self.key}"

    @property
    def progress_id(self) -> str:
        return f"progress-stage-{self.key}"


class Topic(HasProgress, models.Model):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="topics")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="topics")
    key = models.SlugField(max_length=60)
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    # Advisory: a topic that helps to know first. Nothing is ever locked by it.
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, related_name="unlocks", blank=True
    )
    added_by_learner = models.BooleanField(default=False)

    objects = ProgressQuerySet.as_manager()
    milestone_lookup = "topic"

    class Meta:
        ordering = ["stage__position", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "key"], name="topic_key_unique"),
            models.UniqueConstraint(fields=["roadmap", "slug"], name="topic_slug_unique"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return address("roadmap:topic", self.roadmap.slug, self.slug)

    @property
    def anchor(self) -> str:
        return f"topic-{self.slug}"

    @property
    def progress_id(self) -> str:
        return f"progress-topic-{self.slug}"


class Resource(models.Model):
    class Type(models.TextChoices):
        ARTICLE = "article", "Article"
        VIDEO = "video", "Video"
        COURSE = "course", "Course"
        BOOK = "book", "Book"
        PAPER = "paper", "Paper"
        REPO = "repo", "Repository"
        DOCS = "docs", "Documentation"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="resources")
    type = models.CharField(max_length=10, choices=Type.choices)
    title = models.CharField(max_length=300)
    url = models.URLField(max_length=500)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["topic", "position", "pk"]

    def __str__(self):
        return self.title


class MilestoneQuerySet(SlugQuerySet):
    def in_roadmap_order(self):
        return self.order_by("topic__stage__position", "topic__position", "position", "pk")

    def owned_by(self, user):
        """The milestones of a user's own roadmaps: none for a visitor."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(roadmap__owner=user)

    def progress(self) -> Progress:
        """Where these milestones stand, counted in the database in one query."""
        return Progress.of(self.order_by().aggregate(**_progress_counts("")))


class Milestone(models.Model):
    class Kind(models.TextChoices):
        LEARN = "learn", "Learn"
        BUILD = "build", "Build"
        REPRODUCE = "reproduce", "Reproduce"
        WRITE = "write", "Write"

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="milestones")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="milestones")
    key = models.SlugField(max_length=60)
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LEARN)
    estimated_hours = models.DecimalField(max_digits=6, decimal_places=1, default=0)
    optional = models.BooleanField(default=False)
    # What proves the milestone is done, as the curriculum puts it.
    proof = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    added_by_learner = models.BooleanField(default=False)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    evidence_url = models.URLField(
        "evidence link",
        max_length=500,
        blank=True,
        help_text="A commit, notebook, repository folder or metric that shows the work.",
    )
    # Never shown to anyone but the owner.
    private_note = models.TextField(
        blank=True, help_text="Where you left off. Only you can see this."
    )
    # A reproduction's target: all four set, or none (see targets.Target).
    target_metric = models.CharField("metric", max_length=80, blank=True)
    target_value = models.DecimalField(
        "target", max_digits=14, decimal_places=4, null=True, blank=True
    )
    target_direction = models.CharField(
        "direction", max_length=10, choices=Direction.choices, blank=True
    )
    target_tolerance = models.DecimalField(
        "tolerance", max_digits=14, decimal_places=4, null=True, blank=True
    )

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["topic__stage__position", "topic__position", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "key"], name="milestone_key_unique"),
            models.UniqueConstraint(fields=["roadmap", "slug"], name="milestone_slug_unique"),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="milestone_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(estimated_hours__gte=0), name="milestone_hours_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(
                    target_metric="",
                    target_value__isnull=True,
                    target_direction="",
                    target_tolerance__isnull=True,
                )
                | (
                    ~Q(target_metric="")
                    & Q(target_value__isnull=False, target_tolerance__gte=0)
                    & Q(target_direction__in=Direction.values)
                ),
                name="milestone_target_whole",
                violation_error_message="A target needs a metric, a value, a direction and "
                "a tolerance of 0 or more; or none of them.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return address("roadmap:milestone", self.roadmap.slug, self.slug)

    # In words, from tables made once: Django's own get_FOO_display builds its table of
    # choices on every call, and a roadmap page asks for two a milestone.
    def get_status_display(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def get_kind_display(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def anchor(self) -> str:
        return f"m-{self.slug}"

    @property
    def has_progress(self) -> bool:
        """Anything the learner did here that deleting the milestone would lose."""
        if self.status != Status.NOT_STARTED or self.evidence_url or self.private_note:
            return True
        # Annotated by bulk readers (n_events, n_posts, has_results, has_time): a list costs
        # one query.
        names = ("n_events", "n_posts", "has_results", "has_time")
        counts = [getattr(self, name, None) for name in names]
        if None not in counts:
            return any(counts)
        # Posts tied to it are the learner's too (the journal's relation is named "posts").
        return (
            self.events.exists()
            or self.posts.exists()
            or self.results.exists()
            or self.evidence.exists()
            or self.study_sessions.exists()
        )

    @property
    def target(self) -> Target | None:
        """The reproduction's target, or None where it has none."""
        if self.target_value is None or not self.target_direction:
            return None
        return Target(
            metric=self.target_metric,
            value=self.target_value,
            direction=self.target_direction,
            tolerance=self.target_tolerance or Decimal(0),
        )

    def set_target(self, target: Target | None) -> None:
        """Take `target`, or none: the four fields move together."""
        self.target_metric = target.metric if target else ""
        self.target_value = target.value if target else None
        self.target_direction = target.direction if target else ""
        self.target_tolerance = target.tolerance if target else None

    def apply_status(self, status: str, at) -> None:
        """Move to `status` at time `at`, keeping the dates consistent with it.

        The one place the status rules live, and the one check of a status's value:
        services.milestone_set_status saves the result and records the event.
        """
        if status not in Status.values:
            raise ValueError(
                f"“{status[:40]}” is not a status. Choose one of: "
                + ", ".join(str(label) for label in Status.labels)
                + "."
            )
        if status == Status.NOT_STARTED:
            self.started_at = None
            self.completed_at = None
        elif status == Status.IN_PROGRESS:
            self.started_at = self.started_at or at
            self.completed_at = None
        elif status == Status.DONE:
            self.started_at = self.started_at or at
            self.completed_at = at
        elif status == Status.SKIPPED:
            self.completed_at = None
        self.status = status


STATUS_LABELS = dict(Status.choices)
KIND_LABELS = dict(Milestone.Kind.choices)


class ProgressEvent(models.Model):
    """One status change, appended and never edited: the history everything is drawn from."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="events")
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, choices=Status.choices)
    to_status = models.CharField(max_length=12, choices=Status.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["roadmap", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_status__in=Status.values) & Q(to_status__in=Status.values),
                name="event_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.milestone}: {self.from_status} → {self.to_status}"


# Writes inside SiteVersion.objects.counted_once() on this thread.
_batch = threading.local()


class SiteVersionQuerySet(models.QuerySet):
    ROW = 1

    def current(self) -> "Version":
        """The site's version: its number, when it next changes by itself (or None), when it
        last changed, and the number of every change but progress.

        Read on every visitor's request, so in plain SQL: building the query through the
        ORM cost several times what running it does.
        """
        connection = transaction.get_connection(self.db)
        table = connection.ops.quote_name(self.model._meta.db_table)
        sql = (
            "SELECT number, changes_at, changed_second, beyond_progress, beyond_progress_second "  # noqa: S608 (its own table)
            f"FROM {table} WHERE id = %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.ROW])
            row = cursor.fetchone()
        if row is None:
            return Version(0, None, 0, 0)
        number, changes_at, changed_second, beyond_progress, beyond_progress_second = row
        if isinstance(changes_at, str):  # SQLite hands back its text
            changes_at = datetime.fromisoformat(changes_at)
        if changes_at is not None and timezone.is_naive(changes_at):
            changes_at = timezone.make_aware(changes_at, UTC)
        return Version(number, changes_at, changed_second, beyond_progress, beyond_progress_second)

    def bump(self, *, changes_at: datetime | None = None, progress: bool = False) -> None:
        """Count one change. Every cached page is keyed on the number, so this one increment
        retires them all; `progress`: a change of progress alone (see counted_once), which
        leaves `beyond_progress` where it was, and the pages keyed on it. It is written in
        the transaction of the change: the two commit together, and whoever sees the change
        sees the new number."""
        if getattr(_batch, "depth", 0):
            _batch.pending = True
            return
        counts = {"number": models.F("number") + 1, "changed_second": _next_second()}
        if not progress:
            counts["beyond_progress"] = models.F("beyond_progress") + 1
            # The same second: both are worked out from the row as it was.
            counts["beyond_progress_second"] = _next_second()
        if not self.filter(pk=self.ROW).update(**counts):
            now = int(pytime.time())
            self.get_or_create(
                pk=self.ROW,
                defaults={
                    "number": 1,
                    "changed_second": now,
                    "beyond_progress": 0 if progress else 1,
                    "beyond_progress_second": 0 if progress else now,
                },
            )
        if changes_at is not None:
            self.changes_at(changes_at)

    @contextmanager
    def counted_once(self, *, progress: bool = False):
        """Many rows written as one change (a status change, a curriculum applied): the
        changes inside are counted once, when it ends without an error.

        `progress`: what is written inside is progress alone, a milestone's status with its
        event, or study time (roadmap.services), which no page keyed on `beyond_progress`
        shows. A change counted once around it is counted as a whole."""
        depth = getattr(_batch, "depth", 0)
        if not depth:
            _batch.beyond_progress = False
        _batch.beyond_progress = _batch.beyond_progress or not progress
        _batch.depth = depth + 1
        try:
            yield
        finally:
            _batch.depth -= 1
            pending = not _batch.depth and getattr(_batch, "pending", False)
            if not _batch.depth:
                _batch.pending = False
        # Not reached after an error: the transaction rolls back and nothing changed.
        if pending:
            self.bump(progress=not _batch.beyond_progress)

    def changes_at(self, when: datetime) -> None:
        """Note a time at which the site will change by itself: a scheduled post appears."""
        later = Q(changes_at__isnull=True) | Q(changes_at__gt=when)
        self.filter(later, pk=self.ROW).update(changes_at=when)

    def advance(self, seen: datetime, upcoming: datetime | None) -> None:
        """The time `seen` has come: count a change and wait for `upcoming` next.

        Conditional on `seen`, so of several requests arriving at that moment one counts it.
        """
        self.filter(pk=self.ROW, changes_at=seen).update(
            number=models.F("number") + 1,
            beyond_progress=models.F("beyond_progress") + 1,
            changes_at=upcoming,
            changed_second=_next_second(),
            beyond_progress_second=_next_second(),
        )


class Version(NamedTuple):
    number: int
    changes_at: datetime | None  # when a scheduled post appears, counting a change
    changed_second: int  # when the number last moved (SiteVersion.changed_second)
    beyond_progress: int  # the number of every change but progress alone
    beyond_progress_second: int = 0  # when that last moved (its changed_second)


def _next_second():
    """The second a change is counted in: now, or the second after the last change's where
    that is later, so no two numbers share one (in SQL, so two changes at once each get
    their own)."""
    return Greatest(
        models.F("changed_second") + 1,
        models.Value(int(pytime.time())),
        output_field=models.BigIntegerField(),
    )


class SiteVersion(models.Model):
    """One number that every change to what the site shows increments.

    Whole pages served to visitors are cached under it (config/cache.py), so nothing cached
    outlives a change: after a change is acknowledged, the next request of any page, through
    any server process sharing the database, is rendered afresh. A second number counts
    every change but progress alone (a status change, study time): a page whose view says
    what progress it shows (config/progress.py: none for the journal, a post's tied
    milestones', a roadmap's own) is also kept under it with that progress, and outlives
    progress it does not show.
    """

    number = models.PositiveBigIntegerField(default=0)
    changes_at = models.DateTimeField(null=True, blank=True)
    # When the number last moved, in whole seconds since 1970 (UTC), each number's later than
    # the one before's: every cached page's Last-Modified, so a client's If-Modified-Since
    # names one number, and any change since makes it older than the page.
    changed_second = models.BigIntegerField(default=0)
    beyond_progress = models.PositiveBigIntegerField(default=0)
    # The changed_second of the last change but progress alone: the Last-Modified of a page
    # that shows no progress (the journal's feeds), which a status change leaves as it was.
    beyond_progress_second = models.BigIntegerField(default=0)

    objects = SiteVersionQuerySet.as_manager()

    def __str__(self):
        return f"version {self.number}"


# A timer left running longer than this is stopped at start + TIMER_CAP and flagged, so a
# forgotten timer never counts a night's sleep as study.
TIMER_CAP = timedelta(hours=8)


class StudySessionQuerySet(models.QuerySet):
    def running(self):
        return self.filter(ended_at__isnull=True)

    def stopped(self):
        return self.filter(ended_at__isnull=False)

    def owned_by(self, user):
        """The sessions of a user's own roadmaps: none for a visitor."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(learner=user)

    def running_for(self, user) -> "StudySession | None":
        """The learner's running timer, wherever it is, with what a page needs to link it."""
        if not user.is_authenticated:
            return None
        return self.running().filter(learner=user).select_related("milestone__roadmap").first()


class StudySession(models.Model):
    """Time the learner spent on a milestone: timed by the start/stop timer, or entered by
    hand as minutes on a day. Only stopped sessions count; a running one has no end yet."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_sessions"
    )
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="study_sessions")
    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="study_sessions"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    minutes = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=200, blank=True)
    by_hand = models.BooleanField(default=False)
    # Stopped by the cap rather than by the learner: its minutes are a guess to correct.
    capped = models.BooleanField(default=False)

    objects = StudySessionQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["roadmap", "started_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["learner"],
                condition=Q(ended_at__isnull=True),
                name="study_session_one_running",
                violation_error_message="A timer is already running.",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="study_session_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=0) & Q(minutes__lte=24 * 60),
                name="study_session_minutes_in_a_day",
            ),
        ]

    def __str__(self):
        return f"{self.milestone}: {self.minutes} min"

    @property
    def is_running(self) -> bool:
        return self.ended_at is None

    def local_day(self, time_zone: str) -> date:
        return self.started_at.astimezone(ZoneInfo(time_zone)).date()

    def is_overdue(self, now: datetime) -> bool:
        """Running past the cap: stopping it will cap it."""
        return self.is_running and now - self.started_at > TIMER_CAP

    def stop(self, at: datetime) -> None:
        """End the session at `at`, or at start + TIMER_CAP, flagged, if that is later."""
        if at - self.started_at > TIMER_CAP:
            self.ended_at = self.started_at + TIMER_CAP
            self.capped = True
        else:
            self.ended_at = max(at, self.started_at)
        self.minutes = elapsed_minutes(self.started_at, self.ended_at)


def elapsed_minutes(start: datetime, end: datetime) -> int:
    """Whole minutes between two moments, rounded to the nearest: real time, whatever the
    clocks did in between (a daylight-saving change adds or removes no study)."""
    return round((end - start).total_seconds() / 60)


def noon_on(day: date, time_zone: str) -> datetime:
    """The moment a session entered by hand for `day` is filed at: noon there, which every
    zone's day has exactly once, whatever its clocks do at midnight."""
    return datetime.combine(day, time(12), tzinfo=ZoneInfo(time_zone))


class ResultQuerySet(models.QuerySet):
    def in_order(self):
        return self.order_by("measured_on", "pk")


class Result(models.Model):
    """One attempt at a reproduction: the number it reached, on a day. Every attempt is kept."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="results")
    value = models.DecimalField(max_digits=14, decimal_places=4)
    measured_on = models.DateField("date", default=timezone.localdate)
    evidence_url = models.URLField(
        "evidence link",
        max_length=500,
        blank=True,
        help_text="The run, commit or notebook that produced it.",
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["measured_on", "pk"]
        indexes = [models.Index(fields=["milestone", "measured_on"])]

    def __str__(self):
        return f"{self.milestone}: {self.value_text} on {self.measured_on}"

    @property
    def value_text(self) -> str:
        return number(self.value)

    @property
    def verdict(self) -> Verdict:
        """This attempt alone against its milestone's target."""
        return verdict(self.milestone.target, [self])


class Evidence(models.Model):
    """A link that shows work on a milestone: a commit named in a push, or one added by hand.

    The milestone's own `evidence_url` is the one link the learner chose to show first; these
    are the rest, newest first.
    """

    class Source(models.TextChoices):
        WEBHOOK = "webhook", "pushed"
        MANUAL = "manual", "added by hand"

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="evidence")
    url = models.URLField(max_length=500)
    # The commit's first line, for a pushed commit.
    note = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            # A commit pushed again (to another branch, or redelivered) is the same evidence.
            models.UniqueConstraint(fields=["milestone", "url"], name="evidence_url_unique"),
            models.CheckConstraint(
                condition=Q(source__in=["webhook", "manual"]), name="evidence_source_valid"
            ),
        ]

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    """A push delivery a roadmap already acted on, by its id (GitHub's X-GitHub-Delivery,
    GitLab's X-Gitlab-Event-UUID): the same id sent to that roadmap again is refused.

    Unique per roadmap, not across the site: GitHub sends one delivery id to every hook an
    event triggers, so a repository that feeds two roadmaps gives each the same id.
    """

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="deliveries")
    delivery = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # The replay check: inserting a second row for the same id fails here, so two
            # copies of a delivery arriving at once cannot both be acted on.
            models.UniqueConstraint(
                fields=["roadmap", "delivery"], name="webhook_delivery_unique_per_roadmap"
            ),
        ]

    def __str__(self):
        return self.delivery


class PlanChangeQuerySet(models.QuerySet):
    def between(self, start: datetime, end: datetime):
        """The changes made from `start` up to, not including, `end`, oldest first."""
        return self.filter(at__gte=start, at__lt=end).order_by("at", "pk")


class PlanChange(models.Model):
    """One change the learner made to the plan itself, kept as the record of how it evolved."""

    class Kind(models.TextChoices):
        ADDED = "added", "Added"
        REMOVED = "removed", "Removed"
        RESTORED = "restored", "Brought back"
        RENAMED = "renamed", "Renamed"
        MOVED = "moved", "Moved"
        REESTIMATED = "re-estimated", "Re-estimated"
        EDITED = "edited", "Edited"

    # An edit's detail lists what it changed; this is how a topic's prerequisites are named
    # there, and how a curriculum update knows the learner chose a topic's prerequisites.
    PREREQUISITES = "prerequisites"

    class What(models.TextChoices):
        STAGE = "stage", "Stage"
        TOPIC = "topic", "Topic"
        MILESTONE = "milestone", "Milestone"

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="plan_changes")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    what = models.CharField(max_length=10, choices=What.choices)
    key = models.SlugField(max_length=60)
    # The item's title once the change is made (the old one for a removal).
    title = models.CharField(max_length=300)
    before = models.CharField(max_length=300, blank=True)
    after = models.CharField(max_length=300, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    objects = PlanChangeQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["roadmap", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "added",
                        "removed",
                        "restored",
                        "renamed",
                        "moved",
                        "re-estimated",
                        "edited",
                    ]
                )
                & Q(what__in=["stage", "topic", "milestone"]),
                name="plan_change_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.what} “{self.title}”"

    @property
    def sentence(self) -> str:
        """The change in words: Renamed the milestone “A” to “B”."""
        text = f"{self.get_kind_display()} the {self.what} “{self.title}”"
        if self.kind == self.Kind.RENAMED:
            text = f"Renamed the {self.what} “{self.before}” to “{self.after}”"
        elif self.kind == self.Kind.REESTIMATED:
            text += f": {self.before} h → {self.after} h"
        if self.detail:
            text += f" ({self.detail})"
        return text


# How long a removed stage, topic or milestone can be brought back from the edit page.
UNDO_WINDOW = timedelta(minutes=30)


class RemovedItemQuerySet(models.QuerySet):
    def undoable(self, now: datetime | None = None):
        """Removals still inside the undo window, newest first."""
        now = now or timezone.now()
        return self.filter(removed_at__gt=now - UNDO_WINDOW).order_by("-removed_at", "-pk")


class RemovedItem(models.Model):
    """A removed stage, topic or milestone with everything that went with it (its topics and
    milestones, statuses, events, time, results, evidence, ties to posts, prerequisites),
    kept whole so that undoing the removal brings it back exactly as it was."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="removed_items")
    what = models.CharField(max_length=10, choices=PlanChange.What.choices)
    key = models.SlugField(max_length=60)
    title = models.CharField(max_length=300)
    # The key of the stage or topic it was in, and its place there.
    parent_key = models.SlugField(max_length=60, blank=True)
    position = models.PositiveIntegerField(default=0)
    # What went with it, in words: "3 milestones, 5 status changes".
    summary = models.CharField(max_length=500, blank=True)
    # The rows, as Django's JSON serialiser writes them, parents first.
    rows = models.TextField()
    removed_at = models.DateTimeField(default=timezone.now)

    objects = RemovedItemQuerySet.as_manager()

    class Meta:
        ordering = ["-removed_at", "-pk"]
        indexes = [models.Index(fields=["roadmap", "removed_at"])]

    def __str__(self):
        return f"{self.what} “{self.title}”"

    def can_undo(self, now: datetime | None = None) -> bool:
        return self.removed_at > (now or timezone.now()) - UNDO_WINDOW
