"""A roadmap's numbers, one function at a time, with real dates and real time zones.

Every datetime is built in UTC, as the event log stores it; the functions under test must
turn it into the roadmap owner's local day.
"""

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from roadmap import stats
from roadmap.models import Status
from roadmap.stats import (
    Event,
    History,
    MilestoneRow,
    Pace,
    PostRow,
    Quarter,
    Streak,
    done_over_time,
    heatmap,
    learning_streak,
    next_up,
    pace,
    projection,
    quarter_numbers,
    quarter_review,
    stalled,
)

UTC = ZoneInfo("UTC")
LONDON = ZoneInfo("Europe/London")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")

# A Wednesday; its Monday-first week starts on Monday 15 June 2026.
TODAY = date(2026, 6, 17)

NOT_ENOUGH_HISTORY = (
    "Not enough history to project a finish date yet: it appears after two weeks "
    "and 3 completed milestones."
)


def utc(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    # timezone.utc, the fixed offset the event log stores (datetime.UTC is the same object).
    return datetime(year, month, day, hour, minute, tzinfo=timezone.utc)  # noqa: UP017


def noon(day: date) -> datetime:
    return utc(day.year, day.month, day.day)


def start(milestone_id: int, at: datetime) -> Event:
    return Event(milestone_id, Status.NOT_STARTED, Status.IN_PROGRESS, at)


def finish(milestone_id: int, at: datetime, from_status: str = Status.IN_PROGRESS) -> Event:
    return Event(milestone_id, from_status, Status.DONE, at)


def reopen(milestone_id: int, at: datetime, to_status: str = Status.IN_PROGRESS) -> Event:
    return Event(milestone_id, Status.DONE, to_status, at)


def row(
    milestone_id: int,
    *,
    topic: int = 1,
    status: str = Status.NOT_STARTED,
    optional: bool = False,
    hours: str = "0",
    started_at: datetime | None = None,
    title: str = "",
) -> MilestoneRow:
    return MilestoneRow(
        milestone_id, topic, status, optional, Decimal(hours), started_at, title=title
    )


def rows(*milestones: MilestoneRow) -> dict[int, MilestoneRow]:
    return {m.id: m for m in milestones}


def counts_on(days, day: date) -> tuple[int, int, int]:
    (found,) = [d for d in days if d.day == day]
    return found.completed, found.started, found.posts


def active_days(days) -> dict[date, tuple[int, int, int]]:
    return {d.day: (d.completed, d.started, d.posts) for d in days if d.total}


# --- Heatmap --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "first_day", "length"),
    [
        (date(2026, 6, 17), date(2025, 6, 16), 52 * 7 + 3),  # a Wednesday
        (date(2026, 6, 15), date(2025, 6, 16), 52 * 7 + 1),  # a Monday
        (date(2026, 6, 21), date(2025, 6, 16), 53 * 7),  # a Sunday
        (date(2026, 1, 1), date(2024, 12, 30), 52 * 7 + 4),  # a Thursday, new year
    ],
)
def test_heatmap_covers_53_monday_first_weeks_ending_today(today, first_day, length):
    days = heatmap([], [], today=today, tz=UTC)

    assert len(days) == length
    assert days[0].day == first_day
    assert days[0].day.weekday() == 0
    assert days[-1].day == today
    assert [d.day for d in days] == [first_day + timedelta(days=n) for n in range(length)]
    assert len({d.day - timedelta(days=d.day.weekday()) for d in days}) == 53


def test_heatmap_with_nothing_logged_is_all_zero_days():
    days = heatmap([], [], today=TODAY, tz=UTC)

    assert all((d.completed, d.started, d.posts) == (0, 0, 0) for d in days)


def test_heatmap_counts_completed_started_and_posts_on_their_day():
    events = [
        start(1, utc(2026, 6, 10, 8)),
        finish(1, utc(2026, 6, 10, 9)),
        finish(2, utc(2026, 6, 10, 17)),
        finish(3, utc(2026, 6, 10, 18), from_status=Status.NOT_STARTED),
        start(4, utc(2026, 6, 12, 7)),
        finish(5, utc(2026, 6, 12, 7), from_status=Status.SKIPPED),
    ]
    posts = [utc(2026, 6, 10, 20), utc(2026, 6, 10, 21), utc(2026, 6, 11, 6)]

    days = heatmap(events, posts, today=TODAY, tz=UTC)

    assert active_days(days) == {
        date(2026, 6, 10): (3, 1, 2),
        date(2026, 6, 11): (0, 0, 1),
        date(2026, 6, 12): (1, 1, 0),
    }


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [
        (Status.DONE, Status.IN_PROGRESS),  # reopened: not a start
        (Status.SKIPPED, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.NOT_STARTED),
        (Status.DONE, Status.NOT_STARTED),
        (Status.NOT_STARTED, Status.SKIPPED),
        (Status.IN_PROGRESS, Status.SKIPPED),
    ],
)
def test_heatmap_other_changes_are_neither_completed_nor_started(from_status, to_status):
    days = heatmap([Event(1, from_status, to_status, utc(2026, 6, 10))], [], today=TODAY, tz=UTC)

    assert counts_on(days, date(2026, 6, 10)) == (0, 0, 0)
    assert active_days(days) == {}


def test_heatmap_ignores_events_and_posts_outside_the_window():
    first_day = date(2025, 6, 16)
    events = [
        finish(1, utc(2025, 6, 15, 23, 59)),  # the Sunday before the first day
        finish(2, utc(2025, 6, 16, 0, 0)),  # the first day
        finish(3, utc(2026, 6, 17, 23, 59)),  # today
        finish(4, utc(2026, 6, 18, 0, 0)),  # tomorrow
        start(5, utc(2024, 6, 17)),  # a year too early
    ]
    posts = [utc(2025, 6, 15, 12), utc(2026, 6, 18, 12)]

    days = heatmap(events, posts, today=TODAY, tz=UTC)

    assert days[0].day == first_day
    assert active_days(days) == {first_day: (1, 0, 0), TODAY: (1, 0, 0)}


def test_heatmap_event_at_2330_in_los_angeles_counts_on_that_local_day():
    # 23:30 PDT on Wednesday 10 June is 06:30 UTC on Thursday 11 June.
    late_evening = utc(2026, 6, 11, 6, 30)

    local = heatmap([finish(1, late_evening)], [late_evening], today=TODAY, tz=LOS_ANGELES)
    in_utc = heatmap([finish(1, late_evening)], [late_evening], today=TODAY, tz=UTC)

    assert active_days(local) == {date(2026, 6, 10): (1, 0, 1)}
    assert active_days(in_utc) == {date(2026, 6, 11): (1, 0, 1)}


