import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from roadmap.models import Milestone, ProgressEvent, Roadmap, Status
from roadmap.services import milestone_set_status
from roadmap.views.pages import EVERY_STAGE_UP_TO
from tests.factories import PROGRESS_SHOWN, SITE_VERSION, build_roadmap

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def status_url(milestone):
    return reverse("roadmap:milestone-status", args=[milestone.roadmap.slug, milestone.slug])


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# Reading -----------------------------------------------------------------------------------


def test_visitor_reads_the_roadmap_as_nested_lists_with_status_text(client, roadmap, milestone):
    milestone_set_status(milestone=milestone, status=Status.DONE)
    response = client.get(roadmap.get_absolute_url())
    assert response.status_code == 200
    html = text_of(response)
    assert '<ol class="stages">' in html and '<ol class="topics" id="stage-basics-topics">' in html
    assert '<ul class="milestones">' in html
    assert "Derive and code PCA via SVD" in html
    item = re.search(r'<li id="m-svd-pca".*?</li>', html).group(0)
    assert '<span class="status-text">Done</span>' in item
    assert "1 done" in html and "8 not started" in html and "13% complete" not in html
    assert '<strong class="percent">11%</strong>' in html  # 1 of 9 required


def test_visitor_sees_no_controls(client, roadmap, milestone):
    for url in [
        roadmap.get_absolute_url(),
        milestone.topic.get_absolute_url(),
        milestone.get_absolute_url(),
    ]:
        html = client.get(url).content.decode()
        assert "status-control" not in html
        assert 'name="status"' not in html
        assert "private_note" not in html


STATUS_CONTROL = 'class="status-badge" role="button"'


def test_owner_sees_one_status_control_for_every_milestone(learner_client, roadmap):
    html = learner_client.get(roadmap.get_absolute_url()).content.decode()
    assert html.count(STATUS_CONTROL) == roadmap.milestones.count()
    # The four buttons are on the page once, for the script to open in a row.
    assert html.count('<template id="status-menu">') == 1
    assert html.count('class="status-control"') == 1
    assert 'aria-keyshortcuts="d"' in html


def test_without_javascript_a_status_control_opens_its_rows_buttons(learner_client, roadmap):
    html = learner_client.get(roadmap.get_absolute_url()).content.decode()
    link = 'href="?status_of=svd-pca" aria-expanded="false"'
    assert link in html
    opened = learner_client.get(f"{roadmap.get_absolute_url()}?status_of=svd-pca").content
    row = opened.decode().split('<li id="m-svd-pca"')[1].split("</li>")[0]
    assert 'aria-expanded="true"' in row
    assert 'action="/roadmaps/test-path/milestones/svd-pca/status/"' in row
    assert 'aria-pressed="true" aria-keyshortcuts="r"' in row and "autofocus" in row
    # Once a status is chosen, the learner returns to the page as it was, at the row.
    assert '<input type="hidden" name="next" value="/roadmaps/test-path/">' in row
    # Only that row opened.
    assert opened.decode().count('aria-expanded="true"') == 1


def test_home_with_one_public_roadmap_shows_it_its_posts_and_the_journal(
    client, roadmap, make_post
):
    make_post(title="Week 1")
    response = client.get("/")
    assert response.status_code == 200
    html = text_of(response)
    assert f'<a href="{roadmap.get_absolute_url()}">A test path</a>' in html
    assert 'href="/roadmaps/test-path/#stage-basics">Basics</a>' in html
    assert "Week 1" in html and 'href="/journal/">The journal</a>' in html


def test_home_lists_public_roadmaps_with_owner_and_progress(client, roadmap, other_learner):
    build_roadmap(other_learner, milestones=10, slug="graces")
    html = text_of(client.get("/"))
    assert "Learners (2)" in html
    assert "A test path" in html and "Roadmap graces" in html
    assert 'by <a href="/learners/ada/">ada</a>' in html
    assert 'by <a href="/learners/grace/">grace</a>' in html


def test_home_hides_private_roadmaps_from_visitors(client, roadmap, other_learner):
    build_roadmap(
        other_learner, milestones=10, slug="secret", visibility=Roadmap.Visibility.PRIVATE
    )
    html = text_of(client.get("/"))
    assert "A test path" in html
    assert "secret" not in html and "grace" not in html


