"""Forking: a learner's own copy of a public roadmap, its structure and nothing of its progress."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from journal.models import Post
from roadmap.models import (
    Evidence,
    Milestone,
    Resource,
    Result,
    Roadmap,
    Stage,
    Status,
    StudySession,
    Topic,
)
from roadmap.services import FORK_FIELDS, milestone_set_status, roadmap_fork
from tests.factories import SITE_VERSION, build_roadmap

pytestmark = pytest.mark.django_db

# What a learner does with a roadmap's plan: never copied.
LEARNERS_OWN = {
    Milestone: {"status", "started_at", "completed_at", "evidence_url", "private_note"},
}
PARENTS = {"id", "roadmap", "stage", "topic"}


def fork_url(roadmap) -> str:
    return reverse("roadmap:fork", args=[roadmap.slug])


def fork_form(**overrides) -> dict:
    return {
        "title": "My copy",
        "slug": "my-copy",
        "visibility": "public",
        "time_zone": "Europe/Paris",
        **overrides,
    }


@pytest.fixture
def lived_in(roadmap, learner, make_post) -> Roadmap:
    """The learner's roadmap after months of work: their own stage, topic and milestone, a
    target, statuses, notes, evidence, results, time logged and posts."""
    stage = Stage.objects.create(
        roadmap=roadmap, key="research", title="Research", position=9, added_by_learner=True
    )
    topic = Topic.objects.create(
        roadmap=roadmap,
        stage=stage,
        key="papers",
        slug="papers",
        title="Papers",
        summary="What I want to reproduce.",
        added_by_learner=True,
    )
    topic.prerequisites.add(roadmap.topics.get(key="linear-algebra"))
    Resource.objects.create(
        topic=topic, type="paper", title="Attention", url="https://arxiv.org/abs/1706.03762"
    )
    own = Milestone.objects.create(
        roadmap=roadmap,
        topic=topic,
        key="reproduce-gpt2",
        slug="reproduce-gpt2",
        title="Reproduce GPT-2 small",
        kind=Milestone.Kind.REPRODUCE,
        estimated_hours=Decimal("40.5"),
        description="Train it on OpenWebText.",
        target_metric="HellaSwag %",
        target_value=Decimal("29.4"),
        target_direction="at_least",
        target_tolerance=Decimal("0.5"),
        added_by_learner=True,
    )
    pca = roadmap.milestones.get(key="svd-pca")
    milestone_set_status(milestone=pca, status=Status.DONE)
    milestone_set_status(milestone=own, status=Status.IN_PROGRESS)
    Milestone.objects.filter(pk=pca.pk).update(
        evidence_url="https://github.com/ada/ml/pca", private_note="Ask Grace about SVD"
    )
    Result.objects.create(milestone=own, value=Decimal("27.1"))
    Evidence.objects.create(milestone=own, url="https://github.com/ada/ml/commit/abc")
    StudySession.objects.create(
        learner=learner,
        roadmap=roadmap,
        milestone=own,
        started_at=timezone.now() - timedelta(hours=2),
        ended_at=timezone.now() - timedelta(hours=1),
        minutes=60,
    )
    make_post(title="What SVD taught me", milestones=[pca], topics=[pca.topic])
    make_post(title="A draft", status=Post.Status.DRAFT)
    return roadmap


def structure(roadmap: Roadmap) -> dict:
    """Everything a fork copies, by key, with no database ids."""
    fields = {model: list(names) for model, names in FORK_FIELDS.items()}
    return {
        "stages": list(roadmap.stages.order_by("position", "key").values_list(*fields[Stage])),
        "topics": list(
            roadmap.topics.order_by("stage__key", "position", "key").values_list(
                "stage__key", *fields[Topic]
            )
        ),
        "prerequisites": sorted(
            roadmap.topics.filter(prerequisites__isnull=False).values_list(
                "key", "prerequisites__key"
            )
        ),
        "resources": list(
            Resource.objects.filter(topic__roadmap=roadmap)
            .order_by("topic__key", "position", "url")
            .values_list("topic__key", *fields[Resource])
        ),
        "milestones": list(
            roadmap.milestones.order_by("topic__key", "position", "key").values_list(
                "topic__key", *fields[Milestone]
            )
        ),
    }


def learners_work(roadmap: Roadmap) -> dict:
    """Everything of the learner's own on a roadmap."""
    return {
        "milestones": list(
            roadmap.milestones.order_by("key").values_list("key", *sorted(LEARNERS_OWN[Milestone]))
        ),
        "events": roadmap.events.count(),
        "results": Result.objects.filter(milestone__roadmap=roadmap).count(),
        "evidence": Evidence.objects.filter(milestone__roadmap=roadmap).count(),
        "sessions": roadmap.study_sessions.count(),
        "posts": roadmap.posts.count(),
    }


