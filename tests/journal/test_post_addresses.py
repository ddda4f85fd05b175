"""A post's address once used stays its own: old links lead on, and "in use" tells nothing."""

import pytest
from django.urls import reverse

from journal.models import Post, PostAddress
from roadmap.curriculum import load_curriculum

IN_USE = "is in use: choose another"


def save_with_address(client, post, slug):
    return client.post(
        reverse("journal:edit", args=[post.slug]),
        {
            "roadmap": post.roadmap_id,
            "title": post.title,
            "slug": slug,
            "kind": post.kind,
            "body": post.body,
            "summary": "",
            "action": "publish" if post.is_public else "draft",
        },
    )


def new_post_at(client, roadmap, slug):
    return client.post(
        "/journal/new/",
        {
            "roadmap": roadmap.pk,
            "title": "Mine",
            "slug": slug,
            "kind": "til",
            "body": "Hi",
            "action": "draft",
        },
    )


def test_a_new_address_sends_the_old_one_on(learner_client, client, make_post):
    post = make_post(slug="first-try")
    assert save_with_address(learner_client, post, "second-try").status_code == 302
    post.refresh_from_db()
    assert post.slug == "second-try"
    response = client.get("/journal/first-try/")
    assert response.status_code == 302 and response["Location"] == "/journal/second-try/"


def test_an_old_address_of_a_draft_leads_only_its_author_on(learner_client, client, make_post):
    post = make_post(slug="draft-one", status=Post.Status.DRAFT)
    save_with_address(learner_client, post, "draft-two")
    assert client.get("/journal/draft-one/").status_code == 404
    assert learner_client.get("/journal/draft-one/")["Location"] == "/journal/draft-two/"


def test_a_post_may_take_back_its_own_old_address(learner_client, make_post):
    post = make_post(slug="here")
    save_with_address(learner_client, post, "there")
    post.refresh_from_db()
    assert save_with_address(learner_client, post, "here").status_code == 302
    post.refresh_from_db()
    assert post.slug == "here"
    assert list(PostAddress.objects.values_list("slug", flat=True)) == ["there"]


@pytest.mark.parametrize("state", ["published", "draft", "renamed", "deleted"])
def test_in_use_reads_the_same_whatever_holds_the_address(
    state, learner, other_learner, client, roadmap, make_post, small_spec
):
    """Another learner typing the address learns only that it is in use."""
    post = make_post(
        slug="taken", status=Post.Status.DRAFT if state == "draft" else Post.Status.PUBLISHED
    )
    if state == "renamed":
        post.slug = "moved-on"
        post.save()
    if state == "deleted":
        post.delete()
    theirs = load_curriculum(small_spec, owner=other_learner, slug="theirs").roadmap
    client.force_login(other_learner)
    response = new_post_at(client, theirs, "taken")
    assert response.status_code == 400
    html = response.content.decode()
    assert f"The address “taken” {IN_USE}" in html
    assert post.title not in html
    assert Post.objects.filter(author=other_learner).count() == 0


def test_a_made_address_never_takes_a_reserved_one(learner_client, roadmap, make_post):
    post = make_post(title="Week one", slug="week-one")
    post.delete()
    learner_client.post(
        "/journal/new/",
        {
            "roadmap": roadmap.pk,
            "title": "Week one",
            "slug": "",
            "kind": "til",
            "body": "x",
            "action": "draft",
        },
    )
    assert Post.objects.get(title="Week one").slug == "week-one-2"


def test_a_deleted_roadmaps_posts_keep_their_addresses(learner, roadmap, make_post):
    make_post(slug="gone-with-it")
    roadmap.delete()
    assert PostAddress.objects.filter(slug="gone-with-it", post=None).exists()
    assert Post.objects.free_slug("gone with it") == "gone-with-it-2"