def test_heatmap_event_at_0030_in_tokyo_counts_on_that_local_day():
    # 00:30 JST on Thursday 11 June is 15:30 UTC on Wednesday 10 June.
    just_after_midnight = utc(2026, 6, 10, 15, 30)

    local = heatmap([start(1, just_after_midnight)], [], today=TODAY, tz=TOKYO)
    in_utc = heatmap([start(1, just_after_midnight)], [], today=TODAY, tz=UTC)

    assert active_days(local) == {date(2026, 6, 11): (0, 1, 0)}
    assert active_days(in_utc) == {date(2026, 6, 10): (0, 1, 0)}


@pytest.mark.parametrize(
    ("at", "local_day"),
    [
        # Spring forward on Sunday 29 March 2026 at 01:00 UTC (GMT -> BST).
        (utc(2026, 3, 28, 23, 30), date(2026, 3, 28)),  # 23:30 GMT
        (utc(2026, 3, 29, 0, 30), date(2026, 3, 29)),  # 00:30 GMT, before the change
        (utc(2026, 3, 29, 1, 30), date(2026, 3, 29)),  # 02:30 BST, after the change
        (utc(2026, 3, 29, 22, 59), date(2026, 3, 29)),  # 23:59 BST
        (utc(2026, 3, 29, 23, 30), date(2026, 3, 30)),  # 00:30 BST on Monday
        # Fall back on Sunday 25 October 2026 at 01:00 UTC (BST -> GMT).
        (utc(2026, 10, 24, 22, 59), date(2026, 10, 24)),  # 23:59 BST
        (utc(2026, 10, 24, 23, 30), date(2026, 10, 25)),  # 00:30 BST on Sunday
        (utc(2026, 10, 25, 0, 30), date(2026, 10, 25)),  # the first 01:30 (BST)
        (utc(2026, 10, 25, 1, 30), date(2026, 10, 25)),  # the second 01:30 (GMT)
        (utc(2026, 10, 25, 23, 30), date(2026, 10, 25)),  # 23:30 GMT
        (utc(2026, 10, 26, 0, 30), date(2026, 10, 26)),  # 00:30 GMT on Monday
    ],
)
def test_heatmap_event_across_a_london_clock_change_lands_on_the_local_day(at, local_day):
    days = heatmap([finish(1, at)], [at], today=date(2026, 11, 1), tz=LONDON)

    assert active_days(days) == {local_day: (1, 0, 1)}


# --- Learning streak --------------------------------------------------------------------------


def test_streak_with_no_activity_is_zero():
    assert learning_streak([], [], today=TODAY, tz=UTC) == Streak(0, 0, 0)


def test_streak_counts_consecutive_weeks_ending_this_week():
    events = [
        finish(1, utc(2026, 6, 15, 9)),  # this week (Monday)
        start(2, utc(2026, 6, 14, 9)),  # last week (Sunday)
        start(3, utc(2026, 6, 1, 9)),  # the week of 1 June
    ]

    assert learning_streak(events, [], today=TODAY, tz=UTC) == Streak(3, 3, 1)


def test_streak_is_still_alive_when_this_week_has_had_nothing_yet():
    events = [start(1, utc(2026, 6, 8, 9)), finish(1, utc(2026, 6, 5, 9))]

    assert learning_streak(events, [], today=TODAY, tz=UTC) == Streak(2, 2, 0)


def test_streak_on_monday_morning_still_counts_last_week():
    events = [finish(1, utc(2026, 6, 14, 9)), finish(2, utc(2026, 6, 7, 9))]

    streak = learning_streak(events, [], today=date(2026, 6, 15), tz=UTC)

    assert streak == Streak(2, 2, 0)


def test_streak_ends_when_last_week_and_this_week_are_both_empty():
    events = [finish(1, utc(2026, 6, 5, 9)), finish(2, utc(2026, 5, 29, 9))]

    assert learning_streak(events, [], today=TODAY, tz=UTC) == Streak(0, 2, 0)


def test_streak_one_empty_week_breaks_it():
    events = [
        finish(1, utc(2026, 6, 16, 9)),  # this week
        # nothing in the week of 8 June
        finish(2, utc(2026, 6, 7, 9)),  # week of 1 June
        finish(3, utc(2026, 5, 25, 9)),  # week of 25 May
    ]

    assert learning_streak(events, [], today=TODAY, tz=UTC) == Streak(1, 2, 1)


def test_streak_continues_across_the_new_year():
    events = [
        finish(1, utc(2025, 12, 22, 9)),  # week of Monday 22 December
        finish(2, utc(2025, 12, 29, 9)),  # Monday 29 December ...
        finish(3, utc(2026, 1, 4, 9)),  # ... to Sunday 4 January is one week
        start(4, utc(2026, 1, 6, 9)),  # week of Monday 5 January
    ]

    streak = learning_streak(events, [], today=date(2026, 1, 7), tz=UTC)

    assert streak == Streak(3, 3, 1)


def test_streak_week_spanning_the_new_year_is_one_week_with_two_days_this_week():
    events = [
        finish(1, utc(2025, 12, 22, 9)),
        finish(2, utc(2025, 12, 30, 9)),
        finish(3, utc(2026, 1, 2, 9)),
    ]

    streak = learning_streak(events, [], today=date(2026, 1, 3), tz=UTC)

    assert streak == Streak(2, 2, 2)


def test_streak_longest_is_found_among_several_runs():
    weeks_with_activity = [
        date(2026, 1, 5),
        date(2026, 1, 12),  # a run of 2
        date(2026, 2, 2),
        date(2026, 2, 9),
        date(2026, 2, 16),
        date(2026, 2, 23),  # a run of 4
        date(2026, 4, 6),
        date(2026, 4, 13),
        date(2026, 4, 20),  # a run of 3
        date(2026, 6, 8),
        date(2026, 6, 15),  # the current run of 2
    ]
    events = [
        finish(n, noon(monday + timedelta(days=2))) for n, monday in enumerate(weeks_with_activity)
    ]

    assert learning_streak(events, [], today=TODAY, tz=UTC) == Streak(2, 4, 1)