def test_topic_page_shows_summary_resources_prerequisites_and_milestones(client, roadmap):
    topic = roadmap.topics.get(key="linear-models")
    html = text_of(client.get(topic.get_absolute_url()))
    assert "CS229" in html and 'href="https://cs229.stanford.edu/"' in html
    assert "Course" in html and "Documentation" in html  # resources grouped by type
    assert 'href="/roadmaps/test-path/topics/linear-algebra/"' in html  # prerequisite
    assert 'href="/roadmaps/test-path/topics/neural-nets/"' in html  # what it leads to
    assert "Code linear regression from scratch and match scikit-learn" in html


def test_milestone_page_shows_description_hours_dates_and_evidence(client, roadmap, milestone):
    milestone_set_status(milestone=milestone, status=Status.IN_PROGRESS)
    Milestone.objects.filter(pk=milestone.pk).update(
        evidence_url="https://github.com/ada/ml/tree/main/pca", private_note="stuck on signs"
    )
    html = text_of(client.get(milestone.get_absolute_url()))
    assert "estimated 6 hours" in html
    assert "A notebook comparing with scikit-learn" in html
    assert 'href="https://github.com/ada/ml/tree/main/pca"' in html
    assert "Started</dt><dd><time" in html
    assert "Not started → In progress" in html
    assert "stuck on signs" not in html


def test_owner_sees_the_private_note_on_the_milestone_page(learner_client, milestone):
    Milestone.objects.filter(pk=milestone.pk).update(private_note="stuck on signs")
    assert "stuck on signs" in learner_client.get(milestone.get_absolute_url()).content.decode()


