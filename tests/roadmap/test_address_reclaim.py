"""A learner takes back the address of a roadmap of theirs they deleted; no one else does."""

import pytest
from django.urls import reverse

from roadmap.forms import ADDRESS_IN_USE
from roadmap.models import Roadmap, RoadmapAddress

pytestmark = pytest.mark.django_db
NEW = reverse("roadmap:new")


def start(client, slug, *, title="Mine", curriculum="test-path.yaml"):
    return client.post(
        NEW,
        {
            "curriculum": curriculum,
            "title": title,
            "slug": slug,
            "started_on": "2026-01-05",
            "time_zone": "UTC",
            "visibility": "public",
        },
    )


def rename(client, slug, new_slug, *, title="Mine"):
    return client.post(
        f"/roadmaps/{slug}/settings/",
        {
            "title": title,
            "slug": new_slug,
            "summary": "",
            "visibility": "public",
            "started_on": "2026-01-05",
            "time_zone": "UTC",
        },
    )


def delete(client, slug, *, title="Mine"):
    response = client.post(f"/roadmaps/{slug}/delete/", {"confirm": title})
    assert response.status_code == 302, response.content.decode()


def refused(response) -> bool:
    return response.status_code == 400 and ADDRESS_IN_USE in response.content.decode()


@pytest.mark.parametrize("curriculum", ["test-path.yaml", "empty"])
def test_a_learner_starts_a_new_roadmap_at_the_address_of_one_they_deleted(
    curriculum, learner_client, client, curricula
):
    assert start(learner_client, "mine").status_code == 302
    delete(learner_client, "mine")
    assert client.get("/roadmaps/mine/").status_code == 404

    again = start(learner_client, "mine", title="Mine again", curriculum=curriculum)

    assert again.status_code == 302 and again.url == "/roadmaps/mine/"
    page = client.get("/roadmaps/mine/")
    assert page.status_code == 200 and "Mine again" in page.content.decode()
    assert not RoadmapAddress.objects.filter(slug="mine").exists()
    # Deleted again, the address is kept for them as before.
    delete(learner_client, "mine", title="Mine again")
    assert client.get("/roadmaps/mine/").status_code == 404
    assert start(learner_client, "mine").status_code == 302


def test_an_old_address_of_a_deleted_roadmap_is_its_learners_again_too(
    learner_client, client, curricula
):
    start(learner_client, "first")
    rename(learner_client, "first", "second")
    delete(learner_client, "second")

    assert start(learner_client, "first", title="Back").status_code == 302
    assert "Back" in client.get("/roadmaps/first/").content.decode()
    # The other address the deleted roadmap had is still kept, and still theirs.
    assert client.get("/roadmaps/second/").status_code == 404
    assert rename(learner_client, "first", "second", title="Back").url == "/roadmaps/second/"
    assert client.get("/roadmaps/first/").url == "/roadmaps/second/"


def test_another_learner_cannot_start_a_roadmap_at_a_deleted_roadmaps_address(
    learner, learner_client, other_learner, other_client, client, curricula
):
    start(learner_client, "mine")
    delete(learner_client, "mine")

    response = start(other_client, "mine")

    assert refused(response)
    assert not Roadmap.objects.filter(owner=other_learner).exists()
    assert list(RoadmapAddress.objects.values_list("slug", "roadmap", "owner")) == [
        ("mine", None, learner.pk)
    ]
    assert client.get("/roadmaps/mine/").status_code == 404
    # The same answer as for an address a live roadmap holds.
    start(learner_client, "held")
    held = start(other_client, "held")
    assert held.status_code == response.status_code
    assert (
        held.context["form"].errors == response.context["form"].errors == {"slug": [ADDRESS_IN_USE]}
    )


def test_a_learner_renames_a_roadmap_to_the_address_of_one_they_deleted(
    learner_client, client, curricula
):
    start(learner_client, "kept", title="Kept")
    start(learner_client, "gone", title="Gone")
    delete(learner_client, "gone", title="Gone")

    response = rename(learner_client, "kept", "gone", title="Kept")

    assert response.status_code == 302 and response.url == "/roadmaps/gone/"
    page = client.get("/roadmaps/gone/")
    assert page.status_code == 200 and "Kept" in page.content.decode()
    assert client.get("/roadmaps/kept/").url == "/roadmaps/gone/"
    # Its address is its own now, not a kept one: it moves on from it like any other.
    assert rename(learner_client, "gone", "later", title="Kept").url == "/roadmaps/later/"
    assert client.get("/roadmaps/gone/").url == "/roadmaps/later/"
    assert client.get("/roadmaps/kept/").url == "/roadmaps/later/"


