"""A roadmap's settings and its deletion, by its owner only."""

import re

import pytest
from django.test import Client

from journal.models import Post
from roadmap.models import Milestone, ProgressEvent, Roadmap, Status
from roadmap.services import milestone_set_status

pytestmark = pytest.mark.django_db


def settings_data(**overrides):
    data = {
        "title": "My ML year",
        "slug": "my-ml-year",
        "summary": "Twelve months, honestly.",
        "visibility": "public",
        "started_on": "2026-01-05",
        "target_date": "2027-01-05",
        "time_zone": "Europe/London",
    }
    return data | overrides


def test_the_owner_renames_the_roadmap_and_its_old_address_redirects(
    learner_client, client, roadmap, milestone
):
    response = learner_client.post("/roadmaps/test-path/settings/", settings_data())
    assert response.status_code == 302 and response.url == "/roadmaps/my-ml-year/"
    roadmap.refresh_from_db()
    assert (roadmap.title, roadmap.slug, roadmap.time_zone) == (
        "My ML year",
        "my-ml-year",
        "Europe/London",
    )
    for old, new in [
        ("/roadmaps/test-path/", "/roadmaps/my-ml-year/"),
        ("/roadmaps/test-path/milestones/svd-pca/", "/roadmaps/my-ml-year/milestones/svd-pca/"),
        ("/roadmaps/test-path/feed/", "/roadmaps/my-ml-year/feed/"),
    ]:
        moved = client.get(old)
        assert moved.status_code == 302 and moved.url == new, old
    # Renamed back, it takes its old address again.
    learner_client.post("/roadmaps/my-ml-year/settings/", settings_data(slug="test-path"))
    assert client.get("/roadmaps/test-path/").status_code == 200
    assert client.get("/roadmaps/my-ml-year/").status_code == 302


def test_a_private_roadmaps_old_address_tells_a_visitor_nothing(learner_client, client, roadmap):
    learner_client.post(
        "/roadmaps/test-path/settings/", settings_data(visibility="private", slug="hidden")
    )
    assert client.get("/roadmaps/test-path/").status_code == 404
    assert learner_client.get("/roadmaps/test-path/").url == "/roadmaps/hidden/"


def test_bad_settings_say_which_field_and_why_and_change_nothing(
    learner_client, roadmap, other_learner, small_spec
):
    Roadmap.objects.create(owner=other_learner, title="Grace's", slug="graces")
    for overrides, message in [
        ({"slug": "graces"}, "That address is in use"),
        ({"slug": "new"}, "is reserved for the site"),
        ({"target_date": "2025-01-01"}, "The target date is before the start date"),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice"),
        ({"title": ""}, "This field is required"),
    ]:
        response = learner_client.post("/roadmaps/test-path/settings/", settings_data(**overrides))
        assert response.status_code == 400, overrides
        html = response.content.decode()
        assert message in html, overrides
        assert 'value="Twelve months, honestly."' in html or "Twelve months, honestly." in html
    roadmap.refresh_from_db()
    assert (roadmap.title, roadmap.slug) == ("A test path", "test-path")


def test_an_old_address_cannot_be_taken_by_a_new_roadmap(learner_client, roadmap, settings):
    learner_client.post("/roadmaps/test-path/settings/", settings_data())
    taken = learner_client.post(
        "/roadmaps/new/",
        {
            "curriculum": "small-curriculum.yaml",
            "title": "Another",
            "slug": "test-path",
            "started_on": "2026-01-05",
            "time_zone": "UTC",
            "visibility": "public",
        },
    )
    assert "That address is in use" in taken.content.decode()


def test_deleting_asks_for_the_title_and_takes_everything_on_the_roadmap(
    learner_client, roadmap, milestone, make_post
):
    milestone_set_status(milestone=milestone, status=Status.DONE)
    make_post(milestones=[milestone])
    ask = learner_client.get("/roadmaps/test-path/delete/").content.decode()
    assert "1 milestone done" in ask and "1 post written on it" in ask
    wrong = learner_client.post("/roadmaps/test-path/delete/", {"confirm": "a test path"})
    assert wrong.status_code == 400
    assert "That is not the roadmap&#x27;s title" in wrong.content.decode()
    assert Roadmap.objects.filter(pk=roadmap.pk).exists()
    done = learner_client.post("/roadmaps/test-path/delete/", {"confirm": "A test path"})
    assert done.status_code == 302
    assert not Roadmap.objects.filter(pk=roadmap.pk).exists()
    assert not Milestone.objects.exists() and not ProgressEvent.objects.exists()
    assert not Post.objects.exists()


@pytest.mark.parametrize("who", ["another learner", "visitor"])
def test_only_the_owner_sees_or_changes_settings_or_deletes(who, roadmap, other_learner):
    client = Client()
    if who == "another learner":
        client.force_login(other_learner)
    for method, url, data in [
        ("get", "/roadmaps/test-path/settings/", {}),
        ("post", "/roadmaps/test-path/settings/", settings_data(slug="stolen")),
        ("get", "/roadmaps/test-path/delete/", {}),
        ("post", "/roadmaps/test-path/delete/", {"confirm": "A test path"}),
    ]:
        response = getattr(client, method)(url, data)
        expected = 404 if who == "another learner" else 302
        assert response.status_code == expected, (method, url)
    roadmap.refresh_from_db()
    assert roadmap.slug == "test-path"


def test_the_owner_finds_the_settings_from_the_roadmap(learner_client, client, roadmap):
    assert 'href="/roadmaps/test-path/settings/">Settings</a>' in (
        learner_client.get("/roadmaps/test-path/").content.decode()
    )
    assert "/settings/" not in client.get("/roadmaps/test-path/").content.decode()
    assert re.search(
        r"<h1[^>]*>Settings of",
        learner_client.get("/roadmaps/test-path/settings/").content.decode(),
    )


def test_a_new_roadmaps_suggested_address_is_never_an_old_one(learner_client, roadmap, curricula):
    learner_client.post("/roadmaps/test-path/settings/", settings_data())
    # The renamed roadmap's old address, "ada-test-path"-like suggestions included, stay free
    # of new roadmaps: the suggestion skips them.
    Roadmap.objects.filter(pk=roadmap.pk).update(slug="ada-test-path")
    learner_client.post("/roadmaps/ada-test-path/settings/", settings_data(slug="renamed"))
    page = learner_client.get("/roadmaps/new/").content.decode()
    assert 'name="slug" value="ada-test-path-2"' in page