def test_every_field_of_the_structure_is_either_copied_or_the_learners_own():
    for model, copied in FORK_FIELDS.items():
        fields = {field.name for field in model._meta.concrete_fields} - PARENTS
        assert fields == set(copied) | LEARNERS_OWN.get(model, set()), model.__name__


def test_fork_copies_the_structure_exactly_with_the_learners_own_additions(
    lived_in, other_client, other_learner
):
    response = other_client.post(fork_url(lived_in), fork_form())
    copy = Roadmap.objects.get(slug="my-copy")
    assert response.status_code == 302
    assert response.url == copy.get_absolute_url()
    assert (copy.owner, copy.title, copy.visibility, copy.time_zone) == (
        other_learner,
        "My copy",
        "public",
        "Europe/Paris",
    )
    assert structure(copy) == structure(lived_in)
    assert (
        copy.milestones.get(key="reproduce-gpt2").target
        == lived_in.milestones.get(key="reproduce-gpt2").target
    )
    assert copy.topics.get(key="papers").prerequisites.get().key == "linear-algebra"
    assert (copy.curriculum_key, copy.curriculum_version) == ("test-path", 1)
    assert (copy.forked_from, copy.forked_from_address) == (lived_in, "/roadmaps/test-path/")


def test_fork_copies_nothing_of_the_learners_work_and_leaves_the_original_as_it_was(
    lived_in, other_client
):
    before = learners_work(lived_in)
    other_client.post(fork_url(lived_in), fork_form())
    copy = Roadmap.objects.get(slug="my-copy")
    milestones = set(copy.milestones.values_list(*sorted(LEARNERS_OWN[Milestone])))
    # completed_at, evidence link, private note, started_at, status
    assert milestones == {(None, "", "", None, Status.NOT_STARTED)}
    work = learners_work(copy)
    del work["milestones"]
    assert work == {
        "events": 0,
        "results": 0,
        "evidence": 0,
        "sessions": 0,
        "posts": 0,
    }
    assert copy.progress.done == 0 and copy.progress.in_progress == 0
    assert copy.plan_changes.count() == 0
    assert learners_work(lived_in) == before


def test_forked_roadmap_page_says_where_it_came_from_and_links_there(lived_in, other_client):
    other_client.post(fork_url(lived_in), fork_form())
    html = other_client.get("/roadmaps/my-copy/").content.decode()
    assert re.search(
        r'Copied from <a href="/roadmaps/test-path/">A test path</a> by <a href="[^"]+">ada</a>',
        html,
    )
    assert "Ask Grace about SVD" not in html
    assert "What SVD taught me" not in html
    # A visitor reads the same line.
    assert (
        'Copied from <a href="/roadmaps/test-path/">'
        in Client().get("/roadmaps/my-copy/").content.decode()
    )


def test_copy_of_a_renamed_original_links_to_its_new_address(lived_in, other_client):
    other_client.post(fork_url(lived_in), fork_form())
    lived_in.move_to("ada-path")
    html = other_client.get("/roadmaps/my-copy/").content.decode()
    assert 'Copied from <a href="/roadmaps/ada-path/">A test path</a>' in html


