"""Journal writes that touch several models at once."""

from django.db import transaction

from roadmap.models import Milestone, Roadmap

from .models import Post


def reflection_create(
    *, milestone: Milestone, body: str, evidence_url: str = "", publish: bool
) -> Post:
    """A reflection post on a milestone, tied to it and its topic, published or a draft.

    An evidence link given with it becomes the milestone's, unless it has one already.
    All of it is saved, or none of it.
    """
    with transaction.atomic():
        post = Post(
            author=milestone.roadmap.owner,
            roadmap=milestone.roadmap,
            title=f"Reflection: {milestone.title}"[:200],
            slug=Post.objects.free_slug(f"reflection-{milestone.slug}", max_length=100),
            kind=Post.Kind.REFLECTION,
            body=body,
        )
        if publish:
            post.publish()
        post.save()
        post.milestones.add(milestone)
        post.topics.add(milestone.topic)
        if evidence_url and not milestone.evidence_url:
            milestone.evidence_url = evidence_url
            milestone.save(update_fields=["evidence_url"])
            Roadmap.objects.filter(pk=milestone.roadmap_id).mark_changed()
    return post
