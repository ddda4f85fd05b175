"""A roadmap's numbers, computed from plain rows of its history in the owner's time zone.

Pure functions over plain rows, so each number can be tested on its own without a database.
Roadmap.history() loads the rows; the views turn the numbers into pages. The rules of what
counts, what is a start and what is stalled are roadmap.rules' own, and only read here.
"""

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Set
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property, lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from .charts import DayActivity, DayMinutes
from .rules import DONE, NOT_STARTED, is_counted, is_stalled, is_start

WEEK = timedelta(days=7)
HEATMAP_WEEKS = 53
# A projection needs this much history; before it, the dashboard says so instead.
MIN_HISTORY = timedelta(weeks=2)
MIN_COMPLETIONS = 3


class Event(NamedTuple):
    """One status change. A tuple: a history holds thousands, made on every uncached page."""

    milestone_id: int
    from_status: str
    to_status: str
    at: datetime


class MilestoneRow(NamedTuple):
    """A milestone, as far as the numbers care. A tuple: a roadmap holds hundreds."""

    id: int
    topic_id: int
    status: str
    optional: bool
    hours: Decimal
    started_at: datetime | None = None
    title: str = ""
    slug: str = ""
    completed_at: datetime | None = None
    kind: str = ""


@dataclass(frozen=True)
class SessionRow:
    """Time logged on a milestone; a running timer has no end and counts nothing yet."""

    milestone_id: int
    started_at: datetime
    minutes: int
    running: bool = False


class PostRow(NamedTuple):
    """A published post, as far as the numbers care."""

    published_at: datetime
    kind: str


@dataclass(kw_only=True)
class History:
    """Everything a roadmap's numbers are computed from, as plain rows.

    What every number starts from (the counted milestones, the hours done and to go) is
    worked out once, in one pass over the rows, when the history is made.
    """

    rows: dict[int, MilestoneRow]  # by id, in roadmap order
    events: list[Event] = field(default_factory=list)  # oldest first
    posts: list[PostRow] = field(default_factory=list)  # oldest first
    prerequisites: dict[int, set[int]] = field(default_factory=dict)  # topic -> topics
    stage_of_topic: dict[int, str] = field(default_factory=dict)  # topic -> its stage's title
    stage_id_of_topic: dict[int, int] = field(default_factory=dict)  # topic -> its stage
    post_kinds: dict[str, str] = field(default_factory=dict)  # value -> label, in their order
    sessions: list[SessionRow] = field(default_factory=list)
    milestone_kinds: dict[str, str] = field(default_factory=dict)  # value -> label
    time_zone: str = "UTC"
    started_on: date
    target: date | None = None

    counted: frozenset[int] = field(init=False)
    hours_done: Decimal = field(init=False)
    hours_remaining: Decimal = field(init=False)

    def __post_init__(self) -> None:
        counted, done, remaining = set(), Decimal(0), Decimal(0)
        for row in self.rows.values():
            if row.status == DONE:
                done += row.hours
            if is_counted(optional=row.optional, status=row.status):
                counted.add(row.id)
                if row.status != DONE:
                    remaining += row.hours
        self.counted, self.hours_done, self.hours_remaining = frozenset(counted), done, remaining

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @cached_property
    def minutes_per_day(self) -> dict[date, int]:
        """Minutes logged on each local day (minutes_by_day), summed once for every number
        that needs them: the last weeks' time, the quarter's, the heatmap's, the projection's."""
        return minutes_by_day(self.sessions, tz=self.tz)

    @cached_property
    def minutes_per_milestone(self) -> dict[int, int]:
        """Minutes logged on each milestone (minutes_by_milestone), summed once for the time
        spent and the projection alike. Shared: read it, never change it."""
        return minutes_by_milestone(self.sessions)

    @property
    def post_times(self) -> list[datetime]:
        return [post.published_at for post in self.posts]

    def events_since(self, day: date) -> list[Event]:
        """The events of `day` (in the roadmap's zone) and after: a window's numbers need
        not walk the years before it. Found by halving, as the events are oldest first."""
        return self.events[bisect_left(self.events, start_of(day, self.tz), key=_at) :]

    def post_times_since(self, day: date) -> list[datetime]:
        times = self.post_times
        return times[bisect_left(times, start_of(day, self.tz)) :]

    @property
    def first_day(self) -> date:
        """Where the roadmap's story begins: its start date, or its first recorded change if
        that came earlier (history imported from before the start)."""
        if self.events:
            return min(self.started_on, local_date(self.events[0].at, self.tz))
        return self.started_on


