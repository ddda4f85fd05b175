"""The dashboard's numbers, computed from the event log in the owner's time zone.

Pure functions over plain rows, so each number can be tested on its own; the view loads
the rows in a fixed number of queries and hands them here.
"""

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from .charts import DayActivity
from .models import Status

WEEK = timedelta(days=7)
HEATMAP_WEEKS = 53
STALLED_AFTER = timedelta(weeks=4)
# A projection needs this much history; before it, the dashboard says so instead.
MIN_HISTORY = timedelta(weeks=2)
MIN_COMPLETIONS = 3


@dataclass(frozen=True)
class Event:
    milestone_id: int
    from_status: str
    to_status: str
    at: datetime


@dataclass(frozen=True)
class MilestoneRow:
    id: int
    topic_id: int
    status: str
    optional: bool
    hours: Decimal
    started_at: datetime | None = None


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


# --- Heatmap --------------------------------------------------------------------------------


def heatmap(
    events: Iterable[Event], post_times: Iterable[datetime], *, today: date, tz: ZoneInfo
) -> list[DayActivity]:
    """Every day of the last 53 weeks (Monday-first) up to today, with what happened on it."""
    start = monday_of(today) - (HEATMAP_WEEKS - 1) * WEEK
    counts: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for event in events:
        day = local_date(event.at, tz)
        if not start <= day <= today:
            continue
        if event.to_status == Status.DONE:
            counts[day][0] += 1
        elif event.to_status == Status.IN_PROGRESS and event.from_status == Status.NOT_STARTED:
            counts[day][1] += 1
    for moment in post_times:
        day = local_date(moment, tz)
        if start <= day <= today:
            counts[day][2] += 1
    return [
        DayActivity(day, *counts.get(day, (0, 0, 0)))
        for day in (start + timedelta(days=n) for n in range((today - start).days + 1))
    ]


# --- Streaks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Streak:
    current_weeks: int
    longest_weeks: int
    days_this_week: int


def learning_streak(
    events: Iterable[Event], post_times: Iterable[datetime], *, today: date, tz: ZoneInfo
) -> Streak:
    """Weeks with at least one milestone change or published post; visits do not count.

    The current streak is still alive in a week that has had no learning yet: it counts
    back from last week until this one ends.
    """
    days = {local_date(e.at, tz) for e in events} | {local_date(t, tz) for t in post_times}
    days = {day for day in days if day <= today}
    weeks = {monday_of(day) for day in days}
    this_week = monday_of(today)

    current, week = 0, this_week if this_week in weeks else this_week - WEEK
    while week in weeks:
        current, week = current + 1, week - WEEK

    longest, run, previous = 0, 0, None
    for week in sorted(weeks):
        run = run + 1 if previous is not None and week - previous == WEEK else 1
        longest, previous = max(longest, run), week
    return Streak(current, longest, sum(1 for day in days if monday_of(day) == this_week))


# --- Burn-up, pace and projection --------------------------------------------------------------