def test_streak_days_this_week_counts_distinct_local_days_up_to_today():
    events = [
        finish(1, utc(2026, 6, 15, 8)),
        finish(2, utc(2026, 6, 15, 9)),
        start(3, utc(2026, 6, 15, 22)),  # three changes on Monday: one day
        start(4, utc(2026, 6, 17, 7)),  # today
        finish(5, utc(2026, 6, 14, 23, 59)),  # last Sunday: last week
        finish(6, utc(2026, 6, 18, 9)),  # tomorrow has not happened yet
    ]
    posts = [utc(2026, 6, 16, 12), utc(2026, 6, 17, 20)]

    streak = learning_streak(events, posts, today=TODAY, tz=UTC)

    assert streak.days_this_week == 3  # Monday, Tuesday (a post) and Wednesday


def test_streak_future_activity_does_not_make_a_streak():
    events = [finish(1, utc(2026, 6, 22, 9)), finish(2, utc(2026, 6, 29, 9))]

    assert learning_streak(events, [], today=TODAY, tz=UTC) == Streak(0, 0, 0)


def test_streak_posts_alone_count():
    posts = [utc(2026, 6, 16, 12), utc(2026, 6, 10, 12), utc(2026, 6, 3, 12)]

    assert learning_streak([], posts, today=TODAY, tz=UTC) == Streak(3, 3, 1)


def test_streak_event_on_sunday_evening_in_utc_is_monday_in_tokyo():
    # 20:00 UTC on Sunday 14 June is 05:00 JST on Monday 15 June: this week in Tokyo.
    events = [finish(1, utc(2026, 6, 14, 20)), finish(2, utc(2026, 6, 3, 9))]

    in_tokyo = learning_streak(events, [], today=TODAY, tz=TOKYO)
    in_utc = learning_streak(events, [], today=TODAY, tz=UTC)

    assert in_tokyo == Streak(1, 1, 1)  # the week of 8 June is empty in Tokyo
    assert in_utc == Streak(2, 2, 0)


def test_streak_event_on_monday_morning_in_utc_is_sunday_in_los_angeles():
    # 03:00 UTC on Monday 15 June is 20:00 PDT on Sunday 14 June: last week in Los Angeles.
    events = [start(1, utc(2026, 6, 15, 3)), start(2, utc(2026, 6, 3, 18))]

    in_los_angeles = learning_streak(events, [], today=TODAY, tz=LOS_ANGELES)
    in_utc = learning_streak(events, [], today=TODAY, tz=UTC)

    assert in_los_angeles == Streak(2, 2, 0)
    assert in_utc == Streak(1, 1, 1)


# --- Done over time ---------------------------------------------------------------------------

MARCH_START = date(2026, 3, 2)  # a Monday
MARCH_TODAY = date(2026, 3, 25)  # a Wednesday, 23 days later


def test_done_over_time_samples_each_week_from_the_start_and_today():
    events = [
        start(1, utc(2026, 3, 2, 8)),
        finish(1, utc(2026, 3, 2, 10)),
        finish(2, utc(2026, 3, 10)),
        finish(3, utc(2026, 3, 24)),
    ]

    points = done_over_time(events, {1, 2, 3}, start=MARCH_START, today=MARCH_TODAY, tz=UTC)

    assert points == [
        (date(2026, 3, 2), 1.0),
        (date(2026, 3, 9), 1.0),
        (date(2026, 3, 16), 2.0),
        (date(2026, 3, 23), 2.0),
        (date(2026, 3, 25), 3.0),
    ]


def test_done_over_time_today_on_a_weekly_sample_is_not_repeated():
    points = done_over_time([], {1}, start=MARCH_START, today=date(2026, 3, 16), tz=UTC)

    assert [day for day, _ in points] == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]


def test_done_over_time_counts_completions_before_the_start_from_the_first_point():
    events = [finish(1, utc(2026, 2, 20))]

    points = done_over_time(events, {1}, start=MARCH_START, today=date(2026, 3, 9), tz=UTC)

    assert points == [(date(2026, 3, 2), 1.0), (date(2026, 3, 9), 1.0)]


@pytest.mark.parametrize("reopened_to", [Status.IN_PROGRESS, Status.NOT_STARTED])
def test_done_over_time_reopened_milestone_stops_counting_from_then(reopened_to):
    events = [
        finish(1, utc(2026, 3, 3)),
        finish(2, utc(2026, 3, 4)),
        reopen(1, utc(2026, 3, 12), to_status=reopened_to),
    ]

    points = done_over_time(events, {1, 2}, start=MARCH_START, today=MARCH_TODAY, tz=UTC)

    assert [count for _, count in points] == [0.0, 2.0, 1.0, 1.0, 1.0]


def test_done_over_time_milestone_done_again_after_reopening_counts_again():
    events = [
        finish(1, utc(2026, 3, 3)),
        reopen(1, utc(2026, 3, 12)),
        finish(1, utc(2026, 3, 20)),
    ]

    points = done_over_time(events, {1}, start=MARCH_START, today=MARCH_TODAY, tz=UTC)

    assert [count for _, count in points] == [0.0, 1.0, 0.0, 1.0, 1.0]


def test_done_over_time_events_given_out_of_order_are_replayed_in_time_order():
    events = [
        reopen(1, utc(2026, 3, 12)),
        finish(1, utc(2026, 3, 3)),
    ]

    points = done_over_time(events, {1}, start=MARCH_START, today=MARCH_TODAY, tz=UTC)

    assert [count for _, count in points] == [0.0, 1.0, 0.0, 0.0, 0.0]


def test_done_over_time_counts_only_counted_milestones():
    events = [finish(1, utc(2026, 3, 3)), finish(2, utc(2026, 3, 3)), finish(3, utc(2026, 3, 3))]

    points = done_over_time(events, {1, 3, 4}, start=MARCH_START, today=MARCH_TODAY, tz=UTC)

    assert [count for _, count in points] == [0.0, 2.0, 2.0, 2.0, 2.0]


def test_done_over_time_without_events_is_all_zeros():
    points = done_over_time([], {1, 2}, start=MARCH_START, today=MARCH_TODAY, tz=UTC)

    assert points == [
        (date(2026, 3, 2), 0.0),
        (date(2026, 3, 9), 0.0),
        (date(2026, 3, 16), 0.0),
        (date(2026, 3, 23), 0.0),
        (date(2026, 3, 25), 0.0),
    ]


def test_done_over_time_start_today_gives_one_point():
    events = [finish(1, utc(2026, 3, 2, 9)), finish(2, utc(2026, 3, 3, 9))]

    points = done_over_time(events, {1, 2}, start=MARCH_START, today=MARCH_START, tz=UTC)

    assert points == [(MARCH_START, 1.0)]