@lru_cache(maxsize=65_536)
def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """The day `moment` falls on in `tz`. Remembered: each of a history's thousands of times
    is asked for by the heatmap, the streak, the pace and the burn-up in turn."""
    return moment.astimezone(tz).date()


def start_of(day: date, tz: ZoneInfo) -> datetime:
    """The first moment of `day` in `tz` (where midnight is skipped, the moment it would be)."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def _at(event: Event) -> datetime:
    return event.at


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


# --- Heatmap --------------------------------------------------------------------------------


def heatmap_start(today: date) -> date:
    """The heatmap's first day: the Monday 52 weeks before this week's."""
    return monday_of(today) - (HEATMAP_WEEKS - 1) * WEEK


def heatmap(
    events: Iterable[Event], post_times: Iterable[datetime], *, today: date, tz: ZoneInfo
) -> list[DayActivity]:
    """Every day of the last 53 weeks (Monday-first) up to today, with what happened on it."""
    start = heatmap_start(today)
    counts: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for event in events:
        day = local_date(event.at, tz)
        if not start <= day <= today:
            continue
        if event.to_status == DONE:
            counts[day][0] += 1
        elif is_start(from_status=event.from_status, to_status=event.to_status):
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
    return Streak(current, longest, sum(1 for day in days if day >= this_week))


# --- Burn-up, pace and projection --------------------------------------------------------------


def done_over_time(
    events: Iterable[Event], counted: Set[int], *, start: date, today: date, tz: ZoneInfo
) -> list[tuple[date, float]]:
    """Counted milestones done at the end of each week since `start`, and today.

    Replays the log, so a milestone marked done and later reopened stops counting then.
    """
    ordered = sorted(events, key=_at)
    moments = [event.at for event in ordered]
    done: set[int] = set()
    samples = [start + n * WEEK for n in range(max(0, (today - start).days) // 7 + 1)]
    if samples[-1] != today and today > start:
        samples.append(today)
    # The counted ones among `done`, kept as the log is replayed rather than counted anew at
    # each of three years' samples.
    points, index, count = [], 0, 0
    for sample in samples:
        # A moment falls on `sample` or before when it comes before the next day begins.
        ends = bisect_left(moments, start_of(sample + timedelta(days=1), tz), lo=index)
        for milestone, _, to_status, _ in ordered[index:ends]:
            if to_status == DONE:
                if milestone not in done:
                    done.add(milestone)
                    count += milestone in counted
            elif milestone in done:
                done.remove(milestone)
                count -= milestone in counted
        index = ends
        points.append((sample, float(count)))
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
        if e.to_status == DONE
        and since < local_date(e.at, tz) <= today
        and e.milestone_id in milestones
        and milestones[e.milestone_id].status == DONE
        # Optional work is welcome but does not bring the counted finish closer.
        and is_counted(
            optional=milestones[e.milestone_id].optional,
            status=milestones[e.milestone_id].status,
        )
    }
    hours = sum((milestones[m].hours for m in finished), Decimal(0))
    elapsed = max(1.0, min(float(weeks), (today - started_on).days / 7))
    return Pace(weeks, len(finished), hours, len(finished) / elapsed, float(hours) / elapsed)


@dataclass(frozen=True)
class Projection:
    finish: date | None
    message: str
    days_after_target: int | None = None
    # What it rests on: "milestones" completed a week, or "hours" logged a week.
    basis: str = "milestones"


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
    finish = _finish_date(today, remaining, per_week=recent.per_week)
    return _projected("At this pace", finish, target, no_target="Set a target date to compare.")


def _finish_date(today: date, remaining: float, *, per_week: float) -> date:
    """The day `remaining` work is done, at `per_week` of it a week."""
    # Rounded before the ceiling, so float noise (116.00000000000001) does not add a day.
    return today + timedelta(days=math.ceil(round(remaining / per_week * 7, 6)))


def _projected(
    lead: str, finish: date, target: date | None, *, basis: str = "milestones", no_target: str = ""
) -> Projection:
    """The finish date in a sentence, set against the target: "<lead>: June 2026, on target.",
    or so many days, weeks or months before or after it; without a target, `no_target` after."""
    when = f"{finish:%B %Y}"
    if target is None:
        message = f"{lead}: {when}." + (f" {no_target}" if no_target else "")
        return Projection(finish, message, basis=basis)
    delta = (finish - target).days
    if abs(delta) < 7:
        return Projection(finish, f"{lead}: {when}, on target.", delta, basis=basis)
    side = "after" if delta > 0 else "before"
    message = f"{lead}: {when}, {_span(delta)} {side} the target."
    return Projection(finish, message, delta, basis=basis)


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
        if is_counted(optional=m.optional, status=m.status) and m.status != DONE
    }
    ready = [
        m
        for m in milestones
        if m.status == NOT_STARTED
        and is_counted(optional=m.optional, status=m.status)
        and not (prerequisites.get(m.topic_id, set()) & open_topics)
    ]
    return ready[:limit]


def stalled(milestones: Iterable[MilestoneRow], *, now: datetime) -> list[MilestoneRow]:
    """The milestones stalled at the moment `now` (see roadmap.rules.is_stalled)."""
    return [m for m in milestones if is_stalled(status=m.status, started_at=m.started_at, at=now)]


# --- Quarters ---------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def between(cls, first: date, last: date) -> list["Quarter"]:
        """The quarters from the one holding `first` to the one holding `last`, newest first."""
        quarters, quarter = [], cls.of(last)
        while quarter >= cls.of(first):
            quarters.append(quarter)
            quarter = quarter.previous
        return quarters

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
        if event.to_status == DONE:
            completed[event.milestone_id] = True
        elif is_start(from_status=event.from_status, to_status=event.to_status):
            started[event.milestone_id] = True
    numbers.completed = [m for m in completed if m in milestones]
    numbers.started = [m for m in started if m in milestones]
    numbers.hours = sum((milestones[m].hours for m in numbers.completed), Decimal(0))
    if target and target > started_on:
        # The straight plan line's share of the quarter that falls inside the plan.
        overlap = (min(quarter.end, target) - max(quarter.start, started_on)).days
        numbers.planned = max(0, overlap) / (target - started_on).days * counted
    return numbers


@dataclass(frozen=True)
class QuarterReview:
    """A quarter's numbers, as its review page and the review post it starts show them."""

    quarter: Quarter
    numbers: QuarterNumbers
    completed: list[MilestoneRow]
    started: list[MilestoneRow]
    completed_required: int
    stalled: list[MilestoneRow]
    posts_by_kind: dict[str, int]  # label -> count, in the journal's order of kinds
    posts_total: int
    stages_moved: dict[str, int]  # stage title -> milestones completed
    minutes_spent: int = 0  # logged on days of the quarter
    completed_minutes: int = 0  # logged, ever, on the milestones completed in it