def done_over_time(
    events: Iterable[Event], counted: set[int], *, start: date, today: date, tz: ZoneInfo
) -> list[tuple[date, float]]:
    """Counted milestones done at the end of each week since `start`, and today.

    Replays the log, so a milestone marked done and later reopened stops counting then.
    """
    ordered = sorted(events, key=lambda e: e.at)
    done: set[int] = set()
    samples = [start + n * WEEK for n in range(max(0, (today - start).days) // 7 + 1)]
    if samples[-1] != today and today > start:
        samples.append(today)
    points, index = [], 0
    for sample in samples:
        while index < len(ordered) and local_date(ordered[index].at, tz) <= sample:
            event = ordered[index]
            if event.to_status == Status.DONE:
                done.add(event.milestone_id)
            else:
                done.discard(event.milestone_id)
            index += 1
        points.append((sample, float(len(done & counted))))
    return points


@dataclass(frozen=True)
class Pace:
    weeks: int
    milestones: int
    hours: Decimal
    per_week: float
    hours_per_week: float


def pace(
    events: Iterable[Event],
    milestones: dict[int, MilestoneRow],
    *,
    weeks: int,
    today: date,
    started_on: date,
    tz: ZoneInfo,
) -> Pace:
    """Required milestones completed (and still done) in the last `weeks` weeks, per week.

    A roadmap younger than the window is measured over the weeks it has had.
    """
    since = today - weeks * WEEK
    finished = {
        e.milestone_id
        for e in events
        if e.to_status == Status.DONE
        and since < local_date(e.at, tz) <= today
        and e.milestone_id in milestones
        and milestones[e.milestone_id].status == Status.DONE
        # Optional work is welcome but does not bring the counted finish closer.
        and not milestones[e.milestone_id].optional
    }
    hours = sum((milestones[m].hours for m in finished), Decimal(0))
    elapsed = max(1.0, min(float(weeks), (today - started_on).days / 7))
    return Pace(weeks, len(finished), hours, len(finished) / elapsed, float(hours) / elapsed)


@dataclass(frozen=True)
class Projection:
    finish: date | None
    message: str
    days_after_target: int | None = None


def _span(days: int) -> str:
    days = abs(days)
    if days < 14:
        return f"{days} day{'s' if days != 1 else ''}"
    if days < 61:
        weeks = round(days / 7)
        return f"{weeks} weeks"
    months = round(days / 30.44)
    return f"{months} month{'s' if months != 1 else ''}"


def projection(
    *, remaining: int, recent: Pace, today: date, started_on: date, target: date | None
) -> Projection:
    """When the roadmap would be finished at the recent pace, set against the target."""
    if remaining <= 0:
        return Projection(today, "Every counted milestone is done.")
    history = today - started_on
    if history < MIN_HISTORY or recent.milestones < MIN_COMPLETIONS:
        return Projection(
            None,
            "Not enough history to project a finish date yet: it appears after two weeks "
            f"and {MIN_COMPLETIONS} completed milestones.",
        )
    # Rounded before the ceiling, so float noise (116.00000000000001) does not add a day.
    finish = today + timedelta(days=math.ceil(round(remaining / recent.per_week * 7, 6)))
    when = f"{finish:%B %Y}"
    if target is None:
        return Projection(finish, f"At this pace: {when}. Set a target date to compare.")
    delta = (finish - target).days
    if abs(delta) < 7:
        return Projection(finish, f"At this pace: {when}, on target.", delta)
    side = "after" if delta > 0 else "before"
    return Projection(finish, f"At this pace: {when}, {_span(delta)} {side} the target.", delta)


# --- Now and next ---------------------------------------------------------------------------


def next_up(
    milestones: list[MilestoneRow], prerequisites: dict[int, set[int]], *, limit: int = 5
) -> list[MilestoneRow]:
    """Required milestones not started whose topic's prerequisites are all done, in order.

    A topic is done when each of its required milestones is done or skipped.
    """
    open_topics = {
        m.topic_id
        for m in milestones
        if not m.optional and m.status not in (Status.DONE, Status.SKIPPED)
    }
    ready = [
        m
        for m in milestones
        if m.status == Status.NOT_STARTED
        and not m.optional
        and not (prerequisites.get(m.topic_id, set()) & open_topics)
    ]
    return ready[:limit]


def stalled(milestones: Iterable[MilestoneRow], *, now: datetime) -> list[MilestoneRow]:
    return [
        m
        for m in milestones
        if m.status == Status.IN_PROGRESS and m.started_at and now - m.started_at > STALLED_AFTER
    ]


# --- Quarters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        """The first day after the quarter."""
        following = self.next
        return date(following.year, 3 * following.number - 2, 1)

    @property
    def previous(self) -> "Quarter":
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    @property
    def next(self) -> "Quarter":
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"


@dataclass
class QuarterNumbers:
    quarter: Quarter
    completed: list[int] = field(default_factory=list)
    started: list[int] = field(default_factory=list)
    hours: Decimal = Decimal(0)
    planned: float | None = None

    def completed_required(self, milestones: dict[int, "MilestoneRow"]) -> int:
        """Completions that count against the plan: optional work is apart."""
        return sum(1 for m in self.completed if not milestones[m].optional)


def quarter_numbers(
    quarter: Quarter,
    events: Iterable[Event],
    milestones: dict[int, MilestoneRow],
    *,
    tz: ZoneInfo,
    started_on: date,
    target: date | None,
    counted: int,
) -> QuarterNumbers:
    """What moved in one quarter: milestones completed and started, hours, pace against plan."""
    numbers = QuarterNumbers(quarter)
    completed, started = {}, {}
    for event in sorted(events, key=lambda e: e.at):
        if not quarter.start <= local_date(event.at, tz) < quarter.end:
            continue
        if event.to_status == Status.DONE:
            completed[event.milestone_id] = True
        elif event.to_status == Status.IN_PROGRESS and event.from_status == Status.NOT_STARTED:
            started[event.milestone_id] = True
    numbers.completed = [m for m in completed if m in milestones]
    numbers.started = [m for m in started if m in milestones]
    numbers.hours = sum((milestones[m].hours for m in numbers.completed), Decimal(0))
    if target and target > started_on:
        # The straight plan line's share of the quarter that falls inside the plan.
        overlap = (min(quarter.end, target) - max(quarter.start, started_on)).days
        numbers.planned = max(0, overlap) / (target - started_on).days * counted
    return numbers


# --- A quarter's review -----------------------------------------------------------------------


def quarter_review(roadmap, quarter: Quarter) -> dict:
    """A quarter's numbers, for the review page and the review post it starts."""
    from django.utils import timezone

    from journal.models import Post

    from .models import Topic

    tz = ZoneInfo(roadmap.time_zone)
    history = History.load(roadmap)
    numbers = quarter_numbers(
        quarter,
        history.events,
        history.rows,
        tz=tz,
        started_on=roadmap.started_on,
        target=roadmap.target_date,
        counted=len(history.counted),
    )
    by_id = {m.pk: m for m in history.milestones}
    completed = [by_id[pk] for pk in numbers.completed]
    stage_of_topic = dict(Topic.objects.filter(roadmap=roadmap).values_list("pk", "stage__title"))
    stages_moved: dict[str, int] = {}
    for milestone in completed:
        title = stage_of_topic[milestone.topic_id]
        stages_moved[title] = stages_moved.get(title, 0) + 1
    posts = [
        kind
        for kind, published_at in Post.objects.published()
        .filter(roadmap=roadmap)
        .values_list("kind", "published_at")
        if quarter.start <= local_date(published_at, tz) < quarter.end
    ]
    kinds = {label: posts.count(value) for value, label in Post.Kind.choices if value in posts}
    end_of_quarter = min(quarter.end, local_date(timezone.now(), tz))
    return {
        "roadmap": roadmap,
        "quarter": quarter,
        "numbers": numbers,
        "completed_required": numbers.completed_required(history.rows),
        "completed": completed,
        "started": [by_id[pk] for pk in numbers.started],
        "posts_by_kind": kinds,
        "posts_total": len(posts),
        "stages_moved": stages_moved,
        "stalled": [
            m
            for m in history.milestones
            if m.status == Status.IN_PROGRESS
            and m.started_at
            and (end_of_quarter - local_date(m.started_at, tz)).days > 28
        ],
        "previous": quarter.previous,
        "next": quarter.next if quarter.next.start <= local_date(timezone.now(), tz) else None,
    }


# --- Loading ----------------------------------------------------------------------------------


@dataclass
class History:
    """Everything the dashboard and reviews compute from, loaded in a fixed number of queries."""

    milestones: list  # Milestone objects in roadmap order
    rows: dict[int, MilestoneRow]
    events: list[Event]
    post_times: list[datetime]
    prerequisites: dict[int, set[int]]

    @classmethod
    def load(cls, roadmap) -> "History":
        from journal.models import Post

        from .models import Milestone, ProgressEvent, Topic

        milestones = list(Milestone.objects.filter(roadmap=roadmap).in_roadmap_order())
        for milestone in milestones:
            milestone.roadmap = roadmap
        rows = {
            m.pk: MilestoneRow(
                m.pk, m.topic_id, m.status, m.optional, m.estimated_hours, m.started_at
            )
            for m in milestones
        }
        events = [
            Event(*values)
            for values in ProgressEvent.objects.filter(roadmap=roadmap)
            .order_by("at", "pk")
            .values_list("milestone_id", "from_status", "to_status", "at")
        ]
        post_times = list(
            Post.objects.published().filter(roadmap=roadmap).values_list("published_at", flat=True)
        )
        prerequisites: dict[int, set[int]] = defaultdict(set)
        for topic_id, prerequisite_id in Topic.prerequisites.through.objects.filter(
            from_topic__roadmap=roadmap
        ).values_list("from_topic_id", "to_topic_id"):
            prerequisites[topic_id].add(prerequisite_id)
        return cls(milestones, rows, events, post_times, prerequisites)

    @property
    def counted(self) -> set[int]:
        """The milestones percent complete is taken over: required and not skipped."""
        return {m.id for m in self.rows.values() if not m.optional and m.status != Status.SKIPPED}

    @property
    def hours_done(self) -> Decimal:
        return sum((m.hours for m in self.rows.values() if m.status == Status.DONE), Decimal(0))

    @property
    def hours_remaining(self) -> Decimal:
        return sum(
            (
                m.hours
                for m in self.rows.values()
                if m.id in self.counted and m.status != Status.DONE
            ),
            Decimal(0),
        )
