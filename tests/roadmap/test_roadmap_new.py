import re

import pytest
from django.urls import reverse

from roadmap.models import Milestone, Roadmap, Status
from roadmap.services import milestone_set_status
from tests.conftest import DATA

pytestmark = pytest.mark.django_db
NEW = reverse("roadmap:new")
SMALL = (DATA / "small-curriculum.yaml").read_text()


@pytest.fixture
def curricula(curricula):
    """The test curriculum and a broken file beside it."""
    (curricula / "broken.yaml").write_text("key: broken\ntitle: Broken\nversion: 0\nstages: []\n")
    return curricula


def form_data(**overrides):
    data = {
        "curriculum": "test-path.yaml",
        "title": "My ML year",
        "slug": "my-ml-year",
        "started_on": "2026-01-05",
        "target_date": "2027-01-05",
        "time_zone": "Europe/London",
        "visibility": "public",
    }
    return {**data, **overrides}


def test_new_roadmap_page_needs_login(client, curricula):
    response = client.get(NEW)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_new_roadmap_page_lists_curricula_with_size_and_refuses_broken_ones(
    learner_client, curricula
):
    html = re.sub(r"\s+", " ", learner_client.get(NEW).content.decode())
    assert "A test path" in html
    assert "3 stages · 5 topics · 10 milestones · about 42.5 hours" in html
    assert "broken.yaml</strong>: unavailable, this file has errors" in html
    assert "version must be a whole number from 1" in html
    assert 'value="broken.yaml"' not in html


