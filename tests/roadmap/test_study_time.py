"""The numbers of time spent: sessions, caps, ratios per kind and the projection from hours."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError

from roadmap import stats
from roadmap.models import TIMER_CAP, StudySession
from roadmap.rules import Status
from roadmap.services import session_add, session_delete, session_edit, timer_start, timer_stop
from roadmap.stats import History, MilestoneRow, SessionRow

LONDON = ZoneInfo("Europe/London")


def at(text: str, tz=LONDON) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


def row(pk, *, kind="build", hours="10", status=Status.DONE, optional=False):
    return MilestoneRow(pk, 1, status, optional, Decimal(hours), kind=kind)


def session(pk, minutes, when="2026-03-02T10:00", running=False):
    return SessionRow(pk, at(when), minutes, running)


def test_hours_of_rounds_minutes_to_a_tenth():
    assert stats.hours_of(45) == Decimal("0.8")
    assert stats.hours_of(90) == Decimal("1.5")
    assert stats.hours_of(0) == Decimal("0.0")


def test_spent_minutes_count_stopped_sessions_only():
    sessions = [session(1, 30), session(1, 45), session(2, 10), session(1, 0, running=True)]
    assert stats.minutes_by_milestone(sessions) == {1: 75, 2: 10}


def test_a_session_counts_on_the_local_day_it_started_across_midnight():
    # 23:30 in London in summer is 22:30 UTC the same day; in Tokyo it is the next morning.
    late = SessionRow(1, datetime(2026, 7, 1, 22, 30, tzinfo=UTC), 90)
    assert stats.minutes_by_day([late], tz=LONDON) == {date(2026, 7, 1): 90}
    assert stats.minutes_by_day([late], tz=ZoneInfo("Asia/Tokyo")) == {date(2026, 7, 2): 90}


def test_ratio_per_kind_uses_done_milestones_with_time_and_an_estimate():
    rows = [
        row(1, kind="build", hours="10"),
        row(2, kind="build", hours="10"),
        row(3, kind="learn", hours="4"),
        row(4, kind="learn", hours="4", status=Status.IN_PROGRESS),  # not done: ignored
        row(5, kind="write", hours="0"),  # no estimate: ignored
        row(6, kind="reproduce", hours="8"),  # no time logged: ignored
    ]
    spent = {1: 900, 2: 780, 3: 120, 4: 600, 5: 60}
    labels = {"learn": "Learn", "build": "Build", "reproduce": "Reproduce", "write": "Write"}
    ratios = stats.kind_ratios(rows, spent, labels)
    assert [(r.kind, r.milestones, r.minutes, r.estimated) for r in ratios] == [
        ("learn", 1, 120, Decimal("4")),
        ("build", 2, 1680, Decimal("20")),
    ]
    assert ratios[0].ratio == pytest.approx(0.5)
    assert ratios[1].ratio == pytest.approx(1.4)
    assert ratios[1].spent == Decimal("28.0")


def history(rows, sessions, *, target=None, started_on=date(2026, 1, 5)):
    return History(
        rows={r.id: r for r in rows},
        sessions=sessions,
        milestone_kinds={"learn": "Learn", "build": "Build"},
        time_zone="Europe/London",
        started_on=started_on,
        target=target,
    )


def test_time_spent_sums_the_whole_roadmap_against_counted_estimates():
    rows = [
        row(1, hours="10"),
        row(2, hours="6", status=Status.NOT_STARTED),
        row(3, hours="5", optional=True),
    ]
    spent = stats.time_spent(history(rows, [session(1, 600), session(2, 30), session(3, 60)]))
    assert spent.hours == Decimal("11.5")
    assert spent.estimated == Decimal("16")  # the optional milestone is not counted
    # Done work with time logged, optional or not: 11 h against 15 h estimated.
    assert spent.ratio == pytest.approx(11 / 15)
    assert spent.timed_done == 2 and not spent.enough


def test_projection_from_hours_waits_for_enough_timed_milestones():
    rows = [row(n) for n in range(1, 5)] + [row(9, status=Status.NOT_STARTED)]
    h = history(rows, [session(n, 600, "2026-03-02T10:00") for n in range(1, 5)])
    result = stats.time_projection(
        h, stats.time_spent(h), today=date(2026, 3, 9), started_on=h.started_on
    )
    assert result.finish is None and result.basis == "hours"


def test_projection_from_hours_scales_the_remaining_estimates_by_the_kind_ratio():
    # Five build milestones of 10 h took 15 h each: 1.5 times the estimate. 40 h of build
    # estimate left is 60 h of the learner's time; 75 h logged in the last 12 weeks is
    # 6.25 h a week, so 60 h is 9.6 weeks: 68 days from today.
    done = [row(n, kind="build", hours="10") for n in range(1, 6)]
    left = [row(n, kind="build", hours="10", status=Status.NOT_STARTED) for n in range(6, 10)]
    today = date(2026, 6, 1)
    sessions = [session(n, 900, f"2026-05-{n + 10:02d}T09:00") for n in range(1, 6)]
    h = history(done + left, sessions, target=date(2026, 8, 4))
    spent = stats.time_spent(h)
    assert spent.enough and spent.ratios[0].ratio == pytest.approx(1.5)
    assert stats.remaining_actual_hours(h.rows.values(), h.counted, {}, spent) == pytest.approx(60)
    result = stats.time_projection(h, spent, today=today, started_on=date(2026, 1, 5))
    assert result.basis == "hours"
    assert result.finish == today + timedelta(days=68)
    assert result.message == (
        "At 6.2 h a week studied, at your pace on build milestones (1.5 × the estimate): "
        "August 2026, on target."
    )


@pytest.mark.parametrize(
    ("target", "ending"),
    [
        (date(2026, 6, 1), "August 2026, 2 months after the target."),
        (date(2026, 8, 24), "August 2026, 2 weeks before the target."),
        (None, "August 2026."),
    ],
)
def test_projection_from_hours_sets_the_finish_against_the_target(target, ending):
    # The learner of the test above, finishing 68 days from today: 8 August 2026.
    done = [row(n, kind="build", hours="10") for n in range(1, 6)]
    left = [row(n, kind="build", hours="10", status=Status.NOT_STARTED) for n in range(6, 10)]
    sessions = [session(n, 900, f"2026-05-{n + 10:02d}T09:00") for n in range(1, 6)]
    h = history(done + left, sessions, target=target)
    result = stats.time_projection(
        h, stats.time_spent(h), today=date(2026, 6, 1), started_on=date(2026, 1, 5)
    )
    assert result.message == (
        f"At 6.2 h a week studied, at your pace on build milestones (1.5 × the estimate): {ending}"
    )
    assert result.days_after_target == (
        None if target is None else (date(2026, 8, 8) - target).days
    )


def test_minutes_between_counts_the_days_after_since_up_to_until():
    per_day = {
        date(2026, 3, 1): 10,
        date(2026, 3, 2): 20,
        date(2026, 3, 8): 40,
        date(2026, 3, 9): 80,
    }
    assert stats.minutes_between(per_day, since=date(2026, 3, 1), until=date(2026, 3, 8)) == 60


def test_a_history_sums_minutes_by_day_in_its_own_zone():
    late = SessionRow(1, datetime(2026, 7, 1, 22, 30, tzinfo=UTC), 90)
    running = SessionRow(2, datetime(2026, 7, 1, 9, 0, tzinfo=UTC), 0, running=True)
    h = History(
        rows={1: row(1)},
        sessions=[late, running],
        time_zone="Asia/Tokyo",
        started_on=date(2026, 1, 5),
    )
    assert h.minutes_per_day == {date(2026, 7, 2): 90}


def test_projection_from_hours_subtracts_time_already_logged_on_open_milestones():
    done = [row(n, kind="learn", hours="2") for n in range(1, 6)]
    open_ = row(6, kind="learn", hours="10", status=Status.IN_PROGRESS)
    sessions = [session(n, 120) for n in range(1, 6)]
    h = history([*done, open_], sessions)
    spent = stats.time_spent(h)
    assert stats.remaining_actual_hours(
        h.rows.values(), h.counted, {6: 240}, spent
    ) == pytest.approx(6)


def test_quarter_review_reports_hours_spent_against_estimated():
    rows = [row(1, hours="10"), row(2, hours="4")]
    events = [stats.Event(1, Status.NOT_STARTED, Status.DONE, at("2026-02-10T12:00"))]
    h = history(
        rows,
        [
            session(1, 700, "2026-02-01T10:00"),
            session(2, 50, "2026-04-01T10:00"),
            session(1, 20, "2025-12-20T10:00"),
        ],
    )
    h.events = events
    h.stage_of_topic = {1: "Stage"}
    review = stats.quarter_review(h, stats.Quarter(2026, 1), now=at("2026-05-01T00:00"))
    assert review.minutes_spent == 700
    assert review.completed_minutes == 720
    assert review.numbers.hours == Decimal("10")


def test_minutes_heatmap_gives_each_day_its_minutes():
    per_day = stats.minutes_by_day(
        [session(1, 50, "2026-03-02T10:00"), session(2, 10, "2026-03-02T18:00")], tz=LONDON
    )
    days = stats.minutes_heatmap(per_day, today=date(2026, 3, 4))
    by_day = {d.day: d.minutes for d in days}
    assert by_day[date(2026, 3, 2)] == 60 and by_day[date(2026, 3, 3)] == 0
    assert days[-1].day == date(2026, 3, 4)


# The model and the services, against the database.


def make_running(milestone, started_at):
    return StudySession.objects.create(
        learner=milestone.roadmap.owner,
        roadmap=milestone.roadmap,
        milestone=milestone,
        started_at=started_at,
    )


@pytest.mark.django_db
def test_a_timer_left_running_is_capped_at_eight_hours_and_flagged(milestone):
    started = at("2026-03-02T20:00")
    timer_start(milestone=milestone, at=started)
    stopped = timer_stop(learner=milestone.roadmap.owner, at=started + timedelta(days=2))
    assert stopped.capped and stopped.minutes == 480
    assert stopped.ended_at == started + TIMER_CAP


@pytest.mark.django_db
def test_a_timer_across_midnight_counts_its_real_minutes_on_its_first_day(milestone):
    started = at("2026-03-02T23:15")
    timer_start(milestone=milestone, at=started)
    stopped = timer_stop(learner=milestone.roadmap.owner, at=at("2026-03-03T01:05"))
    assert stopped.minutes == 110 and not stopped.capped
    assert stopped.local_day("Europe/London") == date(2026, 3, 2)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "stop", "minutes"),
    [
        # The clocks go forward at 01:00 on 29 March 2026: 00:30 to 03:30 is two real hours.
        ("2026-03-29T00:30", "2026-03-29T03:30", 120),
        # They go back at 02:00 on 25 October 2026: 00:30 to 03:30 is four real hours.
        ("2026-10-25T00:30", "2026-10-25T03:30", 240),
    ],
)
def test_a_timer_across_a_daylight_saving_change_counts_real_time(milestone, start, stop, minutes):
    timer_start(milestone=milestone, at=at(start))
    assert timer_stop(learner=milestone.roadmap.owner, at=at(stop)).minutes == minutes


@pytest.mark.django_db
def test_the_cap_is_eight_real_hours_on_a_night_the_clocks_go_back(milestone):
    started = at("2026-10-24T22:00")
    timer_start(milestone=milestone, at=started)
    stopped = timer_stop(learner=milestone.roadmap.owner, at=at("2026-10-25T12:00"))
    assert stopped.minutes == 480 and stopped.capped
    # Eight real hours, though the clock on the wall moved nine.
    assert stopped.ended_at.astimezone(LONDON).hour == 5


@pytest.mark.django_db
def test_starting_a_timer_stops_the_one_running_elsewhere(roadmap, milestone):
    other = roadmap.milestones.exclude(pk=milestone.pk).first()
    timer_start(milestone=milestone, at=at("2026-03-02T10:00"))
    timer_start(milestone=other, at=at("2026-03-02T10:40"))
    sessions = StudySession.objects.order_by("started_at")
    assert [(s.milestone_id, s.minutes, s.is_running) for s in sessions] == [
        (milestone.pk, 40, False),
        (other.pk, 0, True),
    ]


@pytest.mark.django_db
def test_starting_the_running_timer_again_changes_nothing(milestone):
    first = timer_start(milestone=milestone, at=at("2026-03-02T10:00"))
    again = timer_start(milestone=milestone, at=at("2026-03-02T11:00"))
    assert again.pk == first.pk and StudySession.objects.count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_running_timer(milestone):
    make_running(milestone, at("2026-03-02T10:00"))
    with pytest.raises(IntegrityError):
        make_running(milestone, at("2026-03-02T11:00"))


@pytest.mark.django_db
def test_minutes_added_by_hand_are_filed_at_noon_of_that_day_in_the_roadmap_zone(
    roadmap, milestone
):
    roadmap.time_zone = "Pacific/Auckland"
    roadmap.save()
    added = session_add(milestone=milestone, day=date(2026, 3, 2), minutes=45, note="PCA by hand")
    assert added.by_hand and added.minutes == 45
    assert added.local_day("Pacific/Auckland") == date(2026, 3, 2)
    assert roadmap.history().sessions == [SessionRow(milestone.pk, added.started_at, 45, False)]


@pytest.mark.django_db
def test_correcting_a_capped_session_keeps_its_clock_time_and_clears_the_flag(milestone):
    timer_start(milestone=milestone, at=at("2026-03-02T21:00"))
    capped = timer_stop(learner=milestone.roadmap.owner, at=at("2026-03-04T09:00"))
    fixed = session_edit(
        session=capped, day=date(2026, 3, 1), minutes=95, note="real", time_zone="Europe/London"
    )
    assert not fixed.capped and fixed.minutes == 95 and fixed.note == "real"
    assert fixed.started_at == at("2026-03-01T21:00")


@pytest.mark.django_db
def test_a_running_session_cannot_be_corrected(milestone):
    running = timer_start(milestone=milestone)
    with pytest.raises(ValueError, match="still running"):
        session_edit(session=running, day=date(2026, 3, 1), minutes=5, note="", time_zone="UTC")


@pytest.mark.django_db
def test_every_write_marks_the_roadmap_changed(roadmap, milestone):
    def moved(write):
        before = type(roadmap).objects.get(pk=roadmap.pk).updated_at
        write()
        return type(roadmap).objects.get(pk=roadmap.pk).updated_at > before

    assert moved(lambda: timer_start(milestone=milestone))
    assert moved(lambda: timer_stop(learner=roadmap.owner))
    added = session_add(milestone=milestone, day=date(2026, 3, 2), minutes=5)
    assert moved(
        lambda: session_edit(
            session=added, day=date(2026, 3, 2), minutes=6, note="", time_zone="UTC"
        )
    )
    assert moved(lambda: session_delete(session=added))
    assert not StudySession.objects.filter(pk=added.pk).exists()
