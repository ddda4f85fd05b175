import itertools

import pytest
from django.utils import timezone

from journal.models import Post

_numbers = itertools.count(1)


@pytest.fixture
def make_post(roadmap):
    """Posts on the learner's roadmap; published an hour ago unless told otherwise."""

    def make(**fields):
        n = next(_numbers)
        fields.setdefault("title", f"Post {n}")
        fields.setdefault("slug", f"post-{n}")
        fields.setdefault("body", f"Some *words* for post {n}.")
        fields.setdefault("status", Post.Status.PUBLISHED)
        if fields["status"] == Post.Status.PUBLISHED:
            fields.setdefault("published_at", timezone.now() - timezone.timedelta(hours=1))
        milestones = fields.pop("milestones", [])
        topics = fields.pop("topics", [])
        post = Post.objects.create(
            author=fields.pop("author", roadmap.owner),
            roadmap=fields.pop("roadmap", roadmap),
            **fields,
        )
        post.milestones.set(milestones)
        post.topics.set(topics)
        return post

    return make


def bulk_posts(roadmap, count: int, *, milestone=None, topic=None):
    """Many published posts at once, for query-count tests."""
    now = timezone.now()
    posts = Post.objects.bulk_create(
        Post(
            author=roadmap.owner,
            roadmap=roadmap,
            title=f"Bulk {i}",
            slug=f"bulk-{i}",
            body="Text",
            body_html="<p>Text</p>",
            excerpt="Text",
            status=Post.Status.PUBLISHED,
            published_at=now - timezone.timedelta(hours=i + 1),
            kind=Post.Kind.TIL,
        )
        for i in range(count)
    )
    for post in posts:
        if milestone:
            post.milestones.add(milestone)
        if topic:
            post.topics.add(topic)
    return posts
