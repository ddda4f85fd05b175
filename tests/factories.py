"""Large roadmaps for query-count tests and benchmarks, built in a handful of queries."""

import itertools

from roadmap.models import Milestone, Resource, Roadmap, Stage, Status, Topic


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