def test_learner_starts_a_roadmap_and_lands_on_it(learner_client, learner, curricula):
    response = learner_client.post(NEW, form_data())
    assert response.status_code == 302
    roadmap = Roadmap.objects.get(slug="my-ml-year")
    assert response.url == roadmap.get_absolute_url()
    assert (roadmap.owner, roadmap.title, roadmap.time_zone) == (
        learner,
        "My ML year",
        "Europe/London",
    )
    assert str(roadmap.started_on) == "2026-01-05" and str(roadmap.target_date) == "2027-01-05"
    assert (roadmap.curriculum_key, roadmap.curriculum_version) == ("test-path", 1)
    assert roadmap.milestones.count() == 10


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"slug": "taken"}, "That address is in use"),
        ({"target_date": "2025-12-31"}, "The target date is before the start date"),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice"),
        ({"curriculum": "broken.yaml"}, "Select a valid choice"),
        ({"slug": "new"}, "is reserved for the site"),
        ({"slug": "Not A Slug!"}, "Enter a valid “slug”"),
        ({"title": ""}, "This field is required"),
    ],
)
def test_bad_input_says_which_field_and_why_and_keeps_what_was_typed(
    learner_client, other_learner, curricula, overrides, field_message
):
    Roadmap.objects.create(owner=other_learner, title="Taken", slug="taken")
    response = learner_client.post(NEW, form_data(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert field_message in html
    assert 'value="My ML year"' in html or overrides.get("title") == ""
    assert Roadmap.objects.count() == 1


def test_roadmap_shows_where_it_came_from(learner_client, curricula):
    learner_client.post(NEW, form_data())
    html = learner_client.get("/roadmaps/my-ml-year/").content.decode()
    assert (
        'From the curriculum <a href="/curricula/test-path/"><code>test-path</code></a>, version 1'
        in html
    )


def newer_version(curricula):
    text = (
        SMALL.replace("version: 1", "version: 2")
        .replace("title: Run a first notebook", "title: Run a first Jupyter notebook")
        .replace(
            """          - key: review
            title: Write a quarterly review
            kind: write
            hours: 2
            evidence: A published post
""",
            """          - key: yearly
            title: Write a yearly review
            kind: write
            hours: 3
            evidence: A published post
""",
        )
    )
    (curricula / "test-path-v2.yaml").write_text(text)


def test_newer_curriculum_is_offered_to_the_owner_with_a_review(learner_client, client, curricula):
    learner_client.post(NEW, form_data())
    roadmap = Roadmap.objects.get()
    milestone_set_status(milestone=roadmap.milestones.get(key="review"), status=Status.DONE)
    newer_version(curricula)

    html = learner_client.get(roadmap.get_absolute_url()).content.decode()
    assert "Version 2 of “A test path” is available" in html
    assert "Version 2" not in client.get(roadmap.get_absolute_url()).content.decode()

    review = re.sub(
        r"\s+",
        " ",
        learner_client.get(reverse("roadmap:update", args=[roadmap.slug])).content.decode(),
    )
    assert "Milestone: Write a yearly review" in review  # added
    assert 'Run a first Jupyter notebook <span class="muted">(was “Run a first notebook”)' in (
        review
    )
    assert 'Write a quarterly review <span class="muted">(has progress' in review  # kept
    assert Milestone.objects.filter(key="yearly").count() == 0  # nothing written yet


def test_applying_the_update_keeps_progress(learner_client, curricula):
    learner_client.post(NEW, form_data())
    roadmap = Roadmap.objects.get()
    milestone_set_status(milestone=roadmap.milestones.get(key="first-notebook"), status=Status.DONE)
    newer_version(curricula)
    url = reverse("roadmap:update", args=[roadmap.slug])
    response = learner_client.post(url, {"plan": reviewed_plan(learner_client, url)})
    assert response.status_code == 302
    roadmap.refresh_from_db()
    assert roadmap.curriculum_version == 2
    notebook = roadmap.milestones.get(key="first-notebook")
    assert (notebook.title, notebook.status) == ("Run a first Jupyter notebook", Status.DONE)
    assert roadmap.milestones.filter(key="yearly").exists()
    assert not roadmap.milestones.filter(key="review").exists()  # untouched, so removed


def test_an_update_that_changed_since_its_review_is_shown_again_not_applied(
    learner_client, curricula
):
    learner_client.post(NEW, form_data())
    roadmap = Roadmap.objects.get()
    newer_version(curricula)
    url = reverse("roadmap:update", args=[roadmap.slug])
    reviewed = reviewed_plan(learner_client, url)
    # Progress made in another tab changes what the update would do to that milestone.
    milestone_set_status(milestone=roadmap.milestones.get(key="review"), status=Status.DONE)

    response = learner_client.post(url, {"plan": reviewed})

    assert response.status_code == 409
    html = re.sub(r"\s+", " ", response.content.decode())
    assert "has changed since you reviewed it" in html
    assert 'Write a quarterly review <span class="muted">(has progress' in html
    roadmap.refresh_from_db()
    assert roadmap.curriculum_version == 1
    assert not roadmap.milestones.filter(key="yearly").exists()


def test_update_of_another_users_roadmap_is_404(client, other_learner, learner_client, curricula):
    learner_client.post(NEW, form_data())
    client.force_login(other_learner)
    url = reverse("roadmap:update", args=["my-ml-year"])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def reviewed_plan(client, url) -> str:
    """The plan the review page shows, as its form sends it back."""
    return re.search(r'name="plan" value="([0-9a-f]+)"', client.get(url).content.decode())[1]


def test_the_suggested_title_and_address_follow_the_curriculum_chosen(learner_client, curricula):
    other = SMALL.replace("key: test-path", "key: other-path").replace(
        "title: A test path", "title: Another path"
    )
    (curricula / "other-path.yaml").write_text(other)
    first = learner_client.get(NEW).content.decode()
    assert 'value="A test path"' in first or 'value="Another path"' in first
    chosen = learner_client.get(NEW, {"curriculum": "other-path.yaml"}).content.decode()
    assert 'name="title" value="Another path"' in chosen
    assert 'name="slug" value="ada-other-path"' in chosen
    assert re.search(r'value="other-path.yaml"[^>]*checked', chosen)
    # With a script, each choice carries what the fields become.
    assert 'data-title="A test path" data-slug="ada-test-path"' in chosen
    posted = learner_client.post(NEW, form_data(curriculum="other-path.yaml", title="", slug=""))
    assert posted.status_code == 400  # nothing made from a half-filled form
    assert Roadmap.objects.count() == 0