def test_done_over_time_uses_the_local_day_of_each_event():
    # 23:30 PDT on Monday 9 March is 06:30 UTC on Tuesday 10 March.
    events = [finish(1, utc(2026, 3, 10, 6, 30))]

    local = done_over_time(events, {1}, start=MARCH_START, today=MARCH_TODAY, tz=LOS_ANGELES)
    in_utc = done_over_time(events, {1}, start=MARCH_START, today=MARCH_TODAY, tz=UTC)

    assert [count for _, count in local] == [0.0, 1.0, 1.0, 1.0, 1.0]
    assert [count for _, count in in_utc] == [0.0, 0.0, 1.0, 1.0, 1.0]


def test_done_over_time_ignores_events_after_today():
    events = [finish(1, utc(2026, 3, 24)), finish(2, utc(2026, 3, 26))]

    points = done_over_time(events, {1, 2}, start=MARCH_START, today=MARCH_TODAY, tz=UTC)

    assert points[-1] == (MARCH_TODAY, 1.0)


# --- Pace -------------------------------------------------------------------------------------

LONG_AGO = date(2025, 6, 1)


def pace_rows(*statuses_and_hours: tuple[str, str]) -> dict[int, MilestoneRow]:
    return rows(
        *(
            row(n, status=status, hours=hours)
            for n, (status, hours) in enumerate(statuses_and_hours, start=1)
        )
    )


def test_pace_counts_completions_in_the_last_4_and_12_weeks():
    milestones = pace_rows(
        (Status.DONE, "1.5"),
        (Status.DONE, "2"),
        (Status.DONE, "2.5"),
        (Status.DONE, "3"),
        (Status.DONE, "4"),
        (Status.DONE, "5"),
    )
    events = [
        finish(1, utc(2026, 6, 10)),
        finish(2, utc(2026, 5, 30)),
        finish(3, utc(2026, 5, 1)),  # only in the 12-week window
        finish(4, utc(2026, 4, 1)),  # only in the 12-week window
        finish(5, utc(2026, 3, 25)),  # exactly 12 weeks ago: outside both
        finish(6, utc(2026, 3, 26)),  # 12 weeks less a day: inside the 12-week window
    ]

    month = pace(events, milestones, weeks=4, today=TODAY, started_on=LONG_AGO, tz=UTC)
    quarter = pace(events, milestones, weeks=12, today=TODAY, started_on=LONG_AGO, tz=UTC)

    assert month == Pace(4, 2, Decimal("3.5"), 0.5, 0.875)
    assert quarter.weeks == 12
    assert quarter.milestones == 5
    assert quarter.hours == Decimal("14.0")
    assert quarter.per_week == pytest.approx(5 / 12)
    assert quarter.hours_per_week == pytest.approx(14 / 12)


def test_pace_window_is_exactly_the_last_28_days_up_to_today():
    milestones = pace_rows(*[(Status.DONE, "1")] * 4)
    events = [
        finish(1, utc(2026, 5, 20, 23, 59)),  # 28 days ago: outside
        finish(2, utc(2026, 5, 21, 0, 0)),  # 27 days ago: inside
        finish(3, utc(2026, 6, 17, 23, 59)),  # today: inside
        finish(4, utc(2026, 6, 18, 0, 0)),  # tomorrow: outside
    ]

    result = pace(events, milestones, weeks=4, today=TODAY, started_on=LONG_AGO, tz=UTC)

    assert (result.milestones, result.hours) == (2, Decimal(2))


def test_pace_window_edge_follows_the_local_day():
    milestones = pace_rows((Status.DONE, "1"))
    # 05:00 UTC on 21 May is 22:00 PDT on 20 May, the day that falls outside the window.
    events = [finish(1, utc(2026, 5, 21, 5))]

    local = pace(events, milestones, weeks=4, today=TODAY, started_on=LONG_AGO, tz=LOS_ANGELES)
    in_utc = pace(events, milestones, weeks=4, today=TODAY, started_on=LONG_AGO, tz=UTC)

    assert (local.milestones, in_utc.milestones) == (0, 1)


@pytest.mark.parametrize("status_now", [Status.IN_PROGRESS, Status.NOT_STARTED, Status.SKIPPED])
def test_pace_milestone_reopened_since_is_not_counted(status_now):
    milestones = pace_rows((Status.DONE, "2"), (status_now, "8"))
    events = [
        finish(1, utc(2026, 6, 1)),
        finish(2, utc(2026, 6, 2)),
        reopen(2, utc(2026, 6, 9), to_status=status_now),
    ]

    result = pace(events, milestones, weeks=4, today=TODAY, started_on=LONG_AGO, tz=UTC)

    assert result == Pace(4, 1, Decimal(2), 0.25, 0.5)


def test_pace_same_milestone_completed_twice_counts_once():
    milestones = pace_rows((Status.DONE, "6"))
    events = [finish(1, utc(2026, 6, 1)), reopen(1, utc(2026, 6, 3)), finish(1, utc(2026, 6, 10))]

    result = pace(events, milestones, weeks=4, today=TODAY, started_on=LONG_AGO, tz=UTC)

    assert result == Pace(4, 1, Decimal(6), 0.25, 1.5)


def test_pace_ignores_events_of_milestones_no_longer_on_the_roadmap():
    milestones = pace_rows((Status.DONE, "2"))
    events = [finish(1, utc(2026, 6, 1)), finish(99, utc(2026, 6, 2))]

    result = pace(events, milestones, weeks=4, today=TODAY, started_on=LONG_AGO, tz=UTC)

    assert result.milestones == 1


def test_pace_without_completions_is_zero():
    result = pace([], {}, weeks=4, today=TODAY, started_on=LONG_AGO, tz=UTC)

    assert result == Pace(4, 0, Decimal(0), 0.0, 0.0)


@pytest.mark.parametrize("weeks", [4, 12])
def test_pace_roadmap_younger_than_the_window_is_measured_over_its_weeks(weeks):
    milestones = pace_rows((Status.DONE, "1"), (Status.DONE, "2"), (Status.DONE, "4"))
    events = [finish(1, utc(2026, 6, 4)), finish(2, utc(2026, 6, 10)), finish(3, utc(2026, 6, 16))]

    # Started two weeks ago.
    result = pace(events, milestones, weeks=weeks, today=TODAY, started_on=date(2026, 6, 3), tz=UTC)

    assert result == Pace(weeks, 3, Decimal(7), 1.5, 3.5)


