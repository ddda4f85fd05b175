"""A post's address once used stays its own: old links lead on, and "in use" tells nothing."""

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from journal.models import Post, PostAddress
from roadmap.curriculum import load_curriculum
from roadmap.models import Roadmap

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
        post.move_to("moved-on")
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


def test_every_old_address_sends_on_to_the_newest(learner_client, client, make_post):
    post = make_post(slug="one")
    save_with_address(learner_client, post, "two")
    post.refresh_from_db()
    save_with_address(learner_client, post, "three")
    for old in ("one", "two"):
        assert client.get(f"/journal/{old}/")["Location"] == "/journal/three/"


def test_saving_a_post_at_the_same_address_keeps_no_old_one(learner_client, make_post):
    post = make_post(slug="staying")
    assert save_with_address(learner_client, post, "staying").status_code == 302
    assert not PostAddress.objects.exists()


def test_a_move_to_an_address_in_use_changes_nothing(client, make_post):
    make_post(slug="held")
    post = make_post(slug="mine")
    with pytest.raises(IntegrityError):
        post.move_to("held")
    post.refresh_from_db()
    assert post.slug == "mine"
    assert not PostAddress.objects.exists()
    assert client.get("/journal/mine/").status_code == 200


def test_a_roadmap_deleted_by_query_keeps_its_posts_addresses(learner, roadmap, make_post):
    make_post(slug="went-with-a-query")
    Roadmap.objects.filter(pk=roadmap.pk).delete()
    assert Post.objects.free_slug("went with a query") == "went-with-a-query-2"


def test_deleting_a_roadmap_keeps_its_posts_addresses_in_queries_that_do_not_grow(
    learner, learner_client, small_spec, make_post
):
    """The addresses are kept in one insert, however many posts went with the roadmap."""
    queries = {}
    for size in (1, 6):
        roadmap = load_curriculum(small_spec, owner=learner, slug=f"path-{size}").roadmap
        for n in range(size):
            make_post(roadmap=roadmap, slug=f"path-{size}-post-{n}")
        with CaptureQueriesContext(connection) as captured:
            response = learner_client.post(
                f"/roadmaps/path-{size}/delete/", {"confirm": roadmap.title}
            )
        assert response.status_code == 302
        queries[size] = len(captured)
    assert queries[1] == queries[6]
    kept = set(PostAddress.objects.filter(post=None).values_list("slug", flat=True))
    assert kept == {"path-1-post-0"} | {f"path-6-post-{n}" for n in range(6)}
    assert Post.objects.free_slug("path 6 post 3") == "path-6-post-3-2"


def test_a_post_titled_as_a_journal_page_gets_an_address_of_its_own(
    learner_client, client, roadmap
):
    def write(body):
        return learner_client.post(
            "/journal/new/",
            {
                "roadmap": roadmap.pk,
                "title": "Feed",
                "slug": "",
                "kind": "til",
                "body": body,
                "action": "publish",
            },
            follow=True,
        )

    first, second = write("Reading the feed"), write("Reading it again")

    for response, body, address in [
        (first, "Reading the feed", "/journal/feed-2/"),
        (second, "Reading it again", "/journal/feed-3/"),
    ]:
        assert response.redirect_chain == [(address, 302)]
        assert body in response.content.decode()
        page = client.get(address)
        assert page.status_code == 200 and body in page.content.decode()
    # The journal's own page is still where it was.
    assert client.get("/journal/feed/")["Content-Type"].startswith("application/atom+xml")
