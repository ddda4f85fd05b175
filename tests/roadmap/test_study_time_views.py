"""Logging time from the pages, and who sees the hours."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from roadmap.models import Roadmap, StudySession
from roadmap.services import session_add, timer_start, timer_stop
from tests.factories import build_history, build_roadmap

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def timer_url(milestone):
    return f"{milestone.get_absolute_url()}timer/"


def time_url(milestone):
    return f"{milestone.get_absolute_url()}time/"


def log(milestone, minutes):
    return session_add(milestone=milestone, day=timezone.localdate(), minutes=minutes)


def test_start_and_stop_from_the_milestone_page_without_javascript(learner_client, milestone):
    response = learner_client.post(timer_url(milestone), {"action": "start"})
    assert response.status_code == 302
    page = learner_client.get(response["Location"]).content.decode()
    assert "Timer started on" in page and "Stop timer" in page
    # The start time is kept on the server: the page says so after any reload.
    StudySession.objects.update(started_at=timezone.now() - timedelta(minutes=90))
    assert (
        "Timer running since" in learner_client.get(milestone.get_absolute_url()).content.decode()
    )
    learner_client.post(timer_url(milestone), {"action": "stop"})
    page = learner_client.get(milestone.get_absolute_url()).content.decode()
    assert "Timer stopped: 1 h 30 min" in page
    assert "<strong>1.5 h</strong> spent of" in page


def test_stopping_from_the_section_with_htmx_answers_with_the_section_and_the_event(
    learner_client, milestone
):
    timer_start(milestone=milestone)
    response = learner_client.post(
        timer_url(milestone), {"action": "stop"}, HTTP_HX_TARGET="milestone-time", **HTMX
    )
    assert response.templates[0].name == "roadmap/includes/time_section.html"
    assert response["HX-Trigger-After-Settle"] == '{"time-changed": {}}'
    assert "Start timer" in response.content.decode()


def test_the_row_timer_answers_with_its_own_controls(learner_client, milestone):
    response = learner_client.post(timer_url(milestone), {"action": "start"}, **HTMX)
    html = response.content.decode()
    assert response.templates[0].name == "includes/time_row_timer.html"
    assert 'value="stop"' in html and "running since" in html
    assert 'hx-swap-oob="innerHTML">Timer started on' in html
    # Asked for as it stands (the script does this when a row's buttons open).
    assert 'value="stop"' in learner_client.get(timer_url(milestone), **HTMX).content.decode()


def test_an_unknown_timer_action_is_refused_and_changes_nothing(learner_client, milestone):
    response = learner_client.post(timer_url(milestone), {"action": "<b>pause</b>"})
    assert response.status_code == 400
    assert "<b>" not in response.content.decode()
    assert not StudySession.objects.exists()


def test_the_status_buttons_opened_without_javascript_include_the_timer(
    learner_client, roadmap, milestone
):
    html = learner_client.get(
        f"{roadmap.get_absolute_url()}?status_of={milestone.slug}"
    ).content.decode()
    assert f'action="{timer_url(milestone)}"' in html and "Start timer" in html


def test_minutes_added_by_hand_show_on_the_page(learner_client, milestone):
    today = timezone.localdate().isoformat()
    response = learner_client.post(
        time_url(milestone), {"day": today, "minutes": "45", "note": "Read ch. 3"}
    )
    assert response.status_code == 302
    page = learner_client.get(response["Location"]).content.decode()
    assert "Added 45 min on" in page and "Read ch. 3" in page and "(added by hand)" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"minutes": "0"}, "Enter at least 1 minute."),
        ({"minutes": "2000"}, "Enter at most 960 minutes"),
        ({"minutes": "lots"}, "Enter a whole number of minutes"),
        ({"day": "2999-01-01"}, "That day has not come yet"),
    ],
)
def test_bad_minutes_are_refused_with_the_reason_and_change_nothing(
    learner_client, milestone, fields, message
):
    data = {"day": timezone.localdate().isoformat(), "minutes": "30", "note": "kept"} | fields
    response = learner_client.post(time_url(milestone), data)
    assert response.status_code == 400
    assert message in response.content.decode() and 'value="kept"' in response.content.decode()
    with_htmx = learner_client.post(
        time_url(milestone), data, HTTP_HX_TARGET="milestone-time", **HTMX
    )
    assert with_htmx.status_code == 400 and message in with_htmx.content.decode()
    assert not StudySession.objects.exists()


def test_the_owner_corrects_and_deletes_a_session_after_being_asked(learner_client, milestone):
    session = log(milestone, 30)
    url = f"{time_url(milestone)}{session.pk}/"
    assert "Correct the session of" in learner_client.get(url).content.decode()
    learner_client.post(
        url, {"day": timezone.localdate().isoformat(), "minutes": "50", "note": "fixed"}
    )
    session.refresh_from_db()
    assert (session.minutes, session.note) == (50, "fixed")
    question = learner_client.get(f"{url}delete/").content.decode()
    assert "Delete this session?" in question and StudySession.objects.exists()
    learner_client.post(f"{url}delete/")
    assert not StudySession.objects.exists()


def test_another_learner_cannot_touch_a_session_or_the_timer(milestone, other_learner):
    session = log(milestone, 30)
    client = Client()
    client.force_login(other_learner)
    url = f"{time_url(milestone)}{session.pk}/"
    assert client.post(url, {"day": "2026-01-01", "minutes": "1"}).status_code == 404
    assert client.post(f"{url}delete/").status_code == 404
    assert client.post(timer_url(milestone), {"action": "start"}).status_code == 404
    session.refresh_from_db()
    assert session.minutes == 30 and StudySession.objects.count() == 1


def test_a_visitor_is_sent_to_log_in(client, milestone):
    response = client.post(timer_url(milestone), {"action": "start"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not StudySession.objects.exists()


def test_a_capped_session_asks_to_be_corrected(learner_client, milestone):
    timer_start(milestone=milestone, at=timezone.now() - timedelta(hours=20))
    page = learner_client.get(milestone.get_absolute_url()).content.decode()
    assert "Over 8 hours." in page
    learner_client.post(timer_url(milestone), {"action": "stop"})
    page = learner_client.get(milestone.get_absolute_url()).content.decode()
    assert "capped at 8 h: please correct" in page and "8 hours" in page


# Who sees the hours.


def hour_pages(client, roadmap, milestone):
    quarter = f"{timezone.localdate().year}-Q{(timezone.localdate().month - 1) // 3 + 1}"
    urls = [
        roadmap.get_absolute_url(),
        milestone.get_absolute_url(),
        f"/roadmaps/{roadmap.slug}/dashboard/",
        f"/roadmaps/{roadmap.slug}/dashboard/?heat=minutes",
        f"/roadmaps/{roadmap.slug}/review/{quarter}/",
        f"/roadmaps/{roadmap.slug}/feed/",
        f"/roadmaps/{roadmap.slug}/badge.svg",
    ]
    return {url: client.get(url).content.decode() for url in urls}


def test_a_visitor_never_sees_hours_the_learner_keeps_hidden(client, roadmap, milestone):
    log(milestone, 83)
    for url, html in hour_pages(client, roadmap, milestone).items():
        assert "spent of" not in html, url
        assert "1.4 h" not in html and "1 h 23 min" not in html, url
        assert "Minutes studied" not in html and "Time spent" not in html, url


def test_a_visitor_sees_hours_once_the_learner_shows_them(
    client, learner_client, roadmap, milestone
):
    log(milestone, 83)
    settings = learner_client.get(f"/roadmaps/{roadmap.slug}/settings/").content.decode()
    assert "Show hours spent to visitors" in settings
    Roadmap.objects.filter(pk=roadmap.pk).update(show_hours=True)
    pages = hour_pages(client, roadmap, milestone)
    assert "<strong>1.4 h</strong> spent of" in pages[roadmap.get_absolute_url()]
    assert "<strong>1.4 h</strong> spent of" in pages[milestone.get_absolute_url()]
    dashboard = pages[f"/roadmaps/{roadmap.slug}/dashboard/"]
    assert "Time spent" in dashboard and dashboard.count("spent of") == 1
    assert "1 h 23 min" in pages[f"/roadmaps/{roadmap.slug}/dashboard/?heat=minutes"]
    # Seeing them is all: no timer, no sessions, no forms.
    assert "Start timer" not in pages[milestone.get_absolute_url()]
    assert "Add time by hand" not in pages[milestone.get_absolute_url()]


def test_the_settings_form_turns_hours_on(learner_client, roadmap):
    data = {
        "title": roadmap.title,
        "slug": roadmap.slug,
        "summary": "",
        "visibility": "public",
        "started_on": roadmap.started_on.isoformat(),
        "target_date": "",
        "time_zone": "UTC",
        "show_hours": "on",
    }
    assert learner_client.post(f"/roadmaps/{roadmap.slug}/settings/", data).status_code == 302
    roadmap.refresh_from_db()
    assert roadmap.show_hours


def test_the_dashboard_shows_hours_the_ratio_and_the_running_timer_to_the_owner(
    learner_client, roadmap, milestone
):
    milestone.status = "done"
    milestone.save()
    log(milestone, 150)
    timer_start(milestone=roadmap.milestones.exclude(pk=milestone.pk).first())
    html = learner_client.get(f"/roadmaps/{roadmap.slug}/dashboard/").content.decode()
    # Said once, in the widget about time; the progress widget keeps to work done and to go.
    time_widget = html[html.index('id="widget-time"') : html.index('id="widget-activity"')]
    assert "<strong>2.5 h</strong> spent of" in time_widget and html.count("spent of") == 1
    assert "Your time against the estimates" in html
    assert "Timer running on" in html and "Stop timer" in html
    assert "Projected from milestones completed a week" in html and "(1 so far)" in html


def test_the_quarter_review_reports_hours_to_the_owner(learner_client, roadmap, milestone):
    log(milestone, 95)
    today = timezone.localdate()
    html = learner_client.get(
        f"/roadmaps/{roadmap.slug}/review/{today.year}-Q{(today.month - 1) // 3 + 1}/"
    ).content.decode()
    assert "1 h 35 min logged on days of the quarter" in html


@pytest.mark.parametrize(("milestones", "sessions", "spent"), [(10, 5, "2.5"), (600, 400, "200")])
def test_dashboard_queries_with_hours_do_not_grow(
    milestones, sessions, spent, learner, learner_client, django_assert_num_queries
):
    roadmap = build_roadmap(learner, milestones=milestones)
    build_history(roadmap, events=sessions)
    ids = list(roadmap.milestones.values_list("pk", flat=True))
    StudySession.objects.bulk_create(
        StudySession(
            learner=learner, roadmap=roadmap, milestone_id=ids[n % len(ids)],
            started_at=timezone.now() - timedelta(days=n), ended_at=timezone.now() - timedelta(days=n),
            minutes=30,
        )
        for n in range(sessions)
    )  # fmt: skip
    timer_start(milestone=roadmap.milestones.first())
    # Session and user, two for the ETag (the roadmap, kept for the page, and its posts'
    # count), the five of its history, its stages, the milestones the page lists, the posts
    # tied to recently done ones and the latest posts: the hours, the ratios and the running
    # timer come from the history.
    with django_assert_num_queries(13):
        response = learner_client.get(f"/roadmaps/{roadmap.slug}/dashboard/")
    html = response.content.decode()
    assert f"<strong>{spent} h</strong> spent of" in html and "Timer running on" in html
    timer_stop(learner=learner)