def test_pace_roadmap_of_ten_days_is_measured_over_ten_sevenths_of_a_week():
    milestones = pace_rows((Status.DONE, "1"), (Status.DONE, "1"))
    events = [finish(1, utc(2026, 6, 8)), finish(2, utc(2026, 6, 16))]

    result = pace(events, milestones, weeks=4, today=TODAY, started_on=date(2026, 6, 7), tz=UTC)

    assert result.per_week == pytest.approx(1.4)
    assert result.hours_per_week == pytest.approx(1.4)


@pytest.mark.parametrize("started_on", [TODAY, date(2026, 6, 14), date(2026, 6, 20)])
def test_pace_roadmap_younger_than_a_week_is_measured_over_one_week(started_on):
    milestones = pace_rows((Status.DONE, "1.5"), (Status.DONE, "2.5"))
    events = [finish(1, utc(2026, 6, 17, 8)), finish(2, utc(2026, 6, 17, 9))]

    result = pace(events, milestones, weeks=4, today=TODAY, started_on=started_on, tz=UTC)

    assert result == Pace(4, 2, Decimal(4), 2.0, 4.0)


# --- Projection -------------------------------------------------------------------------------


def steady(per_week: float, *, milestones: int = 12, weeks: int = 12) -> Pace:
    """A recent pace of `per_week` milestones a week, with `milestones` in the window."""
    return Pace(weeks, milestones, Decimal(0), per_week, 0.0)


def test_projection_after_the_target_reads_the_month_and_how_far_after():
    # 12 completions in 12 weeks: one a week, so 90 remaining take 630 days.
    milestones = rows(*(row(n, status=Status.DONE, hours="2") for n in range(1, 13)))
    events = [finish(n, noon(TODAY - timedelta(weeks=n - 1))) for n in range(1, 13)]
    recent = pace(events, milestones, weeks=12, today=TODAY, started_on=LONG_AGO, tz=UTC)

    result = projection(
        remaining=90, recent=recent, today=TODAY, started_on=LONG_AGO, target=date(2027, 11, 8)
    )

    assert recent.per_week == 1.0
    assert result.finish == date(2028, 3, 8)
    assert result.days_after_target == 121
    assert result.message == "At this pace: March 2028, 4 months after the target."


def test_projection_before_the_target_says_before():
    # 10 remaining at one a week: 70 days, Wednesday 26 August 2026.
    result = projection(
        remaining=10,
        recent=steady(1.0),
        today=TODAY,
        started_on=LONG_AGO,
        target=date(2026, 9, 30),
    )

    assert result.finish == date(2026, 8, 26)
    assert result.days_after_target == -35
    assert result.message == "At this pace: August 2026, 5 weeks before the target."


def test_projection_rounds_a_fraction_of_a_day_up():
    # 5 remaining at 3 a week is 11.67 days: the 12th day from today.
    result = projection(
        remaining=5, recent=steady(3.0), today=TODAY, started_on=LONG_AGO, target=None
    )

    assert result.finish == date(2026, 6, 29)


@pytest.mark.parametrize("days_after", [-6, -1, 0, 1, 6])
def test_projection_within_a_week_of_the_target_is_on_target(days_after):
    finish_day = date(2026, 8, 26)  # 10 remaining at one a week
    target = finish_day - timedelta(days=days_after)

    result = projection(
        remaining=10, recent=steady(1.0), today=TODAY, started_on=LONG_AGO, target=target
    )

    assert result.finish == finish_day
    assert result.days_after_target == days_after
    assert result.message == "At this pace: August 2026, on target."


@pytest.mark.parametrize(
    ("days_after", "message"),
    [
        (7, "At this pace: August 2026, 7 days after the target."),
        (-7, "At this pace: August 2026, 7 days before the target."),
        (13, "At this pace: August 2026, 13 days after the target."),
        (14, "At this pace: August 2026, 2 weeks after the target."),
        (-17, "At this pace: August 2026, 2 weeks before the target."),
        (60, "At this pace: August 2026, 9 weeks after the target."),
        (61, "At this pace: August 2026, 2 months after the target."),
        (-365, "At this pace: August 2026, 12 months before the target."),
    ],
)
def test_projection_distance_from_the_target_is_said_in_days_weeks_or_months(days_after, message):
    target = date(2026, 8, 26) - timedelta(days=days_after)

    result = projection(
        remaining=10, recent=steady(1.0), today=TODAY, started_on=LONG_AGO, target=target
    )

    assert result.message == message
    assert result.days_after_target == days_after


def test_projection_without_a_target_asks_for_one():
    result = projection(
        remaining=10, recent=steady(1.0), today=TODAY, started_on=LONG_AGO, target=None
    )

    assert result.finish == date(2026, 8, 26)
    assert result.days_after_target is None
    assert result.message == "At this pace: August 2026. Set a target date to compare."


def test_projection_with_less_than_two_weeks_of_history_says_so():
    result = projection(
        remaining=10,
        recent=steady(10.0, milestones=20, weeks=4),
        today=TODAY,
        started_on=TODAY - timedelta(days=13),
        target=date(2026, 9, 30),
    )

    assert result.finish is None
    assert result.days_after_target is None
    assert result.message == NOT_ENOUGH_HISTORY


def test_projection_with_exactly_two_weeks_of_history_and_three_completions_projects():
    result = projection(
        remaining=3,
        recent=steady(1.5, milestones=3),
        today=TODAY,
        started_on=TODAY - timedelta(days=14),
        target=None,
    )

    assert result.finish == date(2026, 7, 1)  # 3 / 1.5 weeks = 14 days


@pytest.mark.parametrize("completions", [0, 1, 2])
def test_projection_with_fewer_than_three_completions_says_so(completions):
    recent = Pace(12, completions, Decimal(0), completions / 12, 0.0)

    result = projection(
        remaining=10, recent=recent, today=TODAY, started_on=LONG_AGO, target=date(2026, 9, 30)
    )

    assert result.finish is None
    assert result.message == NOT_ENOUGH_HISTORY


def test_projection_of_a_new_roadmap_with_no_pace_does_not_divide_by_zero():
    recent = pace([], {}, weeks=12, today=TODAY, started_on=TODAY, tz=UTC)

    result = projection(remaining=5, recent=recent, today=TODAY, started_on=TODAY, target=None)

    assert result == projection(
        remaining=5, recent=recent, today=TODAY, started_on=TODAY, target=date(2026, 9, 30)
    )
    assert result.finish is None
    assert result.message == NOT_ENOUGH_HISTORY


@pytest.mark.parametrize("remaining", [0, -1])
def test_projection_with_nothing_remaining_says_every_counted_milestone_is_done(remaining):
    no_pace = Pace(12, 0, Decimal(0), 0.0, 0.0)

    result = projection(
        remaining=remaining, recent=no_pace, today=TODAY, started_on=TODAY, target=None
    )

    assert result.finish == TODAY
    assert result.days_after_target is None
    assert result.message == "Every counted milestone is done."