def quarter_review(history: History, quarter: Quarter, *, now: datetime) -> QuarterReview:
    """What moved in `quarter`, and what stood still at its end (or now, if it is not over)."""
    tz = history.tz
    numbers = quarter_numbers(
        quarter,
        history.events,
        history.rows,
        tz=tz,
        started_on=history.started_on,
        target=history.target,
        counted=len(history.counted),
    )
    completed = [history.rows[pk] for pk in numbers.completed]
    stages_moved: dict[str, int] = {}
    for milestone in completed:
        title = history.stage_of_topic[milestone.topic_id]
        stages_moved[title] = stages_moved.get(title, 0) + 1
    kinds = [
        post.kind
        for post in history.posts
        if quarter.start <= local_date(post.published_at, tz) < quarter.end
    ]
    end = datetime.combine(quarter.end, time.min, tzinfo=tz)
    return QuarterReview(
        quarter=quarter,
        numbers=numbers,
        completed=completed,
        started=[history.rows[pk] for pk in numbers.started],
        completed_required=numbers.completed_required(history.rows),
        # The dashboard's rule, applied at the quarter's end rather than today.
        stalled=stalled(history.rows.values(), now=min(end, now)),
        posts_by_kind={
            label: kinds.count(value)
            for value, label in history.post_kinds.items()
            if value in kinds
        },
        posts_total=len(kinds),
        stages_moved=stages_moved,
        minutes_spent=sum(
            minutes
            for day, minutes in history.minutes_per_day.items()
            if quarter.start <= day < quarter.end
        ),
        completed_minutes=sum(history.minutes_per_milestone.get(pk, 0) for pk in numbers.completed),
    )