def test_copy_of_an_original_made_private_or_unlisted_no_longer_leads_there(lived_in, other_client):
    other_client.post(fork_url(lived_in), fork_form(), follow=True)
    for visibility in ("private", "unlisted"):
        Roadmap.objects.filter(pk=lived_in.pk).update(visibility=visibility)
        html = other_client.get("/roadmaps/my-copy/").content.decode()
        assert "Copied from a roadmap that is no longer public." in html
        assert "/roadmaps/test-path/" not in html
        assert "A test path" not in html


def test_copy_of_a_deleted_original_still_says_where_it_came_from(lived_in, other_client):
    other_client.post(fork_url(lived_in), fork_form())
    lived_in.delete()
    copy = Roadmap.objects.get(slug="my-copy")
    assert copy.forked_from is None
    html = other_client.get(copy.get_absolute_url()).content.decode()
    assert "Copied from the roadmap that was at <code>/roadmaps/test-path/</code>" in html
    assert copy.milestones.count() == 11


def test_fork_page_offers_a_title_and_a_free_address_and_says_what_is_copied(
    roadmap, other_client, other_learner
):
    Roadmap.objects.create(owner=other_learner, title="Taken", slug="grace-test-path")
    response = other_client.get(fork_url(roadmap))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="A test path (my copy)"' in html
    assert 'value="grace-test-path-2"' in html
    assert "None of their progress, notes, evidence, time or posts comes with it." in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"slug": "test-path"}, "That address is in use"),
        ({"slug": "new"}, "is reserved for the site"),
        ({"slug": "Not a slug!"}, "Enter a valid “slug”"),
        ({"title": ""}, "This field is required"),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice"),
        ({"visibility": "everyone"}, "Select a valid choice"),
    ],
)
def test_fork_with_bad_input_says_which_field_and_why_and_changes_nothing(
    roadmap, other_client, overrides, message
):
    response = other_client.post(fork_url(roadmap), fork_form(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "The copy was not made" in html
    assert 'value="My copy"' in html or overrides.get("title") == ""
    assert Roadmap.objects.count() == 1


def row_counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Roadmap, Stage, Topic, Resource, Milestone))