@pytest.mark.parametrize(("weeks", "completions"), [(4, 7), (12, 21)])
def test_projection_exact_whole_number_of_days_is_not_pushed_a_day_later(weeks, completions):
    today = date(2026, 3, 6)
    milestones = rows(*(row(n, status=Status.DONE) for n in range(1, completions + 1)))
    events = [finish(n, noon(today - timedelta(days=n))) for n in range(1, completions + 1)]
    recent = pace(events, milestones, weeks=weeks, today=today, started_on=LONG_AGO, tz=UTC)

    result = projection(
        remaining=29, recent=recent, today=today, started_on=LONG_AGO, target=date(2026, 6, 24)
    )

    assert recent.per_week == 1.75
    assert result.finish == date(2026, 6, 30)  # 116 days: 29 milestones at 4 days each
    assert result.message == "At this pace: June 2026, on target."


# --- Next up ----------------------------------------------------------------------------------


def ids(milestones: list[MilestoneRow]) -> list[int]:
    return [m.id for m in milestones]


def test_next_up_without_prerequisites_is_the_first_not_started_required_in_order():
    milestones = [
        row(1, status=Status.DONE),
        row(2),
        row(3, status=Status.IN_PROGRESS),
        row(4, optional=True),
        row(5, status=Status.SKIPPED),
        row(6, topic=2),
        row(7, topic=3),
        row(8, topic=3),
        row(9, topic=4),
        row(10, topic=4),
    ]

    assert ids(next_up(milestones, {})) == [2, 6, 7, 8, 9]
    assert ids(next_up(milestones, {}, limit=2)) == [2, 6]
    assert ids(next_up(milestones, {}, limit=10)) == [2, 6, 7, 8, 9, 10]


def test_next_up_keeps_the_order_it_is_given():
    milestones = [row(30), row(10), row(20)]

    assert ids(next_up(milestones, {})) == [30, 10, 20]


def test_next_up_with_nothing_left_is_empty():
    milestones = [row(1, status=Status.DONE), row(2, status=Status.IN_PROGRESS)]

    assert next_up(milestones, {}) == []


@pytest.mark.parametrize("blocking", [Status.NOT_STARTED, Status.IN_PROGRESS])
def test_next_up_hides_milestones_whose_prerequisite_topic_is_unfinished(blocking):
    milestones = [
        row(1, topic=1, status=Status.DONE),
        row(2, topic=1, status=blocking),
        row(3, topic=2),
        row(4, topic=3),
    ]

    offered = ids(next_up(milestones, {2: {1}}))

    assert 3 not in offered
    assert offered == ([2, 4] if blocking == Status.NOT_STARTED else [4])


def test_next_up_offers_a_topic_once_its_prerequisite_topics_required_milestones_are_done_or_skipped():
    milestones = [
        row(1, topic=1, status=Status.DONE),
        row(2, topic=1, status=Status.SKIPPED),
        row(3, topic=1, optional=True),  # optional: does not hold topic 2 back
        row(4, topic=2),
        row(5, topic=2),
    ]

    assert ids(next_up(milestones, {2: {1}})) == [4, 5]


def test_next_up_needs_every_prerequisite_topic_finished():
    milestones = [
        row(1, topic=1, status=Status.DONE),
        row(2, topic=2, status=Status.IN_PROGRESS),
        row(3, topic=3),
    ]

    assert ids(next_up(milestones, {3: {1, 2}})) == []
    assert ids(next_up(milestones, {3: {1}})) == [3]


def test_next_up_prerequisite_topic_with_only_optional_milestones_does_not_block():
    milestones = [row(1, topic=1, optional=True), row(2, topic=2)]

    assert ids(next_up(milestones, {2: {1}})) == [2]


def test_next_up_never_offers_optional_milestones():
    milestones = [row(1, optional=True), row(2, topic=2, optional=True), row(3, topic=2)]

    assert ids(next_up(milestones, {})) == [3]


def test_next_up_does_not_offer_in_progress_milestones():
    milestones = [row(1, status=Status.IN_PROGRESS), row(2, status=Status.IN_PROGRESS)]

    assert next_up(milestones, {}) == []


# --- Stalled ----------------------------------------------------------------------------------

NOW = utc(2026, 6, 17, 12)


def test_stalled_in_progress_for_more_than_four_weeks_is_stalled():
    milestones = [
        row(1, status=Status.IN_PROGRESS, started_at=NOW - timedelta(weeks=4, seconds=1)),
        row(2, status=Status.IN_PROGRESS, started_at=NOW - timedelta(weeks=30)),
    ]

    assert ids(stalled(milestones, now=NOW)) == [1, 2]


@pytest.mark.parametrize(
    "age", [timedelta(weeks=4), timedelta(weeks=4, seconds=-1), timedelta(days=1), timedelta(0)]
)
def test_stalled_in_progress_for_four_weeks_or_less_is_not_stalled(age):
    milestones = [row(1, status=Status.IN_PROGRESS, started_at=NOW - age)]

    assert stalled(milestones, now=NOW) == []


@pytest.mark.parametrize("status", [Status.DONE, Status.NOT_STARTED, Status.SKIPPED])
def test_stalled_never_includes_milestones_not_in_progress(status):
    milestones = [row(1, status=status, started_at=NOW - timedelta(weeks=10))]

    assert stalled(milestones, now=NOW) == []


def test_stalled_in_progress_without_a_start_time_is_not_stalled():
    assert stalled([row(1, status=Status.IN_PROGRESS, started_at=None)], now=NOW) == []


# --- Quarter ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "number"),
    [
        (1, 1),
        (2, 1),
        (3, 1),
        (4, 2),
        (5, 2),
        (6, 2),
        (7, 3),
        (8, 3),
        (9, 3),
        (10, 4),
        (11, 4),
        (12, 4),
    ],
)
def test_quarter_of_each_month(month, number):
    assert Quarter.of(date(2026, month, 15)) == Quarter(2026, number)


def test_quarter_of_first_and_last_days():
    assert Quarter.of(date(2026, 1, 1)) == Quarter(2026, 1)
    assert Quarter.of(date(2026, 3, 31)) == Quarter(2026, 1)
    assert Quarter.of(date(2026, 4, 1)) == Quarter(2026, 2)
    assert Quarter.of(date(2025, 12, 31)) == Quarter(2025, 4)