# --- Time spent ---------------------------------------------------------------------------------

# Hours logged on at least this many finished milestones before they project the finish.
MIN_TIMED_DONE = 5


def hours_of(minutes: int) -> Decimal:
    """Minutes as hours, to one decimal place (rounded half up: 45 min is 0.8 h)."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def minutes_by_milestone(sessions: Iterable[SessionRow]) -> dict[int, int]:
    """Minutes logged on each milestone, stopped sessions only."""
    spent: dict[int, int] = defaultdict(int)
    for session in sessions:
        if not session.running:
            spent[session.milestone_id] += session.minutes
    return dict(spent)


def minutes_by_day(sessions: Iterable[SessionRow], *, tz: ZoneInfo) -> dict[date, int]:
    """Minutes logged on each local day: a session counts on the day it started, there."""
    spent: dict[date, int] = defaultdict(int)
    for session in sessions:
        if not session.running and session.minutes:
            spent[local_date(session.started_at, tz)] += session.minutes
    return dict(spent)


def minutes_between(per_day: dict[date, int], *, since: date, until: date) -> int:
    """Minutes logged on the days after `since` up to and including `until`, from the
    minutes of each day (History.minutes_per_day)."""
    return sum(minutes for day, minutes in per_day.items() if since < day <= until)


@dataclass(frozen=True)
class KindRatio:
    """Actual against estimated time on the finished milestones of one kind that have both."""

    kind: str
    label: str
    milestones: int
    minutes: int
    estimated: Decimal

    @property
    def spent(self) -> Decimal:
        return hours_of(self.minutes)

    @property
    def ratio(self) -> float:
        return float(Decimal(self.minutes) / 60 / self.estimated)


def kind_ratios(
    rows: Iterable[MilestoneRow], spent: dict[int, int], labels: dict[str, str]
) -> list[KindRatio]:
    """Per milestone kind, in `labels`' order: how long done work took against its estimate.

    Only done milestones with an estimate and with time logged count: one without either
    says nothing about the learner's pace.
    """
    minutes: dict[str, int] = defaultdict(int)
    estimated: dict[str, Decimal] = defaultdict(Decimal)
    count: dict[str, int] = defaultdict(int)
    for row in rows:
        if row.status == DONE and row.hours > 0 and spent.get(row.id):
            minutes[row.kind] += spent[row.id]
            estimated[row.kind] += row.hours
            count[row.kind] += 1
    order = list(labels) + sorted(set(count) - set(labels))
    return [
        KindRatio(kind, labels.get(kind, kind), count[kind], minutes[kind], estimated[kind])
        for kind in order
        if count[kind]
    ]


@dataclass(frozen=True)
class TimeSpent:
    """Hours logged against the estimate, and what the dashboard's projection rests on."""

    minutes: int  # logged on the whole roadmap
    estimated: Decimal  # the counted milestones' estimates
    done_minutes: int  # logged on done milestones
    done_estimated: Decimal  # the estimates of the done milestones that have time logged
    ratios: list[KindRatio]
    timed_done: int  # done milestones with an estimate and time logged

    @property
    def hours(self) -> Decimal:
        return hours_of(self.minutes)

    @property
    def ratio(self) -> float | None:
        """Actual over estimated time, over every kind; None before any is known."""
        if not self.done_estimated:
            return None
        return float(Decimal(self.done_minutes) / 60 / self.done_estimated)

    @property
    def enough(self) -> bool:
        return self.timed_done >= MIN_TIMED_DONE


