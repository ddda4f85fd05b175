"""The Atom feeds as a feed reader sees them: strict Atom, stable ids, readable content."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from journal.feeds import FEED_SIZE
from journal.models import Post
from learners.models import Profile
from roadmap.curriculum import load_curriculum
from roadmap.models import Milestone, PlanChange, Roadmap, Status
from roadmap.services import (
    item_move,
    item_remove,
    milestone_add,
    milestone_edit,
    milestone_set_status,
    removal_undo,
    stage_add,
    topic_add,
    topic_edit,
)
from tests.factories import PROGRESS_SHOWN, SITE_VERSION, bulk_posts
from tests.journal.atom import ATOM, entries, entry_ids, markup, parse_date, validate

pytestmark = pytest.mark.django_db

FEEDS = ["journal", "kind", "topic", "roadmap", "learner"]
COMPLETED = "Completed: Derive and code PCA via SVD"
BODY = """## Results

The error fell to [0.2](https://example.org/run) after a night of training.[^1]

![Loss curve](/media/uploads/loss.png)

See [the first week](/journal/week-1/) and `src="/y"` for the path.

[^1]: On the held-out split.
"""


def feed_url(name: str, roadmap: Roadmap) -> str:
    return {
        "journal": "/journal/feed/",
        "kind": "/journal/kinds/til/feed/",
        "topic": reverse("topic-feed", args=[roadmap.slug, "linear-algebra"]),
        "roadmap": reverse("roadmap-feed", args=[roadmap.slug]),
        "learner": f"/learners/{roadmap.owner.username}/feed/",
    }[name]


def read(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/atom+xml")
    return validate(response.content)


def content_of(entry) -> str:
    return entry.findtext(f"{ATOM}content")


@pytest.fixture
def site(roadmap, make_post, other_learner, small_spec):
    """A site with something of every kind: public, draft, scheduled, private, progress."""
    topic = roadmap.topics.get(key="linear-algebra")
    make_post(title="On SVD", kind=Post.Kind.TIL, body=BODY, topics=[topic])
    make_post(title="Secret draft", kind=Post.Kind.TIL, status=Post.Status.DRAFT, topics=[topic])
    make_post(
        title="Scheduled later",
        kind=Post.Kind.TIL,
        published_at=timezone.now() + timezone.timedelta(days=2),
        topics=[topic],
    )
    milestone_set_status(milestone=roadmap.milestones.get(key="svd-pca"), status=Status.DONE)
    hidden = load_curriculum(small_spec, owner=other_learner, slug="hidden").roadmap
    Roadmap.objects.filter(pk=hidden.pk).update(visibility=Roadmap.Visibility.PRIVATE)
    make_post(
        title="Private roadmap post", kind=Post.Kind.TIL, roadmap=hidden, author=other_learner
    )
    return roadmap


# Strict Atom, full and empty -----------------------------------------------------------------


@pytest.mark.parametrize("name", FEEDS)
def test_every_feed_is_strict_atom_and_shows_only_what_is_published(name, client, site):
    feed = read(client, feed_url(name, site))
    titles = set(entries(feed))
    assert "On SVD" in titles
    assert not titles & {"Secret draft", "Scheduled later", "Private roadmap post"}
    assert (COMPLETED in titles) == (name == "roadmap")


@pytest.mark.parametrize("name", FEEDS)
def test_an_empty_feed_is_dated_when_it_began_not_when_it_was_read(
    name, client, roadmap, learner, make_post
):
    make_post(title="Secret draft", status=Post.Status.DRAFT, kind=Post.Kind.TIL)
    began = {
        "journal": learner.date_joined,
        "kind": learner.date_joined,
        "topic": roadmap.created_at,
        "roadmap": roadmap.created_at,
        "learner": learner.date_joined,
    }[name]
    url = feed_url(name, roadmap)
    for _ in range(2):
        response = client.get(url)
        feed = validate(response.content)
        assert not entries(feed)
        assert parse_date(feed.findtext(f"{ATOM}updated")) == began


def test_an_empty_journal_on_a_site_nobody_joined_has_a_fixed_date(client):
    feed = read(client, "/journal/feed/")
    assert feed.findtext(f"{ATOM}updated") == "1970-01-01T00:00:00+00:00"


def test_a_feeds_updated_is_its_newest_entrys(client, make_post):
    make_post(title="Older", published_at=timezone.now() - timezone.timedelta(days=3))
    newest = make_post(title="Newer")
    feed = read(client, "/journal/feed/")
    assert parse_date(feed.findtext(f"{ATOM}updated")) == newest.updated_at


# Ids -----------------------------------------------------------------------------------------


def test_a_post_has_one_id_in_every_feed_it_appears_in(client, site):
    post = Post.objects.get(title="On SVD")
    ids = {name: entry_ids(read(client, feed_url(name, site)))["On SVD"] for name in FEEDS}
    day = post.created_at.astimezone(UTC).date().isoformat()
    assert set(ids.values()) == {f"tag:testserver,{day}:post/{post.pk}"}


# Committed, as on a site: each change reaches the visitors' page cache.
@pytest.mark.django_db(transaction=True)
def test_a_posts_id_survives_edits_and_republishing(client, make_post):
    post = make_post(title="First title", slug="first")
    Post.objects.filter(pk=post.pk).update(created_at=datetime(2025, 1, 2, 23, 30, tzinfo=UTC))
    before = entry_ids(read(client, "/journal/feed/"))["First title"]
    assert before == f"tag:testserver,2025-01-02:post/{post.pk}"

    post.refresh_from_db()
    post.title, post.slug, post.body = "A better title", "better", "Rewritten."
    post.unpublish()
    post.save()
    assert not entries(read(client, "/journal/feed/"))
    post.publish()
    post.save()
    after = read(client, "/journal/feed/")
    assert entry_ids(after) == {"A better title": before}
    assert entries(after)["A better title"].find(f"{ATOM}link").get("href").endswith("/better/")


def test_the_same_site_under_another_port_keeps_its_ids(client, make_post):
    make_post(title="Ported")
    plain = entry_ids(read(client, "/journal/feed/"))
    ported = client.get("/journal/feed/", HTTP_HOST="localhost:8000")
    assert {t: i.replace("testserver", "localhost") for t, i in plain.items()} == entry_ids(
        validate(ported.content)
    )


# Committed, as on a site: each change reaches the visitors' page cache.
@pytest.mark.django_db(transaction=True)
def test_a_completion_keeps_its_id_until_the_milestone_is_completed_again(client, roadmap):
    url = reverse("roadmap-feed", args=[roadmap.slug])
    svd = roadmap.milestones.get(key="svd-pca")
    milestone_set_status(
        milestone=svd, status=Status.DONE, at=datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
    )
    first = entry_ids(read(client, url))[COMPLETED]
    stamp = "20260314T093000.000000Z"
    assert first == f"tag:testserver,2026-03-14:milestone/{svd.pk}/completed/{stamp}"

    other = roadmap.milestones.exclude(pk=svd.pk).first()
    milestone_set_status(milestone=other, status=Status.DONE)
    ids = entry_ids(read(client, url))
    assert ids[COMPLETED] == first and len(set(ids.values())) == 2

    milestone_set_status(milestone=svd, status=Status.IN_PROGRESS)
    assert COMPLETED not in entry_ids(read(client, url))
    milestone_set_status(milestone=svd, status=Status.DONE)
    again = entry_ids(read(client, url))[COMPLETED]
    assert again != first and again.startswith("tag:testserver,")


def test_posts_and_completions_of_one_day_have_different_ids(client, roadmap, make_post):
    for milestone in roadmap.milestones.all()[:3]:
        milestone_set_status(milestone=milestone, status=Status.DONE)
    for _ in range(3):
        make_post()
    ids = list(entry_ids(read(client, reverse("roadmap-feed", args=[roadmap.slug]))).values())
    assert len(ids) == len(set(ids)) == 6


# Content and summary -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["journal", "roadmap"])
def test_content_is_the_posts_html_without_heading_permalinks(name, client, roadmap, make_post):
    post = make_post(title="On SVD", body=BODY)
    entry = entries(read(client, feed_url(name, roadmap)))["On SVD"]
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html"
    html = content.text
    assert "h2" in markup(html).tags and "Results" in html and "footnote" in html
    assert "headerlink" not in html and "¶" not in html
    page = client.get(post.get_absolute_url()).content.decode()
    assert 'class="headerlink"' in page and "¶" in page


def test_relative_links_and_images_in_content_lead_back_to_the_site(client, make_post):
    post = make_post(title="On SVD", body=BODY)
    html = content_of(entries(read(client, "/journal/feed/"))["On SVD"])
    urls = markup(html).urls
    assert "http://testserver/media/uploads/loss.png" in urls
    assert "http://testserver/journal/week-1/" in urls
    assert f"http://testserver{post.get_absolute_url()}#md-fn:1" in urls
    assert "https://example.org/run" in urls
    # Text that merely looks like an attribute is the author's words, left as written.
    assert '<code>src="/y"</code>' in html


def test_summary_is_a_short_plain_excerpt_and_the_authors_own_when_given(client, make_post):
    make_post(title="Long", body="## Intro\n\n" + "word " * 300)
    make_post(title="Summarised", body="Body.", summary="Short & sweet: <b> stays text")
    feed = read(client, "/journal/feed/")
    long = entries(feed)["Long"].find(f"{ATOM}summary")
    assert long.get("type") == "text"
    assert long.text.startswith("Intro") and "word word" in long.text
    assert long.text.endswith("…")
    assert len(long.text) <= 201 and "¶" not in long.text
    own = entries(feed)["Summarised"].findtext(f"{ATOM}summary")
    assert own == "Short & sweet: <b> stays text"


def test_a_post_with_no_words_is_summarised_by_its_title(client, make_post):
    make_post(title="Just a title", body="")
    entry = entries(read(client, "/journal/feed/"))["Just a title"]
    assert entry.findtext(f"{ATOM}summary") == "Just a title"


def test_a_control_character_in_a_post_does_not_break_its_feeds(client, roadmap, make_post):
    make_post(title="Bell\x07 rings", body="Pasted\x01 from a terminal\x1b[0m.")
    for name in ["journal", "roadmap", "learner"]:
        entry = entries(read(client, feed_url(name, roadmap)))["Bell rings"]
        assert "Pasted from a terminal[0m." in content_of(entry)


def test_entries_name_the_author_by_display_name(client, learner, roadmap, make_post):
    Profile.objects.create(user=learner, display_name="Ada Lovelace")
    make_post(title="On SVD")
    milestone_set_status(milestone=roadmap.milestones.get(key="svd-pca"), status=Status.DONE)
    feed = read(client, reverse("roadmap-feed", args=[roadmap.slug]))
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Ada Lovelace"
    for entry in entries(feed).values():
        assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Ada Lovelace"


# Who sees what -------------------------------------------------------------------------------


def test_an_unlisted_roadmaps_posts_are_in_its_own_feed_only(client, roadmap, make_post):
    Roadmap.objects.filter(pk=roadmap.pk).update(visibility=Roadmap.Visibility.UNLISTED)
    make_post(title="By address only", kind=Post.Kind.TIL)
    assert "By address only" in entries(read(client, feed_url("roadmap", roadmap)))
    for name in ["journal", "kind", "learner"]:
        assert not entries(read(client, feed_url(name, roadmap))), name


@pytest.mark.parametrize("name", ["topic", "roadmap"])
def test_a_private_roadmaps_feeds_are_404_to_visitors(name, client, roadmap):
    Roadmap.objects.filter(pk=roadmap.pk).update(visibility=Roadmap.Visibility.PRIVATE)
    assert client.get(feed_url(name, roadmap)).status_code == 404


def test_a_private_profiles_feed_is_404(client, learner, roadmap, make_post):
    Profile.objects.create(user=learner, is_private=True)
    make_post(title="Hidden by the profile")
    assert client.get(feed_url("learner", roadmap)).status_code == 404


# Query counts: the same at 10 and 100 posts --------------------------------------------------


@pytest.mark.parametrize("size", [10, 100])
@pytest.mark.parametrize(
    "name, queries", [("journal", 2), ("kind", 2), ("topic", 3), ("roadmap", 5), ("learner", 4)]
)
def test_feed_queries_do_not_grow(name, queries, size, client, roadmap, django_assert_num_queries):
    bulk_posts(roadmap, size, topic=roadmap.topics.get(key="linear-algebra"))
    now = timezone.now()
    done = list(roadmap.milestones.all()[: size // 10])
    for n, milestone in enumerate(done):
        milestone.status, milestone.completed_at = Status.DONE, now - timezone.timedelta(hours=n)
    Milestone.objects.bulk_update(done, ["status", "completed_at"])
    url = feed_url(name, roadmap)
    shown = PROGRESS_SHOWN if name == "roadmap" else 0
    with django_assert_num_queries(queries + SITE_VERSION + shown):
        response = client.get(url)
    feed = validate(response.content)
    shown = size + len(done) if name == "roadmap" else size
    assert len(entries(feed)) == min(shown, 30)
    assert re.match(r"tag:testserver,\d{4}-\d{2}-\d{2}:", feed.findtext(f"{ATOM}entry/{ATOM}id"))


# Changes to the plan -------------------------------------------------------------------------

ADDED = "Plan: added milestone “Backprop by hand”"


def roadmap_feed(client, roadmap):
    return read(client, reverse("roadmap-feed", args=[roadmap.slug]))


def rename_topic(topic, title, at=None):
    topic_edit(
        topic=topic,
        title=title,
        summary=topic.summary,
        stage=topic.stage,
        prerequisites=list(topic.prerequisites.all()),
        resources=list(
            topic.resources.order_by("position", "pk").values_list("type", "title", "url")
        ),
        at=at,
    )


def test_a_milestone_added_on_the_edit_page_is_told_in_the_roadmap_feed(
    client, learner_client, roadmap
):
    topic = roadmap.topics.get(key="linear-algebra")
    response = learner_client.post(
        reverse("roadmap:edit-milestone-add", args=[roadmap.slug, topic.key]),
        {"title": "Backprop by hand", "kind": "learn", "estimated_hours": "3"},
    )
    assert response.status_code == 302
    change = roadmap.plan_changes.get()
    milestone = topic.milestones.get(title="Backprop by hand")

    feed = roadmap_feed(client, roadmap)
    entry = entries(feed)[ADDED]
    assert parse_date(entry.findtext(f"{ATOM}published")) == change.at
    assert parse_date(entry.findtext(f"{ATOM}updated")) == change.at
    assert parse_date(feed.findtext(f"{ATOM}updated")) == change.at
    assert entry.find(f"{ATOM}link").get("href") == (
        f"http://testserver{milestone.get_absolute_url()}"
    )
    summary = "Added the milestone “Backprop by hand” (in “Linear algebra”, 3 h)."
    assert entry.findtext(f"{ATOM}summary") == summary
    assert content_of(entry) == f"<p>{summary}</p>"
    assert entry.find(f"{ATOM}category").get("term") == "Plan"


def test_each_kind_of_plan_change_has_its_title_and_leads_where_its_item_is_now(client, roadmap):
    # Recent enough that the removal can still be undone.
    start = timezone.now() - timezone.timedelta(minutes=20)
    step = timezone.timedelta(minutes=2)
    topic = roadmap.topics.get(key="linear-algebra")
    added = milestone_add(topic=topic, title="Backprop by hand", at=start)
    milestone_edit(
        milestone=added,
        title=added.title,
        description="",
        kind=added.kind,
        estimated_hours=5,
        optional=False,
        topic=topic,
        at=start + step,
    )
    rename_topic(topic, "Matrices", at=start + 2 * step)
    stage = stage_add(roadmap=roadmap, title="Transformers", at=start + 3 * step)
    svd = roadmap.milestones.get(key="svd-pca")
    item_move(item=svd, direction="down", at=start + 4 * step)
    removed = item_remove(item=svd, at=start + 5 * step)
    gone = roadmap.milestones.get(key="my-backprop-by-hand")
    item_remove(item=gone, at=start + 6 * step)
    removal_undo(removed=removed, at=start + 7 * step)

    feed = roadmap_feed(client, roadmap)
    plan = {title: e for title, e in entries(feed).items() if title.startswith("Plan:")}
    assert list(plan) == [
        "Plan: brought back milestone “Derive and code PCA via SVD”",
        "Plan: removed milestone “Backprop by hand”",
        "Plan: removed milestone “Derive and code PCA via SVD”",
        "Plan: moved milestone “Derive and code PCA via SVD”",
        "Plan: added stage “Transformers”",
        "Plan: renamed topic “Linear algebra” to “Matrices”",
        "Plan: re-estimated milestone “Backprop by hand”",
        ADDED,
    ]
    times = [parse_date(e.findtext(f"{ATOM}published")) for e in plan.values()]
    assert times == [start + n * step for n in range(7, -1, -1)]
    links = {title: e.find(f"{ATOM}link").get("href") for title, e in plan.items()}
    site = "http://testserver"
    # Brought back, the milestone's page is there again; the one removed for good has none.
    assert links["Plan: removed milestone “Derive and code PCA via SVD”"] == (
        site + svd.get_absolute_url()
    )
    assert links["Plan: removed milestone “Backprop by hand”"] == site + roadmap.get_absolute_url()
    assert links[ADDED] == site + roadmap.get_absolute_url()
    assert links["Plan: renamed topic “Linear algebra” to “Matrices”"] == (
        site + roadmap.topics.get(key="linear-algebra").get_absolute_url()
    )
    assert links["Plan: added stage “Transformers”"] == (
        f"{site}{roadmap.get_absolute_url()}#{stage.anchor}"
    )
    page = client.get(roadmap.get_absolute_url()).content.decode()
    assert f'id="{stage.anchor}"' in page
    re_estimated = plan["Plan: re-estimated milestone “Backprop by hand”"]
    assert "0 h → 5 h" in re_estimated.findtext(f"{ATOM}summary")


# Committed, as on a site: each change reaches the visitors' page cache.
@pytest.mark.django_db(transaction=True)
def test_a_plan_changes_id_is_its_own_and_survives_later_edits(client, roadmap, make_post):
    topic = roadmap.topics.get(key="linear-algebra")
    milestone_add(topic=topic, title="Backprop by hand", at=datetime(2026, 3, 14, 9, tzinfo=UTC))
    change = roadmap.plan_changes.get()
    make_post(title="On SVD")
    milestone_set_status(milestone=roadmap.milestones.get(key="svd-pca"), status=Status.DONE)
    first = entry_ids(roadmap_feed(client, roadmap))
    assert first[ADDED] == f"tag:testserver,2026-03-14:roadmap/{roadmap.pk}/plan-change/{change.pk}"
    assert len(set(first.values())) == len(first) == 3

    assert entry_ids(roadmap_feed(client, roadmap)) == first
    rename_topic(topic, "Matrices")
    stage_add(roadmap=roadmap, title="Transformers")
    again = entry_ids(roadmap_feed(client, roadmap))
    assert {title: again[title] for title in first} == first
    assert len(set(again.values())) == len(again) == 5


def test_plan_changes_share_the_feeds_size_and_the_newest_win(client, roadmap, make_post):
    now = timezone.now()
    for n in range(FEED_SIZE + 5):
        stage_add(roadmap=roadmap, title=f"Stage {n}", at=now - timezone.timedelta(hours=n))
    for n in range(5):
        make_post(title=f"Post {n}", published_at=now - timezone.timedelta(hours=n + 0.5))
    feed = roadmap_feed(client, roadmap)
    newest = sorted(
        [(now - timezone.timedelta(hours=n), f"Plan: added stage “Stage {n}”") for n in range(35)]
        + [(now - timezone.timedelta(hours=n + 0.5), f"Post {n}") for n in range(5)],
        reverse=True,
    )[:FEED_SIZE]
    assert list(entries(feed)) == [title for _, title in newest]


def test_an_unlisted_roadmaps_feed_tells_whoever_has_its_address_how_the_plan_changed(
    client, roadmap, make_post
):
    Roadmap.objects.filter(pk=roadmap.pk).update(visibility=Roadmap.Visibility.UNLISTED)
    make_post(title="By address only")
    milestone_add(topic=roadmap.topics.get(key="linear-algebra"), title="Backprop by hand")
    url = reverse("roadmap-feed", args=[roadmap.slug])
    assert list(entries(read(client, url))) == [
        "Plan: added milestone “Backprop by hand”",
        "By address only",
    ]


def test_a_private_roadmaps_plan_changes_are_its_owners_alone(client, learner_client, roadmap):
    Roadmap.objects.filter(pk=roadmap.pk).update(visibility=Roadmap.Visibility.PRIVATE)
    milestone_add(topic=roadmap.topics.get(key="linear-algebra"), title="Backprop by hand")
    url = reverse("roadmap-feed", args=[roadmap.slug])
    assert client.get(url).status_code == 404
    assert "Plan: added milestone “Backprop by hand”" in entries(read(learner_client, url))


@pytest.mark.parametrize("size", [1, 20])
def test_the_roadmap_feeds_queries_do_not_grow_with_plan_changes(
    size, client, roadmap, django_assert_num_queries
):
    topic = roadmap.topics.get(key="linear-algebra")
    for n in range(size):
        if n % 3 == 0:
            milestone_add(topic=topic, title=f"Milestone {n}")
        elif n % 3 == 1:
            topic_add(stage=topic.stage, title=f"Topic {n}")
        else:
            item_remove(item=stage_add(roadmap=roadmap, title=f"Stage {n}"))
    shown = PlanChange.objects.filter(roadmap=roadmap).count()
    with django_assert_num_queries(5 + SITE_VERSION + PROGRESS_SHOWN):
        response = client.get(reverse("roadmap-feed", args=[roadmap.slug]))
    assert len(entries(validate(response.content))) == shown