def test_another_learner_cannot_rename_to_a_deleted_roadmaps_address(
    learner_client, other_client, client, curricula
):
    start(learner_client, "mine")
    delete(learner_client, "mine")
    start(other_client, "theirs", title="Theirs")

    assert refused(rename(other_client, "theirs", "mine", title="Theirs"))
    assert client.get("/roadmaps/theirs/").status_code == 200
    assert client.get("/roadmaps/mine/").status_code == 404
    assert start(learner_client, "mine").status_code == 302


def test_an_old_address_of_ones_own_other_roadmap_stays_refused(learner_client, client, curricula):
    start(learner_client, "a", title="A")
    start(learner_client, "b", title="B")
    rename(learner_client, "b", "b-now", title="B")

    assert refused(rename(learner_client, "a", "b", title="A"))
    assert refused(start(learner_client, "b", title="C"))
    assert client.get("/roadmaps/a/").status_code == 200
    assert client.get("/roadmaps/b/").url == "/roadmaps/b-now/"


def test_a_roadmap_renamed_back_to_its_own_former_address_is_there_again(
    learner_client, other_client, client, curricula
):
    start(learner_client, "first")
    rename(learner_client, "first", "second")

    response = rename(learner_client, "second", "first")

    assert response.status_code == 302 and response.url == "/roadmaps/first/"
    assert client.get("/roadmaps/first/").status_code == 200
    moved = client.get("/roadmaps/second/", follow=True)
    assert moved.redirect_chain == [("/roadmaps/first/", 302)]
    assert moved.status_code == 200 and "Mine" in moved.content.decode()
    assert list(RoadmapAddress.objects.values_list("slug", flat=True)) == ["second"]
    # Neither of its addresses is free to anyone else.
    for slug in ("first", "second"):
        assert refused(start(other_client, slug)), slug


def fork(client, original, slug, *, title="My copy"):
    return client.post(
        f"/roadmaps/{original}/fork/",
        {"title": title, "slug": slug, "visibility": "public", "time_zone": "UTC"},
    )


def test_a_learner_copies_a_roadmap_to_the_address_of_one_they_deleted(
    learner_client, other_client, client, curricula
):
    start(other_client, "theirs", title="Theirs")
    start(learner_client, "mine")
    delete(learner_client, "mine")

    response = fork(learner_client, "theirs", "mine")

    assert response.status_code == 302 and response.url == "/roadmaps/mine/"
    page = client.get("/roadmaps/mine/")
    assert page.status_code == 200 and "My copy" in page.content.decode()
    assert not RoadmapAddress.objects.filter(slug="mine").exists()
    # Deleted again, the address is kept for them as before.
    delete(learner_client, "mine", title="My copy")
    assert client.get("/roadmaps/mine/").status_code == 404
    assert fork(learner_client, "theirs", "mine").status_code == 302


def test_another_learner_cannot_copy_a_roadmap_to_a_deleted_roadmaps_address(
    learner, learner_client, other_learner, other_client, client, curricula
):
    start(learner_client, "shared", title="Shared")
    start(learner_client, "mine")
    delete(learner_client, "mine")

    response = fork(other_client, "shared", "mine")

    assert refused(response)
    assert not Roadmap.objects.filter(owner=other_learner).exists()
    assert list(RoadmapAddress.objects.values_list("slug", "roadmap", "owner")) == [
        ("mine", None, learner.pk)
    ]
    assert client.get("/roadmaps/mine/").status_code == 404
    # The same answer as for an address a live roadmap holds.
    held = fork(other_client, "shared", "shared")
    assert held.status_code == response.status_code
    assert (
        held.context["form"].errors == response.context["form"].errors == {"slug": [ADDRESS_IN_USE]}
    )
    # Still the learner's to take back.
    assert fork(learner_client, "shared", "mine").url == "/roadmaps/mine/"


def test_a_copy_never_takes_an_old_address_of_ones_own_live_roadmap(
    learner_client, other_client, client, curricula
):
    start(other_client, "theirs", title="Theirs")
    start(learner_client, "first")
    rename(learner_client, "first", "second")

    assert refused(fork(learner_client, "theirs", "first"))
    assert client.get("/roadmaps/first/").url == "/roadmaps/second/"