def time_spent(history: History) -> TimeSpent:
    spent = history.minutes_per_milestone
    ratios = kind_ratios(history.rows.values(), spent, history.milestone_kinds)
    return TimeSpent(
        minutes=sum(spent.values()),
        estimated=sum((history.rows[pk].hours for pk in history.counted), Decimal(0)),
        done_minutes=sum(r.minutes for r in ratios),
        done_estimated=sum((r.estimated for r in ratios), Decimal(0)),
        ratios=ratios,
        timed_done=sum(r.milestones for r in ratios),
    )


def remaining_actual_hours(
    rows: Iterable[MilestoneRow], counted: Set[int], spent: dict[int, int], actual: TimeSpent
) -> float:
    """The counted work still to do, in the learner's own hours: each milestone's estimate
    times the ratio of its kind (the overall ratio for a kind not yet measured), less what
    is already logged on it."""
    by_kind = {r.kind: r.ratio for r in actual.ratios}
    overall = actual.ratio or 1.0
    total = 0.0
    for row in rows:
        if row.id not in counted or row.status == DONE:
            continue
        need = float(row.hours) * by_kind.get(row.kind, overall)
        total += max(0.0, need - spent.get(row.id, 0) / 60)
    return total


def _heaviest_kind(actual: TimeSpent, rows: Iterable[MilestoneRow], counted: Set[int]) -> str:
    """Which measured kind weighs most on the finish: the one with the most estimated work
    still to do, named with its ratio for the projection's sentence."""
    left: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        if row.id in counted and row.status != DONE:
            left[row.kind] += row.hours
    measured = [r for r in actual.ratios if left.get(r.kind)]
    if not measured:
        return ""
    heaviest = max(measured, key=lambda r: left[r.kind])
    return (
        f"at your pace on {heaviest.label.lower()} milestones ({heaviest.ratio:.1f} × the estimate)"
    )


def time_projection(
    history: History, actual: TimeSpent, *, today: date, started_on: date, weeks: int = 12
) -> Projection:
    """When the roadmap would be finished at the hours a week actually studied lately, with
    the remaining estimates scaled by the learner's own ratio per kind. None as the finish,
    saying why, when there is too little logged time to go on."""
    spent = history.minutes_per_milestone
    remaining = remaining_actual_hours(history.rows.values(), history.counted, spent, actual)
    if all(history.rows[pk].status == DONE for pk in history.counted):
        return Projection(today, "Every counted milestone is done.", basis="hours")
    elapsed = max(1.0, min(float(weeks), (today - started_on).days / 7))
    logged = minutes_between(history.minutes_per_day, since=today - weeks * WEEK, until=today)
    per_week = logged / 60 / elapsed
    if not actual.enough or per_week <= 0:
        return Projection(None, "", basis="hours")
    finish = _finish_date(today, remaining, per_week=per_week)
    pace_words = _heaviest_kind(actual, history.rows.values(), history.counted)
    lead = f"At {per_week:.1f} h a week studied{', ' + pace_words if pace_words else ''}"
    return _projected(lead, finish, history.target, basis="hours")


def minutes_heatmap(per_day: dict[date, int], *, today: date) -> list[DayMinutes]:
    """Every day of the heatmap's 53 weeks up to today, with the minutes logged on it, from
    the minutes of each day (History.minutes_per_day)."""
    start = heatmap_start(today)
    return [
        DayMinutes(day, per_day.get(day, 0))
        for day in (start + timedelta(days=n) for n in range((today - start).days + 1))
    ]
