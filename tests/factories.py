"""Large roadmaps for query-count tests and benchmarks, built in a handful of queries."""

import itertools
import random
from datetime import timedelta

from django.utils import timezone

from journal.models import Post
from roadmap.models import Milestone, ProgressEvent, Resource, Roadmap, Stage, Status, Topic

# The one query the site's version costs: a visitor's request reads it (config/cache.py), a
# change increments it (SiteVersion.objects.bump). Pinned counts add it where it is paid.
SITE_VERSION = 1
# And where a visitor's page is rendered that is kept through progress it does not show
# (config/progress.py): what it shows of progress read before it, the version again after.
PROGRESS_SHOWN = 2


def build_roadmap(
    owner,
    *,
    milestones: int,
    per_topic: int = 5,
    topics_per_stage: int = 6,
    slug: str = "big",
    visibility=Roadmap.Visibility.PUBLIC,
) -> Roadmap:
    roadmap = Roadmap.objects.create(
        owner=owner, title=f"Roadmap {slug}", slug=slug, visibility=visibility
    )
    n_topics = -(-milestones // per_topic)
    n_stages = -(-n_topics // topics_per_stage)
    stages = Stage.objects.bulk_create(
        Stage(roadmap=roadmap, key=f"s{i}", title=f"Stage {i}", position=i) for i in range(n_stages)
    )
    topics = Topic.objects.bulk_create(
        Topic(
            roadmap=roadmap,
            stage=stages[i // topics_per_stage],
            key=f"t{i}",
            slug=f"t{i}",
            title=f"Topic {i}",
            position=i % topics_per_stage,
        )
        for i in range(n_topics)
    )
    Resource.objects.bulk_create(
        Resource(topic=topic, type="article", title="Read me", url="https://example.org/")
        for topic in topics
    )
    statuses = Status.values
    Milestone.objects.bulk_create(
        Milestone(
            roadmap=roadmap,
            topic=topics[i // per_topic],
            key=f"m{i}",
            slug=f"m{i}",
            title=f"Milestone {i}",
            estimated_hours=2,
            position=i % per_topic,
            optional=(i % 9 == 8),
            status=statuses[i % len(statuses)],
        )
        for i in range(milestones)
    )
    for previous, topic in itertools.pairwise(topics):
        topic.prerequisites.add(previous)
    return roadmap


def build_history(roadmap, *, events: int, years: float = 3, seed: int = 7) -> None:
    """A plausible log: milestones started then finished in roadmap order over `years` years.

    Statuses are left consistent with the log, so every number on the dashboard agrees.
    """
    rng = random.Random(seed)
    now = timezone.now()
    start = now - timedelta(days=365 * years)
    Roadmap.objects.filter(pk=roadmap.pk).update(
        started_on=start.date(), target_date=(start + timedelta(days=365 * years * 1.2)).date()
    )
    milestones = list(Milestone.objects.filter(roadmap=roadmap).in_roadmap_order())
    span = (now - start).total_seconds()
    log, moments = [], sorted(start + timedelta(seconds=rng.random() * span) for _ in range(events))
    state = {m.pk: Status.NOT_STARTED for m in milestones}
    dates: dict[int, dict] = {m.pk: {} for m in milestones}
    cursor = 0
    for at in moments:
        milestone = milestones[min(cursor, len(milestones) - 1)]
        current = state[milestone.pk]
        if current == Status.NOT_STARTED:
            new = Status.IN_PROGRESS
            dates[milestone.pk] = {"started_at": at, "completed_at": None}
        elif current == Status.IN_PROGRESS:
            new = Status.DONE if rng.random() < 0.9 else Status.SKIPPED
            dates[milestone.pk]["completed_at"] = at if new == Status.DONE else None
            cursor += 1
        else:
            new = Status.IN_PROGRESS  # reopened to revisit
            dates[milestone.pk]["completed_at"] = None
        log.append(
            ProgressEvent(
                roadmap=roadmap, milestone=milestone, from_status=current, to_status=new, at=at
            )
        )
        state[milestone.pk] = new
    ProgressEvent.objects.bulk_create(log, batch_size=1000)
    for milestone in milestones:
        milestone.status = state[milestone.pk]
        milestone.started_at = dates[milestone.pk].get("started_at")
        milestone.completed_at = dates[milestone.pk].get("completed_at")
    Milestone.objects.bulk_update(
        milestones, ["status", "started_at", "completed_at"], batch_size=500
    )


def bulk_posts(roadmap, count: int, *, milestone=None, topic=None, start: int = 0):
    """Many published posts at once, for query-count tests; numbered from `start`."""
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
        for i in range(start, start + count)
    )
    for post in posts:
        if milestone:
            post.milestones.add(milestone)
        if topic:
            post.topics.add(topic)
    return posts
