"""Build the benchmark's site in the database the settings name, then describe it.

bench.run calls main() through `manage.py shell -c`, with DJANGO_DATA_DIR set to a folder of
its own. Writes site.json there: the learners, their passwords, and what to load.

- ada's roadmap: the shipped ML fundamentals curriculum repeated until it holds at least
  600 milestones, with three years of status changes made through the status service, so
  the event log, the milestones' dates and the roadmap's last change are what the app itself
  would have written, and 1,000 published posts (950 of them hers) tied to what she was
  working on when she wrote them;
- bo's roadmap: the shipped curriculum as it is, loaded by the app's own loader, with a
  quarter's progress and the other 50 posts: the size a new learner starts at.
"""

import bisect
import dataclasses
import json
import random
import sys
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from bench.posts import post_body
from journal.models import Post
from roadmap.curriculum import load_curriculum, read_curriculum
from roadmap.models import Milestone, Status
from roadmap.services import milestone_set_status

SHIPPED = settings.BASE_DIR / "curricula" / "ml-fundamentals.yaml"
PASSWORDS = {"ada": "bench-ada-password-1", "bo": "bench-bo-password-1"}
LARGE_MILESTONES = 600
EVENTS = 5_200
POSTS = 1_000
SECOND_LEARNER_POSTS = 50
YEARS = 3
# Milestones a learner has in progress at once, give or take one.
WORKING_ON = 3
SEED = 2026


def grown_spec(spec, at_least: int):
    """The curriculum repeated, a stage at a time, until it holds `at_least` milestones."""
    stages, total, copy = [], 0, 1
    while total < at_least:
        for stage in spec.stages:
            if total >= at_least:
                break
            suffix = "" if copy == 1 else f" (round {copy})"
            topics = [
                dataclasses.replace(
                    topic,
                    key=f"{topic.key}-{copy}",
                    title=topic.title + suffix,
                    prerequisites=[f"{key}-{copy}" for key in topic.prerequisites],
                    milestones=[
                        dataclasses.replace(milestone, key=f"{milestone.key}-{copy}")
                        for milestone in topic.milestones
                    ],
                )
                for topic in stage.topics
            ]
            stages.append(
                dataclasses.replace(
                    stage, key=f"{stage.key}-{copy}", title=stage.title + suffix, topics=topics
                )
            )
            total += sum(len(topic.milestones) for topic in topics)
        copy += 1
    return dataclasses.replace(spec, key=f"{spec.key}-large", stages=stages)


def play_history(roadmap, *, events: int, start, end, done_share: float, rng) -> list:
    """Status changes through the service, spread from `start` to `end`: a learner who starts
    milestones in order, finishes most, skips a few and often reopens finished ones to revisit.

    Returns (time, milestone) for every change, in time order.
    """
    milestones = list(Milestone.objects.filter(roadmap=roadmap).in_roadmap_order())
    span = (end - start).total_seconds()
    moments = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(events))
    started, open_, finished, log = 0, [], [], []
    for index, at in enumerate(moments):
        due = int(len(milestones) * done_share * (index + 1) / len(moments))
        idle = not open_ and not finished
        if started < len(milestones) and (idle or (started < due and len(open_) < WORKING_ON)):
            milestone, status = milestones[started], Status.IN_PROGRESS
            started += 1
        elif open_ and (len(open_) >= WORKING_ON or not finished or rng.random() < 0.5):
            milestone = open_.pop(rng.randrange(len(open_)))
            status = Status.DONE if rng.random() < 0.93 else Status.SKIPPED
        else:
            milestone, status = finished.pop(rng.randrange(len(finished))), Status.IN_PROGRESS
        milestone_set_status(milestone=milestone, status=status, at=at)
        (open_ if status == Status.IN_PROGRESS else finished).append(milestone)
        log.append((at, milestone))
    return log