@pytest.mark.parametrize(
    ("quarter", "first_day", "day_after"),
    [
        (Quarter(2026, 1), date(2026, 1, 1), date(2026, 4, 1)),
        (Quarter(2026, 2), date(2026, 4, 1), date(2026, 7, 1)),
        (Quarter(2026, 3), date(2026, 7, 1), date(2026, 10, 1)),
        (Quarter(2026, 4), date(2026, 10, 1), date(2027, 1, 1)),
    ],
)
def test_quarter_start_and_end_are_its_first_day_and_the_day_after_it(
    quarter, first_day, day_after
):
    assert quarter.start == first_day
    assert quarter.end == day_after
    assert Quarter.of(quarter.start) == quarter
    assert Quarter.of(quarter.end - timedelta(days=1)) == quarter


def test_quarter_previous_and_next_cross_year_ends():
    assert Quarter(2026, 1).previous == Quarter(2025, 4)
    assert Quarter(2025, 4).next == Quarter(2026, 1)
    assert Quarter(2026, 2).previous == Quarter(2026, 1)
    assert Quarter(2026, 2).next == Quarter(2026, 3)
    assert Quarter(2026, 3).next.next == Quarter(2027, 1)


def test_quarter_reads_as_year_and_number():
    assert str(Quarter(2026, 1)) == "2026-Q1"
    assert str(Quarter(2025, 4)) == "2025-Q4"


# --- Quarter numbers --------------------------------------------------------------------------

Q1_2026 = Quarter(2026, 1)
Q2_2026 = Quarter(2026, 2)


def numbers_for(
    quarter, events, milestones, *, tz=UTC, started_on=LONG_AGO, target=None, counted=0
):
    return quarter_numbers(
        quarter, events, milestones, tz=tz, started_on=started_on, target=target, counted=counted
    )


def test_quarter_numbers_count_completions_and_starts_inside_the_quarter_only():
    milestones = rows(
        row(1, hours="3"),
        row(2, hours="5"),
        row(3, hours="8"),
        row(4, hours="13"),
        row(6, hours="2.5"),
    )
    events = [
        start(1, utc(2026, 3, 31, 12)),  # Q1
        finish(1, utc(2026, 4, 2)),
        start(2, utc(2026, 4, 10)),
        start(3, utc(2026, 6, 30, 23, 59)),
        finish(3, utc(2026, 7, 1, 0, 0)),  # Q3
        reopen(4, utc(2026, 4, 5)),  # reopening is not a start
        finish(5, utc(2026, 5, 1)),  # no longer on the roadmap
        finish(6, utc(2026, 5, 2), from_status=Status.NOT_STARTED),  # done without a start
    ]

    numbers = numbers_for(Q2_2026, events, milestones)

    assert numbers.quarter == Q2_2026
    assert numbers.completed == [1, 6]
    assert numbers.started == [2, 3]
    assert numbers.hours == Decimal("5.5")


def test_quarter_numbers_milestone_completed_twice_counts_once():
    milestones = rows(row(1, hours="4"))
    events = [finish(1, utc(2026, 4, 2)), reopen(1, utc(2026, 4, 9)), finish(1, utc(2026, 5, 3))]

    numbers = numbers_for(Q2_2026, events, milestones)

    assert (numbers.completed, numbers.hours) == ([1], Decimal(4))


def test_quarter_numbers_lists_completions_in_the_order_they_happened():
    milestones = rows(row(1), row(2), row(3))
    events = [finish(3, utc(2026, 4, 20)), finish(1, utc(2026, 5, 1)), finish(2, utc(2026, 4, 1))]

    assert numbers_for(Q2_2026, events, milestones).completed == [2, 3, 1]


def test_quarter_numbers_31_march_at_2330_west_of_utc_is_still_q1():
    milestones = rows(row(1, hours="2"), row(2))
    # 23:30 EDT on 31 March is 03:30 UTC on 1 April.
    events = [finish(1, utc(2026, 4, 1, 3, 30)), start(2, utc(2026, 4, 1, 3, 30))]

    q1_new_york = numbers_for(Q1_2026, events, milestones, tz=NEW_YORK)
    q2_new_york = numbers_for(Q2_2026, events, milestones, tz=NEW_YORK)
    q2_utc = numbers_for(Q2_2026, events, milestones, tz=UTC)

    assert (q1_new_york.completed, q1_new_york.started, q1_new_york.hours) == ([1], [2], 2)
    assert (q2_new_york.completed, q2_new_york.started, q2_new_york.hours) == ([], [], 0)
    assert (q2_utc.completed, q2_utc.started) == ([1], [2])


def test_quarter_numbers_with_nothing_in_the_quarter_are_empty():
    numbers = numbers_for(Q2_2026, [finish(1, utc(2026, 1, 5))], rows(row(1, hours="3")))

    assert (numbers.completed, numbers.started, numbers.hours) == ([], [], Decimal(0))


@pytest.mark.parametrize(
    ("quarter", "planned"),
    [
        (Quarter(2026, 1), 18.0),  # 90 of 365 days
        (Quarter(2026, 2), 18.2),  # 91 days
        (Quarter(2026, 3), 18.4),  # 92 days
        (Quarter(2026, 4), 18.4),  # 92 days
    ],
)
def test_quarter_numbers_planned_inside_the_plan_is_the_quarters_share(quarter, planned):
    numbers = numbers_for(
        quarter, [], {}, started_on=date(2026, 1, 1), target=date(2027, 1, 1), counted=73
    )

    assert numbers.planned == pytest.approx(planned)


@pytest.mark.parametrize(
    ("quarter", "planned"),
    [
        (Quarter(2025, 4), 0.0),  # before the start
        (Quarter(2026, 1), 6.0),  # from the start, 2 March, to 1 April: 30 of 100 days
        (Quarter(2026, 2), 14.0),  # 1 April to the target, 10 June: 70 days
        (Quarter(2026, 3), 0.0),  # after the target
    ],
)
def test_quarter_numbers_planned_counts_only_the_part_of_the_quarter_in_the_plan(quarter, planned):
    numbers = numbers_for(
        quarter, [], {}, started_on=date(2026, 3, 2), target=date(2026, 6, 10), counted=20
    )

    assert numbers.planned == pytest.approx(planned)


def test_quarter_numbers_planned_over_every_quarter_adds_up_to_the_counted_milestones():
    started_on, target = date(2025, 11, 20), date(2027, 2, 3)
    quarter, total = Quarter.of(started_on), 0.0
    while quarter.start < target:
        numbers = numbers_for(quarter, [], {}, started_on=started_on, target=target, counted=41)
        total += numbers.planned
        quarter = quarter.next

    assert total == pytest.approx(41)