@pytest.mark.parametrize("visibility", ["private", "unlisted"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_fork_of_a_private_or_unlisted_roadmap_is_not_found_and_changes_nothing(
    roadmap, other_client, visibility, method
):
    Roadmap.objects.filter(pk=roadmap.pk).update(visibility=visibility)
    before = row_counts()
    response = getattr(other_client, method)(fork_url(roadmap), fork_form())
    assert response.status_code == 404
    assert row_counts() == before


def test_fork_of_ones_own_private_roadmap_is_not_found_either(roadmap, learner_client):
    Roadmap.objects.filter(pk=roadmap.pk).update(visibility="private")
    assert learner_client.post(fork_url(roadmap), fork_form()).status_code == 404
    assert Roadmap.objects.count() == 1


def test_fork_of_a_missing_roadmap_is_not_found(other_client):
    response = other_client.post("/roadmaps/nowhere/fork/", fork_form())
    assert response.status_code == 404
    assert Roadmap.objects.count() == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_fork_by_a_visitor_is_sent_to_log_in_and_changes_nothing(roadmap, client, method):
    response = getattr(client, method)(fork_url(roadmap), fork_form())
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert Roadmap.objects.count() == 1


def test_fork_without_the_csrf_token_is_refused(roadmap, other_learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(other_learner)
    assert client.post(fork_url(roadmap), fork_form()).status_code == 403
    assert Roadmap.objects.count() == 1


def test_learner_may_copy_their_own_public_roadmap(roadmap, learner_client):
    learner_client.post(fork_url(roadmap), fork_form())
    copy = Roadmap.objects.get(slug="my-copy")
    assert copy.owner == roadmap.owner
    assert structure(copy) == structure(roadmap)


def test_roadmap_page_offers_a_copy_to_other_learners_only(roadmap, learner_client, other_client):
    button = f'href="{fork_url(roadmap)}">Start your own copy</a>'
    assert button in other_client.get(roadmap.get_absolute_url()).content.decode()
    assert button not in learner_client.get(roadmap.get_absolute_url()).content.decode()
    assert button not in Client().get(roadmap.get_absolute_url()).content.decode()
    Roadmap.objects.filter(pk=roadmap.pk).update(visibility="unlisted")
    assert button not in other_client.get(roadmap.get_absolute_url()).content.decode()


def test_cohort_page_offers_a_copy_of_each_roadmap_but_ones_own(
    roadmap, learner_client, other_client, curricula
):
    link = f'href="{fork_url(roadmap)}">copy'
    assert link in other_client.get("/curricula/test-path/").content.decode()
    assert link not in learner_client.get("/curricula/test-path/").content.decode()


def test_original_owner_sees_a_private_copy_nowhere(roadmap, learner, other_client, curricula):
    other_client.post(
        fork_url(roadmap), fork_form(title="Grace's secret plan", visibility="private")
    )
    owner = Client()
    owner.force_login(learner)
    for page in ("/", roadmap.get_absolute_url(), "/curricula/test-path/", "/learners/grace/"):
        response = owner.get(page)
        assert response.status_code in (200, 404), page
        assert "Grace&#x27;s secret plan" not in response.content.decode(), page
    assert owner.get("/roadmaps/my-copy/").status_code == 404


def test_original_owner_sees_a_public_copy_where_public_roadmaps_are_listed(
    roadmap, learner_client, other_client, curricula
):
    other_client.post(fork_url(roadmap), fork_form(title="Grace's path"))
    html = learner_client.get("/curricula/test-path/").content.decode()
    assert "Grace&#x27;s path" in html


def test_learner_follows_the_button_to_a_copy_and_is_told_so(roadmap, other_client):
    client = other_client
    page = client.get(roadmap.get_absolute_url()).content.decode()
    assert fork_url(roadmap) in page
    form = client.get(fork_url(roadmap)).content.decode()
    slug = re.search(r'name="slug" value="([^"]+)"', form)[1]
    response = client.post(fork_url(roadmap), fork_form(slug=slug), follow=True)
    assert response.redirect_chain[-1][0] == f"/roadmaps/{slug}/"
    assert "your own copy of “A test path”" in response.content.decode()


@pytest.mark.parametrize("size", [10, 40])
def test_fork_queries_do_not_grow_with_the_roadmap(
    size, learner, other_client, django_assert_num_queries
):
    original = build_roadmap(learner, milestones=size)
    # Session, user, the original; the form's checks (the old addresses, the visibility
    # constraint in its savepoint, the address); the copy's savepoint and its release; the
    # learner's own deleted roadmap's address taken back; the roadmap; for stages, topics,
    # prerequisites, resources and milestones a read and a write each; marking it changed.
    # (SQLite writes rows in batches of its parameter limit: the milestones of one batch are
    # 40 at least.)
    with django_assert_num_queries(23 + SITE_VERSION):
        other_client.post(fork_url(original), fork_form())
    assert Roadmap.objects.get(slug="my-copy").milestones.count() == size


@pytest.mark.parametrize("size", [10, 300])
def test_page_of_a_copy_queries_do_not_grow(
    size, learner, other_learner, django_assert_num_queries
):
    original = build_roadmap(learner, milestones=size)
    copy = roadmap_fork(original=original, owner=other_learner, slug="copy")
    client = Client()
    client.force_login(other_learner)
    # As for any roadmap of its owner's (session, user, roadmap, stages, their milestones
    # counted, topics, milestones, the hours' two), and the original with its learner.
    with django_assert_num_queries(9 + 1):
        response = client.get(copy.get_absolute_url())
    assert "Copied from <a" in response.content.decode()
