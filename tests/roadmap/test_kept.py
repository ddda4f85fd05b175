"""A roadmap's history kept between requests: read again only where the table changed,
and never showing a row the table no longer holds.

These run outside a test transaction, as a server does: rows read inside one are not kept.
"""

import random
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from journal.models import Post
from roadmap import kept
from roadmap.models import Milestone, ProgressEvent, Status
from roadmap.services import milestone_set_status
from roadmap.stats import Event, PostRow
from tests.factories import build_history, build_roadmap

pytestmark = pytest.mark.django_db(transaction=True)


def fresh(roadmap) -> SimpleNamespace:
    """The events and posts as the ORM reads them, with nothing kept."""
    events = roadmap.events.order_by("at", "pk")
    posts = roadmap.posts.published().order_by("published_at", "pk")
    return SimpleNamespace(
        events=[Event(*row) for row in events.values_list(*Event._fields)],
        posts=[PostRow(*row) for row in posts.values_list(*PostRow._fields)],
    )


def events_queries(roadmap) -> int:
    with CaptureQueriesContext(connection) as queries:
        kept.events_of(
            roadmap, lambda rows, make: [make(*row) for row in rows.values_list(*make._fields)]
        )
    return len(queries)


def test_an_unchanged_history_is_asked_about_once_and_a_status_change_reads_one_row(learner):
    roadmap = build_roadmap(learner, milestones=120)
    build_history(roadmap, events=100, years=1)
    milestone = roadmap.milestones.filter(status=Status.NOT_STARTED).first()

    assert events_queries(roadmap) == 2  # the question, then every row
    assert events_queries(roadmap) == 1  # the question only
    milestone_set_status(milestone=milestone, status=Status.IN_PROGRESS)
    assert events_queries(roadmap) == 2  # the question, then the one row added
    assert roadmap.history().events == fresh(roadmap).events
    assert roadmap.history().events[-1].to_status == Status.IN_PROGRESS


def test_every_way_the_events_change_shows_in_the_next_history(learner):
    roadmap = build_roadmap(learner, milestones=30)
    build_history(roadmap, events=120, years=1)
    milestones = list(roadmap.milestones.all())
    rng = random.Random(3)
    now = timezone.now()

    def status_change():
        milestone = rng.choice(milestones)
        milestone.refresh_from_db()
        others = [s for s in Status.values if s != milestone.status]
        milestone_set_status(milestone=milestone, status=rng.choice(others))

    def into_the_past():  # an import, or a push marking a milestone done at its commit's time
        ProgressEvent.objects.create(
            roadmap=roadmap,
            milestone=rng.choice(milestones),
            from_status=Status.NOT_STARTED,
            to_status=Status.DONE,
            at=now - timedelta(days=rng.randint(1, 300)),
        )

    def newest_deleted():
        ProgressEvent.objects.filter(roadmap=roadmap).order_by("-at", "-pk").first().delete()

    def one_deleted_and_one_added():  # the same count, a different set
        ProgressEvent.objects.filter(roadmap=roadmap).order_by("?").first().delete()
        status_change()

    def one_deleted_and_two_added():  # more rows, but not only more
        ProgressEvent.objects.filter(roadmap=roadmap).order_by("?").first().delete()
        status_change()
        status_change()

    def taken_back_then_two_added():  # a rolled-back row's id may be given again
        with pytest.raises(RuntimeError), transaction.atomic():
            status_change()
            roadmap.history()
            raise RuntimeError
        status_change()
        status_change()

    def milestone_removed():
        milestone = milestones.pop(rng.randrange(len(milestones)))
        Milestone.objects.filter(pk=milestone.pk).delete()

    changes = [
        status_change,
        into_the_past,
        newest_deleted,
        one_deleted_and_one_added,
        one_deleted_and_two_added,
        taken_back_then_two_added,
        milestone_removed,
    ]
    for step in range(40):
        change = changes[step % len(changes)] if step < len(changes) else rng.choice(changes)
        change()
        assert roadmap.history().events == fresh(roadmap).events, change.__name__


def test_posts_are_read_again_after_any_change_a_visitor_would_see(learner, make_post):
    roadmap = build_roadmap(learner, milestones=5)
    first = make_post(roadmap=roadmap, title="First")
    assert len(roadmap.history().posts) == 1
    scheduled = make_post(
        roadmap=roadmap,
        status=Post.Status.PUBLISHED,
        published_at=timezone.now() + timedelta(seconds=1),
    )
    assert len(roadmap.history().posts) == 1
    Post.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() - timedelta(days=2))
    assert roadmap.history().posts == fresh(roadmap).posts
    assert len(roadmap.history().posts) == 2

    first.kind = Post.Kind.REFLECTION
    first.save()
    assert [post.kind for post in roadmap.history().posts] == [
        post.kind for post in fresh(roadmap).posts
    ]
    assert Post.Kind.REFLECTION in {post.kind for post in roadmap.history().posts}
    first.delete()
    assert roadmap.history().posts == fresh(roadmap).posts
    assert len(roadmap.history().posts) == 1


def test_posts_read_after_a_change_are_not_kept_under_the_digest_before_it(learner, make_post):
    """A dashboard reads its posts' digest for its ETag, and the posts later: one published
    between the two is read, but not kept under the digest from before it, which the posts
    come back to once it is deleted."""
    roadmap = build_roadmap(learner, milestones=5)
    make_post(roadmap=roadmap, title="First")
    before = kept.posts_digest(roadmap)
    meanwhile = make_post(roadmap=roadmap, title="Published meanwhile")
    assert len(roadmap.history(posts_digest=before).posts) == 2
    meanwhile.delete()
    assert kept.posts_digest(roadmap) == before
    assert roadmap.history(posts_digest=before).posts == fresh(roadmap).posts
    assert len(roadmap.history().posts) == 1


def test_the_dashboard_a_visitor_reads_after_a_change_shows_it(client, learner, make_post):
    roadmap = build_roadmap(learner, milestones=40)
    build_history(roadmap, events=20, years=1)
    url = reverse("roadmap:dashboard", args=[roadmap.slug])
    today = timezone.localdate().strftime("%-d %B %Y")
    before = client.get(url).content.decode()
    milestone = roadmap.milestones.filter(status=Status.NOT_STARTED).first()
    milestone_set_status(milestone=milestone, status=Status.IN_PROGRESS)
    after = client.get(url).content.decode()
    assert f"{today}: 1 milestone started" in after
    assert f"{today}: 1 milestone started" not in before
    # A post, with the posts' digest the page's ETag read handed on to the history.
    make_post(roadmap=roadmap, title="Week 1", slug="week-1", published_at=timezone.now())
    assert f"{today}: 1 milestone started, 1 post" in client.get(url).content.decode()
    etag = client.get(url)["ETag"]
    Post.objects.filter(slug="week-1").delete()
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    assert f"{today}: 1 milestone started<" in again.content.decode()