def write_posts(author, roadmap, log, *, count: int, rng) -> list[Post]:
    """`count` published posts, each tied to the milestone (and its topic) last worked on."""
    times = [at for at, _ in log]
    kinds = Post.Kind.values
    posts = []
    for i in range(count):
        at = log[0][0] + (log[-1][0] - log[0][0]) * rng.random()
        milestone = log[max(bisect.bisect_right(times, at) - 1, 0)][1]
        title, body = post_body(rng)
        post = Post(
            author=author,
            roadmap=roadmap,
            title=f"{title}: {milestone.title[:80]}",
            slug=f"{slugify(title)}-{author.username}-{i}",
            kind=kinds[i % len(kinds)],
            body=body,
            status=Post.Status.PUBLISHED,
            published_at=at + timedelta(hours=2),
        )
        post.save()
        posts.append((post, milestone))
    Post.milestones.through.objects.bulk_create(
        Post.milestones.through(post=post, milestone=milestone) for post, milestone in posts
    )
    Post.topics.through.objects.bulk_create(
        Post.topics.through(post=post, topic_id=milestone.topic_id) for post, milestone in posts
    )
    return [post for post, _ in posts]


def describe(roadmap, *, owner: str, pick: float) -> dict:
    """What the benchmark loads on one roadmap: a topic and a milestone in the middle of it."""
    milestones = list(roadmap.milestones.in_roadmap_order().select_related("topic"))
    middle = milestones[int(len(milestones) * pick)]
    return {
        "owner": owner,
        "roadmap": roadmap.slug,
        "topic": middle.topic.slug,
        "milestone": middle.slug,
        "milestones": len(milestones),
        # Each milestone with a status that changes it and one that changes it back.
        "writes": [
            [m.slug, Status.IN_PROGRESS if m.status == Status.DONE else Status.DONE, m.status]
            for m in milestones
        ],
    }


def build() -> dict:
    rng = random.Random(SEED)  # noqa: S311 (the same site on every run, not a secret)
    call_command("migrate", "--noinput", verbosity=0)
    users = {
        name: get_user_model().objects.create_user(name, password=password)
        for name, password in PASSWORDS.items()
    }
    now = timezone.now()
    start = now - timedelta(days=round(365 * YEARS))
    shipped = read_curriculum(SHIPPED)
    with transaction.atomic():
        large = load_curriculum(
            grown_spec(shipped, LARGE_MILESTONES),
            owner=users["ada"],
            slug="ml-fundamentals-large",
            title="ML fundamentals, the long way",
            started_on=start.date(),
            target_date=(start + timedelta(days=365 * YEARS * 1.2)).date(),
        ).roadmap
        log = play_history(large, events=EVENTS, start=start, end=now, done_share=0.7, rng=rng)
        posts = write_posts(users["ada"], large, log, count=POSTS - SECOND_LEARNER_POSTS, rng=rng)

        quarter_ago = now - timedelta(days=90)
        small = load_curriculum(shipped, owner=users["bo"], started_on=quarter_ago.date()).roadmap
        small_log = play_history(
            small, events=120, start=quarter_ago, end=now, done_share=0.25, rng=rng
        )
        write_posts(users["bo"], small, small_log, count=SECOND_LEARNER_POSTS, rng=rng)
    site = {
        "passwords": PASSWORDS,
        "post": posts[len(posts) // 2].slug,
        "events": len(log) + len(small_log),
        "posts": POSTS,
        "large": describe(large, owner="ada", pick=0.5),
        "shipped": describe(small, owner="bo", pick=0.2),
    }
    (settings.DATA_DIR / "site.json").write_text(json.dumps(site, indent=1))
    return site


def main() -> None:
    began = time.perf_counter()
    site = build()
    sys.stdout.write(
        f"Built {site['large']['milestones']} + {site['shipped']['milestones']} milestones, "
        f"{site['events']:,} events, {site['posts']:,} posts "
        f"in {time.perf_counter() - began:.0f} s\n"
    )
