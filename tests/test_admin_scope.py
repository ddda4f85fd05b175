"""The admin runs the site; it shows no one another learner's private data."""

import re

import pytest

from journal.models import Post
from roadmap.curriculum import load_curriculum
from roadmap.models import Roadmap

pytestmark = pytest.mark.django_db


@pytest.fixture
def others_private_things(other_learner, small_spec):
    roadmap = load_curriculum(
        small_spec, owner=other_learner, slug="graces", visibility=Roadmap.Visibility.PRIVATE
    ).roadmap
    milestone = roadmap.milestones.first()
    milestone.private_note = "grace's secret note"
    milestone.save()
    draft = Post.objects.create(
        author=other_learner, roadmap=roadmap, title="Grace's draft", slug="graces-draft"
    )
    return roadmap, milestone, draft


def test_the_owner_sees_only_their_own_rows_in_the_admin(
    owner_client, roadmap, others_private_things
):
    other_roadmap, milestone, draft = others_private_things
    roadmaps = owner_client.get("/admin/roadmap/roadmap/").content.decode()
    assert roadmap.title in roadmaps and "graces" not in roadmaps
    milestones = owner_client.get("/admin/roadmap/milestone/?q=svd").content.decode()
    assert "1 milestone" in milestones
    posts = owner_client.get("/admin/journal/post/").content.decode()
    assert "Grace&#x27;s draft" not in posts
    for url in [
        f"/admin/roadmap/roadmap/{other_roadmap.pk}/change/",
        f"/admin/roadmap/milestone/{milestone.pk}/change/",
        f"/admin/journal/post/{draft.pk}/change/",
    ]:
        html = owner_client.get(url, follow=True).content.decode()
        assert "doesn’t exist" in html, url
        assert "secret note" not in html and "Grace&#x27;s draft" not in html


def test_the_owner_cannot_tie_a_post_to_another_learners_milestone(
    owner_client, roadmap, others_private_things
):
    html = owner_client.get("/admin/journal/post/add/").content.decode()

    def choices(name):
        select = re.search(rf'<select name="{name}".*?</select>', html, re.DOTALL)[0]
        return re.findall(r'<option value="(\d+)"', select)

    assert choices("roadmap") == [str(roadmap.pk)]
    assert choices("author") == [str(roadmap.owner_id)]


def test_the_owner_cannot_change_another_account(owner_client, other_learner):
    assert owner_client.get(f"/admin/auth/user/{other_learner.pk}/change/").status_code == 403
    assert owner_client.get(f"/admin/auth/user/{other_learner.pk}/password/").status_code == 403


def test_the_admin_filters_offer_only_the_owners_roadmaps(
    owner_client, roadmap, others_private_things
):
    other_roadmap, _, _ = others_private_things
    for url in ["/admin/roadmap/stage/", "/admin/roadmap/milestone/", "/admin/journal/post/"]:
        html = owner_client.get(url).content.decode()
        assert f"roadmap__id__exact={other_roadmap.pk}" not in html, url