def test_private_roadmap_is_404_for_visitors_and_other_users(client, roadmap, other_learner):
    Roadmap.objects.filter(pk=roadmap.pk).update(visibility=Roadmap.Visibility.PRIVATE)
    milestone = roadmap.milestones.first()
    urls = [
        roadmap.get_absolute_url(),
        milestone.topic.get_absolute_url(),
        milestone.get_absolute_url(),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
    client.force_login(other_learner)
    for url in urls:
        assert client.get(url).status_code == 404


def test_private_roadmap_opens_for_its_owner(learner_client, roadmap):
    Roadmap.objects.filter(pk=roadmap.pk).update(visibility=Roadmap.Visibility.PRIVATE)
    response = learner_client.get(roadmap.get_absolute_url())
    assert response.status_code == 200
    html = text_of(response)
    assert '<span class="tag">Private: only me</span>' in html
    assert html.count(STATUS_CONTROL) == 10


def test_unlisted_roadmap_opens_by_address_but_is_not_listed(client, roadmap, other_learner):
    build_roadmap(
        other_learner, milestones=10, slug="quiet", visibility=Roadmap.Visibility.UNLISTED
    )
    assert client.get("/roadmaps/quiet/").status_code == 200
    home = client.get("/").content.decode()
    assert "A test path" in home and "/roadmaps/quiet/" not in home


def test_missing_pages_are_404(client, roadmap):
    assert client.get("/roadmaps/nope/").status_code == 404
    assert client.get("/roadmaps/test-path/topics/nope/").status_code == 404
    assert client.get("/roadmaps/test-path/milestones/nope/").status_code == 404


# Changing status ---------------------------------------------------------------------------


def test_htmx_status_change_answers_with_the_row_its_progress_and_one_event(
    learner_client, milestone
):
    response = learner_client.post(status_url(milestone), {"status": "done"}, **HTMX)
    assert response.status_code == 200
    assert response.template_name == "roadmap/milestone_status.html"
    assert "HX-Request" in response["Vary"]
    assert json.loads(response["HX-Trigger-After-Settle"]) == {"progress-changed": {}}
    html = text_of(response).strip()
    assert html.startswith('<li id="m-svd-pca" class="milestone status-done"')
    assert '<span class="status-text">Done</span>' in html
    for pid in ["progress-topic-linear-algebra", "progress-stage-basics", "progress-overall"]:
        assert f'<div id="{pid}" class="progress-summary">' in html
    assert "1 done" in html.split('id="progress-topic-linear-algebra"')[1]
    assert '<div id="status-announcer" hx-swap-oob="innerHTML">' in html
    assert "is now done" in html
    milestone.refresh_from_db()
    assert milestone.status == Status.DONE


@pytest.mark.parametrize("page", ["roadmap", "topic", "milestone", "dashboard"])
def test_htmx_status_change_answers_the_same_from_every_page(learner_client, milestone, page):
    """The view does not know which page a row is on: the page takes what it shows."""
    urls = {
        "roadmap": milestone.roadmap.get_absolute_url(),
        "topic": milestone.topic.get_absolute_url(),
        "milestone": milestone.get_absolute_url(),
        "dashboard": reverse("roadmap:dashboard", args=[milestone.roadmap.slug]),
    }
    response = learner_client.post(
        status_url(milestone),
        {"status": "in_progress", "next": urls[page]},
        HTTP_HX_CURRENT_URL=f"http://testserver{urls[page]}",
        HTTP_HX_TARGET="m-svd-pca",
        **HTMX,
    )
    milestone_set_status(milestone=milestone, status=Status.NOT_STARTED)
    again = learner_client.post(status_url(milestone), {"status": "in_progress"}, **HTMX)
    assert response.template_name == again.template_name == "roadmap/milestone_status.html"
    strip = re.compile(r'name="(next|csrfmiddlewaretoken)" value="[^"]*"')
    assert strip.sub("", text_of(response)) == strip.sub("", text_of(again))


@pytest.mark.parametrize("page", ["roadmap", "topic", "milestone", "dashboard"])
def test_every_page_with_rows_takes_the_progress_summaries_it_shows(
    learner_client, milestone, page
):
    """Each list of rows names the summaries it swaps; each one named is on the page."""
    urls = {
        "roadmap": milestone.roadmap.get_absolute_url(),
        "topic": milestone.topic.get_absolute_url(),
        "milestone": milestone.get_absolute_url(),
        "dashboard": reverse("roadmap:dashboard", args=[milestone.roadmap.slug]),
    }
    html = learner_client.get(urls[page]).content.decode()
    lists = re.findall(r'hx-select-oob="([^"]+)"', html)
    assert lists
    for selectors in lists:
        for selector in selectors.split(","):
            assert f'id="{selector.removeprefix("#")}"' in html


def test_stage_index_and_milestone_history_refresh_themselves_on_the_event(
    learner_client, milestone
):
    roadmap_page = learner_client.get(milestone.roadmap.get_absolute_url()).content.decode()
    assert re.search(
        r'<nav id="stage-index"[^>]*hx-trigger="progress-changed from:body"', roadmap_page
    )
    milestone_set_status(milestone=milestone, status=Status.DONE)
    index = learner_client.get(
        milestone.roadmap.get_absolute_url(), HTTP_HX_TARGET="stage-index", **HTMX
    )
    assert index.template_name == "roadmap/roadmap_detail.html#stage-index"
    assert "33%" in text_of(index)
    history = learner_client.get(
        milestone.get_absolute_url(), HTTP_HX_TARGET="milestone-history", **HTMX
    )
    assert history.template_name == "roadmap/milestone_detail.html#milestone-history"
    assert "Not started → Done" in text_of(history)
    record = learner_client.get(
        milestone.get_absolute_url(), HTTP_HX_TARGET="milestone-record", **HTMX
    )
    assert "Completed</dt><dd><time" in text_of(record)


@pytest.mark.parametrize("next_value", ["tomorrow", "javascript:alert(1)", "//evil.example/x"])
def test_a_next_that_is_not_a_local_path_returns_to_the_roadmap(
    learner_client, milestone, next_value
):
    response = learner_client.post(status_url(milestone), {"status": "done", "next": next_value})
    assert response.status_code == 302
    assert response.url == "/roadmaps/test-path/#m-svd-pca"
    milestone.refresh_from_db()
    assert milestone.status == Status.DONE


@pytest.mark.parametrize("header", ["http://[", "not a url", "http://testserver:99999/x"])
def test_a_malformed_current_url_header_is_not_an_error(client, learner_client, milestone, header):
    changed = learner_client.post(
        status_url(milestone), {"status": "done"}, HTTP_HX_CURRENT_URL=header, **HTMX
    )
    assert changed.status_code == 200
    anonymous = client.post(
        status_url(milestone), {"status": "done"}, HTTP_HX_CURRENT_URL=header, **HTMX
    )
    assert anonymous.status_code == 200
    assert anonymous["HX-Redirect"] == "/accounts/login/?next=/"
    page = learner_client.get(
        milestone.roadmap.get_absolute_url(), HTTP_HX_CURRENT_URL=header, **HTMX
    )
    assert page.status_code == 200


def test_plain_post_changes_status_and_returns_to_the_same_place(learner_client, milestone):
    topic_url = milestone.topic.get_absolute_url()
    response = learner_client.post(
        status_url(milestone), {"status": "in_progress", "next": topic_url}
    )
    assert response.status_code == 302
    assert response.url == f"{topic_url}#m-svd-pca"
    assert "HX-Request" in response["Vary"]
    milestone.refresh_from_db()
    assert milestone.status == Status.IN_PROGRESS


def test_plain_post_will_not_redirect_off_site(learner_client, milestone):
    response = learner_client.post(
        status_url(milestone), {"status": "done", "next": "https://evil.example/"}
    )
    assert response.url == "/roadmaps/test-path/#m-svd-pca"


def test_an_unknown_status_is_echoed_escaped(learner_client, milestone):
    url = reverse("roadmap:milestone-status", args=[milestone.roadmap.slug, milestone.slug])
    response = learner_client.post(url, {"status": "<img src=x>"}, **HTMX)
    assert response.status_code == 400
    assert "<img" not in response.content.decode()
    assert "&lt;img src=x&gt;" in response.content.decode()


def test_unknown_status_is_400_with_a_message_and_changes_nothing(learner_client, milestone):
    response = learner_client.post(status_url(milestone), {"status": "finished"}, **HTMX)
    assert response.status_code == 400
    assert "is not a status. Choose one of: Not started, In progress, Done, Skipped" in (
        response.content.decode()
    )
    assert response["HX-Retarget"] == "#status-announcer"
    plain = learner_client.post(status_url(milestone), {})
    assert plain.status_code == 400
    milestone.refresh_from_db()
    assert milestone.status == Status.NOT_STARTED
    assert not ProgressEvent.objects.exists()


def test_another_users_milestone_is_404_and_unchanged(client, milestone, other_learner):
    client.force_login(other_learner)
    assert client.post(status_url(milestone), {"status": "done"}, **HTMX).status_code == 404
    milestone.refresh_from_db()
    assert milestone.status == Status.NOT_STARTED


def test_missing_milestone_is_404(learner_client, roadmap):
    url = reverse("roadmap:milestone-status", args=[roadmap.slug, "nope"])
    assert learner_client.post(url, {"status": "done"}).status_code == 404


def test_anonymous_htmx_change_is_sent_to_the_login_page(client, milestone):
    response = client.post(
        status_url(milestone),
        {"status": "done"},
        HTTP_HX_CURRENT_URL="http://testserver/roadmaps/test-path/",
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/roadmaps/test-path/"
    assert "<li" not in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.status == Status.NOT_STARTED


def test_anonymous_plain_change_is_redirected_to_login(client, milestone):
    response = client.post(
        status_url(milestone), {"status": "done", "next": "/roadmaps/test-path/"}
    )
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")
    milestone.refresh_from_db()
    assert milestone.status == Status.NOT_STARTED


def test_get_on_the_change_endpoint_is_405(learner_client, milestone):
    assert learner_client.get(status_url(milestone)).status_code == 405


def test_post_without_csrf_token_is_403_and_changes_nothing(learner, milestone):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert client.post(status_url(milestone), {"status": "done"}, **HTMX).status_code == 403
    milestone.refresh_from_db()
    assert milestone.status == Status.NOT_STARTED


def test_post_with_csrf_header_as_htmx_sends_it_succeeds(learner, milestone):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    page = client.get(milestone.roadmap.get_absolute_url()).content.decode()
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    response = client.post(
        status_url(milestone), {"status": "done"}, HTTP_X_CSRFTOKEN=token, **HTMX
    )
    assert response.status_code == 200
    milestone.refresh_from_db()
    assert milestone.status == Status.DONE


# Evidence and note -------------------------------------------------------------------------


def notes_url(milestone):
    return reverse("roadmap:milestone-notes", args=[milestone.roadmap.slug, milestone.slug])


def test_owner_saves_evidence_link_and_private_note(learner_client, milestone):
    response = learner_client.post(
        notes_url(milestone),
        {"evidence_url": "https://github.com/ada/ml/commit/abc123", "private_note": "next: plots"},
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.evidence_url == "https://github.com/ada/ml/commit/abc123"
    assert milestone.private_note == "next: plots"


def test_bad_evidence_link_keeps_what_was_typed_and_says_why(learner_client, milestone):
    response = learner_client.post(
        notes_url(milestone), {"evidence_url": "not a link", "private_note": "keep me"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a full web address starting with https://" in html
    assert 'value="not a link"' in html and "keep me" in html
    milestone.refresh_from_db()
    assert (milestone.evidence_url, milestone.private_note) == ("", "")


def test_javascript_evidence_link_is_refused(learner_client, milestone):
    learner_client.post(notes_url(milestone), {"evidence_url": "javascript:alert(1)"})
    milestone.refresh_from_db()
    assert milestone.evidence_url == ""


def test_notes_of_another_users_milestone_are_404(client, milestone, other_learner):
    client.force_login(other_learner)
    assert client.post(notes_url(milestone), {"private_note": "x"}).status_code == 404


# Query counts: the same at two sizes --------------------------------------------------------


@pytest.mark.parametrize("size", [10, 300])
def test_roadmap_page_queries_do_not_grow_with_the_roadmap(
    size, learner, learner_client, django_assert_num_queries
):
    roadmap = build_roadmap(learner, milestones=size)
    # session, user, roadmap, stages, their milestones counted, topics, milestones, and for
    # the hours line the estimates and the hours logged
    with django_assert_num_queries(9):
        response = learner_client.get(roadmap.get_absolute_url())
    # A large roadmap's page holds the open stage's milestones (6 topics of 5) only.
    shown = size if size <= EVERY_STAGE_UP_TO else 30
    assert response.content.decode().count(STATUS_CONTROL) == shown


@pytest.mark.parametrize("size", [10, 300])
def test_roadmap_page_for_visitors_queries_do_not_grow(
    size, learner, client, django_assert_num_queries
):
    roadmap = build_roadmap(learner, milestones=size)
    with django_assert_num_queries(5 + SITE_VERSION + PROGRESS_SHOWN):
        client.get(roadmap.get_absolute_url())


@pytest.mark.parametrize("size", [10, 300])
def test_topic_and_milestone_pages_queries_do_not_grow(
    size, learner, client, django_assert_num_queries
):
    roadmap = build_roadmap(learner, milestones=size)
    topic = roadmap.topics.last()
    # The roadmap, the topic with its stage, the roadmap's tally, its milestones, posts,
    # resources, prerequisites and what it leads to.
    with django_assert_num_queries(8 + SITE_VERSION + PROGRESS_SHOWN):
        client.get(topic.get_absolute_url())
    milestone = roadmap.milestones.last()
    # Its page with its reproduction's results and evidence.
    with django_assert_num_queries(7 + SITE_VERSION + PROGRESS_SHOWN):
        client.get(milestone.get_absolute_url())


@pytest.mark.parametrize("size", [10, 300])
def test_status_change_queries_do_not_grow(
    size, learner, learner_client, django_assert_num_queries
):
    roadmap = build_roadmap(learner, milestones=size)
    milestone = roadmap.milestones.filter(status=Status.NOT_STARTED).last()
    # The topic's, the stage's and the roadmap's progress in one query.
    with django_assert_num_queries(10 + SITE_VERSION):
        learner_client.post(status_url(milestone), {"status": "done"}, **HTMX)


@pytest.mark.parametrize("size", [10, 300])
def test_home_queries_do_not_grow(size, learner, client, django_assert_num_queries):
    build_roadmap(learner, milestones=size, slug="one")
    build_roadmap(learner, milestones=size, slug="two")
    # roadmaps, their milestones counted, recent posts
    with django_assert_num_queries(3 + SITE_VERSION):
        response = client.get("/")
    assert response.content.decode().count('class="roadmap-card"') == 2


# Health ------------------------------------------------------------------------------------


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_healthz_answers_503_when_the_database_does_not(tmp_path):
    """A real app process whose database cannot be opened (its folder does not exist)."""
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz', HTTP_HOST='localhost');"
        "print(r.status_code, r.content.decode().strip())"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    assert result.stdout.strip() == "503 database unavailable", result.stderr
