"""A roadmap's address once used stays out of use, and "in use" reads the same for all."""

import pytest
from django.urls import reverse

from roadmap.curriculum import load_curriculum
from roadmap.exports import ImportRefused, parse_roadmap_export, roadmap_export_json, roadmap_import
from roadmap.models import Roadmap, RoadmapAddress

pytestmark = pytest.mark.django_db
NEW = reverse("roadmap:new")


def start(client, slug):
    return client.post(
        NEW,
        {
            "curriculum": "test-path.yaml",
            "title": "Mine",
            "slug": slug,
            "started_on": "2026-01-05",
            "time_zone": "UTC",
            "visibility": "public",
        },
    )


@pytest.mark.parametrize("state", ["public", "private", "renamed", "deleted"])
def test_in_use_reads_the_same_whatever_held_the_address(
    state, learner, learner_client, other_learner, small_spec, curricula
):
    theirs = load_curriculum(small_spec, owner=other_learner, slug="taken").roadmap
    if state == "private":
        theirs.visibility = Roadmap.Visibility.PRIVATE
        theirs.save()
    if state == "renamed":
        theirs.move_to("elsewhere")
    if state == "deleted":
        theirs.delete()
    response = start(learner_client, "taken")
    assert response.status_code == 400
    html = response.content.decode()
    assert "That address is in use: choose another, e.g. add your name." in html
    assert "A test path" not in html.split("<main", 1)[1].split("</main>")[0].split("<form")[0]
    assert not Roadmap.objects.filter(owner=learner).exists()


def test_a_deleted_roadmaps_address_and_old_addresses_stay_reserved(learner, small_spec):
    roadmap = load_curriculum(small_spec, owner=learner, slug="first").roadmap
    roadmap.move_to("second")
    roadmap.delete()
    assert set(RoadmapAddress.objects.values_list("slug", "roadmap")) == {
        ("first", None),
        ("second", None),
    }
    assert Roadmap.objects.free_slug("second") == "second-2"


def test_an_old_address_of_a_deleted_roadmap_is_a_plain_404(client, learner, small_spec):
    roadmap = load_curriculum(small_spec, owner=learner, slug="first").roadmap
    roadmap.move_to("second")
    assert client.get("/roadmaps/first/").status_code == 302
    roadmap.delete()
    assert client.get("/roadmaps/first/").status_code == 404
    assert client.get("/roadmaps/second/").status_code == 404


def test_only_the_owner_may_bring_a_deleted_roadmap_back_to_its_address(
    learner, other_learner, small_spec
):
    roadmap = load_curriculum(small_spec, owner=learner, slug="mine").roadmap
    text = roadmap_export_json(roadmap)
    roadmap.delete()
    with pytest.raises(ImportRefused):
        roadmap_import(document=parse_roadmap_export(text), owner=other_learner)
    back = roadmap_import(document=parse_roadmap_export(text), owner=learner)
    assert back.slug == "mine"
    assert not RoadmapAddress.objects.filter(slug="mine").exists()