def test_quarter_numbers_without_a_target_plan_nothing():
    numbers = numbers_for(Q2_2026, [], {}, started_on=date(2026, 1, 1), target=None, counted=10)

    assert numbers.planned is None


def test_quarter_numbers_target_on_the_start_day_plan_nothing_rather_than_dividing_by_zero():
    day = date(2026, 4, 15)

    numbers = numbers_for(Q2_2026, [], {}, started_on=day, target=day, counted=10)

    assert numbers.planned is None


# --- History ----------------------------------------------------------------------------------


def history_of(*milestones: MilestoneRow, **facts) -> History:
    facts.setdefault("started_on", LONG_AGO)
    return History(rows=rows(*milestones), **facts)


def test_history_counts_required_milestones_not_skipped_and_their_hours():
    history = history_of(
        row(1, status=Status.DONE, hours="2"),
        row(2, status=Status.DONE, optional=True, hours="3"),
        row(3, status=Status.SKIPPED, hours="5"),
        row(4, status=Status.IN_PROGRESS, hours="7"),
        row(5, optional=True, hours="11"),
        row(6, hours="0.5"),
    )

    assert history.counted == {1, 4, 6}
    assert history.hours_done == Decimal("5")  # optional work done is work done
    assert history.hours_remaining == Decimal("7.5")  # only what the percent is taken over


def test_history_of_an_empty_roadmap_has_nothing_counted_and_no_hours():
    history = history_of()

    assert (history.counted, history.hours_done, history.hours_remaining) == (set(), 0, 0)


@pytest.mark.parametrize("size", [600, 6000])
def test_history_numbers_ask_the_counted_rule_once_per_row_at_any_size(size, monkeypatch):
    calls = 0
    rule = stats.is_counted

    def counting(**row):
        nonlocal calls
        calls += 1
        return rule(**row)

    monkeypatch.setattr(stats, "is_counted", counting)
    statuses = Status.values
    history = history_of(
        *(
            row(n, status=statuses[n % len(statuses)], optional=n % 9 == 8, hours="2")
            for n in range(size)
        )
    )
    for _ in range(3):  # every widget that reads them reads the same numbers
        numbers = (history.counted, history.hours_done, history.hours_remaining)

    assert calls == size  # linear: ten times the rows is ten times the work, not a hundred
    assert len(numbers[0]) == sum(
        1 for n in range(size) if n % 9 != 8 and statuses[n % len(statuses)] != Status.SKIPPED
    )


# --- Quarter review ---------------------------------------------------------------------------


def review_of(quarter, history, *, now=NOW):
    return quarter_review(history, quarter, now=now)


def test_quarter_review_stalled_is_the_dashboards_rule_at_the_end_of_a_past_quarter():
    # Q1 2026 ends at midnight UTC on 1 April: four weeks before is midnight on 4 March.
    history = history_of(
        row(1, status=Status.IN_PROGRESS, started_at=utc(2026, 3, 3, 23, 59)),
        row(2, status=Status.IN_PROGRESS, started_at=utc(2026, 3, 4, 0, 0)),
        row(3, status=Status.IN_PROGRESS, started_at=utc(2026, 4, 10)),  # after the quarter
        row(4, status=Status.DONE, started_at=utc(2026, 1, 5)),
    )

    review = review_of(Q1_2026, history, now=NOW)

    assert ids(review.stalled) == [1]
    assert ids(stalled(history.rows.values(), now=NOW)) == [1, 2, 3]  # the dashboard, today
    assert review.stalled == stalled(history.rows.values(), now=utc(2026, 4, 1, 0, 0))


def test_quarter_review_of_the_quarter_under_way_finds_stalled_as_of_now():
    history = history_of(
        row(1, status=Status.IN_PROGRESS, started_at=NOW - timedelta(weeks=4, minutes=1)),
        row(2, status=Status.IN_PROGRESS, started_at=NOW - timedelta(weeks=4)),
    )

    review = review_of(Q2_2026, history, now=NOW)

    assert review.stalled == stalled(history.rows.values(), now=NOW)
    assert ids(review.stalled) == [1]


def test_quarter_review_ends_the_quarter_at_local_midnight():
    # Q1 ends at midnight in Tokyo on 1 April, 15:00 UTC on 31 March; four weeks before
    # is 15:00 UTC on 3 March.
    history = history_of(
        row(1, status=Status.IN_PROGRESS, started_at=utc(2026, 3, 3, 14, 59)),
        row(2, status=Status.IN_PROGRESS, started_at=utc(2026, 3, 3, 15, 1)),
        time_zone="Asia/Tokyo",
    )

    assert ids(review_of(Q1_2026, history).stalled) == [1]


def test_quarter_review_counts_the_quarters_posts_by_kind_in_the_journals_order():
    history = history_of(
        posts=[
            PostRow(utc(2026, 4, 2), "til"),
            PostRow(utc(2026, 5, 2), "weekly"),
            PostRow(utc(2026, 6, 2), "til"),
            PostRow(utc(2026, 3, 31), "essay"),  # Q1
        ],
        post_kinds={"weekly": "Weekly log", "til": "TIL", "essay": "Essay"},
    )

    review = review_of(Q2_2026, history)

    assert list(review.posts_by_kind.items()) == [("Weekly log", 1), ("TIL", 2)]
    assert review.posts_total == 3


def test_quarter_review_lists_what_moved_by_stage_and_counts_optional_work_apart():
    history = history_of(
        row(1, topic=10, status=Status.DONE, hours="2", title="Vectors"),
        row(2, topic=10, status=Status.DONE, optional=True, hours="1", title="An essay"),
        row(3, topic=20, status=Status.DONE, hours="4", title="Gradients"),
        row(4, topic=20, status=Status.IN_PROGRESS, title="Backprop"),
        events=[
            finish(1, utc(2026, 4, 3)),
            finish(2, utc(2026, 4, 4)),
            finish(3, utc(2026, 5, 5)),
            start(4, utc(2026, 6, 6)),
        ],
        stage_of_topic={10: "Maths", 20: "Neural nets"},
        started_on=date(2026, 1, 1),
        target=date(2027, 1, 1),
    )

    review = review_of(Q2_2026, history)

    assert [m.title for m in review.completed] == ["Vectors", "An essay", "Gradients"]
    assert [m.title for m in review.started] == ["Backprop"]
    assert review.completed_required == 2
    assert review.numbers.hours == Decimal(7)
    assert review.stages_moved == {"Maths": 2, "Neural nets": 1}
